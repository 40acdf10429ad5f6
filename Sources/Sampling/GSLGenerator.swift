import CGSL
import Foundation

/// A failure reported by, or prevented at, the GSL boundary.
public enum SamplingError: Error, Equatable, CustomStringConvertible {
    /// A distribution parameter GSL would silently mishandle (GSL does not validate them).
    case invalidParameter(distribution: String, parameter: String, value: Double, expected: String)
    /// GSL could not allocate a generator or workspace.
    case allocationFailed(String)
    /// A GSL routine returned a non-zero status.
    case gslStatus(routine: String, code: Int32)

    public var description: String {
        switch self {
        case let .invalidParameter(distribution, parameter, value, expected):
            return "\(distribution): \(parameter) = \(value), expected \(expected)"
        case let .allocationFailed(what):
            return "could not allocate \(what)"
        case let .gslStatus(routine, code):
            return "\(routine) failed: \(String(cString: gsl_strerror(code)))"
        }
    }
}

/// GSL calls abort() on error by default; a simulator must report instead. Evaluated once,
/// before the first generator exists.
private let gslErrorHandlerOff: Void = { _ = gsl_set_error_handler_off() }()

private func xoshiroSet(_ state: UnsafeMutableRawPointer?, _ seed: UInt) {
    state?.assumingMemoryBound(to: Xoshiro256StarStar.self)
        .initialize(to: Xoshiro256StarStar(seed: UInt64(seed)))
}

private func xoshiroGet(_ state: UnsafeMutableRawPointer?) -> UInt {
    guard let state else { return 0 }
    return UInt(state.assumingMemoryBound(to: Xoshiro256StarStar.self).pointee.next())
}

private func xoshiroGetDouble(_ state: UnsafeMutableRawPointer?) -> Double {
    guard let state else { return 0 }
    return state.assumingMemoryBound(to: Xoshiro256StarStar.self).pointee.nextDouble()
}

/// The generator type GSL sees: allocated once for the life of the process, never mutated.
nonisolated(unsafe) private let xoshiroType: UnsafeMutablePointer<gsl_rng_type> = {
    let type = UnsafeMutablePointer<gsl_rng_type>.allocate(capacity: 1)
    let name = StaticString("xoshiro256starstar")
    type.initialize(to: gsl_rng_type(
        name: name.withUTF8Buffer { UnsafeRawPointer($0.baseAddress!) }
            .assumingMemoryBound(to: CChar.self),
        max: UInt.max, min: 0,
        size: MemoryLayout<Xoshiro256StarStar>.stride,
        set: xoshiroSet, get: xoshiroGet, get_double: xoshiroGetDouble))
    return type
}()

/// Owns one GSL generator (xoshiro256** underneath). Not copyable and not Sendable on purpose:
/// create one inside each unit of parallel work and let it die there.
public struct GSLGenerator: ~Copyable {
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>
    @usableFromInline let bits: UnsafeMutablePointer<Xoshiro256StarStar>

    public static let typeName = "xoshiro256starstar"

    public init(seed: UInt64) throws(SamplingError) {
        _ = gslErrorHandlerOff
        guard let rng = gsl_rng_alloc(xoshiroType), let state = rng.pointee.state else {
            throw .allocationFailed("gsl_rng (\(Self.typeName))")
        }
        self.rng = rng
        self.bits = state.assumingMemoryBound(to: Xoshiro256StarStar.self)
        reseed(seed)
    }

    deinit { gsl_rng_free(rng) }

    /// Restarts the stream at a new seed; cheap (four SplitMix64 steps), so one generator can
    /// serve many streams in turn.
    public func reseed(_ seed: UInt64) {
        bits.initialize(to: Xoshiro256StarStar(seed: seed))
    }

    // MARK: - Draws. Parameters come from the validated parameter types below, so the hot path
    // carries no checks; GSL itself validates nothing.

    /// Uniform on [0, 1).
    @inlinable @inline(__always)
    public func uniform() -> Double { bits.pointee.nextDouble() }

    /// Standard normal (GSL's ziggurat).
    @inlinable @inline(__always)
    public func standardNormal() -> Double { gsl_ran_gaussian_ziggurat(rng, 1.0) }

    /// Above this mean a Poisson count is drawn from its normal approximation (relative error of
    /// order 1/√mean, below 0.03% here): GSL's sampler returns a 32-bit count and its recursion
    /// misbehaves as the mean nears 2³², which only extreme scenarios reach.
    public static let poissonExactLimit = 1e7

    @inlinable @inline(__always)
    public func poisson(mean: Double) -> UInt32 {
        guard mean > 0 else { return 0 }   // also NaN
        guard mean <= Self.poissonExactLimit else {
            guard mean.isFinite else { return UInt32.max }
            let draw = (mean + mean.squareRoot() * gsl_ran_gaussian_ziggurat(rng, 1.0)).rounded()
            return UInt32(min(max(draw, 0), Double(UInt32.max)))
        }
        return gsl_ran_poisson(rng, mean)
    }

    /// Successes in `trials` independent trials of probability `p` (GSL's binomial sampler).
    @inlinable @inline(__always)
    public func binomial(trials: Int, p: Double) -> Int {
        guard trials > 0, p > 0 else { return 0 }
        guard p < 1 else { return trials }
        return Int(gsl_ran_binomial(rng, p, UInt32(clamping: trials)))
    }

    /// Uniform integer in 0..<n, by Lemire's multiply-shift (bias below n/2⁶⁴).
    @inlinable @inline(__always)
    public func index(below n: Int) -> Int {
        Int(truncatingIfNeeded: UInt64(n).multipliedFullWidth(by: bits.pointee.next()).high)
    }

    @inlinable @inline(__always)
    public func gamma(shape: Double, scale: Double) -> Double {
        shape > 0 ? gsl_ran_gamma(rng, shape, scale) : 0
    }

    /// Lognormal as exp(μ + σ·Z) with Z from GSL's ziggurat: the same distribution as
    /// `gsl_ran_lognormal`, whose polar Box–Muller normal costs about 4× more per draw here.
    @inlinable @inline(__always)
    public func lognormal(_ p: Lognormal) -> Double {
        exp(p.mu + p.sigma * gsl_ran_gaussian_ziggurat(rng, 1.0))
    }

    /// Above this many lognormal services in one member-year and category, their sum is drawn
    /// as one gamma with the same mean and variance instead of service by service: only extreme
    /// scenarios (rates and risk CVs near their limits) get there, and drawing 10⁷ services one
    /// at a time would stall a run.
    public static let lognormalSumExactLimit: UInt32 = 10_000

    /// Sum of `count` independent draws of `p`. For gamma severities the sum is one gamma draw
    /// with `count` times the shape, exactly.
    @inlinable
    public func sum(of p: Severity, count: UInt32) -> Double {
        guard count > 0 else { return 0 }
        switch p {
        case let .gamma(g):
            return gsl_ran_gamma(rng, g.shape * Double(count), g.scale)
        case let .lognormal(l):
            guard count <= Self.lognormalSumExactLimit else {
                // Moment-matched gamma: mean n·m, variance n·(m·cv)².
                let n = Double(count)
                return l.cv > 0 ? gsl_ran_gamma(rng, n / (l.cv * l.cv), l.mean * l.cv * l.cv) : n * l.mean
            }
            var total = 0.0
            for _ in 0..<count { total += lognormal(l) }
            return total
        }
    }
}
