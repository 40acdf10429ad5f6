import Sampling
import Scenario

/// The world-level parameters of one trial: the scenario's own, or, when some of its numbers are
/// uncertain assumptions, those numbers drawn for this trial (each from a stream of its own, so
/// adding an assumption does not move the draws of the others).
struct WorldParameters {
    let variation: Variation
    let quality: QualityWorld
    let regionalShock: Lognormal?
    let practiceEffect: Lognormal?

    init(variation: Variation, quality: QualityWorld) throws(SamplingError) {
        self.variation = variation
        self.quality = quality
        regionalShock = variation.regionalCV > 0 ? try Lognormal(mean: 1, cv: variation.regionalCV) : nil
        practiceEffect = variation.practiceEfficiencyCV > 0 ? try Lognormal(mean: 1, cv: variation.practiceEfficiencyCV) : nil
    }

    /// The value each of `scenario.uncertain` takes in trial `trial`: a uniform draw confined to
    /// the distribution's 0.1st–99.9th percentiles, turned into the value by the quantile function.
    static func assumptionValues(_ scenario: Scenario, run seed: UInt64, trial: Int, rng: borrowing GSLGenerator) -> [Double] {
        scenario.uncertain.indices.map { i in
            rng.reseed(StreamKey.assumption(i).seed(run: seed, trial: trial))
            let tail = UncertainDistribution.tail
            let p = tail + (1 - 2 * tail) * rng.uniform()
            return scenario.uncertain[i].distribution.value(probability: p, normalScore: StandardNormal.quantile(inside: p))
        }
    }

    /// The scenario's world with each uncertain assumption set to its value in `values`.
    static func drawn(_ scenario: Scenario, values: [Double]) throws(SamplingError) -> WorldParameters {
        var variation = scenario.variation
        var quality = scenario.quality
        for (assumption, value) in zip(scenario.uncertain, values) {
            switch assumption.keyPath {
            case "variation.trend.mean": variation.trendMean = value
            case "variation.trend.sd": variation.trendSD = value
            case "variation.shock.probability": variation.shockProbability = value
            case "variation.shock.multiplier": variation.shockMultiplier = value
            case "variation.regional_cv": variation.regionalCV = value
            case "variation.practice_efficiency_cv": variation.practiceEfficiencyCV = value
            case "variation.enrollment.mean": variation.enrollmentMean = value
            case "variation.enrollment.sd": variation.enrollmentSD = value
            case "quality.mean": quality.mean = value
            case "quality.sd": quality.sd = value
            default: preconditionFailure("\(assumption.keyPath) is not in UncertainAssumption.supportedKeys")
            }
        }
        return try WorldParameters(variation: variation, quality: quality)
    }
}
