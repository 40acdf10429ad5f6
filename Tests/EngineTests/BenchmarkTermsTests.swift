import Engine
import Foundation
import Scenario
import Statistics
import Testing

/// Benchmark terms, stop-loss and pooling on one world: each pair of designs differs in one term.
struct BenchmarkTermsTests {
    static let twoSided = """
        reconciliation: {minimum_savings_rate: 0.02, minimum_loss_rate: 0.02, upside_rate: 0.5, downside_rate: 0.5}
    """

    func run(_ designs: String, extra: String = "", trials: Int = 100) throws -> (SimulationResults, RunSummary) {
        let scenario = try DesignBehaviourTests.scenario(designs: designs, extraPractices: extra)
        let results = try Simulation.run(scenario: scenario, trials: trials, seed: 31, threads: 2)
        return (results, Summarizer(scenario: scenario, results: results).summary(seed: 31))
    }

    func reconciliation(_ r: SimulationResults, design: Int, year: Int) -> Double {
        var total = 0.0
        for t in 0..<r.trials { for p in 0..<r.practices { total += r.reconciliation[r.settledIndex(trial: t, design: design, practice: p, year: year)] } }
        return total
    }

    @Test func unadjustedBenchmarkTurnsAFeeIncreaseIntoLosses() throws {
        let world = Fixture.world[..<Fixture.world.range(of: "designs:")!.lowerBound]
        let scenario = try Fixture.scenario(world + """
        fee_schedule_changes: [{year: 2, change: 0.10, scope: all}]
        designs:
          - name: adjusted
            reconciliation: {upside_rate: 0.5, downside_rate: 0.5}
          - name: not adjusted
            benchmark: {adjust_for_fee_changes: false}
            reconciliation: {upside_rate: 0.5, downside_rate: 0.5}
        """)
        let r = try Simulation.run(scenario: scenario, trials: 40, seed: 3, threads: 2)
        // Year 1 is before the change: both designs settle identically.
        #expect(reconciliation(r, design: 0, year: 1) == reconciliation(r, design: 1, year: 1))
        // From year 2 every cost is 10% dearer; a benchmark that ignores it shows ~10% "losses".
        for year in 2...3 {
            #expect(reconciliation(r, design: 1, year: year) < reconciliation(r, design: 0, year: year))
        }
    }

    @Test func stopLossAndRegionalBlendNarrowSmallPracticeExposure() throws {
        let (_, summary) = try run("""
          - name: plain
        \(Self.twoSided)
          - name: stop-loss
            stop_loss: {attachment: 25000}
        \(Self.twoSided)
          - name: regional blend
            benchmark: {regional_blend: 1}
        \(Self.twoSided)
        """)
        func sd(_ design: String) -> Double {
            summary.exposure.first { $0.design == design && $0.sizeBand == "under 1,000" && $0.year == wholeProgramLabel }!.shareOfRevenue.sd
        }
        // Each term removes a large share of a small practice's noise (heavy member tails; its
        // own noisy baseline); 0.9 leaves room for the estimates' few-percent sampling error.
        #expect(sd("stop-loss") < 0.9 * sd("plain"), "stop-loss \(sd("stop-loss")) vs \(sd("plain"))")
        #expect(sd("regional blend") < 0.9 * sd("plain"), "blend \(sd("regional blend")) vs \(sd("plain"))")
    }

    @Test func poolsNamedLikeTheRegionReconcileExactlyLikeRegionalAccountability() throws {
        // All practices of this scenario are in region east; put them all in pool "east".
        let scenario = try DesignBehaviourTests.scenario(designs: """
          - name: regional
            accountability: region
        \(Self.twoSided)
          - name: pooled
            accountability: pool
        \(Self.twoSided)
        """, groupKeys: ", pool: east")
        let results = try Simulation.run(scenario: scenario, trials: 10, seed: 31, threads: 2)
        for t in 0..<10 { for p in 0..<results.practices { for y in 1...3 {
            #expect(results.exposure[results.settledIndex(trial: t, design: 0, practice: p, year: y)]
                    == results.exposure[results.settledIndex(trial: t, design: 1, practice: p, year: y)])
        } } }
    }

    @Test func qualityMeasurementNoiseGrowsAsThePanelShrinks() {
        let world = QualityWorld(mean: 0.7, sd: 0.1, noiseSD: 0.05, referenceMembers: 1_000)
        #expect(world.noiseSD(members: 1_000) == 0.05)
        #expect(world.noiseSD(members: 250) == 0.1)
        #expect(world.noiseSD(members: 4_000) == 0.025)
    }
}

