import Foundation
import Sampling
import Scenario
import Statistics
import Testing
@testable import Engine

/// Caseload: enrollment moves every panel's size by a statewide path drawn per trial.
struct EnrollmentTests {
    /// A certain 10% decline a year: every practice-year of the program is the same world as
    /// without it, scaled by 0.9, 0.81, 0.729; the baseline year is untouched, so the benchmark
    /// built from it is the same per member-month and every dollar of the settlement scales too.
    @Test func aCertainDeclineScalesEveryPanelExactly() throws {
        let plain = try Fixture.scenario()
        let shrinking = try Fixture.scenario(Fixture.world.replacingOccurrences(
            of: "practice_efficiency_cv: 0.05", with: "practice_efficiency_cv: 0.05\n  enrollment: {mean: -0.1, sd: 0}"))
        #expect(shrinking.variation.enrollmentMean == -0.1)
        let a = try Simulation.run(scenario: plain, trials: 20, seed: 9, threads: 2)
        let b = try Simulation.run(scenario: shrinking, trials: 20, seed: 9, threads: 2)
        for t in 0..<20 {
            var level = 1.0
            for year in 1...3 {
                level *= 0.9
                for p in 0..<a.practices {
                    let i = a.worldIndex(trial: t, practice: p, year: year)
                    #expect(abs(b.memberMonths[i] - a.memberMonths[i] * level) <= 1e-12 * a.memberMonths[i])
                    #expect(abs(b.totalCost[i] - a.totalCost[i] * level) <= 1e-9 * a.totalCost[i])
                    for d in 0..<a.designs {
                        let j = a.settledIndex(trial: t, design: d, practice: p, year: year)
                        #expect(abs(b.exposure[j] - a.exposure[j] * level) <= 1e-9 * max(abs(a.exposure[j]), 1))
                    }
                }
            }
        }
        let expectations = WorldExpectations(scenario: shrinking)
        let practice = shrinking.practices[0]
        #expect(abs(expectations.expectedRevenue(of: practice, year: 2)
                    - 0.81 * WorldExpectations(scenario: plain).expectedRevenue(of: practice, year: 2)) < 1e-6)
    }

    /// With uncertain enrollment the mean path is (1 + mean)^year (independent yearly changes),
    /// within 4 standard errors over 4,000 trials.
    @Test func uncertainEnrollmentIsRightInExpectation() throws {
        let scenario = try Fixture.scenario(Fixture.world.replacingOccurrences(
            of: "practice_efficiency_cv: 0.05", with: "practice_efficiency_cv: 0.05\n  enrollment: {mean: 0.02, sd: 0.04}"))
        let simulator = try TrialSimulator(plan: RunPlan(scenario: scenario), seed: 2)
        let rng = try GSLGenerator(seed: 1)
        let paths = (0..<4000).map { simulator.enrollmentPath(trial: $0, variation: scenario.variation, rng: rng)! }
        for year in 1...3 {
            let values = paths.map { $0[year] }
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
            #expect(abs(mean - pow(1.02, Double(year))) < 4 * sd / Double(values.count).squareRoot(), "year \(year): \(mean)")
        }
    }
}
