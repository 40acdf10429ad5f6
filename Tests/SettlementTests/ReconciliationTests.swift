import Foundation
import Scenario
import Settlement
import Testing

/// Exact arithmetic: every expected value below is worked by hand from the rule in
/// `SettlementCalculator.reconcile` (benchmark 1,000,000 throughout).
struct ReconciliationTests {
    static let benchmark = 1_000_000.0

    static func terms(msr: Double = 0.02, mlr: Double = 0.02, basis: SharingBasis = .firstDollar,
                      upside: Double = 0.5, downside: Double = 0.4,
                      savingsCap: Cap = Cap(benchmarkShare: Glide(0.10)),
                      lossCap: Cap = Cap(benchmarkShare: Glide(0.05))) -> Reconciliation {
        Reconciliation(minimumSavingsRate: .fixed(Glide(msr)), minimumLossRate: .fixed(Glide(mlr)), sharingBasis: basis,
                       upsideRate: Glide(upside), downsideRate: Glide(downside),
                       savingsCap: savingsCap, lossCap: lossCap)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let actual: Double
        let revenue: Double
        let terms: Reconciliation
        let expected: Double
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "zero difference", actual: 1_000_000, revenue: 100_000, terms: terms(), expected: 0),
        Case(label: "savings inside MSR", actual: 990_000, revenue: 100_000, terms: terms(), expected: 0),
        Case(label: "savings exactly at MSR, first dollar", actual: 980_000, revenue: 100_000, terms: terms(),
             expected: 0.5 * 20_000),
        Case(label: "savings exactly at MSR, net of threshold", actual: 980_000, revenue: 100_000,
             terms: terms(basis: .netOfThreshold), expected: 0),
        Case(label: "savings beyond MSR, first dollar", actual: 950_000, revenue: 100_000, terms: terms(),
             expected: 0.5 * 50_000),
        Case(label: "savings beyond MSR, net of threshold", actual: 950_000, revenue: 100_000,
             terms: terms(basis: .netOfThreshold), expected: 0.5 * 30_000),
        Case(label: "savings at the benchmark cap", actual: 800_000, revenue: 1_000_000, terms: terms(),
             expected: 100_000),
        Case(label: "savings above the benchmark cap", actual: 600_000, revenue: 1_000_000, terms: terms(),
             expected: 100_000),
        Case(label: "savings cap: revenue limit is the lesser", actual: 700_000, revenue: 100_000,
             terms: terms(savingsCap: Cap(benchmarkShare: Glide(0.10), revenueShare: Glide(0.5))), expected: 50_000),
        Case(label: "loss inside MLR", actual: 1_015_000, revenue: 100_000, terms: terms(), expected: 0),
        Case(label: "loss exactly at MLR, first dollar", actual: 1_020_000, revenue: 100_000, terms: terms(),
             expected: -0.4 * 20_000),
        Case(label: "loss beyond MLR, net of threshold", actual: 1_040_000, revenue: 100_000,
             terms: terms(basis: .netOfThreshold), expected: -0.4 * 20_000),
        Case(label: "loss above the benchmark cap", actual: 1_200_000, revenue: 1_000_000, terms: terms(),
             expected: -50_000),
        Case(label: "loss cap: revenue limit is the lesser", actual: 1_200_000, revenue: 100_000,
             terms: terms(lossCap: Cap(benchmarkShare: Glide(0.05), revenueShare: Glide(0.10))), expected: -10_000),
        Case(label: "loss cap: benchmark limit is the lesser", actual: 1_200_000, revenue: 10_000_000,
             terms: terms(lossCap: Cap(benchmarkShare: Glide(0.05), revenueShare: Glide(0.10))), expected: -50_000),
        Case(label: "one-sided design owes nothing", actual: 1_300_000, revenue: 100_000,
             terms: terms(downside: 0), expected: 0),
        Case(label: "no caps, no thresholds", actual: 700_000, revenue: 1, terms: terms(msr: 0, mlr: 0, upside: 1,
             savingsCap: .none, lossCap: .none), expected: 300_000),
    ]

    static func reconcile(actual: Double, revenue: Double, terms: Reconciliation, year: Int = 1) -> Double {
        func fixed(_ rule: ThresholdRule) -> Double { Thresholds.rate(rule, members: 1, year: year, confidenceCoefficient: 0) }
        return SettlementCalculator.reconcile(
            ReconciliationInput(benchmark: benchmark, actual: actual, revenue: revenue, members: 1),
            terms: terms, year: year, msr: fixed(terms.minimumSavingsRate), mlr: fixed(terms.minimumLossRate))
    }

    @Test(arguments: cases)
    func reconcile(_ c: Case) {
        #expect(Self.reconcile(actual: c.actual, revenue: c.revenue, terms: c.terms) == c.expected)
    }

    @Test func glidePathSelectsTheYearsTerms() {
        let glide = Reconciliation(minimumSavingsRate: .fixed(Glide(0)), minimumLossRate: .fixed(Glide(0)), sharingBasis: .firstDollar,
                                   upsideRate: Glide(0.5), downsideRate: Glide(perYear: [0, 0.25, 0.5]),
                                   savingsCap: .none, lossCap: .none)
        let owed = (1...3).map { Self.reconcile(actual: 1_100_000, revenue: 1, terms: glide, year: $0) }
        #expect(owed == [0, -25_000, -50_000])
    }

    @Test func zeroBenchmarkSettlesNothing() {
        let input = ReconciliationInput(benchmark: 0, actual: 5, revenue: 1, members: 1)
        #expect(SettlementCalculator.reconcile(input, terms: Self.terms(), year: 1, msr: 0, mlr: 0) == 0)
    }

    /// A cap below its threshold under first-dollar sharing (issue 12, item 7): the scenario
    /// loads, and once the threshold is passed the result is the cap itself.
    @Test func aCapBelowItsThresholdLoadsAndBindsUnderFirstDollarSharing() throws {
        let scenario = try ScenarioLoader.parse(data: Data("""
        name: caps below thresholds
        simulation: {program_years: 1}
        population:
          classes: [{name: all, panel_share: 1}]
        services:
          - {name: visit, primary_care_scope: true, rate: 3, cost: {distribution: gamma, mean: 100, cv: 0.5}}
        regions: [north]
        practices:
          groups: [{count: 1, members: [1000, 1000]}]
        designs:
          - name: low caps
            reconciliation: {minimum_savings_rate: 0.05, minimum_loss_rate: 0.05, upside_rate: 0.5, downside_rate: 0.5,
                             savings_cap: {benchmark: 0.01}, loss_cap: {benchmark: 0.02}}
        """.utf8), file: "caps.yaml")
        let terms = try #require(scenario.designs[0].tracks[0].tiers[0].terms.reconciliation)
        func settle(_ actual: Double) -> Double {
            SettlementCalculator.reconcile(ReconciliationInput(benchmark: Self.benchmark, actual: actual, revenue: 200_000, members: 1000),
                                           terms: terms, year: 1, msr: 0.05, mlr: 0.05)
        }
        #expect(settle(960_000) == 0)            // 4% savings: inside the 5% MSR
        #expect(settle(940_000) == 10_000)       // 6% savings: 50% first dollar = 3%, capped at 1%
        #expect(settle(1_040_000) == 0)          // 4% loss: inside the MLR
        #expect(settle(1_060_000) == -20_000)    // 6% loss: 3%, capped at 2%
    }
}
