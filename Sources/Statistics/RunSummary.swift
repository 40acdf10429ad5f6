/// The versioned result of a run. Every report (terminal, CSV, JSON, HTML) renders from this
/// model and nothing else, so no renderer does arithmetic of its own.
public struct RunSummary: Codable, Sendable, Equatable {
    /// Bumped whenever a field changes meaning or is removed.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var tool: String
    public var toolVersion: String
    public var scenario: ScenarioInfo
    public var settings: RunSettings
    public var designs: [String]
    public var sizeBands: [SizeBandInfo]
    public var exposure: [ExposureSummary]
    public var budget: BudgetSummary
    public var worldChecks: [MeanCheck]
    /// Set when the run stopped on `--precision`: the target and what was reached. Absent
    /// otherwise (an added optional field: schema 1 readers are unaffected).
    public var precision: PrecisionReport?
    /// How member cost persists from year to year in the simulated world, beside published
    /// figures; set only when panels persist (an added optional field).
    public var persistenceChecks: [PersistenceCheck]?
    /// Each design's term sheet (an added optional field).
    public var designTerms: [DesignTerms]?
    /// Each practice of the roster under each design, so a practice or an association can find
    /// itself (an added optional field).
    public var practiceResults: [PracticeResult]?
    /// Variance shares of the headline figures, when the scenario has uncertain assumptions (an
    /// added optional field).
    public var uncertainty: UncertaintySummary?

    public init(toolVersion: String, scenario: ScenarioInfo, settings: RunSettings, designs: [String],
                sizeBands: [SizeBandInfo], exposure: [ExposureSummary], budget: BudgetSummary, worldChecks: [MeanCheck]) {
        schemaVersion = Self.currentSchemaVersion
        tool = "apmrisk"
        self.toolVersion = toolVersion; self.scenario = scenario; self.settings = settings
        self.designs = designs; self.sizeBands = sizeBands
        self.exposure = exposure; self.budget = budget; self.worldChecks = worldChecks
    }
}

/// One practice's whole-program exposure under each design, as a share of its own expected
/// revenue, over the trials (errors: batch means over trials).
public struct PracticeResult: Codable, Sendable, Equatable {
    public var practice: String
    public var sizeBand: String
    public var region: String
    public var members: Int
    public var expectedRevenue: Double
    public var designs: [PracticeDesignResult]

    public init(practice: String, sizeBand: String, region: String, members: Int, expectedRevenue: Double,
                designs: [PracticeDesignResult]) {
        self.practice = practice; self.sizeBand = sizeBand; self.region = region; self.members = members
        self.expectedRevenue = expectedRevenue; self.designs = designs
    }
}

public struct PracticeDesignResult: Codable, Sendable, Equatable {
    public var design: String
    public var p5: PercentileEstimate
    public var p50: PercentileEstimate
    /// Probability of losing more than 5% of expected revenue over the program.
    public var lossBeyond5: Estimate

    public init(design: String, p5: PercentileEstimate, p50: PercentileEstimate, lossBeyond5: Estimate) {
        self.design = design; self.p5 = p5; self.p50 = p50; self.lossBeyond5 = lossBeyond5
    }
}

public struct ScenarioInfo: Codable, Sendable, Equatable {
    public var name: String
    public var description: String
    public var file: String
    public var sources: [String]

    public init(name: String, description: String, file: String, sources: [String]) {
        self.name = name; self.description = description; self.file = file; self.sources = sources
    }
}

public struct RunSettings: Codable, Sendable, Equatable {
    public var trials: Int
    public var seed: UInt64
    public var generator: String
    /// Labels of program years 1...n, e.g. ["2027", "2028", "2029"].
    public var yearLabels: [String]

    public init(trials: Int, seed: UInt64, generator: String, yearLabels: [String]) {
        self.trials = trials; self.seed = seed; self.generator = generator; self.yearLabels = yearLabels
    }
}

public struct SizeBandInfo: Codable, Sendable, Equatable {
    public var name: String
    public var practices: Int
    public var members: Int

    public init(name: String, practices: Int, members: Int) {
        self.name = name; self.practices = practices; self.members = members
    }
}

/// Label of the whole-program period in `ExposureSummary.year`.
public let wholeProgramLabel = "program"

/// Practice exposure (design result minus the FFS counterfactual) for one design, track, tier,
/// size band and program year (or the whole program), over trials × the practices in that group.
public struct ExposureSummary: Codable, Sendable, Equatable {
    public var design: String
    public var track: String
    public var tier: String
    public var sizeBand: String
    /// Practices in the group.
    public var practices: Int
    /// A program-year label, or `wholeProgramLabel` for exposure summed over all program years.
    public var year: String
    /// Mean expected revenue (pure FFS) of one practice of the band over the period, dollars:
    /// the denominator of `shareOfRevenue`.
    public var expectedRevenue: Double
    public var dollars: DistributionSummary
    /// Exposure as a share of the practice's expected revenue (−0.05 = a loss of 5%).
    public var shareOfRevenue: DistributionSummary
    /// Probability of a loss worse than 2%, 5% and 10% of expected revenue.
    public var lossProbabilities: [ThresholdProbability]
    /// Probability the practice owes a shared-loss repayment in the period.
    public var repaymentProbability: Estimate
    /// Probability the practice is paid shared savings in the period.
    public var savingsPaidProbability: Estimate
    /// Loss-exceedance curve: probability of a loss worse than each share of expected revenue.
    public var exceedance: [ThresholdProbability]
    /// Distribution of exposure as a share of expected revenue (whole-program rows only).
    public var histogram: Histogram?
    /// Exposure split in two, each as a share of expected revenue: what the design's terms
    /// guarantee (prospective payment against the FFS it replaces, add-ons, less the practice's
    /// own investment) and what is at risk (shared savings or losses, net quality money). Nil in
    /// summaries written before the split.
    public var guaranteedShare: DistributionSummary?
    public var atRiskShare: DistributionSummary?

    public init(design: String, track: String, tier: String, sizeBand: String, practices: Int, year: String,
                expectedRevenue: Double,
                dollars: DistributionSummary, shareOfRevenue: DistributionSummary,
                lossProbabilities: [ThresholdProbability], repaymentProbability: Estimate,
                savingsPaidProbability: Estimate, exceedance: [ThresholdProbability], histogram: Histogram?,
                guaranteedShare: DistributionSummary? = nil, atRiskShare: DistributionSummary? = nil) {
        self.design = design; self.track = track; self.tier = tier; self.sizeBand = sizeBand
        self.practices = practices; self.year = year
        self.expectedRevenue = expectedRevenue; self.dollars = dollars
        self.shareOfRevenue = shareOfRevenue; self.lossProbabilities = lossProbabilities
        self.repaymentProbability = repaymentProbability
        self.savingsPaidProbability = savingsPaidProbability
        self.exceedance = exceedance; self.histogram = histogram
        self.guaranteedShare = guaranteedShare; self.atRiskShare = atRiskShare
    }
}

/// A simulated mean beside its closed form, so a reader can see the world is what it claims.
/// A statistic of cost persistence among members who stay, simulated, beside its published value.
public struct PersistenceCheck: Codable, Sendable, Equatable {
    public var statistic: String
    /// The published value as text (a point or a range), and where it comes from.
    public var target: String
    public var source: String
    /// Share of members, with its binomial standard error.
    public var simulated: Estimate

    public init(statistic: String, target: String, source: String, simulated: Estimate) {
        self.statistic = statistic; self.target = target; self.source = source; self.simulated = simulated
    }
}

public struct MeanCheck: Codable, Sendable, Equatable {
    public var quantity: String
    public var sizeBand: String
    public var year: String
    public var analytic: Double
    public var simulated: Estimate

    public init(quantity: String, sizeBand: String, year: String, analytic: Double, simulated: Estimate) {
        self.quantity = quantity; self.sizeBand = sizeBand; self.year = year
        self.analytic = analytic; self.simulated = simulated
    }
}

/// Counts of observations in equal-width bins: bin k covers [lower + k·width, lower + (k+1)·width);
/// observations outside fall in the first or last bin.
public struct Histogram: Codable, Sendable, Equatable {
    public var lower: Double
    public var width: Double
    public var counts: [Int]

    public init(lower: Double, width: Double, counts: [Int]) {
        self.lower = lower; self.width = width; self.counts = counts
    }

    /// `bins` bins spanning the 0.5th to 99.5th percentiles of `sorted` (ascending, not empty).
    public init(sorted: [Double], bins: Int) {
        let low = Quantile.of(sorted: sorted, 0.005), high = Quantile.of(sorted: sorted, 0.995)
        let width = high > low ? (high - low) / Double(bins) : 1
        var counts = [Int](repeating: 0, count: bins)
        for value in sorted {
            let k = Int(((value - low) / width).rounded(.down))
            counts[min(max(k, 0), bins - 1)] += 1
        }
        self.init(lower: low, width: width, counts: counts)
    }
}
