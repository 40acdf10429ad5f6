import Scenario
import Settlement

/// What a run will need, known before it starts: memory for the per-trial results it keeps, and
/// the member-years it will simulate (which sets its time).
public struct ResourceEstimate: Sendable {
    /// Bytes of the per-trial results kept until the summaries are made.
    public let resultBytes: Double
    /// Bytes the member libraries keep for the whole run (their tail records), when the run
    /// draws in aggregate.
    public let libraryBytes: Double
    /// Bytes one thread holds while it draws and sorts one library (every member's vector).
    public let libraryBuildBytesPerThread: Double
    public let memberYears: Double
    /// Practice-years settled once per design: the aggregate path's unit of work.
    public let practiceYears: Double
    /// Member draws that building the fast path's libraries takes, roughly.
    public let libraryDraws: Double
    let designs: Double
    let method: SimulationMethod

    /// Library member draws one core makes per second, sorting and summarising included
    /// (measured: 5,120 libraries of 1,638 members in 12 core-seconds on Models/small-practice-study.yaml).
    static let libraryDrawsPerSecondPerCore = 0.6e6

    /// Multiplier grid points a run's libraries typically span (8–12 measured on the shipped models).
    static let typicalGridPoints = 10.0

    /// Seconds of one core per practice-year on the aggregate path, world plus settlement of one
    /// design (measured on Models/bench-statewide.yaml: about 9 µs for three designs).
    public static let aggregateSecondsPerPracticeYear = 1.5e-6
    public static let settlementSecondsPerPracticeYear = 2.5e-6

    /// Member-years one core simulates per second on the default model (measured with
    /// scripts/bench.sh on a 2-core machine of this project's kind; a conservative round figure).
    public static let memberYearsPerSecondPerCore = 1.2e6

    public init(scenario: Scenario, trials: Int) {
        let t = Double(trials), d = Double(scenario.designs.count), p = Double(scenario.practices.count)
        let y = Double(scenario.simulation.programYears)
        // Exposure and reconciliation per settled practice-year (and quality money when a design
        // pays for quality), cost and member-months per practice-year, outlay components.
        let quality = scenario.paysForQuality
        let kept = (quality ? 3 : 2) * t * d * p * y + 2 * t * p * y + t * (d + 1) * y * Double(PayerOutlay.Component.allCases.count)
        // Summaries gather one group's observations at a time (values, shares, flags, a sorted
        // copy) on top of what is kept; a factor of 2 covers that with room.
        resultBytes = kept * 8 * 2
        memberYears = t * Double(scenario.practices.reduce(0) { $0 + $1.members }) * (y + 1)
        // The fast path's libraries: per class, stratum, library set and multiplier grid point,
        // `membersPerLibrary` member draws (as `AggregateModel` sizes them); the grid points a
        // run needs depend on its multipliers, typically about `typicalGridPoints`.
        let strata = scenario.population.isPersistent(types: scenario.practiceTypes) ? Double(HealthStrata.upperProbabilities.count) : 1
        let sets = Double(AggregateModel.librarySets)
        let perLibrary = max(Double(scenario.simulation.libraryMembers) / sets / strata, Double(AggregateModel.smallestLibrary))
        libraryDraws = Double(scenario.population.classes.count) * strata * sets * perLibrary * Self.typicalGridPoints
        practiceYears = t * p * (y + 1)
        designs = d
        method = scenario.simulation.method
        // A library keeps its costliest 1/16 as Float vectors of `width` fields; building one holds
        // every member's vector as Double plus a sort key and an index (measured on
        // Models/default.yaml, 2 threads: 95–104 bytes of peak memory per library member).
        let width = Double(PanelLayout(categories: scenario.services.count, riskBins: RunPlan.riskBins(of: scenario),
                                       primaryCareScope: []).width)
        let usesLibraries = method == .aggregate
            || (method == .automatic && AggregateModel.librariesPayOff(libraryDraws: libraryDraws, memberYears: memberYears))
        libraryBytes = usesLibraries ? libraryDraws * width * 4 / 16 : 0
        libraryBuildBytesPerThread = usesLibraries ? perLibrary * (width * 8 + 24) : 0
    }

    /// Peak memory on `threads` threads: the process itself, results, libraries, and the
    /// libraries being built.
    public func bytes(threads: Int) -> Double {
        Self.processBytes + resultBytes + libraryBytes + Double(max(threads, 1)) * libraryBuildBytesPerThread
    }

    /// What a run takes before any of the above: code, panels, term sheets (measured: 132 MB peak
    /// on Models/default.yaml and 138 MB on Models/bench-statewide.yaml at 20 trials, /usr/bin/time -v).
    static let processBytes = 160e6

    /// Time on `threads` cores: member by member, or in aggregate (libraries included) when the
    /// scenario allows it and that is cheaper (as the run itself decides, roughly).
    public func seconds(threads: Int) -> Double {
        let memberByMember = memberYears / Self.memberYearsPerSecondPerCore
        let aggregate = practiceYears * (Self.aggregateSecondsPerPracticeYear + designs * Self.settlementSecondsPerPracticeYear)
            + libraryDraws / Self.libraryDrawsPerSecondPerCore
        let core = method == .member ? memberByMember : method == .aggregate ? aggregate : min(memberByMember, aggregate)
        return core / Double(max(threads, 1))
    }

    /// The largest number of trials whose results fit in `available` bytes beside the libraries,
    /// or nil when the libraries alone do not fit (fewer trials would not help).
    public func trialsFitting(bytes available: Double, trials: Int, threads: Int) -> Int? {
        let forResults = available - bytes(threads: threads) + resultBytes
        guard forResults > 0 else { return nil }
        return max(1, Int(Double(trials) * forResults / max(resultBytes, 1)))
    }
}
