import Foundation
import Sampling
import Statistics
import Testing

struct QuantileTests {
    @Test func linearInterpolationMatchesNumpyDefault() {
        // numpy.percentile([1, 2, 3, 4, 10], [0, 5, 50, 90, 100]) = 1, 1.2, 3, 7.6, 10
        let sorted = [1.0, 2, 3, 4, 10]
        #expect(Quantile.of(sorted: sorted, 0) == 1)
        #expect(abs(Quantile.of(sorted: sorted, 0.05) - 1.2) < 1e-12)
        #expect(Quantile.of(sorted: sorted, 0.5) == 3)
        #expect(abs(Quantile.of(sorted: sorted, 0.9) - 7.6) < 1e-12)
        #expect(Quantile.of(sorted: sorted, 1) == 10)
        #expect(Quantile.of(sorted: [42], 0.99) == 42)
    }

    @Test func lowerTailMeanAveragesTheWorstShare() {
        let sorted = (1...100).map(Double.init)
        #expect(Quantile.lowerTailMean(sorted: sorted, tail: 0.05) == 3)   // mean of 1...5
        #expect(Quantile.lowerTailMean(sorted: sorted, tail: 0.01) == 1)
        #expect(Quantile.lowerTailMean(sorted: [7, 8], tail: 0.01) == 7)   // at least one value
    }
}

struct BatchedSampleTests {
    @Test func summaryOfAKnownSample() {
        let values = (0..<1000).map { Double($0 % 100) }   // 10 trials' worth of 0...99, 100 per trial
        let summary = BatchedSample(values: values, perTrial: 100).summary()
        #expect(summary.count == 1000)
        #expect(summary.mean.value == 49.5)
        #expect(summary.mean.mcse == nil)   // 10 trials: too few for batch errors
        #expect(summary.expectedShortfall95.value == 2)   // worst 50 values: ten each of 0...4
        #expect(abs(summary.percentile(0.5)!.value - 49.5) < 1e-12)
    }

    @Test func batchErrorOfTheMeanIsTheStandardErrorForIndependentTrials() {
        // Deterministic stand-in for noise: a sequence whose batch means differ by known amounts.
        // Batches interleave trials (trial t in batch t mod 20); trial t has the single value t,
        // so batch b holds b, b+20, …, b+80 and has mean b + 40.
        let values = (0..<100).map(Double.init)
        let sample = BatchedSample(values: values, perTrial: 1)
        let error = sample.meanError { $0 }
        // Batch means 40, 41, ..., 59: SD = SD(0...19) = √35 ; SE = SD/√20.
        let expected = (35.0).squareRoot() / (20.0).squareRoot()
        #expect(abs((error ?? 0) - expected) < 1e-9)
        #expect(BatchedSample(values: Array(values.prefix(99)), perTrial: 1).meanError { $0 } == nil)
    }

    @Test func aTrialsObservationsStayInOneBatch() {
        // Two practices per trial that always agree: batch means must see them together, so the
        // error is that of 100 trials (not of 200 independent values).
        let values = (0..<100).flatMap { [Double($0), Double($0)] }
        let error = BatchedSample(values: values, perTrial: 2).meanError { $0 }
        #expect(abs((error ?? 0) - (35.0).squareRoot() / (20.0).squareRoot()) < 1e-9)
    }

    /// A percentile's error inside an atom of the distribution is 0: every estimate lands on it.
    @Test func percentileInsideAnAtomHasNoError() {
        let values = (0..<200).map { $0 % 4 == 0 ? Double($0) : 0 }   // three quarters at 0
        let summary = BatchedSample(values: values, perTrial: 1).summary()
        #expect(summary.percentile(0.5)?.value == 0)
        #expect(summary.percentile(0.5)?.mcse == 0)
        #expect((summary.percentile(0.99)?.mcse ?? 0) > 0)
    }

    @Test func probabilityCountsTheCondition() {
        let sample = BatchedSample(values: [-0.1, -0.03, 0, 0.2], perTrial: 4)
        #expect(sample.probability { $0 < -0.02 }.value == 0.5)
        #expect(sample.probability { $0 < -0.05 }.value == 0.25)
    }

    @Test func pooledRatioDividesSums() {
        let estimate = BatchedSample.pooledRatio(numerators: [10, 30], denominators: [1, 3])
        #expect(estimate.value == 10)
        #expect(estimate.mcse == nil)
    }
}

/// Coverage of the batch errors where the truth is exact: i.i.d. standard normal trials, whose
/// percentiles and shortfalls are known. Over m = 200 seeds, z = (estimate − truth) / stated
/// error should have root mean square near 1. Its limits: errors come from 20 batches, so z is
/// about Student t with 19 degrees of freedom, and RMS² is a mean of m values of t² (mean
/// 19/17 = 1.117, variance 3.0); 99.9% of such means lie in 1.117 ± 3.29·√(3.0/m), so RMS in
/// [0.85, 1.23], widened to 1.25 for the noise of the density estimate. A stated error half the
/// truth gives RMS ≈ 2; errors from batch percentiles of 200 trials gave 1.3–1.8 at P99.5.
struct PercentileCoverageTests {
    static let seeds = 200
    static let trials = 4000

    @Test func percentileAndShortfallErrorsCoverTheTruth() throws {
        let levels = [0.005, 0.01, 0.05, 0.5, 0.95, 0.99, 0.995]
        var squares = [Double](repeating: 0, count: levels.count + 2)
        let rng = try GSLGenerator(seed: 1)
        // ES of a standard normal's lowest α: −φ(z_α)/α.
        func shortfall(_ α: Double) -> Double {
            let z = StandardNormal.quantile(inside: α)
            return -exp(-z * z / 2) / (2 * Double.pi).squareRoot() / α
        }
        for seed in 0..<Self.seeds {
            rng.reseed(StreamSeed.derive(99, UInt64(seed)))
            let values = (0..<Self.trials).map { _ in rng.standardNormal() }
            let summary = BatchedSample(values: values, perTrial: 1).summary(levels: levels)
            for (k, level) in levels.enumerated() {
                let estimate = summary.percentile(level)!
                let z = (estimate.value - StandardNormal.quantile(inside: level)) / estimate.mcse!
                squares[k] += z * z
            }
            for (k, (estimate, α)) in [(summary.expectedShortfall95, 0.05), (summary.expectedShortfall99, 0.01)].enumerated() {
                let z = (estimate.value - shortfall(α)) / estimate.mcse!
                squares[levels.count + k] += z * z
            }
        }
        let names = levels.map { "P\($0 * 100)" } + ["ES95", "ES99"]
        for (name, sum) in zip(names, squares) {
            let rms = (sum / Double(Self.seeds)).squareRoot()
            #expect(rms >= 0.85 && rms <= 1.25, "\(name): RMS z = \(rms) over \(Self.seeds) seeds")
        }
    }
}
