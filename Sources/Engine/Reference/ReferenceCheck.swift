import Foundation
import Sampling
import Scenario
import Statistics

/// A run's statistics of one panel's cost set against the exact FFT distribution
/// (`ExactPanelCost`): the estimate, its stated Monte Carlo error and z = (estimate − exact) /
/// error. Over many seeds the z's of an honest error have a root mean square near 1; that is the
/// promise every ± apmrisk prints makes, and the check the suite and the benchmark both run.
public enum ReferenceCheck {
    /// The statistics checked: the mean and these percentiles.
    public static let levels = [0.01, 0.05, 0.50, 0.95, 0.99, 0.995]

    public struct Row: Sendable {
        public let statistic: String
        public let exact: Double
        public let estimate: Double
        public let error: Double?
        public var z: Double? { error.flatMap { $0 > 0 ? (estimate - exact) / $0 : nil } }
    }

    /// Rows for `sample` (one practice-year per trial, in trial order) against `exact`.
    public static func rows(sample: [Double], exact: ExactPanelCost) -> [Row] {
        let summary = BatchedSample(values: sample, perTrial: 1).summary(levels: levels)
        var rows = [Row(statistic: "mean", exact: exact.mean, estimate: summary.mean.value, error: summary.mean.mcse)]
        for estimate in summary.percentiles {
            rows.append(Row(statistic: percentileName(estimate.level), exact: exact.interpolatedQuantile(estimate.level),
                            estimate: estimate.value, error: estimate.mcse))
        }
        return rows
    }

    public static func percentileName(_ level: Double) -> String {
        "P" + String(format: level * 100 == (level * 100).rounded() ? "%.0f" : "%.1f", level * 100)
    }

    /// The spread of z over seeds for one statistic.
    public struct Coverage: Sendable {
        public let statistic: String
        public let seeds: Int
        /// Mean of z: a bias shows here.
        public let meanZ: Double
        /// Root mean square of z: near 1 when the stated error is honest (bias included).
        public let rmsZ: Double
    }

    /// Runs `sample(seed)` for seeds 0..<seeds and returns each statistic's z spread.
    public static func coverage(seeds: Int, exact: ExactPanelCost,
                                sample: (UInt64) throws -> [Double]) rethrows -> [Coverage] {
        var sums: [Double] = [], squares: [Double] = [], names: [String] = []
        for seed in 0..<seeds {
            let rows = rows(sample: try sample(UInt64(seed)), exact: exact)
            if names.isEmpty {
                names = rows.map(\.statistic)
                sums = Array(repeating: 0, count: rows.count); squares = sums
            }
            for (k, row) in rows.enumerated() {
                let z = row.z ?? .nan
                sums[k] += z; squares[k] += z * z
            }
        }
        let m = Double(seeds)
        return names.indices.map { Coverage(statistic: names[$0], seeds: seeds, meanZ: sums[$0] / m, rmsZ: (squares[$0] / m).squareRoot()) }
    }
}

extension ExactPanelCost {
    /// The level-p quantile with the lattice's steps interpolated linearly, as a continuous
    /// distribution's quantile (the sample percentiles compared with it interpolate too).
    public func interpolatedQuantile(_ p: Double) -> Double {
        var cumulative = 0.0
        for (i, probability) in probabilities.enumerated() {
            let next = cumulative + probability
            if next >= p {
                // The mass at lattice point i stands for the interval around it.
                let within = probability > 0 ? (p - cumulative) / probability : 0.5
                return (Double(i) - 0.5 + within) * step
            }
            cumulative = next
        }
        return Double(probabilities.count - 1) * step
    }
}
