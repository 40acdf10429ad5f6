/// The percentiles every exposure summary reports (DOMAIN.md).
public let reportedPercentiles: [Double] = [0.01, 0.05, 0.10, 0.50, 0.90, 0.95, 0.99]

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

/// Summarises a sample ordered by trial. Monte Carlo errors come from batch means: the trials
/// are cut into `batchCount` contiguous groups, the statistic is computed within each, and its
/// standard error is SD(batch statistics)/√batches. Unlike an i.i.d. formula this stays honest
/// when observations within a trial are correlated (practices share a trial's systemic shocks).
public struct BatchedSample {
    public let values: [Double]
    /// Start index in `values` of each batch, ascending, first 0.
    public let batchStarts: [Int]

    public static let batchCount = 20
    /// Fewer trials per batch than this and percentile errors are not reported.
    public static let minimumTrialsPerBatch = 5

    /// - Parameters:
    ///   - values: observations, grouped by trial in trial order.
    ///   - perTrial: observations per trial (the same for every trial).
    public init(values: [Double], perTrial: Int) {
        self.values = values
        let trials = perTrial > 0 ? values.count / perTrial : 0
        if trials >= Self.batchCount * Self.minimumTrialsPerBatch {
            batchStarts = (0..<Self.batchCount).map { ($0 * trials / Self.batchCount) * perTrial }
        } else {
            batchStarts = []
        }
    }

    private var batches: [ArraySlice<Double>] {
        batchStarts.enumerated().map { index, start in
            let end = index + 1 < batchStarts.count ? batchStarts[index + 1] : values.count
            return values[start..<end]
        }
    }

    /// Standard error of `statistic` from batch replicates (nil without batches).
    public func batchError(_ statistic: ([Double]) -> Double) -> Double? {
        guard !batchStarts.isEmpty else { return nil }
        return Self.standardError(ofReplicates: batches.map { statistic(Array($0)) })
    }

    /// Each batch sorted ascending, once, for order statistics of every level.
    public func sortedBatches() -> [[Double]] {
        batches.map { $0.sorted() }
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

    /// - Parameter sorted: `values` sorted ascending, when the caller already has them.
    public func summary(sorted given: [Double]? = nil) -> DistributionSummary {
        let sorted = given ?? values.sorted()
        let (mean, variance) = Self.meanAndVariance(values)
        let batches = sortedBatches()
        func error(_ statistic: ([Double]) -> Double) -> Double? {
            Self.standardError(ofReplicates: batches.map(statistic))
        }
        let percentiles = reportedPercentiles.map { level in
            PercentileEstimate(level: level, value: Quantile.of(sorted: sorted, level),
                               mcse: error { Quantile.of(sorted: $0, level) })
        }
        func shortfall(_ tail: Double) -> Estimate {
            Estimate(value: Quantile.lowerTailMean(sorted: sorted, tail: tail),
                     mcse: error { Quantile.lowerTailMean(sorted: $0, tail: tail) })
        }
        return DistributionSummary(
            count: values.count,
            // The mean's replicates sum each batch in trial order, not sorted, like the mean itself.
            mean: Estimate(value: mean, mcse: batchError { $0.reduce(0, +) / Double($0.count) }),
            sd: variance.squareRoot(), percentiles: percentiles,
            expectedShortfall95: shortfall(0.05), expectedShortfall99: shortfall(0.01))
    }

    /// Share of observations satisfying `condition`, with its batch error.
    public func probability(_ condition: (Double) -> Bool) -> Estimate {
        func share(_ xs: [Double]) -> Double {
            Double(xs.reduce(0) { $0 + (condition($1) ? 1 : 0) }) / Double(max(xs.count, 1))
        }
        return Estimate(value: share(values), mcse: batchError(share))
    }
}

extension BatchedSample {
    /// Σ numerators / Σ denominators over trials, with a batch-means standard error.
    /// Pooling before dividing keeps the estimator's bias of order 1/(trials × panel), far below
    /// its Monte Carlo error, unlike a mean of per-trial ratios.
    public static func pooledRatio(numerators: [Double], denominators: [Double]) -> Estimate {
        func ratio(_ range: Range<Int>) -> Double {
            numerators[range].reduce(0, +) / denominators[range].reduce(0, +)
        }
        let trials = numerators.count
        let value = ratio(0..<trials)
        guard trials >= batchCount * minimumTrialsPerBatch else { return Estimate(value: value, mcse: nil) }
        let replicates = (0..<batchCount).map { b in ratio((b * trials / batchCount)..<((b + 1) * trials / batchCount)) }
        return Estimate(value: value, mcse: standardError(ofReplicates: replicates))
    }
}
