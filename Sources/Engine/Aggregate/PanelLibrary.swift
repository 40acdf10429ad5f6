import Foundation
import Sampling
import Statistics

/// One member class at one utilization multiplier, summarised for drawing sums of many members.
///
/// Built from `members` member-years drawn with the member model itself. The costliest 1/16 are
/// kept record by record (the tail, highest total first); for each cut, the members below it (the
/// body) are kept as moments: mean vector, covariance and third central moment per field. A
/// panel of k members is then: K ~ Binomial(k, f) tail members drawn one by one from the top f of
/// the records, plus the body sum of k − K members drawn from its moments (`BodyDraw`).
///
/// The body mean is corrected so that the library's mean per member equals the exact mean of the
/// member model (`exactMean`), field by field: the library's sampling error then cannot bias
/// practice totals, however large the practice.
final class PanelLibrary: Sendable {
    /// Tail fractions f of the cuts, largest first: 1/16 … 1/4096.
    static let cutFractions: [Double] = (4...12).map { 1 / Double(1 << $0) }

    /// Fewest records above a usable cut.
    static let fewestTailRecords = 16

    /// Size of one library's body sample (see `LibraryView.bodySample`): 4,096 rows over the
    /// library sets of a run.
    static let bodySampleSize = (1 << 12) / AggregateModel.librarySets

    init(model: MemberModel, classIndex: Int, stratum: Int?, multiplier: Double, layout: PanelLayout, members: Int,
         seed: UInt64) throws(SamplingError) {
        let width = layout.width
        let categories = layout.categories
        let rng = try GSLGenerator(seed: seed)
        let ones = [Double](repeating: 1, count: categories)
        var values = [Double](repeating: 0, count: members * width)
        // Sort keys: the total cost's bit pattern (monotone for non-negative doubles) can't fit
        // with an index in 64 bits, so sort (Float total, index) packed: ties beyond Float's
        // precision only reorder members of (nearly) equal cost.
        var keys = [UInt64](repeating: 0, count: members)
        var costs = [Double](repeating: 0, count: categories)
        values.withUnsafeMutableBufferPointer { values in
        costs.withUnsafeMutableBufferPointer { costs in
            for i in 0..<members {
                for c in 0..<categories { costs[c] = 0 }
                var inScopeServices = 0.0
                let member = model.drawMember(classIndex: classIndex, stratum: stratum, multiplier: multiplier, priceFactors: ones,
                                              rng: rng) { c, cost, services in
                    costs[c] = cost
                    if layout.primaryCareScope[c] { inScopeServices += Double(services) }
                }
                let row = UnsafeMutableBufferPointer(rebasing: values[(i * width)..<((i + 1) * width)])
                layout.write(member, costs: costs, inScopeServices: inScopeServices, into: row)
                keys[i] = UInt64(Float(member.cost).bitPattern) << 32 | UInt64(i)
            }
        }}
        keys.sort()
        let order = keys.reversed().map { Int($0 & 0xFFFF_FFFF) }
        func total(_ i: Int) -> Double {
            var t = 0.0
            for c in 0..<categories { t += values[i * width + PanelLayout.firstCost + c] }
            return t
        }

        let tailRecords = Int((Double(members) * Self.cutFractions[0]).rounded())
        var tail = [Float](repeating: 0, count: tailRecords * width)
        for r in 0..<tailRecords {
            for j in 0..<width { tail[r * width + j] = Float(values[order[r] * width + j]) }
        }

        // Body moments for every cut in one pass from the cheapest member up, about the exact
        // mean (so sums stay small and the subtraction below loses nothing).
        let exact = model.exactMean(classIndex: classIndex, stratum: stratum, multiplier: multiplier, layout: layout)
        var sum = [Double](repeating: 0, count: width)
        var cross = [Double](repeating: 0, count: width * width)
        var cube = [Double](repeating: 0, count: width)
        var totalMoments = (0.0, 0.0, 0.0)
        let exactTotal = (0..<categories).reduce(0.0) { $0 + exact[PanelLayout.firstCost + $1] }
        var deviation = [Double](repeating: 0, count: width)
        var snapshots: [Int: (sum: [Double], cross: [Double], cube: [Double], total: (Double, Double, Double), maximum: Double)] = [:]
        let cutRanks = Self.cutFractions.map { Int((Double(members) * $0).rounded()) }
        var nextCut = 0
        for rank in stride(from: members - 1, through: cutRanks.last!, by: -1) {
            let i = order[rank]
            for j in 0..<width { deviation[j] = values[i * width + j] - exact[j] }
            for j in 0..<width {
                let dj = deviation[j]
                sum[j] += dj
                cube[j] += dj * dj * dj
                for l in j..<width { cross[j * width + l] += dj * deviation[l] }
            }
            let t = total(i) - exactTotal
            totalMoments.0 += t; totalMoments.1 += t * t; totalMoments.2 += t * t * t
            while nextCut < cutRanks.count && rank == cutRanks[nextCut] {
                snapshots[nextCut] = (sum, cross, cube, totalMoments, total(i))
                nextCut += 1
            }
        }
        var allSum = sum   // the rest of the library, for its overall mean
        for rank in 0..<cutRanks.last! {
            for j in 0..<width { allSum[j] += values[order[rank] * width + j] - exact[j] }
        }

        var owned: [UnsafeMutableRawPointer] = []
        func permanent<T>(_ values: [T]) -> UnsafeBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
            _ = buffer.initialize(from: values)
            owned.append(UnsafeMutableRawPointer(buffer.baseAddress!))
            return UnsafeBufferPointer(rebasing: buffer[0..<values.count])
        }
        var cuts: [CutView] = []
        var firstBodyMean: [Double] = []
        for (k, fraction) in Self.cutFractions.enumerated() {
            // A cut with few records above it would draw the same few members over and over.
            guard let s = snapshots[k], cutRanks[k] >= Self.fewestTailRecords else { continue }
            let n = Double(members - cutRanks[k])
            let tailCount = Double(cutRanks[k])
            // Library deviation of the body mean from exact (bodyShift) and of the tail's
            // (tailSum / tailCount): correct the body so that f·tail + (1−f)·body = exact with
            // the f that draws use, not the records' share of the library (the two differ when
            // the library's size is not a multiple of 1/f, and the difference biases the mean).
            var moments = [Double](repeating: 0, count: BodyMoments.count(width: width))
            for j in 0..<width {
                let bodyShift = s.sum[j] / n
                let tailDeviation = tailCount > 0 ? (allSum[j] - s.sum[j]) / tailCount : 0
                moments[j] = exact[j] - fraction * tailDeviation / (1 - fraction)
                let m2 = s.cross[j * width + j] / n - bodyShift * bodyShift
                moments[BodyMoments.third(j, width: width)] =
                    s.cube[j] / n - 3 * bodyShift * s.cross[j * width + j] / n + 2 * bodyShift * bodyShift * bodyShift
                let row = BodyMoments.covarianceRow(j, width: width)
                moments[row] = max(m2, 0)
                for l in (j + 1)..<width {
                    moments[row + l - j] = s.cross[j * width + l] / n - bodyShift * s.sum[l] / n
                }
            }
            let tm = s.total.0 / n
            let tv = s.total.1 / n - tm * tm
            let t3 = s.total.2 / n - 3 * tm * s.total.1 / n + 2 * tm * tm * tm
            if cuts.isEmpty { firstBodyMean = Array(moments[0..<width]) }
            cuts.append(CutView(fraction: fraction, records: cutRanks[k], bodyMaximum: s.maximum,
                                bodySkewness: tv > 0 ? t3 / pow(tv, 1.5) : 0, moments: permanent(moments)))
        }
        // Simulation order is random, so the first body members in it are a uniform sample.
        var isTail = [Bool](repeating: false, count: members)
        for r in 0..<tailRecords { isTail[order[r]] = true }
        var sample: [Float] = []
        sample.reserveCapacity(Self.bodySampleSize * width)
        var sampleMean = [Double](repeating: 0, count: width)
        for i in 0..<members where !isTail[i] && sample.count < Self.bodySampleSize * width {
            for j in 0..<width {
                sample.append(Float(values[i * width + j]))
                sampleMean[j] += Double(Float(values[i * width + j]))
            }
        }
        let sampled = Double(sample.count / width)
        let bodySampleShift = (0..<width).map { firstBodyMean[$0] - sampleMean[$0] / sampled }
        view = LibraryView(tail: permanent(tail), cuts: permanent(cuts), bodySample: permanent(sample),
                           bodySampleShift: permanent(bodySampleShift))
        self.owned = owned
    }

    /// The library as plain pointers into memory it owns until it dies: workers read it with no
    /// lock and no reference counting (both are shared-cache-line traffic between cores).
    let view: LibraryView
    nonisolated(unsafe) private let owned: [UnsafeMutableRawPointer]

    deinit { for pointer in owned { pointer.deallocate() } }
}

/// A `PanelLibrary`'s contents, read-only, valid while the library lives.
struct LibraryView: @unchecked Sendable {
    /// Tail records, row-major, highest total cost first; Float halves the memory and keeps 7
    /// significant digits, far below Monte Carlo error.
    let tail: UnsafeBufferPointer<Float>
    let cuts: UnsafeBufferPointer<CutView>
    /// A uniform sample of the members below the first cut, for panels too small for a body sum:
    /// their members are drawn one by one, from `tail` with probability `cuts[0].fraction` and
    /// from here otherwise.
    let bodySample: UnsafeBufferPointer<Float>
    /// Added once per member drawn from `bodySample`: the corrected body mean minus the sample's
    /// mean, so that small panels keep the exact mean too.
    let bodySampleShift: UnsafeBufferPointer<Double>
}

/// One cut of a library: its tail fraction and the moments of one body member below it.
struct CutView: @unchecked Sendable {
    let fraction: Double
    /// Number of tail records above the cut (the first `records` of `tail`).
    let records: Int
    /// Largest total cost (fee index 1) of a body member.
    let bodyMaximum: Double
    /// Skewness of one body member's total cost.
    let bodySkewness: Double
    /// Mean, third central moment and covariance of one body member, laid out as `BodyMoments`.
    let moments: UnsafeBufferPointer<Double>
}

/// One worker's table of the library views it has used: filled once per library from the shared
/// store (under its lock), read afterwards with no synchronisation at all. It also holds the
/// worker's scratch space for practice-years, reused from one to the next.
struct LibraryCache {
    fileprivate var views: [LibraryView?] = []
    /// Truncation corrections (`AggregateModel.truncationCorrections`) by year and library
    /// (set 0's slot), computed once per worker; read by index, several times a practice-year.
    fileprivate var corrections: [[Double]?] = []
    /// The fees and attachments each year's corrections were computed for, checked once a
    /// practice-year (`useCorrections`), not assumed.
    fileprivate var correctionTerms: [(priceFactors: [Double], attachments: [Double])?] = []
    var scratch: AggregateScratch?
    /// The library set of the trial being drawn (`AggregateModel.librarySets`); whoever starts a
    /// trial sets it.
    var librarySet = 0
    init() {}

    /// Starts drawing trial `trial`: its library set is its batch.
    mutating func begin(trial: Int) { librarySet = AggregateModel.librarySet(ofTrial: trial) }

    /// Starts a practice-year of year `yearIndex`: forgets that year's corrections if they were
    /// computed for other fees or attachments.
    mutating func useCorrections(yearIndex: Int, priceFactors: [Double], attachments: [Double], librariesPerSet: Int) {
        if correctionTerms.count <= yearIndex {
            correctionTerms += Array(repeating: nil, count: yearIndex + 1 - correctionTerms.count)
            corrections += Array(repeating: nil, count: (yearIndex + 1) * librariesPerSet - corrections.count)
        }
        if let terms = correctionTerms[yearIndex], terms.priceFactors == priceFactors, terms.attachments == attachments { return }
        correctionTerms[yearIndex] = (priceFactors, attachments)
        for i in (yearIndex * librariesPerSet)..<((yearIndex + 1) * librariesPerSet) { corrections[i] = nil }
    }
}

extension AggregateModel {
    /// The view of panel group `group`'s library at grid point `g` in the current trial's set,
    /// through the worker's cache.
    @inline(__always)
    func view(group: Int, grid g: Int, cache: inout LibraryCache) throws(SamplingError) -> LibraryView {
        let index = slotIndex(group: group, grid: g, set: cache.librarySet)
        if cache.views.isEmpty {
            cache.views = Array(repeating: nil, count: librariesPerSet * Self.librarySets)
        }
        if let view = cache.views[index] { return view }
        let view = try library(group: group, grid: g, set: cache.librarySet).view
        cache.views[index] = view
        return view
    }
}

extension AggregateModel {
    /// Per-member amounts that bring every library set's truncated means to the exact ones
    /// (`ExactExcess`), for panel group `group` at grid point `g` in year `yearIndex` (its
    /// attachments and fees), flat as [set][cut][truncation].
    ///
    /// A set's untruncated means are exact, but what it truncates off above an attachment comes
    /// from its own few costliest members: drawn as it is, each set would carry its own offset in
    /// every capped total, and a run's trials (spread over the sets) would be a mixture wider than
    /// the world it simulates. Every member above an attachment is a tail record at any cut the
    /// draw uses (bodies lie below every attachment), so set s removes f/R · E_s per member at a
    /// cut of tail fraction f and R records, E_s its records' total excess; adding the difference
    /// from the exact excess leaves no library error in any capped mean.
    func truncationCorrections(group: Int, grid g: Int, yearIndex: Int, priceFactors: [Double],
                               attachments: [Double], cache: inout LibraryCache) throws(SamplingError) -> [Double] {
        let key = yearIndex * librariesPerSet + slotIndex(group: group, grid: g, set: 0)
        if let stored = cache.corrections[key] { return stored }
        let sets = Self.librarySets, truncations = attachments.count, width = layout.width
        let views = try (0..<sets).map { (s: Int) throws(SamplingError) in try library(group: group, grid: g, set: s).view }
        let cuts = views.map(\.cuts.count).min() ?? 0
        var removed = [Double](repeating: 0, count: sets * cuts * truncations)
        for (s, view) in views.enumerated() {
            var excess = [Double](repeating: 0, count: truncations)
            for r in 0..<(view.cuts.first?.records ?? 0) {
                let record = view.tail[(r * width)..<((r + 1) * width)]
                var total = 0.0
                for c in 0..<layout.categories { total += Double(record[record.startIndex + PanelLayout.firstCost + c]) * priceFactors[c] }
                for t in 0..<truncations {
                    let cost = layout.costInScope(record, total: total, truncation: t, priceFactors: priceFactors, recording: recording)
                    excess[t] += max(cost - attachments[t], 0)
                }
            }
            for j in 0..<cuts {
                let cut = view.cuts[j]
                for t in 0..<truncations { removed[(s * cuts + j) * truncations + t] = cut.fraction * excess[t] / Double(cut.records) }
            }
        }
        let classIndex = group / groupsPerClass
        let exact = try excessTables.meanExcess(
            model: members, recording: recording, classIndex: classIndex,
            stratum: members.strata == nil ? nil : group % groupsPerClass, multiplier: Self.multiplier(ofGrid: g),
            priceFactors: priceFactors, attachments: attachments)
        var corrections = removed
        for i in corrections.indices { corrections[i] -= exact[i % truncations] }
        cache.corrections[key] = corrections
        return corrections
    }
}

extension MemberModel {
    /// The exact mean of one member-year's panel vector (costs at fee index 1): every field is a
    /// product of independent factors with known means (frailty and noise have mean 1; true
    /// risk has mean 1 over the class, or its stratum's closed-form mean within a stratum).
    func exactMean(classIndex: Int, stratum: Int?, multiplier: Double, layout: PanelLayout) -> [Double] {
        let memberClass = classes[classIndex]
        let months = fullYearProbability * 12 + (1 - fullYearProbability) * 6
        let socialFactor = 1 + memberClass.socialNeedProbability * (memberClass.socialNeedMultiplier - 1)
        let riskSigma = memberClass.risk?.sigma ?? 0
        let risk = stratum.flatMap { s in strata.map { $0.meanRisk(stratum: s, sigma: riskSigma) } } ?? 1
        var mean = [Double](repeating: 0, count: layout.width)
        mean[PanelLayout.months] = months
        let weight = memberClass.riskScoreWeight
        mean[PanelLayout.riskMonths] = months * risk * weight
        mean[PanelLayout.socialRiskMonths] = memberClass.socialNeedProbability * months * risk * weight
        mean[PanelLayout.socialNeedMonths] = memberClass.socialNeedProbability * months
        for (c, category) in categories.enumerated() {
            let services = memberClass.rates[c] * multiplier * socialFactor * risk * months / 12
            mean[PanelLayout.firstCost + c] = services * category.severity.mean
            if category.primaryCareScope { mean[PanelLayout.inScopeServices] += services }
        }
        // Observed risk is the class weight times a lognormal with mean 1 (true risk times noise),
        // so each bin's share of member-months is a normal probability of its log bounds.
        let logVariance = (memberClass.risk.map { $0.sigma * $0.sigma } ?? 0)
            + (riskScoreNoise.map { $0.sigma * $0.sigma } ?? 0)
        let bounds = layout.riskBins.bounds
        func below(_ score: Double) -> Double {
            let bound = score / weight
            if let stratum, let strata {
                return strata.scoreBelow(bound, stratum: stratum, sigma: riskSigma, noiseSigma: riskScoreNoise?.sigma ?? 0)
            }
            guard logVariance > 0 else { return 1 < bound ? 1 : 0 }
            return StandardNormal.cdf((log(bound) + logVariance / 2) / logVariance.squareRoot())
        }
        for b in 0..<layout.storedBins {
            let lower = b == 0 ? 0 : below(bounds[b - 1])
            mean[layout.firstBin + b] = months * (below(bounds[b]) - lower)
        }
        return mean
    }
}
