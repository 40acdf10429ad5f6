import Scenario

/// Money one practice receives from the payer in one program year under one design, by component.
public struct PracticeSettlement: Sendable, Equatable {
    /// FFS for in-scope services at (1 − prospective share).
    public var ffs: Double
    /// Prospective primary-care payment, kept whatever the realised utilization.
    public var prospective: Double
    /// All PMPM add-ons.
    public var addOns: Double
    /// Total-cost-of-care benchmark in dollars (0 without reconciliation).
    public var benchmark: Double
    /// Shared savings (> 0) or shared losses owed back (< 0).
    public var reconciliation: Double

    /// Revenue before settlement: the base on which revenue caps are computed.
    public var revenueBeforeSettlement: Double { ffs + prospective + addOns }
    public var revenue: Double { revenueBeforeSettlement + reconciliation }
}

/// Payment arithmetic: pure functions, no randomness, exact to test.
public enum SettlementCalculator {
    /// Settles one practice-year under `design`.
    /// - Parameters:
    ///   - year: program year, 1-based (selects glide-path values).
    ///   - trendFactor: the payer's assumed trend compounded from the baseline year to `year`.
    public static func settle(design: Design, year: Int, activity: PracticeYearActivity,
                              baseline: PracticeBaseline, trendFactor: Double) -> PracticeSettlement {
        let share = design.prospectiveShare.value(year: year)
        let ffs = activity.inScopeFFS * (1 - share)
        let expectedInScope = baseline.inScopeFFSPerRiskMonth * activity.riskMonths * trendFactor
        let prospective = share * expectedInScope
        let addOns = design.addOns.reduce(0) { $0 + $1.pmpm.value(year: year) * activity.memberMonths }
        var result = PracticeSettlement(ffs: ffs, prospective: prospective, addOns: addOns,
                                        benchmark: 0, reconciliation: 0)
        if let terms = design.reconciliation {
            let benchmark = baseline.costPerRiskMonth * activity.riskMonths * trendFactor
            result.benchmark = benchmark
            result.reconciliation = reconcile(benchmark: benchmark, actual: activity.totalCost,
                                              revenue: result.revenueBeforeSettlement,
                                              terms: terms, year: year)
        }
        return result
    }

    /// Shared savings (positive) or shared losses (negative) of a total-cost-of-care reconciliation.
    ///
    /// Savings rate = (benchmark − actual) / benchmark. Nothing is shared while the rate lies
    /// strictly inside (−MLR, MSR); at or beyond a threshold the practice shares the whole
    /// difference (first dollar) or only the part beyond the threshold (net). The result is then
    /// limited by the savings or loss cap: the lesser of its share-of-benchmark and
    /// share-of-revenue limits, where set.
    public static func reconcile(benchmark: Double, actual: Double, revenue: Double,
                                 terms: Reconciliation, year: Int) -> Double {
        guard benchmark > 0 else { return 0 }
        let difference = benchmark - actual
        let rate = difference / benchmark
        let msr = terms.minimumSavingsRate.value(year: year)
        let mlr = terms.minimumLossRate.value(year: year)
        if difference > 0 && rate >= msr {
            let base = terms.sharingBasis == .firstDollar ? difference : difference - msr * benchmark
            let limit = capLimit(terms.savingsCap, benchmark: benchmark, revenue: revenue, year: year)
            return min(terms.upsideRate.value(year: year) * base, limit)
        }
        if difference < 0 && -rate >= mlr {
            let base = terms.sharingBasis == .firstDollar ? -difference : -difference - mlr * benchmark
            let limit = capLimit(terms.lossCap, benchmark: benchmark, revenue: revenue, year: year)
            return -min(terms.downsideRate.value(year: year) * base, limit)
        }
        return 0
    }

    static func capLimit(_ cap: Cap, benchmark: Double, revenue: Double, year: Int) -> Double {
        var limit = Double.infinity
        if let share = cap.benchmarkShare { limit = min(limit, share.value(year: year) * benchmark) }
        if let share = cap.revenueShare { limit = min(limit, share.value(year: year) * max(revenue, 0)) }
        return limit
    }
}
