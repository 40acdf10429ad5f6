import Engine
import Foundation
import Scenario
import Settlement
import Testing

/// The fast (aggregate) path against the two things it must agree with: the exact FFT
/// distribution of a panel's cost where one exists, and the direct member-by-member simulation
/// on the full world. Tolerances come from the binomial error of an empirical CDF:
/// at a reference quantile x_q, the fraction of N draws at or below x_q has standard error
/// √(q(1−q)/N) (two-sample: √(q(1−q)(1/N₁ + 1/N₂))).
struct FastPathTests {
    /// The numpy peer's member model (../shared/bench): independent members, no systemic level.
    static let peerModel = """
    name: peer member model
    population:
      frailty_sharing: 0
      risk_score_noise_cv: 0
      churn: {full_year_probability: 1}
      classes: [{name: all, panel_share: 1}]
    \(Fixture.services)
    regions: [statewide]
    practices: {groups: [{count: 1, members: 2000}]}
    designs: [{name: FFS}]
    """
    static let quantiles = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99]
    static let cap = 150_000.0

    /// Empirical P(X ≤ x) of `sample`.
    static func fraction(_ sample: [Double], atOrBelow x: Double) -> Double {
        Double(sample.filter { $0 <= x }.count) / Double(sample.count)
    }

    /// At each quantile x_q of the direct sample, the two samples' fractions at or below x_q agree
    /// within 4.5 two-sample binomial standard errors (at least two direct draws' worth).
    static func expectSameDistribution(direct a: [Double], fast b: [Double], at levels: [Double], label: String) {
        let sorted = a.sorted()
        for q in levels {
            let x = sorted[Int(q * Double(sorted.count - 1))]
            let pd = fraction(a, atOrBelow: x), pf = fraction(b, atOrBelow: x)
            let tolerance = 4.5 * (pd * (1 - pd) * (1 / Double(a.count) + 1 / Double(b.count))).squareRoot()
            #expect(abs(pd - pf) <= max(tolerance, 2 / Double(a.count)), "\(label) q=\(q): direct P(≤\(x))=\(pd), fast \(pf)")
        }
    }

    /// At each reference quantile x_q, the sample's fraction at or below x_q is within 4.5
    /// binomial standard errors of the exact probability.
    static func expectAgreement(_ sample: [Double], with exact: ExactPanelCost, label: String) {
        for q in quantiles {
            let x = exact.quantile(q)
            let p = exact.cdf(x)
            let simulated = fraction(sample, atOrBelow: x)
            let tolerance = 4.5 * (p * (1 - p) / Double(sample.count)).squareRoot()
            #expect(abs(simulated - p) <= tolerance, "\(label) q=\(q): exact x=\(x), simulated P(≤x)=\(simulated) vs \(p)")
        }
    }

    /// The exact reference's mean equals the compound mean n·Σ rate·severity mean. The lattice
    /// keeps every severity's mean exactly; what remains is the lognormal tail beyond the
    /// lattice's end (mean + 30 SD of the panel), lumped at the end: about 1e-4 here.
    @Test func exactReferenceHasTheCompoundMean() throws {
        let scenario = try Fixture.scenario(Self.peerModel)
        let exact = try ExactPanelCost(scenario: scenario, members: 500)
        let compound = 500 * scenario.services.reduce(0.0) { $0 + $1.rate * $1.costMean }
        #expect(abs(exact.mean - compound) / compound < 5e-4, "FFT mean \(exact.mean), compound mean \(compound)")
        #expect(abs(exact.probabilities.reduce(0, +) - 1) < 1e-12)
    }

    /// The direct member-by-member simulation agrees with the exact FFT distribution.
    @Test(arguments: [(250, 4000), (2000, 800)])
    func directSimulationMatchesTheExactReference(members: Int, trials: Int) throws {
        let scenario = try Fixture.scenario(Self.peerModel)
        let exact = try ExactPanelCost(scenario: scenario, members: members, cap: Self.cap)
        let direct = try PanelSampler(scenario: scenario, method: .member, attachments: [Self.cap], seed: 11)
            .practiceYears(classCounts: [members], trials: trials, threads: 2).map { $0.truncatedCost[0] }
        Self.expectAgreement(direct, with: exact, label: "direct, n=\(members)")
    }

    /// The fast path agrees with the exact FFT distribution from small panels to large ones, with
    /// many more draws than the direct path could afford (so a tight tolerance).
    @Test(arguments: [250, 1000, 5000, 20_000])
    func fastPathMatchesTheExactReference(members: Int) throws {
        let scenario = try Fixture.scenario(Self.peerModel)
        let exact = try ExactPanelCost(scenario: scenario, members: members, cap: Self.cap)
        let trials = 20_000
        let fast = try PanelSampler(scenario: scenario, method: .aggregate, attachments: [Self.cap], seed: 12)
            .practiceYears(classCounts: [members], trials: trials, threads: 2).map { $0.truncatedCost[0] }
        Self.expectAgreement(fast, with: exact, label: "fast, n=\(members)")
    }

    /// The full world (four classes, risk spread and noise, social need, churn, shared frailty,
    /// a risk-tiered add-on, a stop-loss): practice cost and exposure agree between the paths at
    /// P5–P99 for panels of 250 to 20,000 members.
    @Test func fastPathMatchesTheDirectPathOnTheFullWorld() throws {
        let yaml = """
        name: fast vs direct
        simulation: {trials: 300, seed: 5, program_years: 1, first_program_year: 2027}
        population:
          frailty_sharing: 0.5
          risk_score_noise_cv: 0.3
          churn: {full_year_probability: 0.85}
          classes:
            - {name: child, panel_share: 0.37, risk_cv: 1.15, social_need_probability: 0.3, social_need_multiplier: 1.25}
            - {name: adult, panel_share: 0.23, risk_cv: 1.15, social_need_probability: 0.4, social_need_multiplier: 1.25}
            - {name: expansion, panel_share: 0.29, risk_cv: 1.15, social_need_probability: 0.45, social_need_multiplier: 1.25}
            - {name: disabled, panel_share: 0.11, risk_cv: 0.95, social_need_probability: 0.5, social_need_multiplier: 1.25, utilization_multiplier: 2.5}
        \(Fixture.services)
        regions: [statewide]
        \(Fixture.issuePanels)
        designs:
          - name: Two-sided with stop-loss
            prospective_share: 0.5
            add_ons: [{name: tiered, risk_tiers: [{below: 1, pmpm: 5}, {pmpm: 20}]}]
            stop_loss: {attachment: 100000}
            reconciliation:
              minimum_savings_rate: 0.02
              minimum_loss_rate: 0.02
              upside_rate: 0.5
              downside_rate: 0.5
              loss_cap: {benchmark: 0.05}
        """
        var scenario = try Fixture.scenario(yaml)
        scenario.simulation.method = .member
        let direct = try Simulation.run(scenario: scenario, trials: 300, seed: 5, threads: 2)
        scenario.simulation.method = .aggregate
        let fast = try Simulation.run(scenario: scenario, trials: 3000, seed: 5, threads: 2)
        for (p, practice) in scenario.practices.enumerated() {
            func costs(_ r: SimulationResults) -> [Double] {
                (0..<r.trials).map { r.totalCost[r.worldIndex(trial: $0, practice: p, year: 1)] }
            }
            func exposures(_ r: SimulationResults) -> [Double] {
                (0..<r.trials).map { r.exposure[r.settledIndex(trial: $0, design: 0, practice: p, year: 1)] }
            }
            for (name, a, b) in [("cost", costs(direct), costs(fast)), ("exposure", exposures(direct), exposures(fast))] {
                Self.expectSameDistribution(direct: a, fast: b, at: [0.05, 0.25, 0.5, 0.75, 0.95, 0.99],
                                            label: "\(practice.id) \(name)")
            }
        }
    }
}
