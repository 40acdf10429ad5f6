import Foundation
import Sampling

/// The persistent part of a member's health: a latent standard normal z that sets true risk
/// (true risk = exp(μ + σz), the class's lognormal with mean 1), kept on strata of z so that the
/// member-by-member path and the aggregate path simulate the same process. Each year a member
/// either keeps its stratum or draws a new one from the strata's probabilities (a newcomer, or a
/// stayer whose state did not carry over); within its stratum, z is drawn afresh every year, a
/// small year-specific part on top of the persistent one.
///
/// The strata are narrow in the upper tail, where the costly members are, so that the members
/// who stay costly stay in the stratum that makes them so; the cheaper half of members is one
/// stratum. Each stratum is one more panel group for the aggregate path, so their number is what
/// persistence costs it (eight: a quarter of the fast path's time, see the benchmark).
struct HealthStrata: Sendable {
    /// Upper cumulative probabilities of the strata (the last is 1).
    static let upperProbabilities: [Double] = [0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.997, 1]

    let lower: [Double]
    let upper: [Double]
    /// Bounds of each stratum on the z scale (±infinity at the ends).
    let lowerZ: [Double]
    let upperZ: [Double]

    init() {
        upper = Self.upperProbabilities
        lower = [0] + upper.dropLast()
        lowerZ = lower.map { $0 == 0 ? -.infinity : StandardNormal.quantile(inside: $0) }
        upperZ = upper.map { $0 == 1 ? .infinity : StandardNormal.quantile(inside: $0) }
    }

    var count: Int { upper.count }

    func probability(_ s: Int) -> Double { upper[s] - lower[s] }

    /// The stratum a newcomer (or a member whose state did not carry over) falls in.
    @inline(__always)
    func stratum(uniform u: Double) -> Int {
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
