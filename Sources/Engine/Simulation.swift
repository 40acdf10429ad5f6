import Dispatch
import Sampling
import Scenario
import Settlement
import Synchronization

/// Everything a run produced, trial by trial, before summarising. Index helpers give the flat
/// layout: one contiguous block per trial, so each trial writes only its own slots.
public struct SimulationResults: Sendable {
    public let trials: Int
    public let designs: Int
    public let practices: Int
    public let years: Int
    /// Design revenue minus the FFS counterfactual, per trial, design, practice, program year.
    public internal(set) var exposure: [Double]
    /// Shared savings (> 0) or losses (< 0), same layout as `exposure`.
    public internal(set) var reconciliation: [Double]
    /// Total cost of care and member-months per trial, practice, program year.
    public internal(set) var totalCost: [Double]
    public internal(set) var memberMonths: [Double]
    /// Payer outlay per trial, design (the last index is the FFS counterfactual), program year and
    /// component (`PayerOutlay.componentNames`).
    public internal(set) var outlay: [Double]
    /// Track and tier of each practice in each design: placement[design][practice].
    public let placement: [[PracticePlace]]

    public struct PracticePlace: Sendable, Equatable {
        public let track: Int
        public let tier: Int
    }

    init(trials: Int, designs: Int, practices: Int, years: Int, placement: [[PracticePlace]]) {
        self.trials = trials; self.designs = designs; self.practices = practices; self.years = years
        self.placement = placement
        let settled = trials * designs * practices * years
        exposure = Array(repeating: 0, count: settled)
        reconciliation = Array(repeating: 0, count: settled)
        totalCost = Array(repeating: 0, count: trials * practices * years)
        memberMonths = Array(repeating: 0, count: trials * practices * years)
        outlay = Array(repeating: 0, count: trials * (designs + 1) * years * PayerOutlay.componentNames.count)
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
    public static func run(scenario: Scenario, trials: Int, seed: UInt64, threads: Int,
                           progress: (@Sendable (Int) -> Void)? = nil,
                           shouldStop: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> SimulationResults {
        let plan: RunPlan
        do { plan = try RunPlan(scenario: scenario) } catch { throw .plan(error) }
        let simulator: TrialSimulator
        do {
            simulator = try TrialSimulator(plan: plan, seed: seed)
            try simulator.prepareLibraries(trials: 0..<trials, threads: threads)
        } catch { throw .sampling(error) }
        var results = SimulationResults(
            trials: trials, designs: scenario.designs.count, practices: scenario.practices.count,
            years: scenario.simulation.programYears,
            placement: plan.designs.map { $0.placement.map { SimulationResults.PracticePlace(track: $0.track, tier: $0.tier) } })
        let layout = results
        let nextTrial = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        let failure = Mutex<SamplingError?>(nil)
        let workers = max(1, min(threads, trials))

        results.exposure.withUnsafeMutableBufferPointer { exposure in
        results.reconciliation.withUnsafeMutableBufferPointer { reconciliation in
        results.totalCost.withUnsafeMutableBufferPointer { totalCost in
        results.memberMonths.withUnsafeMutableBufferPointer { memberMonths in
        results.outlay.withUnsafeMutableBufferPointer { outlay in
            let slots = SharedSlots(exposure: exposure, reconciliation: reconciliation,
                                    totalCost: totalCost, memberMonths: memberMonths, outlay: outlay)
            @Sendable func work(_ worker: Int) {
                let rng: GSLGenerator
                do { rng = try GSLGenerator(seed: seed) } catch {
                    failure.withLock { $0 = error }
                    return
                }
                while true {
                    if shouldStop?() == true { return }
                    let trial = nextTrial.add(1, ordering: .relaxed).oldValue
                    guard trial < trials else { return }
                    var sink = SlotSink(slots: slots, layout: layout, trial: trial)
                    do { try simulator.run(trial: trial, rng: rng, sink: &sink) } catch {
                        failure.withLock { $0 = error }
                        return
                    }
                    let done = finished.add(1, ordering: .relaxed).newValue
                    progress?(done)
                }
            }
            if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        }}}}}

        if let error = failure.withLock({ $0 }) { throw .sampling(error) }
        let done = finished.load(ordering: .relaxed)
        if done < trials { throw .cancelled(completedTrials: done) }
        // No NaN or infinity may reach a summary: check everything that is summarised.
        for (name, values) in [("practice exposure", results.exposure), ("total cost of care", results.totalCost),
                               ("payer outlay", results.outlay)] where !values.allSatisfy(\.isFinite) {
            throw .nonFinite(name)
        }
        return results
    }
}
