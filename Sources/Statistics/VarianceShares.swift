import Sampling

/// How much of an output's variance each uncertain input explains on its own: the first-order
/// (Sobol') index S_i = Var(E[Y | θ_i]) / Var(Y), for inputs drawn independently once per trial.
///
/// Estimator: the "given-data" correlation ratio. Trials are sorted by θ_i and cut into
/// ⌊√N⌋ bins of equal count; E[Y | θ_i] is estimated by each bin's mean of Y. The spread of bin
/// means overstates Var(E[Y | θ_i]) by the noise of each bin mean, which is removed using the
/// spread of the trials' means within the bin (trials, not observations, are the independent
/// units: a trial's practices share its world). What remains biased is the variation of
/// E[Y | θ_i] inside a bin, which shrinks as bins narrow (to first order by a factor 1/bins² of
/// the share). The error is the standard deviation of the whole estimate over bootstrap
/// resamples of trials (fixed seed, so the figure reproduces).
///
/// The rest, 1 − Σ S_i, is the share of the simulated world (chance) and of interactions
/// between assumptions; first-order shares need not sum to one.
public enum VarianceShares {
    public static let resamples = 200

    public struct Decomposition: Sendable, Equatable {
        /// One first-order share per input, in input order.
        public let shares: [Estimate]
        /// 1 − Σ shares: the simulated world and interactions.
        public let remainder: Estimate
        public let bins: Int
    }

    /// - Parameters:
    ///   - values: observations, trial by trial, `perTrial` per trial.
    ///   - inputs: inputs[i][t] is input i's value in trial t.
    public static func decompose(values: [Double], perTrial: Int, inputs: [[Double]], seed: UInt64 = 1) -> Decomposition {
        let trials = perTrial > 0 ? values.count / perTrial : 0
        precondition(trials * perTrial == values.count && inputs.allSatisfy { $0.count == trials })
        var trialMean = [Double](repeating: 0, count: trials)
        var trialSquares = [Double](repeating: 0, count: trials)
        for t in 0..<trials {
            for k in 0..<perTrial {
                let y = values[t * perTrial + k]
                trialMean[t] += y
                trialSquares[t] += y * y
            }
            trialMean[t] /= Double(perTrial)
            trialSquares[t] /= Double(perTrial)
        }
        let bins = max(2, Int(Double(trials).squareRoot()))
        let orders = inputs.map { input in (0..<trials).sorted { (input[$0], $0) < (input[$1], $1) } }
        func estimate(weights: [Int]) -> [Double] {
            let shares = orders.map { share(order: $0, weights: weights, bins: bins, mean: trialMean, squares: trialSquares) }
            return shares + [1 - shares.reduce(0, +)]
        }
        let point = estimate(weights: [Int](repeating: 1, count: trials))
        var generator = Xoshiro256StarStar(seed: seed)
        var replicates: [[Double]] = []
        for _ in 0..<(trials > 1 ? resamples : 0) {
            var weights = [Int](repeating: 0, count: trials)
            for _ in 0..<trials { weights[Int(generator.next() % UInt64(trials))] += 1 }
            replicates.append(estimate(weights: weights))
        }
        let errors = point.indices.map { i -> Double? in
            guard replicates.count > 1 else { return nil }
            let column = replicates.map { $0[i] }
            let m = column.reduce(0, +) / Double(column.count)
            return (column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(column.count - 1)).squareRoot()
        }
        let estimates = zip(point, errors).map { Estimate(value: $0, mcse: $1) }
        return Decomposition(shares: Array(estimates.dropLast()), remainder: estimates.last!, bins: bins)
    }

    /// The share for one input: trials taken in `order` (ascending input), each `weights[t]` times.
    private static func share(order: [Int], weights: [Int], bins: Int, mean: [Double], squares: [Double]) -> Double {
        let total = weights.reduce(0, +)
        guard total > 1 else { return 0 }
        var grandMean = 0.0, grandSquares = 0.0
        for t in order where weights[t] > 0 {
            grandMean += Double(weights[t]) * mean[t]
            grandSquares += Double(weights[t]) * squares[t]
        }
        grandMean /= Double(total)
        let variance = grandSquares / Double(total) - grandMean * grandMean
        guard variance > 0 else { return 0 }
        // Bins of equal count along the order; a trial drawn several times stays in one bin.
        var between = 0.0, noise = 0.0
        var binCount = 0, binSum = 0.0, binSquares = 0.0, bin = 1, seen = 0
        func closeBin() {
            guard binCount > 0 else { return }
            let m = binSum / Double(binCount)
            let weight = Double(binCount) / Double(total)
            between += weight * (m - grandMean) * (m - grandMean)
            if binCount > 1 {
                let spread = max(binSquares / Double(binCount) - m * m, 0) * Double(binCount) / Double(binCount - 1)
                noise += weight * spread / Double(binCount)
            }
            binCount = 0; binSum = 0; binSquares = 0
        }
        for t in order where weights[t] > 0 {
            let w = weights[t]
            binCount += w
            binSum += Double(w) * mean[t]
            binSquares += Double(w) * mean[t] * mean[t]
            seen += w
            if seen * bins >= bin * total {
                closeBin()
                while seen * bins >= bin * total { bin += 1 }
            }
        }
        closeBin()
        // The grand mean is itself estimated: its noise (Var of trial means / N) is in `noise`'s
        // sum but not in `between`'s, so it is added back.
        var trialVariance = 0.0
        for t in order where weights[t] > 0 { trialVariance += Double(weights[t]) * (mean[t] - grandMean) * (mean[t] - grandMean) }
        trialVariance /= Double(total - 1)
        return (between - noise + trialVariance / Double(total)) / variance
    }
}

/// Where the spread of each headline figure comes from, when the scenario has uncertain
/// assumptions (an added optional field of `RunSummary`).
public struct UncertaintySummary: Codable, Sendable, Equatable {
    public var estimator: String
    public var bins: Int
    public var resamples: Int
    public var assumptions: [UncertainAssumptionInfo]
    public var figures: [VarianceFigure]

    public init(estimator: String, bins: Int, resamples: Int, assumptions: [UncertainAssumptionInfo], figures: [VarianceFigure]) {
        self.estimator = estimator; self.bins = bins; self.resamples = resamples
        self.assumptions = assumptions; self.figures = figures
    }
}

public struct UncertainAssumptionInfo: Codable, Sendable, Equatable {
    public var keyPath: String
    public var distribution: String
    /// The value in the scenario's other uses (the distribution's mean) and the range of draws.
    public var mean: Double
    public var low: Double
    public var high: Double

    public init(keyPath: String, distribution: String, mean: Double, low: Double, high: Double) {
        self.keyPath = keyPath; self.distribution = distribution; self.mean = mean; self.low = low; self.high = high
    }
}

/// One figure's variance, split: a first-order share per assumption (aligned with
/// `UncertaintySummary.assumptions`) and the rest (the simulated world and interactions).
public struct VarianceFigure: Codable, Sendable, Equatable {
    public var design: String
    public var figure: String
    public var shares: [Estimate]
    public var world: Estimate

    public init(design: String, figure: String, shares: [Estimate], world: Estimate) {
        self.design = design; self.figure = figure; self.shares = shares; self.world = world
    }
}
