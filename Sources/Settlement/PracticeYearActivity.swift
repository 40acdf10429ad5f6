/// What the simulated world produced for one practice in one year: the facts a payment design
/// settles on. Dollars are valued at the fee schedule.
public struct PracticeYearActivity: Sendable, Equatable {
    public var memberMonths: Double
    /// Services in the primary-care scope (counts).
    public var inScopeServices: Double
    /// FFS value of the in-scope services: what pure FFS would pay the practice.
    public var inScopeFFS: Double
    /// Total cost of care, all categories, before any stop-loss truncation.
    public var totalCost: Double
    /// Sum over members of observed risk score × months attributed: the payer's risk-adjusted
    /// member-months.
    public var riskMonths: Double

    public init(memberMonths: Double = 0, inScopeServices: Double = 0, inScopeFFS: Double = 0,
                totalCost: Double = 0, riskMonths: Double = 0) {
        self.memberMonths = memberMonths; self.inScopeServices = inScopeServices
        self.inScopeFFS = inScopeFFS; self.totalCost = totalCost; self.riskMonths = riskMonths
    }

    public static func + (a: Self, b: Self) -> Self {
        Self(memberMonths: a.memberMonths + b.memberMonths,
             inScopeServices: a.inScopeServices + b.inScopeServices,
             inScopeFFS: a.inScopeFFS + b.inScopeFFS, totalCost: a.totalCost + b.totalCost,
             riskMonths: a.riskMonths + b.riskMonths)
    }
}

/// What the payer knows about a practice from its baseline (historical) year, the year before
/// program year 1. Because the baseline is itself a simulated year of a finite panel, a small
/// practice's benchmark carries its own noise, and regression to the mean is real risk.
public struct PracticeBaseline: Sendable, Equatable {
    /// Baseline total cost of care per risk-adjusted member-month.
    public var costPerRiskMonth: Double
    /// Baseline in-scope FFS per risk-adjusted member-month (sets the prospective payment).
    public var inScopeFFSPerRiskMonth: Double

    public init(costPerRiskMonth: Double, inScopeFFSPerRiskMonth: Double) {
        self.costPerRiskMonth = costPerRiskMonth
        self.inScopeFFSPerRiskMonth = inScopeFFSPerRiskMonth
    }

    public init(baselineYear: PracticeYearActivity) {
        let riskMonths = baselineYear.riskMonths
        self.init(costPerRiskMonth: riskMonths > 0 ? baselineYear.totalCost / riskMonths : 0,
                  inScopeFFSPerRiskMonth: riskMonths > 0 ? baselineYear.inScopeFFS / riskMonths : 0)
    }
}
