import Dispatch
import Locking
import Sampling
import Scenario
import Settlement
import Synchronization

/// Practice-years of one panel on their own, by either path: the member level of a scenario at
/// multiplier 1 and baseline fees, for the benchmark and for tests that compare the fast path
/// with the direct one and with the exact FFT reference. Trial t always uses the stream of
/// (seed, t), so results do not depend on the thread count.
public struct PanelSampler: Sendable {
    let members: MemberModel
    let aggregate: AggregateModel?
    let recording: WorldRecording
    let seed: UInt64

    /// - Parameter attachments: per-member caps to record (`truncatedCost`), e.g. a stop-loss.
    public init(scenario: Scenario, method: SimulationMethod, attachments: [Double] = [],
                libraryMembers: Int = SimulationSettings.defaultLibraryMembers, seed: UInt64) throws(SamplingError) {
        members = try MemberModel(scenario: scenario)
        recording = WorldRecording(attachments: attachments, riskBins: RiskBins(bounds: []))
        self.seed = seed
        aggregate = method != .member
            ? AggregateModel(members: members, recording: recording, primaryCareScope: scenario.services.map(\.primaryCareScope),
                             libraryMembers: libraryMembers, seed: seed)
            : nil
    }

    static let block = 256

    /// `trials` independent practice-years of a panel with `classCounts` members per class.
    public func practiceYears(classCounts: [Int], trials: Int, threads: Int = 1,
                              multiplier: Double = 1) throws(SamplingError) -> [PracticeYearActivity] {
        try practicePaths(classCounts: classCounts, retention: [], years: 1, trials: trials, threads: threads,
                          multiplier: multiplier).map { $0[0] }
    }

    /// `trials` independent runs of `years` consecutive years of one panel with `classCounts`
    /// members per class, whose members stay from one year to the next with probability
    /// `retention[class]` and keep their health state as the scenario's persistence says
    /// (persistent scenarios only; otherwise every year is independent).
    public func practicePaths(classCounts: [Int], retention: [Double], years: Int, trials: Int, threads: Int = 1,
                              multiplier: Double = 1) throws(SamplingError) -> [[PracticeYearActivity]] {
        let fees = [Double](repeating: 1, count: members.categories.count)
        let dynamics = PanelDynamics(classCounts: classCounts,
                                     retention: retention.isEmpty ? Array(repeating: 0, count: classCounts.count) : retention)
        if let aggregate {
            try aggregate.prepare(groups: aggregate.groups(ofClasses: Set(classCounts.indices.filter { classCounts[$0] > 0 })),
                                  grid: AggregateModel.gridPoints(for: [multiplier]),
                                  threads: threads)
        }
        let results = Locked<[[PracticeYearActivity]?]>(Array(repeating: nil, count: trials))
        let next = Atomic<Int>(0)
        let failure = Locked<SamplingError?>(nil)
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, trials))) { _ in
            let rng: GSLGenerator
            do throws(SamplingError) { rng = try GSLGenerator(seed: seed) } catch {
                failure.withLock { $0 = error }
                return
            }
            var done: [(Int, [PracticeYearActivity])] = []
            var cache = LibraryCache()
            // Blocks of trials: one practice-year of the fast path takes about a microsecond, so a
            // shared counter claimed per trial would be the contended line between the cores.
            while true {
                let block = next.add(Self.block, ordering: .relaxed).oldValue
                guard block < trials else { break }
                for t in block..<min(block + Self.block, trials) {
                rng.reseed(StreamSeed.derive(seed, UInt64(t)))
                cache.begin(trial: t)
                do throws(SamplingError) {
                    var walker = PanelPath(dynamics, members: members, aggregate: aggregate, recording: recording)
                    var path: [PracticeYearActivity] = []
                    for _ in 0..<years {
                        path.append(try walker.nextYear(multiplier: multiplier, priceFactors: fees, yearIndex: 0, rng: rng,
                                                        cache: &cache))
                    }
                    done.append((t, path))
                } catch {
                    failure.withLock { $0 = error }
                    return
                }
                }
            }
            results.withLock { all in for (t, activity) in done { all[t] = activity } }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { $0.compactMap { $0 } }
    }
}
