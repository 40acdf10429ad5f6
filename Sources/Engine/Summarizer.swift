import Dispatch
import Foundation
import Locking
import Sampling
import Scenario
import Statistics
import Synchronization

/// Turns trial-by-trial results into the versioned `RunSummary`: per design × size band ×
/// program year (and the whole program), over trials × the band's practices.
public struct Summarizer: Sendable {
    public static let lossThresholds: [Double] = [0.02, 0.05, 0.10]
    /// Points of the loss-exceedance curve, as shares of expected revenue.
    public static let exceedanceThresholds: [Double] = [0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.10, 0.15, 0.20,
                                                        0.25, 0.30, 0.40, 0.50, 0.75, 1.0]
    public static let histogramBins = 40
    public static let toolVersion = "0.1.0"

    let scenario: Scenario
    let results: SimulationResults
    let expectations: WorldExpectations
    let bands: [[Int]]

    public init(scenario: Scenario, results: SimulationResults) {
        self.scenario = scenario
        self.results = results
        expectations = WorldExpectations(scenario: scenario)
        var bands = Array(repeating: [Int](), count: scenario.sizeBands.count)
        for (p, practice) in scenario.practices.enumerated() {
            bands[scenario.sizeBandIndex(members: practice.members)].append(p)
        }
        self.bands = bands
    }

    var yearLabels: [String] {
        (1...results.years).map { String(scenario.simulation.firstProgramYear + $0 - 1) }
    }

    /// - Parameter confidence: the extra appropriation level of the budget view (default: the
    ///   scenario's `budget.confidence`).
    public func summary(seed: UInt64, confidence: Double? = nil) -> RunSummary {
        let bandInfo = zip(scenario.sizeBands, bands).map { band, members in
            SizeBandInfo(name: band.name, practices: members.count,
                         members: members.reduce(0) { $0 + scenario.practices[$1].members })
        }
        // Every (group, band, period) summary is independent of the others: list them in report
        // order, compute them in parallel into their own slots.
        var jobs: [(group: GroupLabel, band: Int, practices: [Int], years: ClosedRange<Int>, label: String)] = []
        for (d, design) in scenario.designs.enumerated() {
            for (t, track) in design.tracks.enumerated() {
                for (k, tier) in track.tiers.enumerated() {
                    let group = GroupLabel(design: d, track: track.name, tier: tier.name)
                    for (b, bandPractices) in bands.enumerated() {
                        let practices = bandPractices.filter {
                            results.placement[d][$0] == SimulationResults.PracticePlace(track: t, tier: k)
                        }
                        guard !practices.isEmpty else { continue }
                        for year in 1...results.years {
                            jobs.append((group, b, practices, year...year, yearLabels[year - 1]))
                        }
                        jobs.append((group, b, practices, 1...results.years, wholeProgramLabel))
                    }
                }
            }
        }
        let jobList = jobs
        let largestGroup = jobList.map(\.practices.count).max() ?? 0
        let exposure = Self.parallelMap(jobList.count, workers: Self.workers(values: results.trials * largestGroup)) { j in
            let job = jobList[j]
            return exposureSummary(job.group, band: job.band, practices: job.practices, years: job.years, label: job.label)
        }
        var summary = RunSummary(
            toolVersion: Self.toolVersion,
            scenario: ScenarioInfo(name: scenario.name, description: scenario.description,
                                   file: URL(fileURLWithPath: scenario.sourceFile).lastPathComponent,
                                   sources: scenario.sources),
            settings: RunSettings(trials: results.trials, seed: seed, generator: GSLGenerator.typeName,
                                  yearLabels: yearLabels),
            designs: scenario.designs.map(\.name), sizeBands: bandInfo,
            exposure: exposure,
            budget: BudgetSummarizer(scenario: scenario, results: results, seed: seed,
                                     confidence: confidence ?? scenario.budget.confidence).summary(),
            worldChecks: worldChecks())
        // A failure here can only be a sampling parameter the run itself already drew with.
        summary.persistenceChecks = try? PersistenceProbe.checks(scenario: scenario, seed: seed)
        summary.designTerms = TermSheet.terms(of: scenario)
        summary.practiceResults = practiceResults()
        summary.uncertainty = uncertainty(seed: seed)
        return summary
    }

    /// Each practice's whole-program exposure under each design, over the trials.
    func practiceResults() -> [PracticeResult] {
        Self.parallelMap(scenario.practices.count) { p in
            let practice = scenario.practices[p]
            let designs = scenario.designs.indices.map { d in
                let outcomes = PracticeOutcomes(results: results, design: d, practices: [p], years: 1...results.years,
                                                expectations: expectations)
                let sample = BatchedSample(values: outcomes.shares, perTrial: 1)
                let summary = sample.summary(levels: [0.05, 0.5])
                return PracticeDesignResult(
                    design: scenario.designs[d].name,
                    p5: summary.percentile(0.05) ?? PercentileEstimate(level: 0.05, value: 0, mcse: nil),
                    p50: summary.percentile(0.5) ?? PercentileEstimate(level: 0.5, value: 0, mcse: nil),
                    lossBeyond5: sample.probability { $0 < -0.05 })
            }
            return PracticeResult(
                practice: practice.id, sizeBand: scenario.sizeBands[scenario.sizeBandIndex(members: practice.members)].name,
                region: scenario.regions[practice.region], members: practice.members,
                expectedRevenue: expectations.expectedRevenue(of: practice, years: 1...results.years), designs: designs)
        }
    }

    /// How many group summaries of `values` observations each may run at once: one per core, as
    /// long as their outcome arrays (about nine values' worth per observation: sums, shares, flags
    /// and a sorted copy) fit in 60% of memory together. A statewide group of 20,000 trials ×
    /// 6,700 practices takes about 9 GiB, so such groups are summarised one at a time.
    static func workers(values: Int) -> Int {
        let perGroup = Double(values) * 9 * 8
        let budget = Double(ProcessInfo.processInfo.physicalMemory) * 0.6
        return max(1, min(ProcessInfo.processInfo.activeProcessorCount, Int(budget / max(perGroup, 1))))
    }

    /// `body(i)` for i in 0..<count on `workers` threads (default: every core), in order of i:
    /// each result has its own slot.
    static func parallelMap<T: Sendable>(_ count: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                                         _ body: @Sendable (Int) -> T) -> [T] {
        let slots = Locked<[T?]>(Array(repeating: nil, count: count))
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < count else { return }
                let value = body(i)
                slots.withLock { $0[i] = value }
            }
        }
        return slots.withLock { $0.compactMap { $0 } }
    }

    struct GroupLabel: Sendable {
        let design: Int
        let track: String
        let tier: String
    }

    func exposureSummary(_ group: GroupLabel, band b: Int, practices: [Int], years: ClosedRange<Int>,
                         label: String) -> ExposureSummary {
        let d = group.design
        let outcomes = PracticeOutcomes(results: results, design: d, practices: practices, years: years,
                                        expectations: expectations)
        let (revenue, shares) = (outcomes.revenue, outcomes.shares)
        let shareSample = BatchedSample(values: shares, perTrial: practices.count)
        let sortedShares = shares.sorted()
        func lossBeyond(_ thresholds: [Double]) -> [ThresholdProbability] {
            thresholds.map { threshold in
                let estimate = shareSample.probability { $0 < -threshold }
                return ThresholdProbability(lossShare: threshold, probability: estimate.value, mcse: estimate.mcse)
            }
        }
        return ExposureSummary(
            design: scenario.designs[d].name, track: group.track, tier: group.tier,
            sizeBand: scenario.sizeBands[b].name, practices: practices.count, year: label,
            expectedRevenue: revenue.reduce(0, +) / Double(practices.count),
            dollars: BatchedSample(values: outcomes.dollars, perTrial: practices.count).summary(),
            shareOfRevenue: shareSample.summary(sorted: sortedShares),
            lossProbabilities: lossBeyond(Self.lossThresholds),
            repaymentProbability: BatchedSample(values: outcomes.repaid, perTrial: practices.count).probability { $0 > 0 },
            savingsPaidProbability: BatchedSample(values: outcomes.paid, perTrial: practices.count).probability { $0 > 0 },
            exceedance: lossBeyond(Self.exceedanceThresholds),
            histogram: label == wholeProgramLabel ? Histogram(sorted: sortedShares, bins: Self.histogramBins) : nil,
            guaranteedShare: BatchedSample(values: outcomes.guaranteedShares, perTrial: practices.count).summary(),
            atRiskShare: BatchedSample(values: outcomes.atRiskShares, perTrial: practices.count).summary())
    }

    /// Simulated total cost of care per member-month beside its closed form, per band and year.
    func worldChecks() -> [MeanCheck] {
        var checks: [MeanCheck] = []
        for (b, practices) in bands.enumerated() where !practices.isEmpty {
            for year in 1...results.years {
                var cost = [Double](repeating: 0, count: results.trials)
                var months = [Double](repeating: 0, count: results.trials)
                // Practice by practice in order: each trial's sums add the same terms in the same
                // order as walking the practices within the trial.
                for p in practices {
                    let practiceCost = results.column(.totalCost, practice: p, year: year)
                    let practiceMonths = results.column(.memberMonths, practice: p, year: year)
                    for t in 0..<results.trials {
                        cost[t] += practiceCost[t]
                        months[t] += practiceMonths[t]
                    }
                }
                let analyticCost = practices.reduce(0.0) { $0 + expectations.expectedTotalCost(of: scenario.practices[$1], year: year) }
                let analyticMonths = practices.reduce(0.0) { $0 + expectations.memberMonths(of: scenario.practices[$1], year: year) }
                checks.append(MeanCheck(
                    quantity: "total cost of care per member-month", sizeBand: scenario.sizeBands[b].name,
                    year: yearLabels[year - 1], analytic: analyticCost / analyticMonths,
                    simulated: BatchedSample.pooledRatio(numerators: cost, denominators: months)))
            }
        }
        return checks
    }
}

/// What each practice-period of a group comes to, trial by trial and practice by practice (the
/// order every sample of the group shares, so batches and pairings line up): the exposure summed
/// over `years`, in dollars and as a share of the practice's expected revenue over them, split
/// into its guaranteed and at-risk parts, and whether a repayment was owed or shared savings paid.
struct PracticeOutcomes {
    /// Expected FFS revenue of each practice over `years`.
    let revenue: [Double]
    private(set) var dollars: [Double] = []
    private(set) var shares: [Double] = []
    private(set) var atRiskShares: [Double] = []
    private(set) var guaranteedShares: [Double] = []
    private(set) var repaid: [Double] = []
    private(set) var paid: [Double] = []

    init(results: SimulationResults, design d: Int, practices: [Int], years: ClosedRange<Int>,
         expectations: WorldExpectations) {
        let scenario = expectations.scenario
        revenue = practices.map { expectations.expectedRevenue(of: scenario.practices[$0], years: years) }
        let n = practices.count
        let count = results.trials * n
        // Read a practice-year's trials at a time (a merged run reads them from its part files)
        // and add them up year by year: the same additions in the same order as summing each
        // practice's years in turn, so the sums are identical to the last bit.
        var total = [Double](repeating: 0, count: count)
        var atRisk = [Double](repeating: 0, count: count)
        var owes = [Bool](repeating: false, count: count)
        var earns = [Bool](repeating: false, count: count)
        for year in years {
            for (k, p) in practices.enumerated() {
                let exposure = results.column(.exposure, design: d, practice: p, year: year)
                let reconciliation = results.column(.reconciliation, design: d, practice: p, year: year)
                let quality = results.recordsQuality ? results.column(.quality, design: d, practice: p, year: year) : nil
                for t in 0..<results.trials {
                    let i = t * n + k
                    total[i] += exposure[t]
                    atRisk[i] += reconciliation[t] + (quality?[t] ?? 0)
                    owes[i] = owes[i] || reconciliation[t] < 0
                    earns[i] = earns[i] || reconciliation[t] > 0
                }
            }
        }
        dollars = total
        shares.reserveCapacity(count); atRiskShares.reserveCapacity(count); guaranteedShares.reserveCapacity(count)
        for i in 0..<count {
            let r = revenue[i % n]
            shares.append(r > 0 ? total[i] / r : 0)
            atRiskShares.append(r > 0 ? atRisk[i] / r : 0)
            guaranteedShares.append(r > 0 ? (total[i] - atRisk[i]) / r : 0)
        }
        repaid = owes.map { $0 ? 1 : 0 }
        paid = earns.map { $0 ? 1 : 0 }
    }
}
