import Foundation
import Yams

/// A scenario number written as a distribution (`{distribution: normal, mean: 0.03, sd: 0.01}`):
/// an assumption nobody knows, drawn once per trial so the outputs carry its uncertainty beside
/// the world's randomness. Its mean is the scenario's value wherever one value is needed (the
/// payer's pricing, closed-form checks, `validate`).
public struct UncertainAssumption: Sendable, Equatable {
    public var keyPath: String
    public var distribution: UncertainDistribution

    public init(keyPath: String, distribution: UncertainDistribution) {
        self.keyPath = keyPath; self.distribution = distribution
    }

    /// Keys the engine can vary trial by trial: the systemic, regional, practice and quality
    /// levels of the world, which are drawn per trial anyway. Member-level keys (costs, CVs,
    /// retention) shape the member libraries shared by every trial, and design terms are choices
    /// rather than unknowns; both are swung by `apmrisk sensitivity` instead.
    public static let supportedKeys = [
        "variation.trend.mean", "variation.trend.sd", "variation.shock.probability", "variation.shock.multiplier",
        "variation.regional_cv", "variation.practice_efficiency_cv", "variation.enrollment.mean", "variation.enrollment.sd",
        "quality.mean", "quality.sd",
    ]
}

public enum UncertainDistribution: Sendable, Equatable {
    case normal(mean: Double, sd: Double)
    /// Parameterised by the mean and SD of the value itself, not of its logarithm.
    case lognormal(mean: Double, sd: Double)
    case uniform(low: Double, high: Double)
    case triangular(low: Double, mode: Double, high: Double)

    /// Draws are confined to the distribution's 0.1st–99.9th percentiles, so an unbounded
    /// distribution can describe a bounded key (a probability, a CV) and every draw is valid.
    public static let tail = 0.001
    /// Φ⁻¹(0.999), the standard normal score of the upper truncation point.
    public static let tailScore = 3.090232306167813

    public var mean: Double {
        switch self {
        case let .normal(mean, _), let .lognormal(mean, _): mean
        case let .uniform(low, high): (low + high) / 2
        case let .triangular(low, mode, high): (low + mode + high) / 3
        }
    }

    /// The value at cumulative probability `p`, given `z` = Φ⁻¹(p) (the caller's normal quantile,
    /// so this module stays free of the GSL).
    public func value(probability p: Double, normalScore z: Double) -> Double {
        switch self {
        case let .normal(mean, sd):
            return mean + sd * z
        case let .lognormal(mean, sd):
            let sigma2 = log1p(sd * sd / (mean * mean))
            return mean * exp(-sigma2 / 2 + sigma2.squareRoot() * z)
        case let .uniform(low, high):
            return low + (high - low) * p
        case let .triangular(low, mode, high):
            let width = high - low
            guard width > 0 else { return low }
            let split = (mode - low) / width
            return p < split ? low + (p * width * (mode - low)).squareRoot()
                : high - ((1 - p) * width * (high - mode)).squareRoot()
        }
    }

    /// Smallest and largest value a draw can take.
    public var range: (low: Double, high: Double) {
        (value(probability: Self.tail, normalScore: -Self.tailScore),
         value(probability: 1 - Self.tail, normalScore: Self.tailScore))
    }

    public var description: String {
        switch self {
        case let .normal(mean, sd): "normal(mean \(format(mean)), sd \(format(sd)))"
        case let .lognormal(mean, sd): "lognormal(mean \(format(mean)), sd \(format(sd)))"
        case let .uniform(low, high): "uniform(\(format(low)), \(format(high)))"
        case let .triangular(low, mode, high): "triangular(\(format(low)), \(format(mode)), \(format(high)))"
        }
    }
}

extension YAMLReader {
    /// A number written as a distribution at `path`: its mean, with the distribution recorded.
    func uncertainNumber(_ node: Node, path: String, rule: NumberRule) -> Double? {
        guard let map = mapping(node, path: path) else { return nil }
        defer { map.finish() }
        guard UncertainAssumption.supportedKeys.contains(path) else {
            report(node, path, "is written as a distribution, which only these keys may be: \(UncertainAssumption.supportedKeys.joined(separator: ", ")); expected a number (to see how a member-level value or a design term moves the results, swing it with `apmrisk sensitivity --vary`)")
            return nil
        }
        guard let kind = map.string("distribution") else { return nil }
        let parameter = NumberRule(expected: "a number within what \(path) allows (\(rule.expected))") { _ in true }
        let distribution: UncertainDistribution?
        switch kind {
        case "normal", "lognormal":
            let mean = map.number("mean", parameter)
            let sd = map.number("sd", .nonNegative)
            guard let mean, let sd else { return nil }
            if kind == "lognormal" && mean <= 0 {
                report(node, path + ".mean", "found \(format(mean)), expected a mean > 0 for a lognormal distribution")
                return nil
            }
            distribution = kind == "normal" ? .normal(mean: mean, sd: sd) : .lognormal(mean: mean, sd: sd)
        case "uniform":
            let low = map.number("low", parameter), high = map.number("high", parameter)
            guard let low, let high else { return nil }
            distribution = low <= high ? .uniform(low: low, high: high) : nil
        case "triangular":
            let low = map.number("low", parameter), mode = map.number("mode", parameter), high = map.number("high", parameter)
            guard let low, let mode, let high else { return nil }
            distribution = low <= mode && mode <= high ? .triangular(low: low, mode: mode, high: high) : nil
        default:
            report(node, path + ".distribution", "found '\(escapedForDisplay(kind))', expected normal, lognormal, uniform or triangular")
            return nil
        }
        guard let distribution else {
            report(node, path, "has its bounds out of order; expected low ≤ mode ≤ high")
            return nil
        }
        let (low, high) = distribution.range
        guard rule.accepts(low), rule.accepts(high), rule.accepts(distribution.mean) else {
            report(node, path, "is \(distribution.description), whose draws run from \(format(low)) to \(format(high)) (0.1st to 99.9th percentile); expected every draw to be \(rule.expected)")
            return nil
        }
        uncertain.append(UncertainAssumption(keyPath: path, distribution: distribution))
        return distribution.mean
    }
}
