import Foundation
import Sampling
import Scenario

/// The exact distribution of one panel's total cost when its members are independent and
/// identical and nothing above the member varies, by FFT: each category is a compound sum whose
/// count is Poisson or Poisson–gamma (negative binomial), so its characteristic function is the
/// count's generating function at the severity's; a member is the product over categories, an
/// optional per-member cap is applied to the member's distribution, and the panel is the n-th
/// power. The only approximation is the lattice (severities rounded to the nearest step), far
/// below Monte Carlo error at the default size.
public struct ExactPanelCost: Sendable {
    public let members: Int
    public let step: Double
    /// P(total = i · step).
    public let probabilities: [Double]

    public enum Ineligible: Error, CustomStringConvertible {
        case scenario(String)
        case sampling(SamplingError)
        public var description: String {
            switch self {
            case let .scenario(why): "no exact reference for this scenario: \(why)"
            case let .sampling(error): "exact reference failed: \(error)"
            }
        }
    }

    /// - Parameters:
    ///   - cap: per-member cap on annual cost (a stop-loss attachment), or nil.
    ///   - points: lattice size, a power of 2.
    public init(scenario: Scenario, members: Int, cap: Double? = nil, points: Int = 1 << 18) throws(Ineligible) {
        let population = scenario.population
        guard population.classes.count == 1, let memberClass = population.classes.first else {
            throw .scenario("needs one member class, found \(population.classes.count)")
        }
        guard memberClass.riskCV == 0 else { throw .scenario("needs risk_cv 0 (members identical)") }
        guard memberClass.socialNeedProbability == 0 || memberClass.socialNeedMultiplier == 1 else {
            throw .scenario("needs social need without a utilization multiplier")
        }
        guard population.fullYearProbability == 1 else { throw .scenario("needs full-year members (no churn)") }
        guard population.frailtySharing == 0 || scenario.services.allSatisfy({ $0.frailtyCV == 0 }) else {
            throw .scenario("needs frailty_sharing 0 (categories independent)")
        }
        guard members >= 1 else { throw .scenario("needs at least one member") }
        let model: MemberModel
        do { model = try MemberModel(scenario: scenario) } catch { throw .sampling(error) }

        // Lattice range: the panel mean plus 30 standard deviations (and room for the cap).
        var mean = 0.0, variance = 0.0
        for (c, category) in model.categories.enumerated() {
            let rate = model.classes[0].rates[c]
            let severityMean = category.severity.mean, severitySD = severityMean * category.severity.cv
            let countVariance = rate + (category.idiosyncraticShape > 0 ? rate * rate / category.idiosyncraticShape : 0)
            mean += rate * severityMean
            variance += rate * severitySD * severitySD + severityMean * severityMean * countVariance
        }
        let n = Double(members)
        let range = max(n * mean + 30 * (n * variance).squareRoot(), 4 * (cap ?? 0))
        let h = range / Double(points)

        do {
            var member = try FourierGrid(real: [1] + [Double](repeating: 0, count: points - 1))
            try member.forward()
            for (c, category) in model.categories.enumerated() {
                var severity = try FourierGrid(real: LatticeSeverity.probabilities(category.severity, step: h, points: points))
                try severity.forward()
                let rate = model.classes[0].rates[c]
                let shape = category.idiosyncraticShape
                severity.map { Self.countGenerating(rate: rate, shape: shape, at: ($0, $1)) }
                member.multiply(by: severity)
            }
            if let cap {
                try member.inverse()
                var p = member.realParts
                let capIndex = min(Int((cap / h).rounded()), points - 1)
                let above = p[(capIndex + 1)...].reduce(0, +)
                for i in (capIndex + 1)..<points { p[i] = 0 }
                p[capIndex] += above
                member = try FourierGrid(real: p)
                try member.forward()
            }
            member.map { Self.power($0, $1, members) }
            try member.inverse()
            let p = member.realParts
            let total = p.reduce(0, +)
            self.probabilities = p.map { $0 / total }
        } catch { throw .sampling(error) }
        self.members = members
        self.step = h
    }

    /// The count's probability generating function at the complex point z: Poisson(λ), or
    /// negative binomial with mean λ and gamma frailty shape r: (1 + (λ/r)(1 − z))^(−r).
    static func countGenerating(rate λ: Double, shape r: Double, at z: (Double, Double)) -> (Double, Double) {
        if r == 0 {
            let magnitude = exp(λ * (z.0 - 1))
            return (magnitude * cos(λ * z.1), magnitude * sin(λ * z.1))
        }
        // w = 1 + (λ/r)(1 − z) has real part ≥ 1, so the principal logarithm is the right branch.
        let w = (1 + λ / r * (1 - z.0), -λ / r * z.1)
        let logModulus = 0.5 * log(w.0 * w.0 + w.1 * w.1), argument = atan2(w.1, w.0)
        let magnitude = exp(-r * logModulus)
        return (magnitude * cos(-r * argument), magnitude * sin(-r * argument))
    }

    /// z^n by repeated squaring: exact in n, no branch of the logarithm to choose.
    static func power(_ re: Double, _ im: Double, _ n: Int) -> (Double, Double) {
        var result = (1.0, 0.0), base = (re, im), k = n
        while k > 0 {
            if k & 1 == 1 { result = (result.0 * base.0 - result.1 * base.1, result.0 * base.1 + result.1 * base.0) }
            base = (base.0 * base.0 - base.1 * base.1, 2 * base.0 * base.1)
            k >>= 1
        }
        return result
    }

    public var mean: Double { probabilities.enumerated().reduce(0) { $0 + Double($1.offset) * step * $1.element } }

    /// P(total ≤ x).
    public func cdf(_ x: Double) -> Double {
        let last = min(Int((x / step).rounded(.down)), probabilities.count - 1)
        return last < 0 ? 0 : probabilities[0...last].reduce(0, +)
    }

    /// The smallest lattice value whose cumulative probability reaches p.
    public func quantile(_ p: Double) -> Double {
        var cumulative = 0.0
        for (i, probability) in probabilities.enumerated() {
            cumulative += probability
            if cumulative >= p { return Double(i) * step }
        }
        return Double(probabilities.count - 1) * step
    }
}
