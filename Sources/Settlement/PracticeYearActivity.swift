/// What the simulated world produced for one practice in one year: the facts a payment design
/// settles on. Dollars are valued at the year's fee schedule.
public struct PracticeYearActivity: Sendable, Equatable {
    public var memberMonths: Double = 0
    /// Services in the primary-care scope (counts).
    public var inScopeServices: Double = 0
    /// FFS value of the in-scope services: what pure FFS would pay the practice.
    public var inScopeFFS: Double = 0
    /// Total cost of care, all categories, before any stop-loss truncation.
    public var totalCost: Double = 0
    /// Cost of each service category, aligned with the scenario's services.
    public var costByCategory: [Double]
    /// Σ over members of min(annual cost, attachment), for each of the run's stop-loss attachments.
    public var truncatedCost: [Double]
    /// Σ observed risk score × months: the payer's risk-adjusted member-months.
    public var riskMonths: Double = 0
    /// The part of `riskMonths` from members with the social-need flag.
    public var socialRiskMonths: Double = 0
    /// Member-months of members with the social-need flag.
    public var socialNeedMonths: Double = 0
    /// Member-months by observed-risk bin (bins bounded by the run's `RiskBins`).
    public var riskBinMonths: [Double]

    public init(categories: Int, attachments: Int = 0, riskBins: Int = 1) {
        costByCategory = Array(repeating: 0, count: categories)
        truncatedCost = Array(repeating: 0, count: attachments)
        riskBinMonths = Array(repeating: 0, count: riskBins)
    }

    /// The activity of a panel `factor` times the size with the same members' experience: every
    /// quantity here is a sum over members, so each scales alike (enrollment growth or decline).
    public func scaled(by factor: Double) -> PracticeYearActivity {
        var copy = self
        copy.memberMonths *= factor; copy.inScopeServices *= factor; copy.inScopeFFS *= factor; copy.totalCost *= factor
        copy.riskMonths *= factor; copy.socialRiskMonths *= factor; copy.socialNeedMonths *= factor
        for k in copy.costByCategory.indices { copy.costByCategory[k] *= factor }
        for k in copy.truncatedCost.indices { copy.truncatedCost[k] *= factor }
        for k in copy.riskBinMonths.indices { copy.riskBinMonths[k] *= factor }
        return copy
    }

    /// Risk-adjusted member-months with the social-need flag's members weighted by `socialFactor`.
    public func adjustedRiskMonths(socialFactor: Double) -> Double {
        riskMonths + (socialFactor - 1) * socialRiskMonths
    }

    /// Cost used in reconciliation: truncated at attachment `index`, or the full total.
    public func reconciledCost(attachment index: Int?) -> Double {
        index.map { truncatedCost[$0] } ?? totalCost
    }
}

/// Boundaries of the observed-risk bins the world counts member-months in: the union of every
/// risk tier bound of every add-on in the run, ascending. Bin k holds scores in
/// [bounds[k-1], bounds[k]); the last bin is open-ended.
public struct RiskBins: Sendable, Equatable {
    public let bounds: [Double]

    public init(bounds: [Double]) { self.bounds = Array(Set(bounds)).sorted() }

    public var count: Int { bounds.count + 1 }

    @inline(__always)
    public func bin(of score: Double) -> Int {
        var k = 0
        while k < bounds.count && score >= bounds[k] { k += 1 }
        return k
    }

    /// Member-months with score in [lower, upper), from the bin counts; bounds must be bin bounds.
    public func months(in activity: PracticeYearActivity, from lower: Double, below upper: Double?) -> Double {
        var total = 0.0
        for k in 0..<count {
            let binLower = k == 0 ? -Double.infinity : bounds[k - 1]
            if binLower >= lower && (upper.map { binLower < $0 } ?? true) { total += activity.riskBinMonths[k] }
        }
        return total
    }
}
