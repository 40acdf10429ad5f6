import Foundation
import Sampling

/// The percentiles every exposure summary reports (DOMAIN.md).
public let reportedPercentiles: [Double] = [0.01, 0.05, 0.10, 0.50, 0.90, 0.95, 0.99, 0.995]

/// A figure with its Monte Carlo standard error (nil when too few trials to estimate it).
public struct Estimate: Codable, Sendable, Equatable {
    public var value: Double
    public var mcse: Double?

    public init(value: Double, mcse: Double?) { self.value = value; self.mcse = mcse }
}

public struct PercentileEstimate: Codable, Sendable, Equatable {
    /// Probability level, e.g. 0.05 for P5.
    public var level: Double
    public var value: Double
    public var mcse: Double?

    public init(level: Double, value: Double, mcse: Double?) {
        self.level = level; self.value = value; self.mcse = mcse
    }
}

public struct ThresholdProbability: Codable, Sendable, Equatable {
    /// Loss threshold as a share of expected revenue (0.05 = a loss worse than 5%).
    public var lossShare: Double
    public var probability: Double
    public var mcse: Double?

    public init(lossShare: Double, probability: Double, mcse: Double?) {
        self.lossShare = lossShare; self.probability = probability; self.mcse = mcse
    }
}

/// Distribution of one quantity over trials (and practices): mean, spread, percentiles, tails.
public struct DistributionSummary: Codable, Sendable, Equatable {
    public var count: Int
    public var mean: Estimate
    public var sd: Double
    public var percentiles: [PercentileEstimate]
    /// Mean of the worst 5% and 1% of outcomes (lowest values: losses are negative).
    public var expectedShortfall95: Estimate
    public var expectedShortfall99: Estimate

    public func percentile(_ level: Double) -> PercentileEstimate? {
        percentiles.first { abs($0.level - level) < 1e-12 }
    }
}

/// Summarises a sample ordered by trial, with Monte Carlo errors from batch means.
///
/// Trials are dealt into `batchCount` interleaved batches (trial t into batch t mod 20): a
/// trial's batch stays fixed when `--precision` adds trials, and trials (not practices, which
/// share a trial's systemic shocks) are the independent unit. The same partition picks the fast
/// path's member-library set of a trial (`AggregateModel.librarySet`), so a batch replicates the
/// libraries too and these errors count their sampling error.
///
/// Every statistic's error is the batch error of a linear one: a mean or a share directly; a
/// percentile through its influence function, SE(F̂(q̂))/f̂(q̂), with the density f̂ from the
/// spacing of the whole sample's order statistics (Hall–Sheather bandwidth); an expected
/// shortfall through ψ(x) = q + (x − q)·1{x ≤ q}/α. Batch percentiles themselves would be
/// biased and too tight at extreme levels when a batch holds few trials.
public struct BatchedSample {
    public let values: [Double]
    public let perTrial: Int
    public let trials: Int

    public static let batchCount = 20
    /// Fewer trials per batch than this and no errors are reported.
    public static let minimumTrialsPerBatch = 5

    /// The batch of trial `trial`; also the member-library set it draws from.
    @inline(__always)
    public static func batch(ofTrial trial: Int) -> Int { trial % batchCount }

    /// - Parameters:
    ///   - values: observations, grouped by trial in trial order.
    ///   - perTrial: observations per trial (the same for every trial).
    public init(values: [Double], perTrial: Int) {
        self.values = values
        self.perTrial = perTrial
        trials = perTrial > 0 ? values.count / perTrial : 0
    }

    public var hasBatches: Bool { trials >= Self.batchCount * Self.minimumTrialsPerBatch }

    /// The mean of `f` over each batch's observations (nil without batches).
    public func batchMeans(_ f: (Double) -> Double) -> [Double]? {
        guard hasBatches else { return nil }
        var sums = [Double](repeating: 0, count: Self.batchCount)
        var counts = [Int](repeating: 0, count: Self.batchCount)
        values.withUnsafeBufferPointer { values in
            for t in 0..<trials {
                let b = Self.batch(ofTrial: t)
                var sum = 0.0
                for i in (t * perTrial)..<((t + 1) * perTrial) { sum += f(values[i]) }
                sums[b] += sum
                counts[b] += perTrial
            }
        }
        return zip(sums, counts).map { $0 / Double(max($1, 1)) }
    }

    /// Standard error of a mean of `f` over all observations, from batch means.
    public func meanError(_ f: (Double) -> Double) -> Double? {
        batchMeans(f).flatMap { Self.standardError(ofReplicates: $0) }
    }

    /// SD of independent replicates of a statistic divided by √replicates.
    public static func standardError(ofReplicates replicates: [Double]) -> Double? {
        guard replicates.count > 1 else { return nil }
        let mean = replicates.reduce(0, +) / Double(replicates.count)
        let variance = replicates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(replicates.count - 1)
        return (variance / Double(replicates.count)).squareRoot()
    }

    /// Sample mean and (n − 1) variance.
    public static func meanAndVariance(_ values: [Double]) -> (mean: Double, variance: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
        return (mean, variance)
    }

    /// Half-width in probability of the order-statistic spacing that estimates the density at
    /// level p from n observations (Hall & Sheather 1988, for a 95% interval): of order n^(-1/3),
    /// the rate that makes the interval's coverage error smallest.
    static func spacingHalfWidth(level p: Double, count n: Int) -> Double {
        let z = StandardNormal.quantile(inside: p)
        let density = exp(-z * z / 2) / (2 * Double.pi).squareRoot()
        let zAlpha = 1.959963984540054
        return pow(Double(n), -1.0 / 3) * pow(zAlpha, 2.0 / 3) * pow(1.5 * density * density / (2 * z * z + 1), 1.0 / 3)
    }

    /// The reciprocal density of the sample at level p, dq/dp, from order statistics either
    /// side of it (0 inside an atom: every estimate of a level inside one lands on it).
    static func quantileSlope(sorted: [Double], level p: Double) -> Double {
        let h = spacingHalfWidth(level: p, count: sorted.count)
        let low = max(p - h, 0), high = min(p + h, 1)
        guard high > low else { return 0 }
        return (Quantile.of(sorted: sorted, high) - Quantile.of(sorted: sorted, low)) / (high - low)
    }

    /// Standard error of the level-p percentile q of the sample.
    public func percentileError(level p: Double, value q: Double, sorted: [Double]) -> Double? {
        guard let shareError = meanError({ $0 <= q ? 1 : 0 }) else { return nil }
        return shareError * Self.quantileSlope(sorted: sorted, level: p)
    }

    /// Standard error of the mean of the lowest `tail` share (q is that level's percentile).
    public func shortfallError(tail α: Double, quantile q: Double) -> Double? {
        meanError { x in q + (x <= q ? (x - q) / α : 0) }
    }

    /// - Parameter sorted: `values` sorted ascending, when the caller already has them.
    public func summary(sorted given: [Double]? = nil, levels: [Double] = reportedPercentiles) -> DistributionSummary {
        let sorted = given ?? values.sorted()
        let (mean, variance) = Self.meanAndVariance(values)
        let percentiles = levels.map { level in
            let q = Quantile.of(sorted: sorted, level)
            return PercentileEstimate(level: level, value: q, mcse: percentileError(level: level, value: q, sorted: sorted))
        }
        func shortfall(_ tail: Double) -> Estimate {
            Estimate(value: Quantile.lowerTailMean(sorted: sorted, tail: tail),
                     mcse: shortfallError(tail: tail, quantile: Quantile.of(sorted: sorted, tail)))
        }
        return DistributionSummary(
            count: values.count, mean: Estimate(value: mean, mcse: meanError { $0 }),
            sd: variance.squareRoot(), percentiles: percentiles,
            expectedShortfall95: shortfall(0.05), expectedShortfall99: shortfall(0.01))
    }

    /// Share of observations satisfying `condition`, with its batch error.
    public func probability(_ condition: (Double) -> Bool) -> Estimate {
        let count = values.reduce(0) { $0 + (condition($1) ? 1 : 0) }
        return Estimate(value: Double(count) / Double(max(values.count, 1)),
                        mcse: meanError { condition($0) ? 1 : 0 })
    }
}

extension BatchedSample {
    /// Σ numerators / Σ denominators over trials, with a batch-means standard error.
    /// Pooling before dividing keeps the estimator's bias of order 1/(trials × panel), far below
    /// its Monte Carlo error, unlike a mean of per-trial ratios.
    public static func pooledRatio(numerators: [Double], denominators: [Double]) -> Estimate {
        let trials = numerators.count
        let value = numerators.reduce(0, +) / denominators.reduce(0, +)
        guard trials >= batchCount * minimumTrialsPerBatch else { return Estimate(value: value, mcse: nil) }
        var top = [Double](repeating: 0, count: batchCount), bottom = [Double](repeating: 0, count: batchCount)
        for t in 0..<trials {
            top[batch(ofTrial: t)] += numerators[t]
            bottom[batch(ofTrial: t)] += denominators[t]
        }
        return Estimate(value: value, mcse: standardError(ofReplicates: zip(top, bottom).map { $0 / $1 }))
    }
}
