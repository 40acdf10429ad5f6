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
        // Batches are trials [5b, 5b+5); trial t has the single value t, so batch b has mean 5b + 2.
        let values = (0..<100).map(Double.init)
        let sample = BatchedSample(values: values, perTrial: 1)
        let error = sample.batchError { $0.reduce(0, +) / Double($0.count) }
        // Batch means 2, 7, ..., 97: SD = 5·SD(0...19) = 5·√35 ; SE = SD/√20.
        let expected = 5 * (35.0).squareRoot() / (20.0).squareRoot()
        #expect(abs((error ?? 0) - expected) < 1e-9)
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
