import Engine
import Foundation
import Scenario
import Settlement
import Statistics
import Testing

struct BudgetTests {
    static func scenario() throws -> Scenario {
        var scenario = try Fixture.scenario()
        var twin = scenario.designs[1]
        twin.name = "Two-sided (twin)"
        scenario.designs.append(twin)
        return scenario
    }

    @Test func appropriationIsThePercentileOfPerTrialProgramOutlay() throws {
        let scenario = try Self.scenario()
        let results = try Simulation.run(scenario: scenario, trials: 60, seed: 12, threads: 2)
        let budget = Summarizer(scenario: scenario, results: results).summary(seed: 12, confidence: 0.975).budget
        for d in 0...results.designs {
            // Per-trial program outlay straight from the raw results (collection rate 1: every
            // component is paid within the horizon, at its sign).
            let perTrial = (0..<results.trials).map { t in
                (1...results.years).reduce(0.0) { total, year in
                    var outlay = PayerOutlay()
                    let start = results.outlayIndex(trial: t, design: d, year: year)
                    outlay.amounts = Array(results.outlay[start..<(start + PayerOutlay.Component.allCases.count)])
                    return total + outlay.total
                }
            }.sorted()
            let program = try #require(budget.designs[d].periods.first { $0.period == wholeProgramLabel })
            for level in [0.5, 0.8, 0.9, 0.95, 0.975] {
                let expected = Quantile.of(sorted: perTrial, level)
                let reported = try #require(program.totalOutlay.level(level)).value
                // Equal up to the order of floating-point additions (months vs years).
                #expect(abs(reported - expected) <= 1e-9 * abs(expected), "level \(level)")
            }
        }
    }

    @Test func pairedDifferenceOfADesignWithItsTwinIsExactlyZero() throws {
        let scenario = try Self.scenario()
        let results = try Simulation.run(scenario: scenario, trials: 30, seed: 4, threads: 2)
        let budget = Summarizer(scenario: scenario, results: results).summary(seed: 4).budget
        let twins = budget.comparisons.filter { $0.design == "Two-sided (twin)" && $0.baseline == "Two-sided" }
        #expect(!twins.isEmpty)
        for comparison in twins {
            #expect(comparison.difference.mean.value == 0)
            #expect(comparison.difference.sd == 0)
            #expect(comparison.difference.levels.allSatisfy { $0.value == 0 })
        }
        let other = budget.comparisons.first { $0.design == "Two-sided" && $0.baseline == "PMPM" && $0.period == wholeProgramLabel }
        #expect(other.map { $0.difference.sd > 0 } == true)
    }

    @Test func netCostOfTheCounterfactualAgainstItselfIsAbsentAndDesignsNetIsPaired() throws {
        let scenario = try Self.scenario()
        let results = try Simulation.run(scenario: scenario, trials: 20, seed: 9, threads: 1)
        let budget = Summarizer(scenario: scenario, results: results).summary(seed: 9).budget
        let counterfactual = try #require(budget.designs.last)
        #expect(counterfactual.design == counterfactualLabel)
        #expect(counterfactual.periods.allSatisfy { $0.netCost == nil })
        #expect(budget.periods.first == "FY2027" && budget.periods.last == wholeProgramLabel)
    }
}
