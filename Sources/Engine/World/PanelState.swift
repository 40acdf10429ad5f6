import Sampling
import Settlement

/// How one practice's panel moves from one year to the next: its members per class (fixed, since
/// a leaver is replaced by a newcomer of the same class) and, per class, the probability that a
/// member is still attributed a year later. A stayer then keeps its health stratum with the
/// stratum's persistence (`HealthStrata.persistence`).
struct PanelDynamics: Sendable {
    let classCounts: [Int]
    let retention: [Double]
}

/// The panel member by member (the direct path): each member's health stratum, members of class
/// 0 first, then class 1, and so on.
struct MemberPanel {
    private(set) var strata: [UInt8]

    /// The first simulated year: every member's stratum drawn from the strata's probabilities.
    init(_ dynamics: PanelDynamics, strata: HealthStrata, rng: borrowing GSLGenerator) {
        let members = dynamics.classCounts.reduce(0, +)
        self.strata = (0..<members).map { _ in UInt8(strata.stratum(uniform: rng.uniform())) }
    }

    /// One year on: each member stays with its class's retention and then keeps its stratum with
    /// the stratum's persistence; a stayer whose state lapsed draws a new stratum as lapsed
    /// stayers do, a leaver's replacement as newcomers do.
    mutating func advance(_ dynamics: PanelDynamics, strata: HealthStrata, rng: borrowing GSLGenerator) {
        var i = 0
        for (c, count) in dynamics.classCounts.enumerated() {
            let retention = dynamics.retention[c]
            for _ in 0..<count {
                let u = rng.uniform()
                if u >= retention * strata.persistence[Int(self.strata[i])] {
                    self.strata[i] = UInt8(u < retention ? strata.lapsedStratum(uniform: rng.uniform())
                                                         : strata.stratum(uniform: rng.uniform()))
                }
                i += 1
            }
        }
    }
}

/// The panel as counts per class × stratum (the aggregate path): the same process as
/// `MemberPanel`, drawn as binomial and multinomial counts. Members keep their stratum
/// independently, so the keepers of each stratum are binomial, and so are the lapsed stayers
/// among the rest; newcomers and lapsed stayers each draw a stratum independently, so they fall
/// in strata multinomially.
struct StratumCounts {
    /// counts[c × strata + s]
    private(set) var counts: [Int]
    let strataCount: Int

    init(_ dynamics: PanelDynamics, strata: HealthStrata, rng: borrowing GSLGenerator) {
        strataCount = strata.count
        counts = Array(repeating: 0, count: dynamics.classCounts.count * strata.count)
        for (c, count) in dynamics.classCounts.enumerated() {
            Self.spread(count, over: strata, lapsed: false, into: &counts, at: c * strata.count, rng: rng)
        }
    }

    mutating func advance(_ dynamics: PanelDynamics, strata: HealthStrata, rng: borrowing GSLGenerator) {
        for (c, count) in dynamics.classCounts.enumerated() where count > 0 {
            let start = c * strataCount
            let retention = dynamics.retention[c]
            var newcomers = 0, lapsed = 0
            for s in 0..<strataCount {
                let keep = retention * strata.persistence[s]
                let kept = Self.successes(counts[start + s], p: keep, rng: rng)
                let others = counts[start + s] - kept
                counts[start + s] = kept
                guard strata.lapsedUpper != nil, others > 0 else { newcomers += others; continue }
                // Among those who did not keep their stratum, a stayer's share is r(1 − h)/(1 − rh).
                let stayers = Self.successes(others, p: retention * (1 - strata.persistence[s]) / (1 - keep), rng: rng)
                lapsed += stayers
                newcomers += others - stayers
            }
            Self.spread(newcomers, over: strata, lapsed: false, into: &counts, at: start, rng: rng)
            if lapsed > 0 { Self.spread(lapsed, over: strata, lapsed: true, into: &counts, at: start, rng: rng) }
        }
    }

    /// Below this many trials a binomial count is drawn trial by trial: one uniform each is
    /// cheaper than a call into GSL's sampler, and most strata of most practices hold few members.
    static let trialByTrialLimit = 24

    private static func successes(_ trials: Int, p: Double, rng: borrowing GSLGenerator) -> Int {
        guard trials <= trialByTrialLimit else { return rng.binomial(trials: trials, p: p) }
        var successes = 0
        for _ in 0..<trials where rng.uniform() < p { successes += 1 }
        return successes
    }

    /// Adds a multinomial draw of `members` newcomers (or lapsed stayers) over the strata to
    /// counts[start ..< start + strata]: member by member for a few, as conditional binomials for
    /// more.
    private static func spread(_ members: Int, over strata: HealthStrata, lapsed: Bool, into counts: inout [Int],
                               at start: Int, rng: borrowing GSLGenerator) {
        if members <= trialByTrialLimit {
            for _ in 0..<members {
                let u = rng.uniform()
                counts[start + (lapsed ? strata.lapsedStratum(uniform: u) : strata.stratum(uniform: u))] += 1
            }
            return
        }
        var left = members
        var mass = 1.0
        for s in 0..<strata.count where left > 0 {
            let p = lapsed ? strata.lapsedProbability(s) : strata.probability(s)
            let drawn = s == strata.count - 1 ? left : rng.binomial(trials: left, p: min(p / mass, 1))
            counts[start + s] += drawn
            left -= drawn
            mass -= p
        }
    }
}

/// One practice's panel walked year by year, by whichever path the run uses: the year's stream
/// first moves the panel on a year (or draws it, in the first year), then draws its members.
/// Without persistence every year is a fresh panel of the same class counts.
struct PanelPath {
    let dynamics: PanelDynamics
    let members: MemberModel
    let aggregate: AggregateModel?
    let recording: WorldRecording
    private var panel: MemberPanel?
    private var counts: StratumCounts?

    init(_ dynamics: PanelDynamics, members: MemberModel, aggregate: AggregateModel?, recording: WorldRecording) {
        self.dynamics = dynamics; self.members = members; self.aggregate = aggregate; self.recording = recording
    }

    /// - Parameter yearIndex: the simulated year, 0 = the oldest baseline year (it picks the
    ///   year's stop-loss attachments).
    mutating func nextYear(multiplier: Double, priceFactors: [Double], yearIndex: Int, rng: borrowing GSLGenerator,
                           cache: inout LibraryCache) throws(SamplingError) -> PracticeYearActivity {
        var ignore = IgnoreMembers()
        guard let strata = members.strata else {
            if let aggregate {
                return try aggregate.simulateYear(groupCounts: dynamics.classCounts, multiplier: multiplier,
                                                  priceFactors: priceFactors, yearIndex: yearIndex, rng: rng, cache: &cache)
            }
            return members.simulateYear(classCounts: dynamics.classCounts, multiplier: multiplier, priceFactors: priceFactors,
                                        recording: recording, yearIndex: yearIndex, rng: rng, observer: &ignore)
        }
        if let aggregate {
            if counts == nil { counts = StratumCounts(dynamics, strata: strata, rng: rng) } else {
                counts!.advance(dynamics, strata: strata, rng: rng)
            }
            return try aggregate.simulateYear(groupCounts: counts!.counts, multiplier: multiplier,
                                              priceFactors: priceFactors, yearIndex: yearIndex, rng: rng, cache: &cache)
        }
        if panel == nil { panel = MemberPanel(dynamics, strata: strata, rng: rng) } else {
            panel!.advance(dynamics, strata: strata, rng: rng)
        }
        return members.simulateYear(panel: panel!, dynamics: dynamics, multiplier: multiplier, priceFactors: priceFactors,
                                    recording: recording, yearIndex: yearIndex, rng: rng, observer: &ignore)
    }
}
