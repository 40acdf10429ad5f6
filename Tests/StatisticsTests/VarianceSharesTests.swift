import Sampling
import Statistics
import Testing

/// The first-order shares on outputs whose decomposition is known in closed form.
struct VarianceSharesTests {
    static func uniforms(_ n: Int, seed: UInt64) -> [Double] {
        var generator = Xoshiro256StarStar(seed: seed)
        return (0..<n).map { _ in generator.nextDouble() }
    }

    /// Y = θ₁ + θ₂ + ε with independent uniforms: Var θ = 1/12 each, ε uniform with variance
    /// 2/12, so the shares are exactly 1/4, 1/4 and the rest 1/2.
    @Test func sharesOfAnAdditiveOutputMatchTheirClosedForm() {
        let n = 2_000
        let a = Self.uniforms(n, seed: 1), b = Self.uniforms(n, seed: 2)
        let noise = zip(Self.uniforms(n, seed: 3), Self.uniforms(n, seed: 4)).map { $0 + $1 - 1 }
        let y = (0..<n).map { a[$0] + b[$0] + noise[$0] }
        let split = VarianceShares.decompose(values: y, perTrial: 1, inputs: [a, b])
        for (share, expected) in zip(split.shares + [split.remainder], [0.25, 0.25, 0.5]) {
            let error = try! #require(share.mcse)
            #expect(error > 0 && error < 0.05)
            #expect(abs(share.value - expected) < 4 * error, "\(share) vs \(expected)")
        }
    }

    /// An output that is a function of one input is all that input; an input the output never
    /// sees explains nothing, within its error.
    @Test func theOnlySourceOfSpreadExplainsAllOfItAndAnUnusedInputNone() {
        let n = 1_000
        let a = Self.uniforms(n, seed: 5), unused = Self.uniforms(n, seed: 6)
        let split = VarianceShares.decompose(values: a.map { $0 * $0 }, perTrial: 1, inputs: [a, unused])
        #expect(split.shares[0].value > 0.99)
        #expect(abs(split.shares[1].value) < 3 * split.shares[1].mcse!)
    }

    /// Several observations per trial share that trial's input (practices in one world): the
    /// noise of a bin mean is measured from trials, not observations, so an input that moves no
    /// observation still gets a share near zero when observations within a trial are correlated.
    @Test func observationsOfOneTrialAreNotCountedAsIndependent() {
        let trials = 800, perTrial = 20
        let input = Self.uniforms(trials, seed: 7), common = Self.uniforms(trials, seed: 8)
        let own = Self.uniforms(trials * perTrial, seed: 9)
        let y = (0..<(trials * perTrial)).map { 5 * common[$0 / perTrial] + own[$0] }
        let split = VarianceShares.decompose(values: y, perTrial: perTrial, inputs: [input])
        #expect(abs(split.shares[0].value) < 3 * split.shares[0].mcse!, "\(split.shares[0])")
    }
}
