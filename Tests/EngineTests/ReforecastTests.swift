import Foundation
import Scenario
import Statistics
import Testing
@testable import Engine

/// The fall re-forecast: conditioning on the trend a completed year realised narrows the years
/// that remain and puts their mean where the closed form does.
struct ReforecastTests {
    /// Fixture.world observed at the end of program year 1 (calendar 2027), whose realised trend
    /// was 8% against an expected 3.5%.
    static let observedYAML = Fixture.world + "\nobserved: {as_of: 2027-12, trend: [0.08], shocks: [false]}\n"

    /// Year 1's cost index is the observed 1.08 in every trial; year 2 compounds from it. The
    /// simulated cost per member-month of every band and year stays within 4 standard errors of
    /// the conditional closed form (the run's world checks), and the spread of statewide cost in
    /// the remaining years is narrower than the summer run's on the same seed.
    @Test func conditioningOnTheRealisedTrendShrinksTheRemainingSpreadAroundTheClosedForm() throws {
        // Two large practices and a wide statewide trend, so the trend is what spreads statewide cost.
        let fall = try Fixture.scenario(Self.observedYAML
            .replacingOccurrences(of: "trend: {assumed: 0.03, mean: 0.035, sd: 0.02}", with: "trend: {assumed: 0.03, mean: 0.035, sd: 0.05}")
            .replacingOccurrences(of: "    - {count: 4, members: [300, 900]}\n    - {count: 2, members: [1500, 3000]}",
                                  with: "    - {count: 2, members: 20000}"))
        #expect(fall.practices.count == 2)
        #expect(fall.observed == Observed(asOfYear: 2027, asOfMonth: 12, trend: [0.08], shocks: [false]))
        let variation = fall.variation
        #expect(fall.expectedCostIndex(year: 1) == 1.08)
        let expectedYear2 = 1.08 * (1 + variation.trendMean) * (1 + variation.shockProbability * (variation.shockMultiplier - 1))
        #expect(abs(fall.expectedCostIndex(year: 2) - expectedYear2) < 1e-15)
        let trials = 300
        let conditioned = try Simulation.run(scenario: fall, trials: trials, seed: 21, threads: 2)
        let summer = try Simulation.run(scenario: fall.unconditional, trials: trials, seed: 21, threads: 2)
        let checks = Summarizer(scenario: fall, results: conditioned).summary(seed: 21).worldChecks
        #expect(!checks.isEmpty)
        for check in checks {
            let error = try #require(check.simulated.mcse)
            #expect(abs(check.simulated.value - check.analytic) < 4 * error, "\(check.sizeBand) \(check.year): \(check.simulated.value) vs \(check.analytic) ± \(error)")
        }
        func statewideCost(_ results: SimulationResults, year: Int) -> [Double] {
            (0..<trials).map { t in
                (0..<results.practices).reduce(0.0) { $0 + results.totalCost[results.worldIndex(trial: t, practice: $1, year: year)] }
            }
        }
        // Spread relative to the mean: the conditioned level is higher, so dollars alone would mislead.
        func cv(_ x: [Double]) -> Double {
            let m = x.reduce(0, +) / Double(x.count)
            return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot() / m
        }
        // Knowing program year 1's trend removes one year of trend variance (sd 0.05) from the
        // squared CV of statewide cost in every year; at least half of it must go (sampling error of
        // a variance over 300 trials is about 8%, and the two runs share their other draws).
        for year in 1...3 {
            let removed = pow(cv(statewideCost(summer, year: year)), 2) - pow(cv(statewideCost(conditioned, year: year)), 2)
            #expect(removed > 0.5 * 0.05 * 0.05, "year \(year): \(removed)")
        }
    }

    @Test func theReforecastComparesRemainingFiscalYearsOnTheSameFutures() throws {
        let fall = try Fixture.scenario(Self.observedYAML)
        let summary = try Reforecast.run(scenario: fall, trials: 60, seed: 5, threads: 2)
        let periods = summary.designs[0].periods.map(\.period)
        // Fiscal years start in July: FY2028 (July 2027 – June 2028) is the one in progress at 2027-12.
        #expect(periods.first == "FY2028" && !periods.contains("FY2027"))
        let ffs = try #require(summary.designs.last)
        #expect(ffs.design == counterfactualLabel && ffs.periods.count == 3)
        #expect(ffs.periods.allSatisfy { ($0.change(at: nil) ?? 0) > 0 && ($0.change(at: 0.9) ?? 0) > 0 },
                "an 8% realised trend against 3.5% expected raises every remaining year's claims")
        // Nothing observed: the same scenario re-forecast is the summer figure exactly.
        var unobserved = fall
        unobserved.observed = Observed(asOfYear: 2027, asOfMonth: 6, trend: [], shocks: [])
        let same = try Reforecast.run(scenario: unobserved, trials: 60, seed: 5, threads: 2)
        #expect(same.designs.allSatisfy { d in d.periods.allSatisfy { $0.summer == $0.fall } })
    }

    /// Enrollment observed for program year 1 (down 10%) scales that year exactly; a settlement
    /// observed as paid replaces the simulated one in every trial.
    @Test func observedEnrollmentAndPaidSettlementsReplaceWhatWasSimulated() throws {
        let world = Fixture.world.replacingOccurrences(of: "practice_efficiency_cv: 0.05",
                                                       with: "practice_efficiency_cv: 0.05\n  enrollment: {mean: 0, sd: 0.05}")
        let fall = try Fixture.scenario(world + """

            observed:
              as_of: 2028-07
              trend: [0.03]
              enrollment: [-0.1]
              settlements_paid: [{design: Two-sided, year: 1, amount: 123456}]
            """)
        #expect(abs(fall.expectedEnrollmentIndex(year: 2) - 0.9) < 1e-15)
        // The same observations without enrollment: the same world, unscaled.
        var unscaled = fall
        unscaled.variation.enrollmentSD = 0
        unscaled.observed?.enrollment = []
        let a = try Simulation.run(scenario: unscaled, trials: 20, seed: 2, threads: 2)
        let b = try Simulation.run(scenario: fall, trials: 20, seed: 2, threads: 2)
        for t in 0..<20 {
            for p in 0..<a.practices {
                let i = a.worldIndex(trial: t, practice: p, year: 1)
                #expect(abs(b.memberMonths[i] - 0.9 * a.memberMonths[i]) <= 1e-12 * a.memberMonths[i])
            }
        }
        let budget = Summarizer(scenario: fall, results: b).summary(seed: 2).budget
        let fy2028 = try #require(budget.designs[1].periods.first { $0.period == "FY2028" })
        func mean(_ name: String) -> Double? { fy2028.componentMeans.first { $0.component == name }?.mean }
        #expect(mean("shared_savings") == 123456 && mean("quality_paid") == 0 && mean("shared_losses_recouped") == 0)
        for (section, message) in [
            ("{as_of: 2028-03, trend: [0.03], settlements_paid: [{design: Two-sided, year: 1, amount: 5}]}",
             "observed.settlements_paid[0]: is program year 1's settlement, due 6 months after the year ends, after 2028-03"),
            ("{as_of: 2028-07, trend: [0.03], settlements_paid: [{design: Two-sdied, year: 1, amount: 5}]}",
             "observed.settlements_paid[0].design: found 'Two-sdied'"),
        ] {
            do {
                _ = try ScenarioLoader.parse(data: Data((Fixture.world + "\nobserved: \(section)\n").utf8), file: "fixture.yaml")
                Issue.record("accepted \(section)")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    @Test func observationsOutsideTheProgramOrForYearsNotEndedAreLocatedErrors() {
        for (section, message) in [
            ("{as_of: 2026-05, trend: []}", "observed.as_of: is outside the program"),
            ("{as_of: 2028-03, trend: [0.03, 0.04]}", "observed.trend: has 2 years, but only 1 program year(s) had ended by 2028-03"),
            ("{as_of: 2028-13, trend: []}", "observed.as_of: found '2028-13', expected a year and month such as 2028-09"),
            ("{as_of: 2028-03, trend: [0.03], shocks: [maybe]}", "observed.shocks[0]: found 'maybe', expected true or false"),
        ] {
            do {
                _ = try ScenarioLoader.parse(data: Data((Fixture.world + "\nobserved: \(section)\n").utf8), file: "fixture.yaml")
                Issue.record("accepted \(section)")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }
}
