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

    let lower: [Double]
    let upper: [Double]
    /// Bounds of each stratum on the z scale (±infinity at the ends).
    let lowerZ: [Double]
    let upperZ: [Double]
    /// Probability that a staying member of each stratum keeps it a year later.
    let persistence: [Double]
    /// Upper cumulative probabilities of a lapsed stayer's new stratum; nil when every stratum
    /// persists alike, so lapsed stayers draw as newcomers do.
    let lapsedUpper: [Double]?

    /// - Parameters:
    ///   - health: persistence of every stratum but the top one.
    ///   - catastrophic: persistence of the top stratum (the top 1% of health states).
    init(health: Double = 1, catastrophic: Double? = nil) {
        let upper = Self.upperProbabilities, lower = [0] + Self.upperProbabilities.dropLast()
        self.upper = upper
        self.lower = lower
        lowerZ = lower.map { $0 == 0 ? -.infinity : StandardNormal.quantile(inside: $0) }
        upperZ = upper.map { $0 == 1 ? .infinity : StandardNormal.quantile(inside: $0) }
        let top = catastrophic ?? health
        let kept = upper.indices.map { $0 == upper.count - 1 ? top : health }
        persistence = kept
        let lapsing = upper.indices.map { s in (upper[s] - lower[s]) * (1 - kept[s]) }
        let total = lapsing.reduce(0, +)
        if top == health || total == 0 {
            lapsedUpper = nil
        } else {
            var cumulative = 0.0
            lapsedUpper = lapsing.enumerated().map { s, mass in
                cumulative += mass / total
                return s == lapsing.count - 1 ? 1 : cumulative
            }
        }
    }

    var count: Int { upper.count }

    func probability(_ s: Int) -> Double { upper[s] - lower[s] }

    /// The stratum a newcomer falls in.
    @inline(__always)
    func stratum(uniform u: Double) -> Int { Self.stratum(uniform: u, upper: upper) }

    /// The stratum a stayer whose state lapsed falls in.
    @inline(__always)
    func lapsedStratum(uniform u: Double) -> Int { Self.stratum(uniform: u, upper: lapsedUpper ?? upper) }

    /// Probability that a lapsed stayer falls in stratum `s`.
    func lapsedProbability(_ s: Int) -> Double {
        guard let lapsedUpper else { return probability(s) }
        return lapsedUpper[s] - (s == 0 ? 0 : lapsedUpper[s - 1])
    }

    @inline(__always)
    private static func stratum(uniform u: Double, upper: [Double]) -> Int {
        var s = 0
        while s < upper.count - 1 && u >= upper[s] { s += 1 }
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
