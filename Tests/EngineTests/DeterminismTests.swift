import Engine
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
