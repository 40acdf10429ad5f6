import Engine
import Foundation
import Reports
import Scenario
import Statistics
import Testing

/// Extreme but valid scenarios either simulate to finite numbers or are refused with a reason.
struct ExtremeParameterTests {
    static let extreme = """
    name: extremes
    simulation: {trials: 30, seed: 1, program_years: 2}
    population:
      frailty_sharing: 1
      risk_score_noise_cv: 10
      churn: {full_year_probability: 0}
      classes: [{name: all, panel_share: 1, risk_cv: 10, social_need_probability: 1, social_need_multiplier: 10}]
    services:
      - {name: visit, primary_care_scope: true, rate: 1000, frailty_cv: 10, cost: {distribution: gamma, mean: 100, cv: 10}}
      - {name: stay, rate: 0.000001, frailty_cv: 10, cost: {distribution: lognormal, mean: 100000000, cv: 10}}
      - {name: other, rate: 5, frailty_cv: 10, cost: {distribution: lognormal, mean: 5000, cv: 10}}
    variation:
      trend: {assumed: 1, mean: 1, sd: 0.5}
      shock: {probability: 1, multiplier: 10}
      regional_cv: 2
      practice_efficiency_cv: 2
    regions: [r]
    practices: {groups: [{count: 3, members: 1}, {count: 1, members: 50}]}
    designs:
      - name: everything
        prospective_share: 1
        add_ons: [{name: a, pmpm: 10000}]
        quality: {bonus_share: 10, withhold_share: 1, gate: 1}
        stop_loss: {percentile: 0.999}
        reconciliation: {minimum_savings_rate: {confidence: 0.99}, minimum_loss_rate: mssp, upside_rate: 1, downside_rate: 1,
                         savings_cap: {revenue: 10}, loss_cap: {revenue: 10}}
    """

    @Test func extremeValidParametersGiveFiniteNumbersOrARefusal() throws {
        let scenario = try ScenarioLoader.parse(data: Data(Self.extreme.utf8), file: "extreme.yaml")
        do {
            let results = try Simulation.run(scenario: scenario, trials: 30, seed: 1, threads: 2)
            let summary = Summarizer(scenario: scenario, results: results).summary(seed: 1)
            // JSONEncoder refuses NaN and infinity, so encoding is itself the check.
            _ = try SummaryJSON.encode(summary)
            #expect(!ExposureCSV.render(summary).contains("nan"))
        } catch let error as SimulationError {
            guard case .nonFinite = error else { throw error }
            #expect(error.description.contains("too extreme to simulate"))
        }
    }

    @Test func aOneMemberPracticeSimulates() throws {
        var scenario = try Fixture.scenario()
        scenario.practices = [Practice(id: "solo", members: 1, region: 0, type: 0)] + scenario.practices
        let results = try Simulation.run(scenario: scenario, trials: 40, seed: 2, threads: 2)
        let summary = Summarizer(scenario: scenario, results: results).summary(seed: 2)
        _ = try SummaryJSON.encode(summary)
        #expect(results.exposure.allSatisfy { $0.isFinite })
    }
}
