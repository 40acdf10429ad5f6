import Foundation
import Sampling
import Scenario
import Statistics
import Testing
@testable import Engine

/// Uncertain assumptions: read as distributions, drawn once per trial into the world, and
/// their share of each figure's spread measured.
struct UncertaintyTests {
    static let uncertainTrend = Fixture.world.replacingOccurrences(
        of: "trend: {assumed: 0.03, mean: 0.035, sd: 0.02}",
        with: "trend: {assumed: 0.03, mean: {distribution: uniform, low: 0, high: 0.1}, sd: 0}")

    @Test func aDistributionIsReadAsItsMeanWithTheDistributionKept() throws {
        let scenario = try Fixture.scenario(Self.uncertainTrend)
        #expect(scenario.variation.trendMean == 0.05)
        #expect(scenario.uncertain == [UncertainAssumption(keyPath: "variation.trend.mean",
                                                           distribution: .uniform(low: 0, high: 0.1))])
    }

    @Test func badDistributionsAreLocatedErrors() {
        let cases = [
            ("risk_score_noise_cv: 0.3", "risk_score_noise_cv: {distribution: normal, mean: 0.3, sd: 0.05}",
             "population.risk_score_noise_cv: is written as a distribution, which only these keys may be"),
            ("regional_cv: 0.03", "regional_cv: {distribution: normal, mean: 0.03, sd: 0.05}",
             "variation.regional_cv: is normal(mean 0.03, sd 0.05), whose draws run from"),
            ("regional_cv: 0.03", "regional_cv: {distribution: beta, mean: 0.03}",
             "variation.regional_cv.distribution: found 'beta', expected normal, lognormal, uniform or triangular"),
            ("regional_cv: 0.03", "regional_cv: {distribution: triangular, low: 0.05, mode: 0.03, high: 0.1}",
             "variation.regional_cv: has its bounds out of order"),
            ("regional_cv: 0.03", "regional_cv: {distribution: lognormal, mean: 0.03}",
             "variation.regional_cv.sd: is missing"),
        ]
        for (old, new, message) in cases {
            do {
                _ = try ScenarioLoader.parse(data: Data(Fixture.world.replacingOccurrences(of: old, with: new).utf8), file: "fixture.yaml")
                Issue.record("accepted \(new)")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    /// With no other variation, year 1's cost index is exactly 1 + the trial's drawn trend: the
    /// value is drawn once per trial, the same however often it is asked for, and differs
    /// between trials.
    @Test func anUncertainTrendIsDrawnOncePerTrialIntoTheWorld() throws {
        let yaml = Self.uncertainTrend
            .replacingOccurrences(of: "shock: {probability: 0.1, multiplier: 1.08}", with: "shock: {probability: 0, multiplier: 1}")
            .replacingOccurrences(of: "regional_cv: 0.03", with: "regional_cv: 0")
            .replacingOccurrences(of: "practice_efficiency_cv: 0.05", with: "practice_efficiency_cv: 0")
        let scenario = try Fixture.scenario(yaml)
        let simulator = try TrialSimulator(plan: RunPlan(scenario: scenario), seed: 11)
        let rng = try GSLGenerator(seed: 1)
        var drawn: Set<Double> = []
        for trial in 0..<50 {
            let value = WorldParameters.assumptionValues(scenario, run: 11, trial: trial, rng: rng)[0]
            #expect(WorldParameters.assumptionValues(scenario, run: 11, trial: trial, rng: rng) == [value])
            #expect(value >= 0.0001 && value <= 0.0999)
            drawn.insert(value)
            let multipliers = simulator.multipliers(trial: trial, parameters: try simulator.parameters(trial: trial, rng: rng), rng: rng)
            for perYear in multipliers {
                #expect(perYear[1] == 1 + value)
                #expect(abs(perYear[3] - (1 + value) * (1 + value) * (1 + value)) < 1e-15)
            }
        }
        #expect(drawn.count == 50)
    }

    /// Two large practices, no other variation at the world level: the program's net cost under
    /// a design with prospective payment moves with the realised trend, which is then nearly all
    /// of its spread; the quality spread, which no term of that design reads, explains none of it.
    @Test func theOnlySourceOfSpreadHasAShareNearOneAndAnIrrelevantOneNearZero() throws {
        let yaml = Self.uncertainTrend
            .replacingOccurrences(of: "shock: {probability: 0.1, multiplier: 1.08}", with: "shock: {probability: 0, multiplier: 1}")
            .replacingOccurrences(of: "regional_cv: 0.03", with: "regional_cv: 0")
            .replacingOccurrences(of: "practice_efficiency_cv: 0.05", with: "practice_efficiency_cv: 0")
            .replacingOccurrences(of: """
                  groups:
                    - {count: 4, members: [300, 900]}
                    - {count: 2, members: [1500, 3000]}
                """, with: """
                  groups:
                    - {count: 2, members: 40000}
                """)
            + "\nquality: {sd: {distribution: uniform, low: 0.05, high: 0.15}}\n"
        let scenario = try Fixture.scenario(yaml)
        #expect(scenario.uncertain.map(\.keyPath) == ["variation.trend.mean", "quality.sd"])
        let results = try Simulation.run(scenario: scenario, trials: 400, seed: 3, threads: 2)
        let summary = try #require(Summarizer(scenario: scenario, results: results).summary(seed: 3).uncertainty)
        let net = try #require(summary.figures.first { $0.design == "Two-sided" && $0.figure.hasPrefix("program net cost") })
        #expect(net.shares[0].value > 0.95, "trend: \(net.shares[0])")
        #expect(abs(net.shares[1].value) < max(0.02, 3 * net.shares[1].mcse!), "quality: \(net.shares[1])")
        #expect(abs(net.world.value) < 0.05, "world: \(net.world)")
        #expect(summary.assumptions.map(\.keyPath) == ["variation.trend.mean", "quality.sd"])
    }
}
