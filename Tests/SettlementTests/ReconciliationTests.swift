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
        Reconciliation(minimumSavingsRate: Glide(msr), minimumLossRate: Glide(mlr), sharingBasis: basis,
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

    @Test(arguments: cases)
    func reconcile(_ c: Case) {
        let result = SettlementCalculator.reconcile(benchmark: Self.benchmark, actual: c.actual, revenue: c.revenue,
                                                    terms: c.terms, year: 1)
        #expect(result == c.expected)
    }

    @Test func glidePathSelectsTheYearsTerms() {
        let glide = Reconciliation(minimumSavingsRate: Glide(0), minimumLossRate: Glide(0), sharingBasis: .firstDollar,
                                   upsideRate: Glide(0.5), downsideRate: Glide(perYear: [0, 0.25, 0.5]),
                                   savingsCap: .none, lossCap: .none)
        let owed = (1...3).map {
            SettlementCalculator.reconcile(benchmark: Self.benchmark, actual: 1_100_000, revenue: 1, terms: glide, year: $0)
        }
        #expect(owed == [0, -25_000, -50_000])
    }

    @Test func zeroBenchmarkSettlesNothing() {
        #expect(SettlementCalculator.reconcile(benchmark: 0, actual: 5, revenue: 1, terms: Self.terms(), year: 1) == 0)
    }
}

struct SettleTests {
    /// A practice-year chosen so every component is a round number.
    let activity = PracticeYearActivity(memberMonths: 1_200, inScopeServices: 400, inScopeFFS: 48_000,
                                        totalCost: 450_000, riskMonths: 1_200)
    let baseline = PracticeBaseline(costPerRiskMonth: 400, inScopeFFSPerRiskMonth: 38)

    @Test func componentsOfAHybridDesign() {
        let design = Design(name: "hybrid", prospectiveShare: Glide(0.25),
                            addOns: [AddOn(name: "care coordination", pmpm: Glide(15)), AddOn(name: "CHW", pmpm: Glide(2))],
                            reconciliation: ReconciliationTests.terms(msr: 0.02, mlr: 0.02, upside: 0.5, downside: 0.5,
                                                                      savingsCap: .none, lossCap: .none))
        let s = SettlementCalculator.settle(design: design, year: 1, activity: activity, baseline: baseline, trendFactor: 1)
        #expect(s.ffs == 36_000)                     // 48,000 × (1 − 0.25)
        #expect(s.prospective == 0.25 * 38 * 1_200)  // share × baseline in-scope PMPM × risk months
        #expect(s.addOns == 17 * 1_200)
        #expect(s.benchmark == 480_000)              // 400 × 1,200 risk-months
        #expect(s.reconciliation == 0.5 * 30_000)    // savings 6.25% ≥ 2%, first dollar
        #expect(s.revenue == 36_000 + 11_400 + 20_400 + 15_000)
    }

    @Test func pureFFSDesignPaysExactlyTheCounterfactual() {
        let ffs = Design(name: "FFS", prospectiveShare: Glide(0), addOns: [], reconciliation: nil)
        let s = SettlementCalculator.settle(design: ffs, year: 1, activity: activity, baseline: baseline, trendFactor: 1.05)
        #expect(s.revenue == activity.inScopeFFS)
        #expect(s.benchmark == 0)
    }

    @Test func trendFactorScalesBenchmarkAndProspectivePayment() {
        let design = Design(name: "cap", prospectiveShare: Glide(1), addOns: [],
                            reconciliation: ReconciliationTests.terms(msr: 0, mlr: 0, upside: 0, downside: 0))
        let s = SettlementCalculator.settle(design: design, year: 1, activity: activity, baseline: baseline, trendFactor: 1.5)
        #expect(s.benchmark == 400 * 1_200 * 1.5)
        #expect(s.prospective == 38 * 1_200 * 1.5)
        #expect(s.ffs == 0)
    }

    @Test func baselineIsPerRiskAdjustedMemberMonth() {
        let year = PracticeYearActivity(memberMonths: 100, inScopeServices: 0, inScopeFFS: 3_000,
                                        totalCost: 50_000, riskMonths: 125)
        let b = PracticeBaseline(baselineYear: year)
        #expect(b.costPerRiskMonth == 400)
        #expect(b.inScopeFFSPerRiskMonth == 24)
    }
}
