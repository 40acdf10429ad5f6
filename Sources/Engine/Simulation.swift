import Dispatch
import Locking
import Sampling
import Scenario
import Settlement
import Synchronization

/// Everything a run produced, trial by trial, before summarising. Index helpers give the flat
/// layout: one contiguous block per trial, so each trial writes only its own slots.
public struct SimulationResults: Sendable {
    public private(set) var trials: Int
    public let designs: Int
    public let practices: Int
    public let years: Int
    /// Design revenue minus the FFS counterfactual, per trial, design, practice, program year.
    public internal(set) var exposure: [Double]
    /// Shared savings (> 0) or losses (< 0), same layout as `exposure`.
    public internal(set) var reconciliation: [Double]
    /// Net quality money (paid at settlement less withheld), same layout as `exposure`; empty when
    /// no design has quality terms, since it would be all zeros (statewide: 370 MB of them).
    public internal(set) var quality: [Double]
    /// Total cost of care and member-months per trial, practice, program year.
    public internal(set) var totalCost: [Double]
    public internal(set) var memberMonths: [Double]
    /// Payer outlay per trial, design (the last index is the FFS counterfactual), program year and
    /// component (`PayerOutlay.componentNames`).
    public internal(set) var outlay: [Double]
    /// Track and tier of each practice in each design: placement[design][practice].
    public let placement: [[PracticePlace]]
    /// How the member level was drawn: `aggregate` unless the scenario asked for `member` or the
    /// run was too small for the member libraries to pay for themselves.
    public internal(set) var method: SimulationMethod = .member
    /// Where the practice-level values are read from when they are not held in the arrays above:
    /// the part files of a merged run, read column by column as the summaries need them.
    var stored: (any StoredColumns)?

    public struct PracticePlace: Sendable, Equatable {
        public let track: Int
        public let tier: Int
    }

    /// The dimensions alone, for index arithmetic where holding the arrays would make the
    /// buffers shared and force a copy on the first write.
    var dimensions: SimulationResults {
        SimulationResults(trials: trials, designs: designs, practices: practices, years: years, placement: placement,
                          recordsQuality: recordsQuality, allocate: false)
    }

    /// Whether `quality` is kept (some design has quality terms).
    public let recordsQuality: Bool

    init(trials: Int, designs: Int, practices: Int, years: Int, placement: [[PracticePlace]], recordsQuality: Bool,
         allocate: Bool = true) {
        self.trials = trials; self.designs = designs; self.practices = practices; self.years = years
        self.placement = placement
        let settled = allocate ? trials * designs * practices * years : 0
        let world = allocate ? trials * practices * years : 0
        exposure = Array(repeating: 0, count: settled)
        reconciliation = Array(repeating: 0, count: settled)
        self.recordsQuality = recordsQuality
        quality = Array(repeating: 0, count: recordsQuality ? settled : 0)
        totalCost = Array(repeating: 0, count: world)
        memberMonths = Array(repeating: 0, count: world)
        outlay = Array(repeating: 0, count: allocate ? trials * (designs + 1) * years * PayerOutlay.componentNames.count : 0)
    }

    /// Every trial's value of `quantity` for one practice-year under design `d`, in trial order.
    public func column(_ quantity: SettledQuantity, design d: Int, practice p: Int, year: Int) -> [Double] {
        if let stored { return stored.settled(quantity, design: d, practice: p, year: year) }
        let values: [Double]
        switch quantity {
        case .exposure: values = exposure
        case .reconciliation: values = reconciliation
        case .quality: values = quality
        }
        let stride = designs * practices * years
        let first = settledIndex(trial: 0, design: d, practice: p, year: year)
        return (0..<trials).map { values[first + $0 * stride] }
    }

    /// Every trial's value of `quantity` for one practice-year of the world, in trial order.
    public func column(_ quantity: WorldQuantity, practice p: Int, year: Int) -> [Double] {
        if let stored { return stored.world(quantity, practice: p, year: year) }
        let values = quantity == .totalCost ? totalCost : memberMonths
        let stride = practices * years
        let first = worldIndex(trial: 0, practice: p, year: year)
        return (0..<trials).map { values[first + $0 * stride] }
    }

    /// Appends the trials of `more` (the next trials of the same run): every array is trial-major.
    mutating func append(_ more: SimulationResults) {
        trials += more.trials
        exposure += more.exposure
        reconciliation += more.reconciliation
        quality += more.quality
        totalCost += more.totalCost
        memberMonths += more.memberMonths
        outlay += more.outlay
    }

    /// Index of component 0 in `outlay`; `design` = `designs` for the FFS counterfactual.
    @inline(__always)
    public func outlayIndex(trial: Int, design: Int, year: Int) -> Int {
        ((trial * (designs + 1) + design) * years + year - 1) * PayerOutlay.componentNames.count
    }

    /// Index into `exposure`/`reconciliation`; `year` is 1-based.
    @inline(__always)
    public func settledIndex(trial: Int, design: Int, practice: Int, year: Int) -> Int {
        ((trial * designs + design) * practices + practice) * years + year - 1
    }

    /// Index into `totalCost`/`memberMonths`; `year` is 1-based.
    @inline(__always)
    public func worldIndex(trial: Int, practice: Int, year: Int) -> Int {
        (trial * practices + practice) * years + year - 1
    }
}

extension Scenario {
    /// Whether some design pays for quality (then a run keeps each practice-year's quality money).
    public var paysForQuality: Bool { designs.contains { $0.tracks.contains { $0.tiers.contains { $0.terms.quality != nil } } } }
}

/// Why a run stopped without results.
public enum SimulationError: Error, CustomStringConvertible {
    case sampling(SamplingError)
    case plan(RunPlanError)
    case cancelled(completedTrials: Int)
    /// A value overflowed to infinity or NaN: the scenario is beyond what doubles can carry.
    case nonFinite(String)

    public var description: String {
        switch self {
        case let .sampling(error): return "sampling failed: \(error)"
        case let .plan(error): return error.description
        case let .cancelled(done): return "cancelled after \(done) trials"
        case let .nonFinite(what):
            return "the simulation produced a non-finite \(what); the scenario's rates, CVs or sizes are too extreme to simulate (reduce them)"
        }
    }
}

/// Disjoint per-trial writes into shared buffers from parallel workers. Safe because trial t
/// writes only the slots of trial t.
private struct SharedSlots: @unchecked Sendable {
    let exposure: UnsafeMutableBufferPointer<Double>
    let reconciliation: UnsafeMutableBufferPointer<Double>
    let quality: UnsafeMutableBufferPointer<Double>
    let totalCost: UnsafeMutableBufferPointer<Double>
    let memberMonths: UnsafeMutableBufferPointer<Double>
    let outlay: UnsafeMutableBufferPointer<Double>
}

private struct SlotSink: TrialSink {
    let slots: SharedSlots
    let layout: SimulationResults
    let trial: Int

    mutating func recordWorld(practice: Int, year: Int, activity: PracticeYearActivity) {
        let i = layout.worldIndex(trial: trial, practice: practice, year: year)
        slots.totalCost[i] = activity.totalCost
        slots.memberMonths[i] = activity.memberMonths
    }

    mutating func recordSettlement(design: Int, practice: Int, year: Int, components: PaymentComponents,
                                   counterfactualFFS: Double) {
        let i = layout.settledIndex(trial: trial, design: design, practice: practice, year: year)
        slots.exposure[i] = components.practiceResult - counterfactualFFS
        slots.reconciliation[i] = components.sharedSavings - components.sharedLosses
        if !slots.quality.isEmpty { slots.quality[i] = components.quality }
    }

    mutating func recordOutlay(design: Int?, year: Int, outlay: PayerOutlay) {
        let start = layout.outlayIndex(trial: trial, design: design ?? layout.designs, year: year)
        for (k, value) in outlay.components.enumerated() { slots.outlay[start + k] = value }
    }
}

public enum Simulation {
    /// Runs `trials` trials of `scenario` on `threads` workers.
    ///
    /// Workers claim trials in order from a shared counter; since every random stream is keyed by
    /// (seed, trial, ...) and every trial writes only its own slots, the results are
    /// bit-identical for any thread count and any claiming order.
    /// - Parameter progress: called after each trial with the number of trials finished (from a
    ///   worker thread).
    /// - Parameter libraryProgress: called while the fast path's member libraries are built, before
    ///   any trial, with (built, total).
    /// - Parameter moreTrials: asked after each round of trials with everything so far; returns
    ///   the total number of trials to reach, or nil to stop. A run extended this way is identical
    ///   to one asked for its final number of trials at once (streams are keyed by trial).
    /// - Parameter shard: run only these of the `trials` (a shard of a run split over machines);
    ///   the results hold just them, as the single run would have computed them.
    public static func run(scenario: Scenario, trials: Int, shard: Range<Int>? = nil, seed: UInt64, threads: Int,
                           progress: (@Sendable (Int) -> Void)? = nil,
                           libraryProgress: (@Sendable (Int, Int) -> Void)? = nil,
                           shouldStop: (@Sendable () -> Bool)? = nil,
                           moreTrials: ((SimulationResults) -> Int?)? = nil) throws(SimulationError) -> SimulationResults {
        let plan: RunPlan
        do { plan = try RunPlan(scenario: scenario) } catch { throw .plan(error) }
        var preparing: TrialSimulator
        do {
            preparing = try TrialSimulator(plan: plan, seed: seed)
            try preparing.prepareLibraries(trials: 0..<trials, building: shard, threads: threads, progress: libraryProgress)
        } catch { throw .sampling(error) }
        let simulator = preparing
        var results = try runTrials(shard ?? 0..<trials, simulator: simulator, threads: threads, progress: progress,
                                    shouldStop: shouldStop)
        while let target = moreTrials?(results), target > results.trials {
            let range = results.trials..<target
            do { try simulator.prepareMoreLibraries(trials: range, threads: threads) } catch { throw .sampling(error) }
            let done = results.trials
            let more = try runTrials(range, simulator: simulator, threads: threads,
                                     progress: progress.map { report in { @Sendable in report(done + $0) } },
                                     shouldStop: shouldStop, alreadyDone: done)
            results.append(more)
        }
        return results
    }

    /// Runs trials `range` into results of their own (local trial 0 = `range.lowerBound`).
    static func runTrials(_ range: Range<Int>, simulator: TrialSimulator, threads: Int,
                          progress: (@Sendable (Int) -> Void)?, shouldStop: (@Sendable () -> Bool)?,
                          alreadyDone: Int = 0) throws(SimulationError) -> SimulationResults {
        let scenario = simulator.scenario
        let trials = range.count
        var results = SimulationResults(
            trials: trials, designs: scenario.designs.count, practices: scenario.practices.count,
            years: scenario.simulation.programYears,
            placement: simulator.plan.designs.map { $0.placement.map { SimulationResults.PracticePlace(track: $0.track, tier: $0.tier) } },
            recordsQuality: scenario.paysForQuality)
        let layout = results.dimensions
        let nextTrial = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        let failure = Locked<SamplingError?>(nil)
        let workers = max(1, min(threads, trials))
        let first = range.lowerBound
        let seed = simulator.seed

        results.exposure.withUnsafeMutableBufferPointer { exposure in
        results.reconciliation.withUnsafeMutableBufferPointer { reconciliation in
        results.quality.withUnsafeMutableBufferPointer { quality in
        results.totalCost.withUnsafeMutableBufferPointer { totalCost in
        results.memberMonths.withUnsafeMutableBufferPointer { memberMonths in
        results.outlay.withUnsafeMutableBufferPointer { outlay in
            let slots = SharedSlots(exposure: exposure, reconciliation: reconciliation, quality: quality,
                                    totalCost: totalCost, memberMonths: memberMonths, outlay: outlay)
            @Sendable func work(_ worker: Int) {
                let rng: GSLGenerator
                do { rng = try GSLGenerator(seed: seed) } catch {
                    failure.withLock { $0 = error }
                    return
                }
                var cache = LibraryCache()
                while true {
                    if shouldStop?() == true { return }
                    let local = nextTrial.add(1, ordering: .relaxed).oldValue
                    guard local < trials else { return }
                    var sink = SlotSink(slots: slots, layout: layout, trial: local)
                    do { try simulator.run(trial: first + local, rng: rng, cache: &cache, sink: &sink) } catch {
                        failure.withLock { $0 = error }
                        return
                    }
                    let done = finished.add(1, ordering: .relaxed).newValue
                    progress?(done)
                }
            }
            if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        }}}}}}

        if let error = failure.withLock({ $0 }) { throw .sampling(error) }
        results.method = simulator.method
        let done = finished.load(ordering: .relaxed)
        if done < trials { throw .cancelled(completedTrials: alreadyDone + done) }
        // No NaN or infinity may reach a summary: check everything that is summarised.
        for (name, values) in [("practice exposure", results.exposure), ("total cost of care", results.totalCost),
                               ("payer outlay", results.outlay)] where !values.allSatisfy(\.isFinite) {
            throw .nonFinite(name)
        }
        return results
    }
}
