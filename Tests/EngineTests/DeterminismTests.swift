import Engine
import Scenario
import Statistics
import Reports
import Testing

struct DeterminismTests {
    @Test func identicalResultsAndBytesForOneAndTwoThreads() throws {
        let scenario = try Fixture.scenario()
        let one = try Simulation.run(scenario: scenario, trials: 24, seed: 5, threads: 1)
        let two = try Simulation.run(scenario: scenario, trials: 24, seed: 5, threads: 2)
        #expect(one.exposure == two.exposure)
        #expect(one.totalCost == two.totalCost)
        let jsonOne = try SummaryJSON.encode(Summarizer(scenario: scenario, results: one).summary(seed: 5))
        let jsonTwo = try SummaryJSON.encode(Summarizer(scenario: scenario, results: two).summary(seed: 5))
        #expect(jsonOne == jsonTwo)
        let csvOne = ExposureCSV.render(Summarizer(scenario: scenario, results: one).summary(seed: 5))
        #expect(csvOne == ExposureCSV.render(Summarizer(scenario: scenario, results: two).summary(seed: 5)))
    }

    @Test func aTrialsWorldDoesNotDependOnHowManyTrialsRun() throws {
        // Streams are keyed by trial, so the first 10 trials of a 20-trial run are the 10-trial run.
        let scenario = try Fixture.scenario()
        let short = try Simulation.run(scenario: scenario, trials: 10, seed: 8, threads: 2)
        let long = try Simulation.run(scenario: scenario, trials: 20, seed: 8, threads: 2)
        #expect(Array(long.totalCost.prefix(short.totalCost.count)) == short.totalCost)
    }

    @Test func anotherSeedGivesAnotherWorld() throws {
        let scenario = try Fixture.scenario()
        let a = try Simulation.run(scenario: scenario, trials: 4, seed: 1, threads: 1)
        let b = try Simulation.run(scenario: scenario, trials: 4, seed: 2, threads: 1)
        #expect(a.totalCost != b.totalCost)
    }

    @Test func everyDesignSeesTheSameWorld() throws {
        // A design identical to another under a different name must settle identically: common
        // random numbers make the paired difference exactly zero.
        var scenario = try Fixture.scenario()
        var twin = scenario.designs[1]
        twin.name = "Two-sided (twin)"
        scenario.designs.append(twin)
        let results = try Simulation.run(scenario: scenario, trials: 6, seed: 3, threads: 2)
        for t in 0..<6 { for p in 0..<results.practices { for y in 1...results.years {
            let a = results.exposure[results.settledIndex(trial: t, design: 1, practice: p, year: y)]
            let b = results.exposure[results.settledIndex(trial: t, design: 2, practice: p, year: y)]
            #expect(a == b)
        } } }
    }
}

/// The fast path keeps every promise of the direct one: thread-count independence, prefix
/// stability, and runs extended round by round (`--precision`) equal to runs asked at once.
struct AggregateDeterminismTests {
    static func scenario() throws -> Scenario {
        var scenario = try Fixture.scenario()
        scenario.simulation.method = .aggregate
        scenario.simulation.libraryMembers = 1 << 14
        return scenario
    }

    @Test func identicalResultsForOneAndTwoThreads() throws {
        let scenario = try Self.scenario()
        let one = try Simulation.run(scenario: scenario, trials: 30, seed: 5, threads: 1)
        let two = try Simulation.run(scenario: scenario, trials: 30, seed: 5, threads: 2)
        #expect(one.method == .aggregate)
        #expect(one.exposure == two.exposure)
        #expect(one.totalCost == two.totalCost)
        #expect(one.outlay == two.outlay)
    }

    @Test func aRunExtendedInRoundsEqualsOneRunOfItsFinalSize() throws {
        let scenario = try Self.scenario()
        var rounds: [Int] = []
        let extended = try Simulation.run(scenario: scenario, trials: 12, seed: 9, threads: 2, moreTrials: { results in
            rounds.append(results.trials)
            return results.trials < 40 ? results.trials * 2 : nil
        })
        #expect(rounds == [12, 24, 48])
        let once = try Simulation.run(scenario: scenario, trials: 48, seed: 9, threads: 2)
        #expect(extended.trials == 48)
        #expect(extended.exposure == once.exposure)
        #expect(extended.totalCost == once.totalCost)
        #expect(extended.outlay == once.outlay)
    }

    @Test func theMemberPathIsUsedWhenLibrariesWouldNotPayForThemselves() throws {
        var scenario = try Fixture.scenario()
        scenario.simulation.method = .automatic
        #expect(try Simulation.run(scenario: scenario, trials: 4, seed: 1, threads: 1).method == .member)
    }

    @Test func precisionReportNamesTheLargestHeadlineError() throws {
        let scenario = try Self.scenario()
        let results = try Simulation.run(scenario: scenario, trials: 200, seed: 3, threads: 2)
        let summary = Summarizer(scenario: scenario, results: results).summary(seed: 3)
        let report = PrecisionReport.of(summary, target: 0.01)
        var largest = 0.0
        for row in summary.exposure where row.year == wholeProgramLabel {
            for level in PrecisionReport.exposureLevels { largest = max(largest, row.shareOfRevenue.percentile(level)?.mcse ?? .infinity) }
        }
        for design in summary.budget.designs {
            if let p90 = design.periods.first(where: { $0.period == wholeProgramLabel })?.totalOutlay.level(0.9) {
                largest = max(largest, abs((p90.mcse ?? .infinity) / p90.value))
            }
        }
        #expect(report.reached == largest)
        #expect(report.met == (largest <= 0.01))
        #expect(PrecisionReport.of(summary, target: largest).met)
        #expect(!PrecisionReport.of(summary, target: largest * 0.99).met)
    }
}
