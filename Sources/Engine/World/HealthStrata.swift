import Foundation
import Sampling

/// The persistent part of a member's health: a latent standard normal z that sets true risk
/// (true risk = exp(μ + σz), the class's lognormal with mean 1), kept on strata of z so that the
/// member-by-member path and the aggregate path simulate the same process. Each year a staying
/// member keeps its stratum with that stratum's persistence, otherwise draws a new one; within
/// its stratum, z is drawn afresh every year, a year-specific part on top of the persistent one.
///
/// Persistence differs by stratum in one place: the top 1% of health states (catastrophic and
/// acute conditions: trauma, transplants, complicated births) lapse more often than chronic
/// ones, which is how a top 1% that is only 14–20% the same a year later sits beside a top 10%
/// that is 43% the same (FACTS, "How unevenly cost falls on people"). A stayer whose state
/// lapses draws its new stratum with probability ∝ π_s·(1 − h_s), which keeps every stratum's
/// share of the panel at π_s year after year; newcomers draw from π itself.
///
/// The upper strata are narrower than the rest, so the members who stay costly stay in a
/// stratum that makes them so; the cheaper half of members is one stratum, and the 3% below the
/// top 1% two. Each stratum is one more panel group for the aggregate path, so their number is
/// what persistence costs it (six: see the benchmark).
struct HealthStrata: Sendable {
    /// Upper cumulative probabilities of the strata (the last is 1).
    static let upperProbabilities: [Double] = [0.5, 0.75, 0.9, 0.97, 0.99, 1]
    static let count = 6
    /// One number per stratum, stored inline: a `HealthStrata` is copied into every
    /// practice-year and every member draw, and inline storage makes a copy free where arrays
    /// would each take a reference count shared by every worker thread.
    typealias Values = InlineArray<6, Double>

    let lower: Values
    let upper: Values
    /// Bounds of each stratum on the z scale (±infinity at the ends).
    let lowerZ: Values
    let upperZ: Values
    /// Probability that a staying member of each stratum keeps it a year later.
    let persistence: Values
    /// Upper cumulative probabilities of a lapsed stayer's new stratum (those of a newcomer when
    /// every stratum persists alike, so lapsed stayers draw as newcomers do).
    let lapsedUpper: Values
    /// Persistence of every stratum but the top one, and of the top one.
    let health: Double
    let catastrophic: Double
    /// π_s, each stratum's share of members.
    let allProbabilities: Values
    /// π_s / (1 − π_top) for every stratum below the top one (0 for the top one): where a
    /// newcomer, or a lapsed stayer, falls given that it is not the top stratum (the two agree
    /// there, since those strata persist alike).
    let lowerProbabilities: Values

    /// - Parameters:
    ///   - health: persistence of every stratum but the top one.
    ///   - catastrophic: persistence of the top stratum (the top 1% of health states).
    init(health: Double = 1, catastrophic: Double? = nil) {
        precondition(Self.upperProbabilities.count == Self.count)
        let top = catastrophic ?? health
        self.health = health
        self.catastrophic = top
        upper = Values { Self.upperProbabilities[$0] }
        lower = Values { $0 == 0 ? 0 : Self.upperProbabilities[$0 - 1] }
        let (lower, upper) = (lower, upper)
        lowerZ = Values { lower[$0] == 0 ? -.infinity : StandardNormal.quantile(inside: lower[$0]) }
        upperZ = Values { upper[$0] == 1 ? .infinity : StandardNormal.quantile(inside: upper[$0]) }
        let kept = Values { $0 == Self.count - 1 ? top : health }
        persistence = kept
        allProbabilities = Values { upper[$0] - lower[$0] }
        let belowTop = upper[Self.count - 2]
        lowerProbabilities = Values { $0 == Self.count - 1 ? 0 : (upper[$0] - lower[$0]) / belowTop }
        let lapsing = Values { (upper[$0] - lower[$0]) * (1 - kept[$0]) }
        var total = 0.0
        for s in lapsing.indices { total += lapsing[s] }
        if top == health || total == 0 {
            lapsedUpper = upper
        } else {
            var cumulative = 0.0
            var lapsedUpper = upper
            for s in lapsing.indices {
                cumulative += lapsing[s] / total
                lapsedUpper[s] = s == Self.count - 1 ? 1 : cumulative
            }
            self.lapsedUpper = lapsedUpper
        }
    }

    var count: Int { Self.count }

    func probability(_ s: Int) -> Double { allProbabilities[s] }

    /// The stratum a newcomer falls in.
    @inline(__always)
    func stratum(uniform u: Double) -> Int { Self.stratum(uniform: u, upper: upper) }

    /// The stratum a stayer whose state lapsed falls in.
    @inline(__always)
    func lapsedStratum(uniform u: Double) -> Int { Self.stratum(uniform: u, upper: lapsedUpper) }

    /// Probability that a lapsed stayer falls in stratum `s`.
    func lapsedProbability(_ s: Int) -> Double {
        lapsedUpper[s] - (s == 0 ? 0 : lapsedUpper[s - 1])
    }

    @inline(__always)
    private static func stratum(uniform u: Double, upper: Values) -> Int {
        var s = 0
        while s < count - 1 && u >= upper[s] { s += 1 }
        return s
    }

    /// z within stratum `s`, by inversion of a uniform.
    @inline(__always)
    func latent(stratum s: Int, uniform u: Double) -> Double {
        StandardNormal.quantile(inside: lower[s] + (upper[s] - lower[s]) * u)
    }

    /// E[exp(σz − σ²/2) | z in stratum s]: the mean true risk of the stratum for a class whose
    /// log-risk has standard deviation σ (closed form of the truncated lognormal mean).
    func meanRisk(stratum s: Int, sigma: Double) -> Double {
        guard sigma > 0 else { return 1 }
        let mass = StandardNormal.cdf(upperZ[s] - sigma) - StandardNormal.cdf(lowerZ[s] - sigma)
        return mass / probability(s)
    }

    /// P(observed score < `bound` | stratum s), where the score is true risk exp(σz − σ²/2) times
    /// lognormal noise with log-sd τ and mean 1: an average over the stratum of a normal
    /// probability (midpoint rule in the uniform that sets z, 512 points).
    func scoreBelow(_ bound: Double, stratum s: Int, sigma: Double, noiseSigma tau: Double) -> Double {
        guard bound > 0 else { return 0 }
        let logBound = log(bound) + sigma * sigma / 2
        if tau == 0 {
            guard sigma > 0 else { return 1 < bound ? 1 : 0 }
            let cut = StandardNormal.cdf(logBound / sigma)
            return (min(max(cut, lower[s]), upper[s]) - lower[s]) / probability(s)
        }
        let points = 512
        var total = 0.0
        for k in 0..<points {
            let z = latent(stratum: s, uniform: (Double(k) + 0.5) / Double(points))
            total += StandardNormal.cdf((logBound - sigma * z + tau * tau / 2) / tau)
        }
        return total / Double(points)
    }
}
