import Foundation
import Sampling
import Testing

/// Sample moments against closed forms. Each tolerance is 4.5 Monte Carlo standard errors
/// (SE of a mean = σ/√n), so a correct sampler fails about once in 150,000 runs; seeds are fixed,
/// so a pass is reproducible.
struct DistributionTests {
    static let draws = 400_000

    func checkMean(_ sample: [Double], expected: Double, sd: Double, _ label: String) {
        let mean = sample.reduce(0, +) / Double(sample.count)
        let standardError = sd / Double(sample.count).squareRoot()
        #expect(abs(mean - expected) <= 4.5 * standardError, "\(label): mean \(mean) vs \(expected) ± \(standardError)")
    }

    /// Sample variance against σ², with the SE of the variance estimator √((μ4 − σ⁴)/n).
    func checkVariance(_ sample: [Double], expected: Double, fourthCentral: Double, _ label: String) {
        let n = Double(sample.count)
        let mean = sample.reduce(0, +) / n
        let variance = sample.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let standardError = ((fourthCentral - expected * expected) / n).squareRoot()
        #expect(abs(variance - expected) <= 4.5 * standardError, "\(label): variance \(variance) vs \(expected) ± \(standardError)")
    }

    @Test(arguments: [(120.0, 0.7), (14_000.0, 1.2), (350.0, 2.0)])
    func lognormalByMeanAndCV(mean: Double, cv: Double) throws {
        let rng = try GSLGenerator(seed: 11)
        let p = try Lognormal(mean: mean, cv: cv)
        checkMean((0..<Self.draws).map { _ in rng.lognormal(p) }, expected: mean, sd: mean * cv, "lognormal")
    }

    @Test(arguments: [(120.0, 0.7071), (260.0, 0.8165), (1.0, 2.5)])
    func gammaByMeanAndCV(mean: Double, cv: Double) throws {
        let rng = try GSLGenerator(seed: 12)
        let p = try GammaByMean(mean: mean, cv: cv)
        let sample = (0..<Self.draws).map { _ in rng.gamma(shape: p.shape, scale: p.scale) }
        checkMean(sample, expected: mean, sd: mean * cv, "gamma")
        // Gamma(k, θ): σ² = kθ², μ4 = 3k(k + 2)θ⁴.
        let k = p.shape, theta = p.scale
        checkVariance(sample, expected: k * theta * theta, fourthCentral: 3 * k * (k + 2) * pow(theta, 4), "gamma")
    }

    @Test(arguments: [0.07, 0.45, 3.5, 40.0])
    func poissonMeanAndVariance(mean: Double) throws {
        let rng = try GSLGenerator(seed: 13)
        let sample = (0..<Self.draws).map { _ in Double(rng.poisson(mean: mean)) }
        checkMean(sample, expected: mean, sd: mean.squareRoot(), "poisson")
        // Poisson(λ): μ4 = λ(1 + 3λ).
        checkVariance(sample, expected: mean, fourthCentral: mean * (1 + 3 * mean), "poisson")
    }

    @Test func sumOfGammaSeveritiesIsOneGammaWithKTimesTheShape() throws {
        let rng = try GSLGenerator(seed: 14)
        let severity = Severity.gamma(try GammaByMean(mean: 260, cv: 0.8165))
        let count: UInt32 = 3
        let sample = (0..<Self.draws).map { _ in rng.sum(of: severity, count: count) }
        // Sum of 3 iid: mean 3m, variance 3(m·cv)².
        checkMean(sample, expected: 780, sd: (3.0).squareRoot() * 260 * 0.8165, "gamma sum")
    }

    @Test func sumOfLognormalSeverities() throws {
        let rng = try GSLGenerator(seed: 15)
        let severity = Severity.lognormal(try Lognormal(mean: 1_100, cv: 1.5))
        let sample = (0..<Self.draws).map { _ in rng.sum(of: severity, count: 4) }
        checkMean(sample, expected: 4_400, sd: 2 * 1_100 * 1.5, "lognormal sum")
        #expect(rng.sum(of: severity, count: 0) == 0)
    }

    @Test func poissonBeyondTheExactLimitKeepsItsMoments() throws {
        let rng = try GSLGenerator(seed: 17)
        let mean = 4e9   // near 2³²: GSL's own sampler would overflow here
        let sample = (0..<20_000).map { _ in Double(rng.poisson(mean: mean)) }
        checkMean(sample, expected: mean, sd: mean.squareRoot(), "large poisson")
        #expect(rng.poisson(mean: .infinity) == UInt32.max && rng.poisson(mean: .nan) == 0)
    }

    @Test func largeLognormalSumsKeepMeanAndVariance() throws {
        let rng = try GSLGenerator(seed: 18)
        let severity = Severity.lognormal(try Lognormal(mean: 350, cv: 2))
        let n: UInt32 = 50_000
        let sample = (0..<20_000).map { _ in rng.sum(of: severity, count: n) }
        let sd = Double(n).squareRoot() * 350 * 2
        checkMean(sample, expected: Double(n) * 350, sd: sd, "large lognormal sum")
    }

    @Test func standardNormal() throws {
        let rng = try GSLGenerator(seed: 16)
        let sample = (0..<Self.draws).map { _ in rng.standardNormal() }
        checkMean(sample, expected: 0, sd: 1, "normal")
        checkVariance(sample, expected: 1, fourthCentral: 3, "normal")
    }

    @Test func invalidParametersAreTypedErrorsNotSilentZeros() {
        #expect(throws: SamplingError.self) { try Lognormal(mean: -1, cv: 1) }
        #expect(throws: SamplingError.self) { try Lognormal(mean: 1, cv: .nan) }
        #expect(throws: SamplingError.self) { try GammaByMean(mean: 1, cv: 0) }
        #expect(throws: SamplingError.self) { try GammaByMean(mean: .infinity, cv: 1) }
        do {
            _ = try GammaByMean(mean: 10, cv: -2)
            Issue.record("negative CV accepted")
        } catch {
            #expect(error.description.contains("cv"))
        }
    }
}
