import Foundation
import Scenario

/// The speed peer's member model (../shared/bench/README.md), written as an apmrisk scenario:
/// independent gamma frailty per category (no sharing), no risk spread, no churn, one class.
enum BenchModel {
    static let yaml = """
    name: numpy peer member model
    population:
      frailty_sharing: 0
      risk_score_noise_cv: 0
      classes: [{name: all, panel_share: 1}]
    services:
      - {name: primary_care_visit, primary_care_scope: true, rate: 3.5, frailty_cv: 0.8, cost: {distribution: gamma, mean: 120, cv: 0.70710678}}
      - {name: specialist_visit, rate: 1.8, frailty_cv: 1.2, cost: {distribution: gamma, mean: 260, cv: 0.81649658}}
      - {name: ed_visit, rate: 0.45, frailty_cv: 1.8257419, cost: {distribution: lognormal, mean: 1100, cv: 1.5}}
      - {name: inpatient_admission, rate: 0.07, frailty_cv: 2.5, cost: {distribution: lognormal, mean: 14000, cv: 1.2}}
      - {name: outpatient_lab_imaging, rate: 4.0, frailty_cv: 1.0, cost: {distribution: lognormal, mean: 350, cv: 2.0}}
    regions: [all]
    practices: {groups: [{count: 1, members: 2000}]}
    designs: [{name: FFS}]
    simulation: {}
    """

    static func scenario() throws -> Scenario {
        try ScenarioLoader.parse(data: Data(yaml.utf8), file: "bench model")
    }
}
