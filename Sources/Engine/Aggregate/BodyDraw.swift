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
    private(set) var mean: [Double]
    /// Upper triangle only (row j, columns l ≥ j): the library's covariances are symmetric, so
    /// the lower triangle would repeat the same sums.
    private(set) var covariance: [Double]
    private(set) var third: [Double]
    private(set) var isEmpty = true
    private var factor: [Double]
    private var normals: [Double]

    init(width: Int) {
        self.width = width
        mean = Array(repeating: 0, count: width)
        covariance = Array(repeating: 0, count: width * width)
        third = Array(repeating: 0, count: width)
        factor = Array(repeating: 0, count: width * width)
        normals = Array(repeating: 0, count: width)
    }

    mutating func reset() {
        guard !isEmpty else { return }
        isEmpty = true
        for j in 0..<width { mean[j] = 0; third[j] = 0 }
        for j in 0..<(width * width) { covariance[j] = 0 }
    }

    /// Adds `count` members whose moments are `lower` and `upper` interpolated with weight `w`.
    mutating func add(count: Int, lower: CutView, upper: CutView, weight w: Double) {
        guard count > 0 else { return }
        isEmpty = false
        let n = Double(count)
        let width = width
        mean.withUnsafeMutableBufferPointer { mean in
            third.withUnsafeMutableBufferPointer { third in
                for j in 0..<width {
                    mean[j] += n * ((1 - w) * lower.mean[j] + w * upper.mean[j])
                    third[j] += n * ((1 - w) * lower.thirdMoment[j] + w * upper.thirdMoment[j])
                }
            }
        }
        covariance.withUnsafeMutableBufferPointer { covariance in
            let low = lower.covariance.baseAddress!, high = upper.covariance.baseAddress!
            for j in 0..<width {
                for l in (j * width + j)..<((j + 1) * width) {
                    covariance[l] += n * ((1 - w) * low[l] + w * high[l])
                }
            }
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
        mean.withUnsafeBufferPointer { mean in
        covariance.withUnsafeBufferPointer { covariance in
        third.withUnsafeBufferPointer { third in
        factor.withUnsafeMutableBufferPointer { factor in
        normals.withUnsafeBufferPointer { normals in
            // Cholesky factor (lower) of a positive semi-definite matrix: a pivot at rounding
            // level means the field is an exact combination of earlier ones (or constant) and
            // gets no new noise.
            for j in 0..<width {
                var pivot = covariance[j * width + j]
                for k in 0..<j { pivot -= factor[j * width + k] * factor[j * width + k] }
                let scale = covariance[j * width + j]
                guard pivot > 1e-12 * scale, pivot > 0 else {
                    for i in j..<width { factor[i * width + j] = 0 }
                    continue
                }
                let root = pivot.squareRoot()
                factor[j * width + j] = root
                for i in (j + 1)..<width {
                    var value = covariance[j * width + i]
                    for k in 0..<j { value -= factor[i * width + k] * factor[j * width + k] }
                    factor[i * width + j] = value / root
                }
            }
            for i in 0..<width {
                let variance = covariance[i * width + i]
                var value = mean[i]
                if variance > 0 {
                    var z = 0.0
                    for k in 0...i { z += factor[i * width + k] * normals[k] }
                    let sd = variance.squareRoot()
                    let u = z / sd
                    let skewness = min(max(third[i] / (variance * sd), -Self.skewnessLimit), Self.skewnessLimit)
                    let a = skewness / 6
                    value += sd * (u + a * (u * u - 1)) / (1 + 2 * a * a).squareRoot()
                }
                result[i] += max(value, 0)
            }
        }}}}}
    }
}
