/// xoshiro256** (Blackman & Vigna, 2018): the bit source under every draw apmrisk makes.
///
/// GSL 2.7 has no 64-bit-seeded generator: its built-in types use only the low 32 bits of a seed,
/// so hashed per-stream seeds would collide. This generator is seeded from the full 64 bits through
/// SplitMix64 and is plugged into GSL as a custom `gsl_rng_type` (see `GSLGenerator`), so that GSL's
/// distributions and Swift-native draws read one stream.
@frozen
public struct Xoshiro256StarStar: Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next(); s1 = mixer.next(); s2 = mixer.next(); s3 = mixer.next()
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// Uniform on [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    @inlinable @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }
}

/// SplitMix64 (Steele, Lea & Flood, 2014): seeds xoshiro and hashes (seed, stream keys) into
/// independent-looking stream seeds.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Derives the seed of one random stream from the run seed and the stream's coordinates
/// (e.g. trial, practice, year). Hashing, never `seed + i`, keeps neighbouring streams unrelated,
/// and because a stream depends only on its coordinates, results do not depend on how work is
/// split into chunks or on the number of threads.
public enum StreamSeed {
    public static func derive(_ seed: UInt64, _ keys: UInt64...) -> UInt64 {
        var first = SplitMix64(state: seed)
        var h = first.next()
        for key in keys {
            var mixer = SplitMix64(state: h ^ (key &* 0xD1B5_4A32_D192_ED03))
            h = mixer.next()
        }
        return h
    }
}

extension Xoshiro256StarStar {
    /// A generator at an explicit state, for checking against the published reference outputs.
    public init(state s0: UInt64, _ s1: UInt64, _ s2: UInt64, _ s3: UInt64) {
        self.s0 = s0; self.s1 = s1; self.s2 = s2; self.s3 = s3
    }
}
