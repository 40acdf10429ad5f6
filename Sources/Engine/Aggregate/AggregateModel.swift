import Dispatch
import Foundation
import Locking
import Sampling
import Settlement
import Statistics
import Synchronization

/// The fast path of the member level: a practice-year's sums drawn from per-class libraries
/// (`PanelLibrary`) instead of member by member. Its cost per practice-year grows with the number
/// of tail members (about k/4096 to k/16), not with k.
///
/// Multipliers between two library grid points mix the two libraries member by member with
/// linear weights, so every mean stays exact (means are linear in the multiplier). Members of a
/// class too few for a body sum, multipliers off the grid, or stop-loss attachments below the
/// library's tail go member by member, exactly as the direct path.
final class AggregateModel: Sendable {
    let members: MemberModel
    let layout: PanelLayout
    let recording: WorldRecording
    let libraryMembers: Int
    let seed: UInt64
    private let slots: [LibrarySlot]
    /// Exact stop-loss excesses that truncated library draws are corrected to.
    let excessTables = ExcessTables()

    /// Grid of multipliers: ratio^g for g in gridRange.
    static let gridRatio = 1.1
    static let gridRange = -60...60
    /// At most this many members of a class in one practice are drawn one by one from the
    /// library (a body sum of fewer would be too skewed for its normal draw).
    static let bootstrapLimit = 24
    /// Target skewness of a body sum; the smallest tail that reaches it is used. The
    /// Cornish–Fisher term carries a skewness this size with an error of order skewness², and
    /// each tail member drawn is a cache miss, the fast path's main cost.
    static let bodySkewnessTarget = 0.3

    private final class LibrarySlot: Sendable {
        let library = Locked<PanelLibrary?>(nil)
    }

    init(members: MemberModel, recording: WorldRecording, primaryCareScope: [Bool], libraryMembers: Int, seed: UInt64) {
        self.members = members
        self.layout = PanelLayout(categories: members.categories.count, riskBins: recording.riskBins,
                                  primaryCareScope: primaryCareScope)
        self.recording = recording
        self.libraryMembers = libraryMembers
        self.seed = seed
        slots = (0..<(members.classes.count * members.groupsPerClass * Self.gridRange.count * Self.librarySets))
            .map { _ in LibrarySlot() }
    }

    /// Independent library sets, one per batch of trials: trial t draws only from set
    /// `librarySet(ofTrial: t)`, its batch, so batch statistics vary with the libraries as well
    /// as with the trials and every batch-means error counts the libraries' sampling error. The
    /// members of a library are split over the sets, so building them costs what one library
    /// did. Each set's means are exact, untruncated and truncated (`truncationCorrections`).
    static let librarySets = BatchedSample.batchCount

    /// The library set trial `trial` draws from: its batch.
    @inline(__always)
    static func librarySet(ofTrial trial: Int) -> Int { BatchedSample.batch(ofTrial: trial) % librarySets }

    /// Libraries in one set: panel groups × grid points.
    var librariesPerSet: Int { members.classes.count * groupsPerClass * Self.gridRange.count }

    /// Index of a library (group, grid point, set) in `slots` and in a worker's view table.
    @inline(__always)
    func slotIndex(group: Int, grid g: Int, set: Int) -> Int {
        (set * members.classes.count * groupsPerClass + group) * Self.gridRange.count + (g - Self.gridRange.lowerBound)
    }

    /// Panel groups kept apart: one per class, or per class × health stratum (group = class ×
    /// `groupsPerClass` + stratum).
    var groupsPerClass: Int { members.groupsPerClass }

    /// The groups of the given classes.
    func groups(ofClasses classes: Set<Int>) -> Set<Int> {
        Set(classes.flatMap { c in (c * groupsPerClass)..<((c + 1) * groupsPerClass) })
    }

    /// The grid points around `multiplier` and the upper one's weight, or nil off the grid.
    static func neighbours(of multiplier: Double) -> (lower: Int, upper: Int, weight: Double)? {
        guard multiplier > 0, multiplier.isFinite else { return nil }
        let g = Int((log(multiplier) / logGridRatio).rounded(.down))
        guard gridRange.contains(g), gridRange.contains(g + 1) else { return nil }
        let low = gridPoints[g - gridRange.lowerBound], high = gridPoints[g + 1 - gridRange.lowerBound]
        return (g, g + 1, min(max((multiplier - low) / (high - low), 0), 1))
    }

    /// The utilization multiplier of grid point `g`.
    static func multiplier(ofGrid g: Int) -> Double { gridPoints[g - gridRange.lowerBound] }

    private static let logGridRatio = log(gridRatio)
    private static let gridPoints = gridRange.map { pow(gridRatio, Double($0)) }

    /// Member-years drawn for one library: a class and grid point's `libraryMembers`, split evenly
    /// over its library sets and its health strata when panels persist.
    var membersPerLibrary: Int {
        let perSet = libraryMembers / Self.librarySets
        return groupsPerClass == 1 ? max(perSet, Self.smallestLibrary) : max(perSet / groupsPerClass, Self.smallestLibrary)
    }

    /// Whether building libraries of `libraryDraws` member draws pays for itself in a run of
    /// `memberYears`: it must cost at most a third of drawing the members one by one.
    static func librariesPayOff(libraryDraws: Double, memberYears: Double) -> Bool {
        libraryDraws * 3 <= memberYears
    }

    /// Fewest member-years in one library: a tail of 64 records (1/16 of it).
    static let smallestLibrary = 1 << 10

    /// The library of panel group `group` at grid point `g` in set `set`, built on first use. Its
    /// seed depends only on the run seed, the group, the grid point and the set, so which thread
    /// builds it, and when, changes nothing.
    func library(group: Int, grid g: Int, set: Int) throws(SamplingError) -> PanelLibrary {
        let slot = slots[slotIndex(group: group, grid: g, set: set)]
        let classIndex = group / groupsPerClass
        let stratum: Int? = members.strata == nil ? nil : group % groupsPerClass
        let base = stratum.map {
            StreamSeed.derive(seed, 0x11B7_A7E5, UInt64(classIndex), UInt64(bitPattern: Int64(g)), 0x57A7 + UInt64($0))
        } ?? StreamSeed.derive(seed, 0x11B7_A7E5, UInt64(classIndex), UInt64(bitPattern: Int64(g)))
        let librarySeed = StreamSeed.derive(base, 0x5E75 + UInt64(set))
        let result: Result<PanelLibrary, SamplingError> = slot.library.withLock { stored in
            if let stored { return .success(stored) }
            do throws(SamplingError) {
                let built = try PanelLibrary(
                    model: members, classIndex: classIndex, stratum: stratum,
                    multiplier: Self.multiplier(ofGrid: g), layout: layout,
                    members: membersPerLibrary, seed: librarySeed)
                stored = built
                return .success(built)
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The grid points that practice-years with these multipliers draw from.
    static func gridPoints(for multipliers: [Double]) -> Set<Int> {
        var grid = Set<Int>()
        for m in multipliers { if let n = neighbours(of: m) { grid.insert(n.lower); grid.insert(n.upper) } }
        return grid
    }

    /// Builds, `threads` at a time, the libraries of the panel groups `groups` at grid points
    /// `grid`, in every library set: however few trials a run has, each set's truncations are
    /// corrected to the mean over all of them.
    /// - Parameter progress: called after each library with (built, total).
    func prepare(groups: Set<Int>, grid: Set<Int>, threads: Int,
                 progress: (@Sendable (Int, Int) -> Void)? = nil) throws(SamplingError) {
        let work = (0..<Self.librarySets).flatMap { s in groups.sorted().flatMap { c in grid.sorted().map { (c, $0, s) } } }
        let failure = Locked<SamplingError?>(nil)
        let built = Atomic<Int>(0)
        let workers = max(1, min(threads, work.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for (c, g, s) in stride(from: worker, to: work.count, by: workers).map({ work[$0] }) {
                do throws(SamplingError) { _ = try library(group: c, grid: g, set: s) } catch {
                    failure.withLock { $0 = error }
                }
                progress?(built.add(1, ordering: .relaxed).newValue, work.count)
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// One practice-year: the same quantities as `MemberModel.simulateYear`, drawn in aggregate.
    /// `groupCounts` holds the members of each panel group (`groupsPerClass` per class).
    func simulateYear(groupCounts classCounts: [Int], multiplier: Double, priceFactors: [Double], yearIndex: Int = 0,
                      rng: borrowing GSLGenerator, cache: inout LibraryCache) throws(SamplingError) -> PracticeYearActivity {
        let attachments = recording.attachments(yearIndex: yearIndex)
        if !attachments.isEmpty {
            cache.useCorrections(yearIndex: yearIndex, priceFactors: priceFactors, attachments: attachments,
                                 librariesPerSet: librariesPerSet)
        }
        var totals = PracticeYearActivity(categories: layout.categories, attachments: attachments.count,
                                          riskBins: recording.riskBins.count)
        var scratch = cache.scratch.take().flatMap { $0.fits(width: layout.width, groups: classCounts.count) ? $0 : nil }
            ?? AggregateScratch(width: layout.width, groups: classCounts.count, classes: classCounts.count / groupsPerClass)
        defer { cache.scratch = scratch }
        scratch.reset()
        let highestFee = priceFactors.max() ?? 1
        let lowestAttachment = attachments.min() ?? .infinity
        let bodyLimit = lowestAttachment / highestFee
        let neighbours = Self.neighbours(of: multiplier)
        // Health strata of one class share one body sum with the rest of the panel, so whether a
        // body sum is normal enough depends on the class's members, not on one stratum's.
        let perClass = groupsPerClass
        for (g, k) in classCounts.enumerated() { scratch.classMembers[g / perClass] += k }
        var anyDirect = false
        for (c, k) in classCounts.enumerated() where k > 0 {
            guard let grid = neighbours else { scratch.direct[c] = k; anyDirect = true; continue }
            let lower = try view(group: c, grid: grid.lower, cache: &cache)
            let upper = try view(group: c, grid: grid.upper, cache: &cache)
            let bodyMembers = scratch.classMembers[c / perClass]
            if bodyMembers <= Self.bootstrapLimit {
                guard max(lower.cuts[0].bodyMaximum, upper.cuts[0].bodyMaximum) <= bodyLimit else {
                    scratch.direct[c] = k; anyDirect = true; continue
                }
                drawEach(members: k, lower: lower, upper: upper, weight: grid.weight, priceFactors: priceFactors,
                         attachments: attachments, rng: rng, sampled: &scratch.sampled, totals: &totals)
                try correctTruncations(members: k, group: c, grid: grid, cut: 0, cuts: lower.cuts.count, yearIndex: yearIndex,
                                       priceFactors: priceFactors, attachments: attachments, cache: &cache, totals: &totals)
                continue
            }
            guard let cut = Self.cut(members: bodyMembers, lower: lower, upper: upper, bodyLimit: bodyLimit) else {
                scratch.direct[c] = k; anyDirect = true; continue
            }
            let lowerCut = lower.cuts[cut], upperCut = upper.cuts[cut]
            let tailMembers = rng.binomial(trials: k, p: lowerCut.fraction)
            for _ in 0..<tailMembers {
                let source = rng.uniform() < grid.weight ? upper : lower
                addTailRecord(rng.index(below: lowerCut.records), of: source, priceFactors: priceFactors,
                              attachments: attachments, to: &totals)
            }
            scratch.body.add(count: k - tailMembers, lower: lowerCut, upper: upperCut, weight: grid.weight)
            try correctTruncations(members: k, group: c, grid: grid, cut: cut, cuts: lower.cuts.count, yearIndex: yearIndex,
                                   priceFactors: priceFactors, attachments: attachments, cache: &cache, totals: &totals)
        }
        if !scratch.body.isEmpty { scratch.body.draw(rng: rng, addingTo: &scratch.sampled) }
        layout.add(scratch.sampled, priceFactors: priceFactors, oneMember: false, attachments: attachments,
                   recording: recording, to: &totals)
        if anyDirect {
            var ignore = IgnoreMembers()
            members.addMembers(groupCounts: scratch.direct, byStratum: true, multiplier: multiplier, priceFactors: priceFactors,
                               recording: recording, attachments: attachments, rng: rng, observer: &ignore, into: &totals)
        }
        return totals
    }

    /// Brings the truncated totals of `members` members drawn from the current set at cut `cut`
    /// to the exact ones (`truncationCorrections`).
    @inline(__always)
    private func correctTruncations(members k: Int, group: Int, grid: (lower: Int, upper: Int, weight: Double), cut: Int,
                                    cuts: Int, yearIndex: Int, priceFactors: [Double], attachments: [Double],
                                    cache: inout LibraryCache, totals: inout PracticeYearActivity) throws(SamplingError) {
        guard !attachments.isEmpty else { return }
        let lower = try truncationCorrections(group: group, grid: grid.lower, yearIndex: yearIndex, priceFactors: priceFactors,
                                              attachments: attachments, cache: &cache)
        let upper = grid.weight > 0
            ? try truncationCorrections(group: group, grid: grid.upper, yearIndex: yearIndex, priceFactors: priceFactors,
                                        attachments: attachments, cache: &cache)
            : lower
        let start = (cache.librarySet * cuts + cut) * attachments.count
        for t in 0..<attachments.count {
            totals.truncatedCost[t] += Double(k) * ((1 - grid.weight) * lower[start + t] + grid.weight * upper[start + t])
        }
    }

    @inline(__always)
    private func addTailRecord(_ r: Int, of source: LibraryView, priceFactors: [Double], attachments: [Double],
                               to totals: inout PracticeYearActivity) {
        let width = layout.width
        layout.add(source.tail[(r * width)..<((r + 1) * width)], priceFactors: priceFactors, oneMember: true,
                   attachments: attachments, recording: recording, to: &totals)
    }

    /// Draws `members` members one by one: a tail record with probability f (exact, truncated
    /// member by member) or a body record, summed into `sampled` with its mean correction.
    private func drawEach(members: Int, lower: LibraryView, upper: LibraryView, weight: Double,
                          priceFactors: [Double], attachments: [Double], rng: borrowing GSLGenerator,
                          sampled: inout [Double], totals: inout PracticeYearActivity) {
        let width = layout.width
        let fraction = lower.cuts[0].fraction
        for _ in 0..<members {
            let source = rng.uniform() < weight ? upper : lower
            if rng.uniform() < fraction {
                addTailRecord(rng.index(below: source.cuts[0].records), of: source, priceFactors: priceFactors,
                              attachments: attachments, to: &totals)
                continue
            }
            let r = rng.index(below: source.bodySample.count / width)
            for j in 0..<width { sampled[j] += Double(source.bodySample[r * width + j]) + source.bodySampleShift[j] }
        }
    }

    /// The cut for a body of about `members`: the smallest tail whose body sum is nearly normal,
    /// among those whose body lies wholly below `bodyLimit` (so stop-loss never truncates it);
    /// nil if no cut keeps the body below the limit.
    static func cut(members: Int, lower: LibraryView, upper: LibraryView, bodyLimit: Double) -> Int? {
        var chosen: Int?
        for index in lower.cuts.indices.reversed() {
            let a = lower.cuts[index], b = upper.cuts[index]
            guard max(a.bodyMaximum, b.bodyMaximum) <= bodyLimit else { continue }
            let bodyMembers = Double(members) * (1 - a.fraction)
            if max(a.bodySkewness, b.bodySkewness) / bodyMembers.squareRoot() <= bodySkewnessTarget { return index }
            chosen = index
        }
        return chosen
    }
}

/// One worker's reusable space for `AggregateModel.simulateYear`.
struct AggregateScratch {
    var body: BodyDraw
    /// Members of each group drawn member by member.
    var direct: [Int]
    /// Members of each class, over its strata.
    var classMembers: [Int]
    /// Sum of the members drawn one by one from body samples; the body sum is added to it.
    var sampled: [Double]

    init(width: Int, groups: Int, classes: Int) {
        body = BodyDraw(width: width)
        direct = Array(repeating: 0, count: groups)
        classMembers = Array(repeating: 0, count: classes)
        sampled = Array(repeating: 0, count: width)
    }

    func fits(width: Int, groups: Int) -> Bool { body.width == width && direct.count == groups }

    mutating func reset() {
        body.reset()
        for i in direct.indices { direct[i] = 0 }
        for i in classMembers.indices { classMembers[i] = 0 }
        for i in sampled.indices { sampled[i] = 0 }
    }
}
