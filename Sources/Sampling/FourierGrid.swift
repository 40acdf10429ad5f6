import CGSL
import Foundation

/// A distribution on the lattice 0, h, 2h, … and its discrete Fourier transform, with GSL's
/// radix-2 complex FFT: the tool for exact distributions of sums (convolution powers) that the
/// test suite compares simulation against.
public struct FourierGrid: Sendable {
    /// Interleaved complex values (re, im), `points` of them.
    public private(set) var values: [Double]
    public let points: Int

    /// A real sequence (probabilities per lattice point) as a complex sequence.
    public init(real: [Double]) throws(SamplingError) {
        guard real.count >= 2, real.count & (real.count - 1) == 0 else {
            throw .invalidParameter(distribution: "FFT", parameter: "points", value: Double(real.count),
                                    expected: "a power of 2")
        }
        points = real.count
        values = [Double](repeating: 0, count: 2 * real.count)
        for (i, x) in real.enumerated() { values[2 * i] = x }
    }

    public mutating func forward() throws(SamplingError) {
        let status = values.withUnsafeMutableBufferPointer { gsl_fft_complex_radix2_forward($0.baseAddress, 1, points) }
        guard status == 0 else { throw .gslStatus(routine: "gsl_fft_complex_radix2_forward", code: status) }
    }

    /// The inverse transform, normalised (GSL's `inverse` divides by the length).
    public mutating func inverse() throws(SamplingError) {
        let status = values.withUnsafeMutableBufferPointer { gsl_fft_complex_radix2_inverse($0.baseAddress, 1, points) }
        guard status == 0 else { throw .gslStatus(routine: "gsl_fft_complex_radix2_inverse", code: status) }
    }

    /// Applies `transform` to every complex value (re, im) → (re, im).
    public mutating func map(_ transform: (Double, Double) -> (Double, Double)) {
        for i in 0..<points {
            let (re, im) = transform(values[2 * i], values[2 * i + 1])
            values[2 * i] = re
            values[2 * i + 1] = im
        }
    }

    /// The interleaved (re, im) values, for transforms computed point by point.
    public mutating func withUnsafeMutableValues<Result>(_ body: (UnsafeMutableBufferPointer<Double>) -> Result) -> Result {
        values.withUnsafeMutableBufferPointer { body($0) }
    }

    /// Pointwise complex product: the transform of the convolution of the two sequences.
    public mutating func multiply(by other: FourierGrid) {
        for i in 0..<points {
            let a = values[2 * i], b = values[2 * i + 1]
            let c = other.values[2 * i], d = other.values[2 * i + 1]
            values[2 * i] = a * c - b * d
            values[2 * i + 1] = a * d + b * c
        }
    }

    /// The real parts, clamped at 0 (FFT round-off leaves values near −1e−17 where the exact
    /// probability is 0).
    public var realParts: [Double] { (0..<points).map { max(values[2 * $0], 0) } }
}

/// One service's cost on the lattice 0, h, 2h, …: each cost y between two lattice points is
/// split between them in proportion to its distance (mass (1 − |y/h − i|) to point i), which keeps
/// the mean exact however coarse the lattice. Computed from GSL's CDFs and the closed-form partial
/// expectations E[Y; Y ≤ x] of the gamma and lognormal.
public enum LatticeSeverity {
    public static func probabilities(_ severity: Severity, step h: Double, points: Int) -> [Double] {
        func cdf(_ x: Double) -> Double {
            guard x > 0 else { return 0 }
            switch severity {
            case let .gamma(g): return gsl_cdf_gamma_P(x, g.shape, g.scale)
            case let .lognormal(l): return gsl_cdf_lognormal_P(x, l.mu, l.sigma)
            }
        }
        func partialMean(_ x: Double) -> Double {
            guard x > 0 else { return 0 }
            switch severity {
            case let .gamma(g): return g.mean * gsl_cdf_gamma_P(x, g.shape + 1, g.scale)
            case let .lognormal(l): return l.mean * gsl_cdf_ugaussian_P((log(x) - l.mu - l.sigma * l.sigma) / l.sigma)
            }
        }
        var p = [Double](repeating: 0, count: points)
        var previousF = 0.0, previousG = 0.0
        for i in 0..<(points - 1) {
            let f = cdf(Double(i + 1) * h), g = partialMean(Double(i + 1) * h)
            let mass = f - previousF, firstMoment = (g - previousG) / h
            p[i] += Double(i + 1) * mass - firstMoment
            p[i + 1] += firstMoment - Double(i) * mass
            previousF = f; previousG = g
        }
        p[points - 1] += 1 - previousF
        return p.map { max($0, 0) }
    }
}
