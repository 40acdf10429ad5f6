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
        let slots = Locked<[ExposureSummary?]>(Array(repeating: nil, count: jobs.count))
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(ProcessInfo.processInfo.activeProcessorCount, jobs.count))) { _ in
            while true {
                let j = next.add(1, ordering: .relaxed).oldValue
                guard j < jobList.count else { return }
                let job = jobList[j]
                let summary = exposureSummary(job.group, band: job.band, practices: job.practices, years: job.years,
                                              label: job.label)
                slots.withLock { $0[j] = summary }
            }
        }
        let exposure = slots.withLock { $0.compactMap { $0 } }
        var summary = RunSummary(
            toolVersion: Self.toolVersion,
            scenario: ScenarioInfo(name: scenario.name, description: scenario.description,
                                   file: URL(fileURLWithPath: scenario.sourceFile).lastPathComponent,
                                   sources: scenario.sources),
            settings: RunSettings(trials: results.trials, seed: seed, generator: GSLGenerator.typeName,
                                  yearLabels: yearLabels),
            designs: scenario.designs.map(\.name), sizeBands: bandInfo,
            exposure: exposure,
            budget: BudgetSummarizer(scenario: scenario, results: results,
                                     confidence: confidence ?? scenario.budget.confidence).summary(),
            worldChecks: worldChecks())
        // A failure here can only be a sampling parameter the run itself already drew with.
        summary.persistenceChecks = try? PersistenceProbe.checks(scenario: scenario, seed: seed)
        summary.designTerms = TermSheet.terms(of: scenario)
        summary.practiceResults = practiceResults()
        return summary
    }

    /// Each practice's whole-program exposure under each design, over the trials.
    func practiceResults() -> [PracticeResult] {
        let slots = Locked<[PracticeResult?]>(Array(repeating: nil, count: scenario.practices.count))
        let next = Atomic<Int>(0)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, scenario.practices.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let p = next.add(1, ordering: .relaxed).oldValue
                guard p < scenario.practices.count else { return }
                let practice = scenario.practices[p]
                let revenue = (1...results.years).reduce(0.0) { $0 + expectations.expectedRevenue(of: practice, year: $1) }
                let designs = scenario.designs.indices.map { d in
                    let shares = (0..<results.trials).map { t in
                        let total = (1...results.years).reduce(0.0) {
                            $0 + results.exposure[results.settledIndex(trial: t, design: d, practice: p, year: $1)]
                        }
                        return revenue > 0 ? total / revenue : 0
                    }
                    let sample = BatchedSample(values: shares, perTrial: 1)
                    let summary = sample.summary(levels: [0.05, 0.5])
                    return PracticeDesignResult(
                        design: scenario.designs[d].name,
                        p5: summary.percentile(0.05) ?? PercentileEstimate(level: 0.05, value: 0, mcse: nil),
                        p50: summary.percentile(0.5) ?? PercentileEstimate(level: 0.5, value: 0, mcse: nil),
                        lossBeyond5: sample.probability { $0 < -0.05 })
                }
                let result = PracticeResult(
                    practice: practice.id, sizeBand: scenario.sizeBands[scenario.sizeBandIndex(members: practice.members)].name,
                    region: scenario.regions[practice.region], members: practice.members, expectedRevenue: revenue,
                    designs: designs)
                slots.withLock { $0[p] = result }
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
        let revenue = practices.map { p in
            years.reduce(0.0) { $0 + expectations.expectedRevenue(of: scenario.practices[p], year: $1) }
        }
        var dollars: [Double] = []
        var shares: [Double] = []
        var atRiskShares: [Double] = []
        var guaranteedShares: [Double] = []
        var repaid: [Double] = []
        var paid: [Double] = []
        dollars.reserveCapacity(results.trials * practices.count)
        for t in 0..<results.trials {
            for (k, p) in practices.enumerated() {
                var total = 0.0
                var atRisk = 0.0
                var owes = false
                var earns = false
                for year in years {
                    let i = results.settledIndex(trial: t, design: d, practice: p, year: year)
                    total += results.exposure[i]
                    atRisk += results.atRisk(i)
                    owes = owes || results.reconciliation[i] < 0
                    earns = earns || results.reconciliation[i] > 0
                }
                dollars.append(total)
                shares.append(revenue[k] > 0 ? total / revenue[k] : 0)
                atRiskShares.append(revenue[k] > 0 ? atRisk / revenue[k] : 0)
                guaranteedShares.append(revenue[k] > 0 ? (total - atRisk) / revenue[k] : 0)
                repaid.append(owes ? 1 : 0)
                paid.append(earns ? 1 : 0)
            }
        }
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
            dollars: BatchedSample(values: dollars, perTrial: practices.count).summary(),
            shareOfRevenue: shareSample.summary(sorted: sortedShares),
            lossProbabilities: lossBeyond(Self.lossThresholds),
            repaymentProbability: BatchedSample(values: repaid, perTrial: practices.count).probability { $0 > 0 },
            savingsPaidProbability: BatchedSample(values: paid, perTrial: practices.count).probability { $0 > 0 },
            exceedance: lossBeyond(Self.exceedanceThresholds),
            histogram: label == wholeProgramLabel ? Histogram(sorted: sortedShares, bins: Self.histogramBins) : nil,
            guaranteedShare: BatchedSample(values: guaranteedShares, perTrial: practices.count).summary(),
            atRiskShare: BatchedSample(values: atRiskShares, perTrial: practices.count).summary())
    }

    /// Simulated total cost of care per member-month beside its closed form, per band and year.
    func worldChecks() -> [MeanCheck] {
        var checks: [MeanCheck] = []
        for (b, practices) in bands.enumerated() where !practices.isEmpty {
            for year in 1...results.years {
                var cost = [Double](repeating: 0, count: results.trials)
                var months = [Double](repeating: 0, count: results.trials)
                for t in 0..<results.trials {
                    for p in practices {
                        let i = results.worldIndex(trial: t, practice: p, year: year)
                        cost[t] += results.totalCost[i]
                        months[t] += results.memberMonths[i]
                    }
                }
                let analyticCost = practices.reduce(0.0) { $0 + expectations.expectedTotalCost(of: scenario.practices[$1], year: year) }
                let analyticMonths = practices.reduce(0.0) { $0 + expectations.memberMonths(of: scenario.practices[$1]) }
                checks.append(MeanCheck(
                    quantity: "total cost of care per member-month", sizeBand: scenario.sizeBands[b].name,
                    year: yearLabels[year - 1], analytic: analyticCost / analyticMonths,
                    simulated: BatchedSample.pooledRatio(numerators: cost, denominators: months)))
            }
        }
        return checks
    }
}
