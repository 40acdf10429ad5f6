import Foundation
import Sampling

/// The body sum of a practice-year: the cumulants of a sum of independent members (means,
/// covariances and third cumulants add), drawn as correlated normals with each field's
/// skewness restored by a Cornish–Fisher term. Sums of hundreds of members below the library's
/// cut are nearly normal; the term corrects what remains to order 1/√k.
///
/// One per worker, reused practice-year after practice-year (`reset`): a practice-year adds a
/// body per panel group, and fresh arrays each time cost more than the arithmetic.
struct BodyDraw {
    let width: Int
    /// The sum's moments (`BodyMoments`): cumulants of independent members add.
    private(set) var moments: [Double]
    private(set) var isEmpty = true
    private var factor: [Double]
    private var normals: [Double]

    init(width: Int) {
        self.width = width
        moments = Array(repeating: 0, count: BodyMoments.count(width: width))
        factor = Array(repeating: 0, count: width * width)
        normals = Array(repeating: 0, count: width)
    }

    mutating func reset() {
        guard !isEmpty else { return }
        isEmpty = true
        for j in moments.indices { moments[j] = 0 }
    }

    /// Adds `count` members whose moments are `lower` and `upper` interpolated with weight `w`.
    mutating func add(count: Int, lower: CutView, upper: CutView, weight w: Double) {
        guard count > 0 else { return }
        isEmpty = false
        let n = Double(count)
        let low = lower.moments.baseAddress!, high = upper.moments.baseAddress!
        let a = n * (1 - w), b = n * w
        moments.withUnsafeMutableBufferPointer { sum in
            for i in sum.indices { sum[i] += a * low[i] + b * high[i] }
        }
    }

    /// The largest skewness the Cornish–Fisher term is trusted with; the library's cut keeps
    /// real bodies far below it.
    static let skewnessLimit = 1.5

    /// Adds one draw of the body sum, every field clamped at 0 (all are non-negative
    /// quantities), to `result`.
    mutating func draw(rng: borrowing GSLGenerator, addingTo result: inout [Double]) {
        let width = width
        for j in 0..<width { normals[j] = rng.standardNormal() }
        moments.withUnsafeBufferPointer { moments in
        factor.withUnsafeMutableBufferPointer { factor in
        normals.withUnsafeBufferPointer { normals in
            @inline(__always) func covariance(_ i: Int, _ j: Int) -> Double {
                moments[BodyMoments.covarianceRow(i, width: width) + j - i]
            }
            // Cholesky factor (lower) of a positive semi-definite matrix: a pivot at rounding
            // level means the field is an exact combination of earlier ones (or constant) and
            // gets no new noise.
            for j in 0..<width {
                let scale = covariance(j, j)
                var pivot = scale
                for k in 0..<j { pivot -= factor[j * width + k] * factor[j * width + k] }
                guard pivot > 1e-12 * scale, pivot > 0 else {
                    for i in j..<width { factor[i * width + j] = 0 }
                    continue
                }
                let root = pivot.squareRoot()
                factor[j * width + j] = root
                for i in (j + 1)..<width {
                    var value = covariance(j, i)
                    for k in 0..<j { value -= factor[i * width + k] * factor[j * width + k] }
                    factor[i * width + j] = value / root
                }
            }
            for i in 0..<width {
                let variance = covariance(i, i)
                var value = moments[i]
                if variance > 0 {
                    var z = 0.0
                    for k in 0...i { z += factor[i * width + k] * normals[k] }
                    let sd = variance.squareRoot()
                    let u = z / sd
                    let skewness = min(max(moments[BodyMoments.third(i, width: width)] / (variance * sd), -Self.skewnessLimit), Self.skewnessLimit)
                    let a = skewness / 6
                    value += sd * (u + a * (u * u - 1)) / (1 + 2 * a * a).squareRoot()
                }
                result[i] += max(value, 0)
            }
        }}}
    }
}

/// One body member's moments (or a sum's) as one flat vector, so that adding members is one loop
/// over contiguous memory: the means, then the third central moments, then the covariance's
/// upper triangle row by row (it is symmetric; the lower triangle would repeat the same sums).
enum BodyMoments {
    static func count(width: Int) -> Int { 2 * width + width * (width + 1) / 2 }

    @inline(__always)
    static func third(_ j: Int, width: Int) -> Int { width + j }

    /// Where row `j` of the upper triangle starts: element (j, l ≥ j) is at this + l − j.
    @inline(__always)
    static func covarianceRow(_ j: Int, width: Int) -> Int { 2 * width + j * width - j * (j - 1) / 2 }
}
