import Foundation
import Sampling

/// The body sum of a practice-year: the cumulants of a sum of independent members (means,
/// covariances and third cumulants add), drawn as correlated normals with each field's
/// skewness restored by a Cornish–Fisher term. Sums of hundreds of members below the library's
/// cut are nearly normal; the term corrects what remains to order 1/√k.
struct BodyDraw {
    let width: Int
    var mean: [Double]
    var covariance: [Double]
    var third: [Double]
    private(set) var isEmpty = true

    init(width: Int) {
        self.width = width
        mean = Array(repeating: 0, count: width)
        covariance = Array(repeating: 0, count: width * width)
        third = Array(repeating: 0, count: width)
    }

    /// Adds `count` members whose moments are `lower` and `upper` interpolated with weight `w`.
    mutating func add(count: Int, lower: CutView, upper: CutView, weight w: Double) {
        guard count > 0 else { return }
        isEmpty = false
        let n = Double(count)
        for j in 0..<width {
            mean[j] += n * ((1 - w) * lower.mean[j] + w * upper.mean[j])
            third[j] += n * ((1 - w) * lower.thirdMoment[j] + w * upper.thirdMoment[j])
        }
        for j in 0..<(width * width) {
            covariance[j] += n * ((1 - w) * lower.covariance[j] + w * upper.covariance[j])
        }
    }

    /// The largest skewness the Cornish–Fisher term is trusted with; the library's cut keeps
    /// real bodies far below it.
    static let skewnessLimit = 1.5

    /// One draw of the body sum, every field clamped at 0 (all are non-negative quantities).
    func draw(rng: borrowing GSLGenerator) -> [Double] {
        var factor = [Double](repeating: 0, count: width * width)
        // Cholesky factor of a positive semi-definite matrix: a pivot at rounding level means
        // the field is an exact combination of earlier ones (or constant) and gets no new noise.
        for j in 0..<width {
            var pivot = covariance[j * width + j]
            for k in 0..<j { pivot -= factor[j * width + k] * factor[j * width + k] }
            let scale = covariance[j * width + j]
            guard pivot > 1e-12 * scale, pivot > 0 else { continue }
            let root = pivot.squareRoot()
            factor[j * width + j] = root
            for i in (j + 1)..<width {
                var value = covariance[i * width + j]
                for k in 0..<j { value -= factor[i * width + k] * factor[j * width + k] }
                factor[i * width + j] = value / root
            }
        }
        var normals = [Double](repeating: 0, count: width)
        for j in 0..<width { normals[j] = rng.standardNormal() }
        var result = mean
        for i in 0..<width {
            let variance = covariance[i * width + i]
            guard variance > 0 else { continue }
            var z = 0.0
            for k in 0...i { z += factor[i * width + k] * normals[k] }
            let sd = variance.squareRoot()
            let u = z / sd
            let skewness = min(max(third[i] / (variance * sd), -Self.skewnessLimit), Self.skewnessLimit)
            let a = skewness / 6
            result[i] += sd * (u + a * (u * u - 1)) / (1 + 2 * a * a).squareRoot()
            result[i] = max(result[i], 0)
        }
        return result
    }
}
