/// The fall re-forecast beside the summer forecast: for each design and each fiscal year not yet
/// over at the observation date, the appropriation at each level from the run that knows only the
/// scenario (summer) and from the run conditioned on what has been observed (fall), on the same
/// simulated futures otherwise.
public struct ReforecastSummary: Codable, Sendable, Equatable {
    public var schemaVersion = 1
    public var tool = "apmrisk"
    public var scenario: String
    public var trials: Int
    public var seed: UInt64
    /// "2028-09": data through the end of that month.
    public var asOf: String
    /// Realised trend and surge of each program year observed, as given.
    public var observedTrend: [Double]
    public var observedShocks: [Bool]
    /// Realised enrollment change of each program year observed, and settlements observed as paid
    /// ("DESIGN, program year N: $X"), as given.
    public var observedEnrollment: [Double] = []
    public var settlementsPaid: [String] = []
    /// `state share of outlay` with a federal match, else `total outlay`.
    public var measure: String
    public var levels: [Double]
    public var confidence: Double
    public var designs: [DesignReforecast]

    public init(scenario: String, trials: Int, seed: UInt64, asOf: String, observedTrend: [Double], observedShocks: [Bool],
                measure: String, levels: [Double], confidence: Double, designs: [DesignReforecast]) {
        self.scenario = scenario; self.trials = trials; self.seed = seed; self.asOf = asOf; self.observedTrend = observedTrend
        self.observedShocks = observedShocks; self.measure = measure; self.levels = levels; self.confidence = confidence
        self.designs = designs
    }
}

public struct DesignReforecast: Codable, Sendable, Equatable {
    public var design: String
    public var periods: [PeriodReforecast]

    public init(design: String, periods: [PeriodReforecast]) { self.design = design; self.periods = periods }
}

public struct PeriodReforecast: Codable, Sendable, Equatable {
    public var period: String
    public var summer: Appropriation
    public var fall: Appropriation

    public init(period: String, summer: Appropriation, fall: Appropriation) {
        self.period = period; self.summer = summer; self.fall = fall
    }

    /// Fall minus summer at level `p` (the mean when nil): positive, a supplemental request; negative,
    /// money that would lapse.
    public func change(at p: Double?) -> Double? {
        guard let p else { return fall.mean.value - summer.mean.value }
        guard let a = fall.level(p)?.value, let b = summer.level(p)?.value else { return nil }
        return a - b
    }
}
