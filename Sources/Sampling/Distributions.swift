import CGSL
import Foundation

/// Lognormal given by its mean and coefficient of variation (not by μ and σ of the log).
public struct Lognormal: Sendable, Equatable {
    public let mean: Double
    public let cv: Double
    public let mu: Double
    public let sigma: Double

    public init(mean: Double, cv: Double) throws(SamplingError) {
        guard mean.isFinite, mean > 0 else {
            throw .invalidParameter(distribution: "lognormal", parameter: "mean", value: mean,
                                    expected: "a finite number > 0")
        }
        guard cv.isFinite, cv >= 0, cv <= 100 else {
            throw .invalidParameter(distribution: "lognormal", parameter: "cv", value: cv,
                                    expected: "a number in [0, 100]")
        }
        let s2 = log1p(cv * cv)
        self.mean = mean; self.cv = cv
        self.sigma = s2.squareRoot()
        self.mu = log(mean) - s2 / 2
    }
}

/// Gamma given by its mean and coefficient of variation: shape 1/cv², scale mean·cv².
public struct GammaByMean: Sendable, Equatable {
    public let mean: Double
    public let cv: Double
    public let shape: Double
    public let scale: Double

    public init(mean: Double, cv: Double) throws(SamplingError) {
        guard mean.isFinite, mean > 0 else {
            throw .invalidParameter(distribution: "gamma", parameter: "mean", value: mean,
                                    expected: "a finite number > 0")
        }
        // Shapes below 1e-4 make GSL's gamma sampler return zeros almost surely: reject them.
        guard cv.isFinite, cv > 0, cv <= 100 else {
            throw .invalidParameter(distribution: "gamma", parameter: "cv", value: cv,
                                    expected: "a number in (0, 100]")
        }
        self.mean = mean; self.cv = cv
        self.shape = 1 / (cv * cv)
        self.scale = mean * cv * cv
    }
}

/// Cost of one service.
public enum Severity: Sendable, Equatable {
    case gamma(GammaByMean)
    case lognormal(Lognormal)

    public var mean: Double {
        switch self {
        case let .gamma(g): g.mean
        case let .lognormal(l): l.mean
        }
    }

    public var cv: Double {
        switch self {
        case let .gamma(g): g.cv
        case let .lognormal(l): l.cv
        }
    }
}


/// The standard normal distribution's quantile function (GSL's `gsl_cdf_ugaussian_Pinv`).
public enum StandardNormal {
    public static func quantile(_ p: Double) throws(SamplingError) -> Double {
        guard p > 0, p < 1 else {
            throw .invalidParameter(distribution: "normal quantile", parameter: "p", value: p, expected: "a probability in (0, 1)")
        }
        return gsl_cdf_ugaussian_Pinv(p)
    }

    /// The quantile of a probability already known to lie in [0, 1], pulled inside (0, 1) so
    /// the result is finite: for draws by inversion, whose uniforms can touch the ends.
    public static func quantile(inside p: Double) -> Double {
        gsl_cdf_ugaussian_Pinv(min(max(p, 0x1p-1000), 1 - 0x1p-53))
    }

    /// P(Z ≤ x) (GSL's `gsl_cdf_ugaussian_P`).
    public static func cdf(_ x: Double) -> Double { gsl_cdf_ugaussian_P(x) }
}
