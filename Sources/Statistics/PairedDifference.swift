/// Differences between two samples observed on the same simulated futures (the same trials and,
/// within a trial, the same practices in the same order), as a sensitivity swing or a design
/// variant produces them. Their error is the batch error of the *paired* difference: common random
/// numbers make the two samples move together, so the difference is far more precise than either
/// level, and a swing whose effect is noise is seen to be noise.
public enum PairedDifference {
    /// Mean(b) − mean(a).
    public static func mean(_ a: [Double], _ b: [Double], perTrial: Int) -> Estimate {
        precondition(a.count == b.count)
        let value = (b.reduce(0, +) - a.reduce(0, +)) / Double(max(a.count, 1))
        return Estimate(value: value, mcse: meanError(count: a.count, perTrial: perTrial) { b[$0] - a[$0] })
    }

    /// P_level(b) − P_level(a). Each percentile is linearised through its influence function,
    /// slope × (level − 1{x ≤ q}), with the slope (the reciprocal density) estimated as for the
    /// levels themselves; the difference's error is the batch error of the difference of the two
    /// influence functions, observation by observation.
    public static func percentile(_ a: [Double], _ b: [Double], perTrial: Int, level: Double) -> Estimate {
        precondition(a.count == b.count && !a.isEmpty)
        let sortedA = a.sorted(), sortedB = b.sorted()
        let qa = Quantile.of(sorted: sortedA, level), qb = Quantile.of(sorted: sortedB, level)
        let slopeA = BatchedSample.quantileSlope(sorted: sortedA, level: level)
        let slopeB = BatchedSample.quantileSlope(sorted: sortedB, level: level)
        let error = meanError(count: a.count, perTrial: perTrial) { i in
            slopeB * (b[i] <= qb ? 1 : 0) - slopeA * (a[i] <= qa ? 1 : 0)
        }
        return Estimate(value: qb - qa, mcse: error)
    }

    /// P(condition on b) − P(condition on a).
    public static func probability(_ a: [Double], _ b: [Double], perTrial: Int, _ condition: (Double) -> Bool) -> Estimate {
        precondition(a.count == b.count)
        var difference = 0
        for i in a.indices { difference += (condition(b[i]) ? 1 : 0) - (condition(a[i]) ? 1 : 0) }
        return Estimate(value: Double(difference) / Double(max(a.count, 1)),
                        mcse: meanError(count: a.count, perTrial: perTrial) { i in
                            (condition(b[i]) ? 1 : 0) - (condition(a[i]) ? 1 : 0)
                        })
    }

    /// Batch error of the mean of f(observation index) over `count` observations, `perTrial` to
    /// a trial, trial t in batch t mod 20 (as `BatchedSample`); nil with too few trials.
    static func meanError(count: Int, perTrial: Int, _ f: (Int) -> Double) -> Double? {
        let trials = count / max(perTrial, 1)
        guard trials >= BatchedSample.batchCount * BatchedSample.minimumTrialsPerBatch else { return nil }
        var sums = [Double](repeating: 0, count: BatchedSample.batchCount)
        var counts = [Int](repeating: 0, count: BatchedSample.batchCount)
        for t in 0..<trials {
            let b = BatchedSample.batch(ofTrial: t)
            for i in (t * perTrial)..<((t + 1) * perTrial) { sums[b] += f(i) }
            counts[b] += perTrial
        }
        return BatchedSample.standardError(ofReplicates: zip(sums, counts).map { $0 / Double(max($1, 1)) })
    }
}
