import Scenario

/// Money between the payer and one practice in one program year under one tier's terms.
/// All amounts are ≥ 0; `quality` (paid less withheld) is negative when a withhold is not earned back.
public struct PaymentComponents: Sendable, Equatable {
    /// FFS for in-scope services at (1 − prospective share).
    public var ffs = 0.0
    /// Prospective primary-care payment, kept whatever the realised utilization.
    public var prospective = 0.0
    /// All PMPM add-ons.
    public var addOns = 0.0
    /// Withheld from FFS and prospective payments during the year (≥ 0).
    public var qualityWithheld = 0.0
    /// Quality bonus plus the part of the withhold earned back, paid at settlement (≥ 0).
    public var qualityPaid = 0.0
    public var sharedSavings = 0.0
    /// Shared losses the practice owes back (a positive number).
    public var sharedLosses = 0.0
    /// The practice's own investment cost (care team, CHWs); not a payment by the payer.
    public var investment = 0.0

    public init() {}

    /// Net quality money: paid at settlement less withheld during the year.
    public var quality: Double { qualityPaid - qualityWithheld }

    /// Revenue before reconciliation: the base of revenue caps.
    public var revenueBeforeSettlement: Double { ffs + prospective + addOns + quality }
    /// What the payer pays the practice.
    public var paidByPayer: Double { revenueBeforeSettlement + sharedSavings - sharedLosses }
    /// The practice's net result: payments less its own investment.
    public var practiceResult: Double { paidByPayer - investment }
}

/// What a practice-year brings to a reconciliation (its own, or its share of a pool's).
public struct ReconciliationInput: Sendable, Equatable {
    public var benchmark: Double
    public var actual: Double
    public var revenue: Double
    public var members: Int

    public init(benchmark: Double, actual: Double, revenue: Double, members: Int) {
        self.benchmark = benchmark; self.actual = actual; self.revenue = revenue; self.members = members
    }

    public static func + (a: Self, b: Self) -> Self {
        Self(benchmark: a.benchmark + b.benchmark, actual: a.actual + b.actual,
             revenue: a.revenue + b.revenue, members: a.members + b.members)
    }

    public static let zero = Self(benchmark: 0, actual: 0, revenue: 0, members: 0)
}

/// Payment arithmetic: pure functions, no randomness, exact to test.
public enum SettlementCalculator {
    /// Everything a practice-year is paid before reconciliation.
    /// - Parameters:
    ///   - expectedInScopePMPM: the payer's expected in-scope FFS per risk-adjusted member-month
    ///     this year (baseline × trend × fee index), which prices the prospective payment.
    ///   - riskScoreFactor: how much the design's coding inflates the year's risk scores.
    ///   - qualityScore: measured quality score in [0, 1] (ignored without quality terms).
    public static func basePayments(terms: PaymentTerms, year: Int, activity: PracticeYearActivity,
                                    expectedInScopePMPM: Double, riskScoreFactor: Double = 1, qualityScore: Double,
                                    riskBins: RiskBins) -> PaymentComponents {
        var c = PaymentComponents()
        let share = terms.prospectiveShare.value(year: year)
        let riskMonths = activity.adjustedRiskMonths(socialFactor: terms.socialRiskAdjustment) * riskScoreFactor
        c.ffs = activity.inScopeFFS * (1 - share)
        c.prospective = share * expectedInScopePMPM * riskMonths
        c.addOns = terms.addOns.reduce(0) { $0 + addOnAmount($1, year: year, activity: activity, riskBins: riskBins) }
        if let quality = terms.quality {
            let payout = quality.payoutFraction(score: qualityScore)
            let withheld = quality.withholdShare.value(year: year) * (c.ffs + c.prospective)
            let bonus = quality.bonusPMPM.value(year: year) * activity.memberMonths
                + quality.bonusShare.value(year: year) * (c.ffs + c.prospective + c.addOns)
            c.qualityWithheld = withheld
            c.qualityPaid = payout * (bonus + withheld)
        }
        c.investment = terms.investmentPMPM.value(year: year) * activity.memberMonths
        return c
    }

    public static func addOnAmount(_ addOn: AddOn, year: Int, activity: PracticeYearActivity, riskBins: RiskBins) -> Double {
        var amount = addOn.pmpm.value(year: year) * activity.memberMonths
            + addOn.socialNeedPMPM.value(year: year) * activity.socialNeedMonths
        var lower = -Double.infinity
        for tier in addOn.riskTiers {
            amount += tier.pmpm.value(year: year) * riskBins.months(in: activity, from: lower, below: tier.below)
            lower = tier.below ?? lower
        }
        return amount
    }

    /// Applies reconciliation `amount` (> 0 savings, < 0 losses) to `components`; shared savings
    /// are forfeited when a quality gate is not met.
    public static func apply(reconciliation amount: Double, to components: inout PaymentComponents, gateMet: Bool) {
        if amount > 0 {
            components.sharedSavings = gateMet ? amount : 0
        } else {
            components.sharedLosses = -amount
        }
    }

    /// Shared savings (positive) or shared losses (negative) of a total-cost-of-care reconciliation.
    ///
    /// Savings rate = (benchmark − actual) / benchmark. Nothing is shared while the rate lies
    /// strictly inside (−MLR, MSR); at or beyond a threshold the practice shares the whole
    /// difference (first dollar) or only the part beyond the threshold (net), at the upside or
    /// downside rate or through risk corridors. The result is then limited by the savings or loss
    /// cap: the lesser of its share-of-benchmark and share-of-revenue limits, where set.
    public static func reconcile(_ input: ReconciliationInput, terms: Reconciliation, year: Int,
                                 msr: Double, mlr: Double) -> Double {
        let benchmark = input.benchmark
        guard benchmark > 0 else { return 0 }
        let difference = benchmark - input.actual
        let rate = difference / benchmark
        if difference > 0 && rate >= msr {
            let base = terms.sharingBasis == .firstDollar ? difference : difference - msr * benchmark
            let shared = terms.corridors.map { corridorShare($0, deviation: base / benchmark, year: year) * benchmark }
                ?? terms.upsideRate.value(year: year) * base
            return min(shared, capLimit(terms.savingsCap, benchmark: benchmark, revenue: input.revenue, year: year))
        }
        if difference < 0 && -rate >= mlr {
            let base = terms.sharingBasis == .firstDollar ? -difference : -difference - mlr * benchmark
            let shared = terms.corridors.map { corridorShare($0, deviation: base / benchmark, year: year) * benchmark }
                ?? terms.downsideRate.value(year: year) * base
            return -min(shared, capLimit(terms.lossCap, benchmark: benchmark, revenue: input.revenue, year: year))
        }
        return 0
    }

    /// Σ over corridors of share × (part of `deviation` inside the corridor), deviation ≥ 0.
    public static func corridorShare(_ corridors: [Corridor], deviation: Double, year: Int) -> Double {
        corridors.reduce(0) { total, corridor in
            let top = min(deviation, corridor.upper ?? .infinity)
            return total + corridor.share.value(year: year) * max(0, top - corridor.lower)
        }
    }

    static func capLimit(_ cap: Cap, benchmark: Double, revenue: Double, year: Int) -> Double {
        var limit = Double.infinity
        if let share = cap.benchmarkShare { limit = min(limit, share.value(year: year) * benchmark) }
        if let share = cap.revenueShare { limit = min(limit, share.value(year: year) * max(revenue, 0)) }
        return limit
    }

    /// Pro-rata allocation of a pooled reconciliation amount by benchmark dollars.
    public static func allocate(_ amount: Double, benchmarks: [Double]) -> [Double] {
        allocate(amount, benchmarks: benchmarks, limits: benchmarks.map { _ in .infinity })
    }

    /// A pooled reconciliation amount allocated to the pool's practices pro rata by benchmark
    /// dollars, no practice receiving or repaying more than its own cap (the savings or loss cap
    /// of `terms` applied to its own benchmark and revenue). What a capped practice cannot take
    /// is spread over the others the same way, up to their caps; what no practice can take
    /// stays with the payer (savings it keeps, losses it absorbs), so the practices' amounts sum
    /// to the pool's result or less in size, never more.
    public static func allocate(_ amount: Double, among inputs: [ReconciliationInput], terms: Reconciliation,
                                year: Int) -> [Double] {
        let cap = amount >= 0 ? terms.savingsCap : terms.lossCap
        let limits = inputs.map { capLimit(cap, benchmark: $0.benchmark, revenue: $0.revenue, year: year) }
        return allocate(amount, benchmarks: inputs.map(\.benchmark), limits: limits)
    }

    /// Water-filling: pro rata by benchmark among practices below their limit (in size), repeated
    /// until the amount is placed or every practice is at its limit.
    static func allocate(_ amount: Double, benchmarks: [Double], limits: [Double]) -> [Double] {
        var shares = benchmarks.map { _ in 0.0 }
        var open = benchmarks.indices.filter { benchmarks[$0] > 0 && limits[$0] > 0 }
        var remaining = abs(amount)
        while remaining > 0, !open.isEmpty {
            let total = open.reduce(0) { $0 + benchmarks[$1] }
            let capped = open.filter { shares[$0] + remaining * benchmarks[$0] / total > limits[$0] }
            guard !capped.isEmpty else {
                for p in open { shares[p] += remaining * benchmarks[p] / total }
                break
            }
            for p in capped {
                remaining -= limits[p] - shares[p]
                shares[p] = limits[p]
            }
            open.removeAll { capped.contains($0) }
        }
        return amount < 0 ? shares.map { -$0 } : shares
    }
}

/// Minimum savings and loss rates.
public enum Thresholds {
    /// MSSP minimum savings rate by assigned beneficiaries (42 CFR 425.604(b), FACTS.md).
    public static let msspTable: [(members: Double, rate: Double)] = [
        (5_000, 0.039), (6_000, 0.036), (7_000, 0.034), (8_000, 0.032), (9_000, 0.031),
        (10_000, 0.030), (15_000, 0.027), (20_000, 0.025), (50_000, 0.022), (60_000, 0.020),
    ]

    /// The MSSP rate for `members`, linear inside each band of the table. Below 5,000 members the
    /// table is silent; the rate continues the confidence-interval shape the table stands for,
    /// 3.9% × √(5,000 / n).
    public static func mssp(members: Int) -> Double {
        let n = Double(max(members, 1))
        guard let first = msspTable.first, let last = msspTable.last else { return 0 }
        if n < first.members { return first.rate * (first.members / n).squareRoot() }
        if n >= last.members { return last.rate }
        for (low, high) in zip(msspTable, msspTable.dropFirst()) where n < high.members {
            return low.rate + (high.rate - low.rate) * (n - low.members) / (high.members - low.members)
        }
        return last.rate
    }

    /// The rate a rule gives for a reconciliation of `members` members in `year`.
    /// - Parameter confidenceCoefficient: z × per-member cost CV, for `.confidence` rules.
    public static func rate(_ rule: ThresholdRule, members: Int, year: Int, confidenceCoefficient: Double) -> Double {
        switch rule {
        case let .fixed(glide): return glide.value(year: year)
        case .msspTable: return mssp(members: members)
        case .confidence: return confidenceCoefficient / Double(max(members, 1)).squareRoot()
        }
    }
}

/// The payer's outlay for one design (or the FFS counterfactual) in one program year, by component.
/// Amounts are as owed for the year; `CashTiming` places each in the month it is paid.
public struct PayerOutlay: Sendable, Equatable {
    public enum Component: Int, CaseIterable, Sendable {
        case ffs, prospective, addOns, qualityWithheld, qualityPaid, sharedSavings, sharedLossesRecouped, otherClaims

        public var name: String {
            switch self {
            case .ffs: "ffs"
            case .prospective: "prospective"
            case .addOns: "add_ons"
            case .qualityWithheld: "quality_withheld"
            case .qualityPaid: "quality_paid"
            case .sharedSavings: "shared_savings"
            case .sharedLossesRecouped: "shared_losses_recouped"
            case .otherClaims: "other_claims"
            }
        }

        /// Sign in the payer's total: withholds and recoupments reduce outlay.
        public var sign: Double { self == .qualityWithheld || self == .sharedLossesRecouped ? -1 : 1 }

        /// Claims for services (paid on the claims run-out pattern, `BudgetSettings.claimsLag`).
        public var isClaims: Bool { self == .ffs || self == .otherClaims }

        /// Per-member-month payments to practices, which a design may pay in advance or in arrears.
        public var isPerMemberMonth: Bool { self == .prospective || self == .addOns }

        /// Paid month by month during the program year, or as a settlement after it.
        public var isSettlement: Bool { self == .qualityPaid || self == .sharedSavings || self == .sharedLossesRecouped }
    }

    public static let componentNames = Component.allCases.map(\.name)

    /// Amounts by `Component.rawValue`, each ≥ 0; `sign` says how each enters the total.
    public var amounts = [Double](repeating: 0, count: Component.allCases.count)

    public init() {}

    public subscript(_ component: Component) -> Double {
        get { amounts[component.rawValue] }
        set { amounts[component.rawValue] = newValue }
    }

    public var components: [Double] { amounts }

    public var total: Double { Component.allCases.reduce(0) { $0 + $1.sign * amounts[$1.rawValue] } }

    /// Adds a practice-year. Shared losses are owed in full here; the collection rate applies in
    /// the budget view.
    public mutating func add(_ c: PaymentComponents, otherClaims claims: Double) {
        self[.ffs] += c.ffs; self[.prospective] += c.prospective; self[.addOns] += c.addOns
        self[.qualityWithheld] += c.qualityWithheld; self[.qualityPaid] += c.qualityPaid
        self[.sharedSavings] += c.sharedSavings; self[.sharedLossesRecouped] += c.sharedLosses
        self[.otherClaims] += claims
    }

    /// What pure FFS pays for one practice-year: its in-scope services at FFS and its other claims.
    public mutating func addPureFFS(_ activity: PracticeYearActivity) {
        self[.ffs] += activity.inScopeFFS
        self[.otherClaims] += activity.totalCost - activity.inScopeFFS
    }
}
