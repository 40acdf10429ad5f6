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
///
/// Every stratum below the top one persists alike (`HealthStrata`), which saves draws: the lapsed
/// stayers among those strata's movers are one binomial, and since a lapsed stayer's stratum,
/// given that it is not the top one, is distributed as a newcomer's, the two are spread over the
/// lower strata together once each group's share of the top stratum is drawn. Per class and year
/// that is 2S + 2 draws for S strata rather than 4S − 2; on the statewide benchmark the panel's
/// year-to-year move was a quarter of the run.
struct StratumCounts {
    /// counts[c × strata + s]
    private(set) var counts: [Int]
    let strataCount: Int

    init(_ dynamics: PanelDynamics, strata: HealthStrata, rng: borrowing GSLGenerator) {
        strataCount = strata.count
        counts = Array(repeating: 0, count: dynamics.classCounts.count * strata.count)
        for (c, count) in dynamics.classCounts.enumerated() {
            counts.withUnsafeMutableBufferPointer { all in
                Self.spread(count, over: strata.allProbabilities, strata: strataCount, into: all, at: c * strataCount, rng: rng)
            }
        }
    }

    mutating func advance(_ dynamics: PanelDynamics, strata: HealthStrata, rng: borrowing GSLGenerator) {
        let top = strataCount - 1
        let health = strata.health, catastrophic = strata.catastrophic
        let newcomerTop = strata.probability(top), lapsedTop = strata.lapsedProbability(top)
        let lower = strata.lowerProbabilities
        counts.withUnsafeMutableBufferPointer { all in
            for (c, count) in dynamics.classCounts.enumerated() where count > 0 {
                let start = c * strataCount
                let retention = dynamics.retention[c]
                var lowerMovers = 0
                for s in 0..<top {
                    let kept = Self.successes(all[start + s], p: retention * health, rng: rng)
                    lowerMovers += all[start + s] - kept
                    all[start + s] = kept
                }
                let topKept = Self.successes(all[start + top], p: retention * catastrophic, rng: rng)
                let topMovers = all[start + top] - topKept
                all[start + top] = topKept
                guard health != catastrophic else {
                    // Lapsed stayers draw as newcomers do: all movers are one multinomial.
                    Self.spread(lowerMovers + topMovers, over: strata.allProbabilities, strata: strataCount, into: all, at: start,
                                rng: rng)
                    continue
                }
                // Among members who did not keep their stratum, a stayer's share is r(1 − h)/(1 − rh).
                let lapsed = Self.successes(lowerMovers, p: Self.stayerShare(retention, health), rng: rng)
                    + Self.successes(topMovers, p: Self.stayerShare(retention, catastrophic), rng: rng)
                let newcomers = lowerMovers + topMovers - lapsed
                let toTop = Self.successes(newcomers, p: newcomerTop, rng: rng) + Self.successes(lapsed, p: lapsedTop, rng: rng)
                all[start + top] += toTop
                Self.spread(newcomers + lapsed - toTop, over: lower, strata: top, into: all, at: start, rng: rng)
            }
        }
    }

    private static func stayerShare(_ retention: Double, _ persistence: Double) -> Double {
        let keep = retention * persistence
        return keep < 1 ? retention * (1 - persistence) / (1 - keep) : 0
    }

    /// Below this many trials a binomial count is drawn trial by trial: one uniform each is
    /// cheaper than a call into GSL's sampler, and most strata of most practices hold few members.
    static let trialByTrialLimit = 24

    @inline(__always)
    private static func successes(_ trials: Int, p: Double, rng: borrowing GSLGenerator) -> Int {
        guard trials <= trialByTrialLimit else { return rng.binomial(trials: trials, p: p) }
        var successes = 0
        for _ in 0..<trials where rng.uniform() < p { successes += 1 }
        return successes
    }

    /// Adds a multinomial draw of `members` over the first `strata` strata, with probabilities
    /// `probabilities` (which sum to 1 over them), to counts[start...]: member by member for a
    /// few, as conditional binomials for more.
    private static func spread(_ members: Int, over probabilities: HealthStrata.Values, strata: Int,
                               into counts: UnsafeMutableBufferPointer<Int>, at start: Int, rng: borrowing GSLGenerator) {
        if members <= trialByTrialLimit {
            for _ in 0..<members {
                let u = rng.uniform()
                var s = 0, cumulative = probabilities[0]
                while s < strata - 1 && u >= cumulative { s += 1; cumulative += probabilities[s] }
                counts[start + s] += 1
            }
            return
        }
        var left = members
        var mass = 1.0
        for s in 0..<strata where left > 0 {
            let p = probabilities[s]
            let drawn = s == strata - 1 ? left : rng.binomial(trials: left, p: min(p / mass, 1))
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
