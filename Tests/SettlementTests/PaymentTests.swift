import Scenario
import Settlement
import Testing

/// Base payments worked by hand: 1,200 member-months, in-scope FFS $48,000, risk months 1,200 of
/// which 300 belong to members with the social-need flag (240 member-months).
struct PaymentTests {
    static let bins = RiskBins(bounds: [0.8, 2.0])

    static var activity: PracticeYearActivity {
        var a = PracticeYearActivity(categories: 2, attachments: 0, riskBins: bins.count)
        a.memberMonths = 1_200
        a.inScopeFFS = 48_000
        a.totalCost = 450_000
        a.riskMonths = 1_200
        a.socialRiskMonths = 300
        a.socialNeedMonths = 240
        a.riskBinMonths = [500, 600, 100]   // scores < 0.8, [0.8, 2), ≥ 2
        return a
    }

    func pay(_ terms: PaymentTerms, year: Int = 1, score: Double = 0.5) -> PaymentComponents {
        SettlementCalculator.basePayments(terms: terms, year: year, activity: Self.activity,
                                          expectedInScopePMPM: 38, qualityScore: score, riskBins: Self.bins)
    }

    @Test func pureFFSPaysExactlyTheCounterfactual() {
        let c = pay(.feeForService)
        #expect(c.ffs == 48_000)
        #expect(c.paidByPayer == 48_000 && c.practiceResult == 48_000)
    }

    @Test func prospectiveShareSplitsFFSAndCapitation() {
        let c = pay(PaymentTerms(prospectiveShare: Glide(0.25)))
        #expect(c.ffs == 36_000)                   // 48,000 × 0.75
        #expect(c.prospective == 0.25 * 38 * 1_200) // share × expected PMPM × risk months
    }

    @Test func socialRiskAdjustmentWeightsFlaggedRiskMonths() {
        let c = pay(PaymentTerms(prospectiveShare: Glide(1), socialRiskAdjustment: 1.2))
        #expect(c.prospective == 38 * (1_200 + 0.2 * 300))
    }

    @Test func addOnsFlatSocialNeedAndRiskTiersAddUp() {
        let addOn = AddOn(name: "care", pmpm: Glide(10), socialNeedPMPM: Glide(5),
                          riskTiers: [RiskTierPayment(below: 0.8, pmpm: Glide(0)),
                                      RiskTierPayment(below: 2.0, pmpm: Glide(4)),
                                      RiskTierPayment(below: nil, pmpm: Glide(30))])
        let c = pay(PaymentTerms(addOns: [addOn]))
        let expected: Double = 10 * 1_200 + 5 * 240 + 4 * 600 + 30 * 100
        #expect(c.addOns == expected)
    }

    @Test func investmentIsThepracticesCostNotThePayers() {
        let c = pay(PaymentTerms(investmentPMPM: Glide(3)))
        #expect(c.investment == 3_600)
        #expect(c.paidByPayer == 48_000)
        #expect(c.practiceResult == 48_000 - 3_600)
    }

    static let scores: [(score: Double, payout: Double)] = [(0, 0), (0.5, 0), (0.75, 0.5), (1, 1)]

    @Test(arguments: scores)
    func qualityWithholdAndBonusFollowTheScore(score: Double, payout: Double) {
        // floor 0.5: payout = (score − 0.5)/0.5, clamped.
        let quality = QualityTerms(bonusPMPM: Glide(2), withholdShare: Glide(0.05), floor: 0.5)
        let c = pay(PaymentTerms(quality: quality), score: score)
        let withheld = 0.05 * 48_000
        #expect(c.qualityWithheld == withheld)
        #expect(c.qualityPaid == payout * (2 * 1_200 + withheld))
    }

    @Test func qualityGateForfeitsSavingsButNotLosses() {
        var c = PaymentComponents()
        SettlementCalculator.apply(reconciliation: 1_000, to: &c, gateMet: false)
        #expect(c.sharedSavings == 0)
        SettlementCalculator.apply(reconciliation: -700, to: &c, gateMet: false)
        #expect(c.sharedLosses == 700)
    }

    @Test func glidePathChangesTheYearsPayment() {
        let terms = PaymentTerms(prospectiveShare: Glide(perYear: [0.3, 0.45, 0.6]))
        let paid: [Double] = (1...3).map { pay(terms, year: $0).ffs }
        let expected: [Double] = [0.3, 0.45, 0.6].map { 48_000 * (1 - $0) }
        #expect(paid == expected)
    }
}

struct CorridorAndThresholdTests {
    /// ACO REACH Professional corridors (FACTS.md): 50% of the first 5%, 35% of 5–10%, 15% of
    /// 10–15%, 5% beyond.
    static let reach = [Corridor(lower: 0, upper: 0.05, share: Glide(0.5)),
                        Corridor(lower: 0.05, upper: 0.10, share: Glide(0.35)),
                        Corridor(lower: 0.10, upper: 0.15, share: Glide(0.15)),
                        Corridor(lower: 0.15, upper: nil, share: Glide(0.05))]

    static let corridorCases: [(deviation: Double, expected: Double)] = [
        (0, 0), (0.04, 0.02), (0.05, 0.025), (0.08, 0.0355), (0.12, 0.0455), (0.30, 0.0575),
    ]

    @Test(arguments: corridorCases)
    func corridorShareSumsBands(deviation: Double, expected: Double) {
        #expect(abs(SettlementCalculator.corridorShare(Self.reach, deviation: deviation, year: 1) - expected) < 1e-15)
    }

    @Test func corridorsApplyToSavingsAndLossesAlike() {
        let terms = Reconciliation(minimumSavingsRate: .fixed(Glide(0)), minimumLossRate: .fixed(Glide(0)),
                                   sharingBasis: .firstDollar, upsideRate: Glide(0), downsideRate: Glide(0),
                                   corridors: Self.reach, savingsCap: .none, lossCap: .none)
        func settle(_ actual: Double) -> Double {
            SettlementCalculator.reconcile(ReconciliationInput(benchmark: 1_000_000, actual: actual, revenue: 1, members: 1),
                                           terms: terms, year: 1, msr: 0, mlr: 0)
        }
        #expect(abs(settle(920_000) - 35_500) < 1e-6)    // 8% savings: 0.5·5% + 0.35·3%
        #expect(abs(settle(1_080_000) + 35_500) < 1e-6)  // 8% loss, same bands
    }

    /// The MSSP table (42 CFR 425.604(b), FACTS.md) at every band edge, and linear inside a band.
    @Test(arguments: Thresholds.msspTable)
    func msspRuleMatchesTheTableAtBandEdges(members: Double, rate: Double) {
        #expect(Thresholds.mssp(members: Int(members)) == rate)
    }

    @Test func msspRuleInterpolatesAndExtendsBelowTheTable() {
        #expect(abs(Thresholds.mssp(members: 5_500) - 0.0375) < 1e-15)
        #expect(abs(Thresholds.mssp(members: 35_000) - 0.0235) < 1e-15)
        #expect(Thresholds.mssp(members: 1_000_000) == 0.020)
        #expect(abs(Thresholds.mssp(members: 1_250) - 0.078) < 1e-15)   // 3.9% × √4
    }

    @Test func confidenceRuleShrinksWithTheSquareRootOfMembers() {
        let rule = ThresholdRule.confidence(0.9)
        let small = Thresholds.rate(rule, members: 400, year: 1, confidenceCoefficient: 4.0)
        let large = Thresholds.rate(rule, members: 1_600, year: 1, confidenceCoefficient: 4.0)
        #expect(small == 0.2 && large == 0.1)
    }

    @Test func pooledResultsAreAllocatedByBenchmarkDollars() {
        let shares = SettlementCalculator.allocate(-9_000, benchmarks: [100, 200, 600])
        #expect(shares == [-1_000, -2_000, -6_000])
        #expect(SettlementCalculator.allocate(5, benchmarks: [0, 0]) == [0, 0])
    }

    /// Issue 12, item 6: under "10% of revenue", a pooled practice with little revenue for its
    /// benchmark must not repay more than 10% of its own revenue.
    @Test func pooledSharesStopAtEachPracticesOwnCap() {
        let terms = Reconciliation(minimumSavingsRate: .fixed(Glide(0)), minimumLossRate: .fixed(Glide(0)),
                                   sharingBasis: .firstDollar, upsideRate: Glide(0.5), downsideRate: Glide(0.5),
                                   savingsCap: Cap(benchmarkShare: Glide(0.02)), lossCap: Cap(revenueShare: Glide(0.10)))
        let small = ReconciliationInput(benchmark: 1_000_000, actual: 0, revenue: 100_000, members: 500)
        let large = ReconciliationInput(benchmark: 1_000_000, actual: 0, revenue: 400_000, members: 500)
        let third = ReconciliationInput(benchmark: 2_000_000, actual: 0, revenue: 800_000, members: 1000)
        // Pro rata −15,000 / −15,000 / −30,000; the small practice stops at −10,000 (10% of its
        // revenue) and the 5,000 it cannot repay is spread over the others by benchmark (1 : 2).
        let shares = SettlementCalculator.allocate(-60_000, among: [small, large, third], terms: terms, year: 1)
        let expected: [Double] = [-10_000, -15_000 - 5_000.0 / 3, -30_000 - 10_000.0 / 3]
        for (share, value) in zip(shares, expected) { #expect(abs(share - value) < 1e-6) }
        #expect(abs(shares.reduce(0, +) + 60_000) < 1e-6)
        // A loss beyond every cap: each repays its cap (10%, 40,000 and 80,000), the payer absorbs the rest.
        #expect(SettlementCalculator.allocate(-200_000, among: [small, large, third], terms: terms, year: 1)
                == [-10_000, -40_000, -80_000])
        // Savings use the savings cap (2% of benchmark): 20,000, 20,000 and 40,000 at most.
        #expect(SettlementCalculator.allocate(100_000, among: [small, large, third], terms: terms, year: 1)
                == [20_000, 20_000, 40_000])
        // Uncapped pools allocate exactly as before.
        let free = Reconciliation(minimumSavingsRate: .fixed(Glide(0)), minimumLossRate: .fixed(Glide(0)),
                                  sharingBasis: .firstDollar, upsideRate: Glide(0.5), downsideRate: Glide(0.5),
                                  savingsCap: Cap(), lossCap: Cap())
        let inputs = [100.0, 200, 600].map { ReconciliationInput(benchmark: $0, actual: 0, revenue: 1, members: 1) }
        #expect(SettlementCalculator.allocate(-9_000, among: inputs, terms: free, year: 1) == [-1_000, -2_000, -6_000])
    }
}

/// Seed 001's CHW business case: $1 invested lowers total cost of care by $1.80.
struct CHWBusinessCaseTests {
    static let benchmark = 1_000_000.0
    static let invested = 10_000.0

    func net(upfrontPMPM: Bool) -> Double {
        var activity = PracticeYearActivity(categories: 1)
        activity.memberMonths = 1_000
        activity.riskMonths = 1_000
        let terms = PaymentTerms(
            addOns: upfrontPMPM ? [AddOn(name: "CHW support", pmpm: Glide(Self.invested / 1_000))] : [],
            investmentPMPM: Glide(Self.invested / 1_000),
            reconciliation: Reconciliation(minimumSavingsRate: .fixed(Glide(0)), minimumLossRate: .fixed(Glide(0)),
                                           sharingBasis: .firstDollar, upsideRate: Glide(0.5), downsideRate: Glide(0),
                                           savingsCap: .none, lossCap: .none))
        var c = SettlementCalculator.basePayments(terms: terms, year: 1, activity: activity, expectedInScopePMPM: 0,
                                                  qualityScore: 0, riskBins: RiskBins(bounds: []))
        let input = ReconciliationInput(benchmark: Self.benchmark, actual: Self.benchmark - 1.8 * Self.invested,
                                        revenue: c.revenueBeforeSettlement, members: 100)
        let amount = SettlementCalculator.reconcile(input, terms: terms.reconciliation!, year: 1, msr: 0, mlr: 0)
        SettlementCalculator.apply(reconciliation: amount, to: &c, gateMet: true)
        return c.practiceResult
    }

    @Test func sharedSavingsAloneLosesTenCentsPerDollar() {
        #expect(net(upfrontPMPM: false) == -0.10 * Self.invested)
    }

    @Test func upfrontPMPMCoveringTheInvestmentNetsNinetyCents() {
        #expect(net(upfrontPMPM: true) == 0.90 * Self.invested)
    }
}
