/// The budget view: what the program costs the payer per fiscal period, as a distribution over
/// trials, and what appropriation covers a chosen confidence level.
public struct BudgetSummary: Codable, Sendable, Equatable {
    /// Appropriation levels always reported, besides the run's `confidence`.
    public static let standardLevels: [Double] = [0.5, 0.8, 0.9, 0.95]
    /// Levels of the fan chart's bands (P5–P95, P25–P75) besides the median.
    public static let fanLevels: [Double] = [0.05, 0.25, 0.5, 0.75, 0.95]

    public var fiscalYearStartMonth: Int
    public var settlementLagMonths: Int
    public var recoupmentLagMonths: Int
    public var recoupmentCollectionRate: Double
    public var confidence: Double
    /// Fiscal years, then half years, then `wholeProgramLabel`.
    public var periods: [String]
    /// One entry per design, then the FFS counterfactual.
    public var designs: [DesignBudget]
    /// Paired differences between designs on the same trials.
    public var comparisons: [PairedComparison]
    /// The design net costs are measured against (`budget.net_against`); nil for pure FFS. An
    /// added optional field: summaries without it measured against FFS.
    public var netAgainst: String?

    /// Whether figures are split into state and federal shares (`budget.federal_match`).
    public var splitsShares: Bool { designs.contains { $0.periods.contains { $0.stateOutlay != nil } } }

    /// What net costs are against, in words: "FFS" or the design's name.
    public var netReference: String { netAgainst ?? "FFS" }

    public init(fiscalYearStartMonth: Int, settlementLagMonths: Int, recoupmentLagMonths: Int,
                recoupmentCollectionRate: Double, confidence: Double, periods: [String],
                designs: [DesignBudget], comparisons: [PairedComparison]) {
        self.fiscalYearStartMonth = fiscalYearStartMonth; self.settlementLagMonths = settlementLagMonths
        self.recoupmentLagMonths = recoupmentLagMonths; self.recoupmentCollectionRate = recoupmentCollectionRate
        self.confidence = confidence; self.periods = periods; self.designs = designs; self.comparisons = comparisons
    }
}

public let counterfactualLabel = "FFS counterfactual"

public struct DesignBudget: Codable, Sendable, Equatable {
    public var design: String
    public var periods: [PeriodBudget]

    public init(design: String, periods: [PeriodBudget]) { self.design = design; self.periods = periods }
}

public struct PeriodBudget: Codable, Sendable, Equatable {
    public var period: String
    /// Everything the payer pays in the period (claims included), net of withholds and recoupments.
    public var totalOutlay: Appropriation
    /// Total outlay minus the FFS counterfactual's in the same trial (nil for the counterfactual).
    public var netCost: Appropriation?
    /// Mean paid in the period by component (signed: withholds and recoupments negative).
    public var componentMeans: [ComponentMean]
    /// Months of program service in the period (nil for the whole program, and in summaries
    /// written before it was recorded): fewer than a whole fiscal year's flag a partial year.
    public var serviceMonths: Int?
    /// With a claims run-out pattern (`budget.claims_lag`): the mean outlay with claims counted in
    /// the month of service (the incurred view), and the mean claims incurred by the end of the
    /// period but not yet paid (the unpaid claims liability; fiscal and half years). Nil without
    /// a run-out pattern, when cash and incurred agree.
    public var incurredMean: Double?
    public var unpaidClaimsAtEnd: Double?
    /// With `budget.federal_match`: the outlay and net cost split into what the state and the
    /// federal government pay (total = state + federal, trial by trial). Nil without it.
    /// With `budget.settlement_slip`: the mean settlements (signed, as paid) that land in this
    /// fiscal year or a neighbouring one depending on when they are paid; nil when none does.
    public var settlementsAtStake: Double?
    public var stateOutlay: Appropriation?
    public var federalOutlay: Appropriation?
    public var stateNetCost: Appropriation?
    public var federalNetCost: Appropriation?

    public init(period: String, totalOutlay: Appropriation, netCost: Appropriation?, componentMeans: [ComponentMean],
                serviceMonths: Int? = nil) {
        self.period = period; self.totalOutlay = totalOutlay; self.netCost = netCost; self.componentMeans = componentMeans
        self.serviceMonths = serviceMonths
    }

    /// What an appropriation table shows: the state's share when the run splits shares (the
    /// state appropriates state dollars), else the total.
    public var appropriated: Appropriation { stateOutlay ?? totalOutlay }
    public var appropriatedNet: Appropriation? { stateNetCost ?? netCost }

    /// The whole program, a half year, or a fiscal year.
    public var isWholeProgram: Bool { period == wholeProgramLabel }
    public var isHalfYear: Bool { period.contains(" H") }

    /// What kind of period this is, in words: "whole program", "fiscal year", "half year", a
    /// partial one with its months of service, or one with settlements only.
    public var periodType: String {
        if isWholeProgram { return "whole program" }
        let kind = isHalfYear ? "half year" : "fiscal year", full = isHalfYear ? 6 : 12
        guard let months = serviceMonths else { return kind }
        if months == 0 { return "\(kind), settlements only" }
        return months < full ? "partial \(kind), \(months) of \(full) months of service" : kind
    }

    /// Nothing is paid in the period in any trial.
    public var isEmpty: Bool {
        totalOutlay.mean.value == 0 && totalOutlay.sd == 0 && totalOutlay.levels.allSatisfy { $0.value == 0 }
    }
}

public struct ComponentMean: Codable, Sendable, Equatable {
    public var component: String
    public var mean: Double

    public init(component: String, mean: Double) { self.component = component; self.mean = mean }
}

/// Distribution of a dollar amount over trials: the appropriation that covers each level is the
/// level's percentile of the per-trial amounts.
public struct Appropriation: Codable, Sendable, Equatable {
    public var mean: Estimate
    public var sd: Double
    public var levels: [PercentileEstimate]

    public init(mean: Estimate, sd: Double, levels: [PercentileEstimate]) {
        self.mean = mean; self.sd = sd; self.levels = levels
    }

    public func level(_ p: Double) -> PercentileEstimate? { levels.first { abs($0.level - p) < 1e-12 } }

    /// From per-trial amounts in trial order.
    public init(perTrial values: [Double], levels wanted: [Double]) {
        let summary = BatchedSample(values: values, perTrial: 1).summary(levels: wanted)
        self.init(mean: summary.mean, sd: summary.sd, levels: summary.percentiles)
    }
}

/// `design` minus `baseline`, trial by trial (common random numbers), in one period.
public struct PairedComparison: Codable, Sendable, Equatable {
    public var design: String
    public var baseline: String
    public var period: String
    public var difference: Appropriation
    /// 95% confidence interval for the mean difference (mean ± 1.96 SE; trials are independent).
    public var meanLow: Double
    public var meanHigh: Double
    /// The same difference in the state's share, with `budget.federal_match` (nil without it).
    public var stateDifference: Appropriation?

    public init(design: String, baseline: String, period: String, difference: Appropriation) {
        self.design = design; self.baseline = baseline; self.period = period; self.difference = difference
        let se = difference.mean.mcse ?? 0
        meanLow = difference.mean.value - 1.959963984540054 * se
        meanHigh = difference.mean.value + 1.959963984540054 * se
    }
}
