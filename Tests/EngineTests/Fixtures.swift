import Foundation
import Scenario

/// Small scenarios written inline so each test states the world it runs on.
enum Fixture {
    static let services = """
    services:
      - {name: primary_care_visit, primary_care_scope: true, rate: 3.5, frailty_cv: 0.8, cost: {distribution: gamma, mean: 120, cv: 0.7071}}
      - {name: specialist_visit, rate: 1.8, frailty_cv: 1.2, cost: {distribution: gamma, mean: 260, cv: 0.8165}}
      - {name: ed_visit, rate: 0.45, frailty_cv: 1.826, cost: {distribution: lognormal, mean: 1100, cv: 1.5}}
      - {name: inpatient_admission, rate: 0.07, frailty_cv: 2.5, cost: {distribution: lognormal, mean: 14000, cv: 1.2}}
      - {name: outpatient_lab_imaging, rate: 4.0, frailty_cv: 1.0, cost: {distribution: lognormal, mean: 350, cv: 2.0}}
    """

    /// One practice of each panel size the fast-path issues name (250, 1,000, 5,000, 20,000).
    static let issuePanels = """
    practices:
      groups:
        - {members: 250, id_prefix: A}
        - {members: 1000, id_prefix: B}
        - {members: 5000, id_prefix: C}
        - {members: 20000, id_prefix: D}
    """

    /// Three program years, two regions, small and mid-sized practices, an FFS+PMPM design and a
    /// two-sided design with a glide path: every level of variation switched on.
    static let world = """
    name: engine fixture
    simulation: {trials: 200, seed: 99, program_years: 3, first_program_year: 2027}
    population:
      frailty_sharing: 0.5
      risk_score_noise_cv: 0.3
      churn: {full_year_probability: 0.8}
      classes:
        - {name: child, panel_share: 0.4, risk_cv: 0.8, utilization_multiplier: 0.6}
        - {name: adult, panel_share: 0.6, risk_cv: 1.2, social_need_probability: 0.25, social_need_multiplier: 1.3}
    \(services)
    variation:
      trend: {assumed: 0.03, mean: 0.035, sd: 0.02}
      shock: {probability: 0.1, multiplier: 1.08}
      regional_cv: 0.03
      practice_efficiency_cv: 0.05
    regions: [north, south]
    practices:
      groups:
        - {count: 4, members: [300, 900]}
        - {count: 2, members: [1500, 3000]}
    designs:
      - name: PMPM
        add_ons: [{name: care_coordination, pmpm: 15}]
      - name: Two-sided
        prospective_share: [0.3, 0.45, 0.6]
        reconciliation:
          minimum_savings_rate: 0.02
          minimum_loss_rate: 0.02
          upside_rate: 0.5
          downside_rate: [0, 0.25, 0.5]
          savings_cap: {benchmark: 0.10}
          loss_cap: {benchmark: 0.05, revenue: 0.15}
    """

    static func scenario(_ yaml: String = world, file: String = "fixture.yaml") throws -> Scenario {
        try ScenarioLoader.parse(data: Data(yaml.utf8), file: file)
    }
}
