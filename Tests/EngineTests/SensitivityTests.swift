import Foundation
import Scenario
import Statistics
import Testing
@testable import Engine

/// The tornado: exact where arithmetic is exact (a zero-width swing), in the direction the
/// settlement rules dictate, and with design terms settled on the one simulated world.
struct SensitivityTests {
    /// Fixture.world with a constant downside rate, so it can be swung.
    static let yaml = Fixture.world.replacingOccurrences(of: "downside_rate: [0, 0.25, 0.5]", with: "downside_rate: 0.5")

    @Test func zeroWidthSwingsChangeNothingExactly() throws {
        let swings = [Swing(keyPath: "designs[1].reconciliation.downside_rate", low: 0.5, high: 0.5),
                      Swing(keyPath: "variation.regional_cv", low: 0.03, high: 0.03)]
        let result = try Sensitivity.run(yaml: Self.yaml, file: "fixture.yaml", swings: swings, trials: 100, seed: 5, threads: 2)
        #expect(result.worldRuns == 3)
        #expect(!result.bars.isEmpty)
        for bar in result.bars {
            #expect(bar.low.value == 0 && bar.high.value == 0, "\(bar.swing.keyPath), \(bar.design), \(bar.figure.name)")
        }
    }

    /// Sharing less of the losses raises a practice's P5 and lowers its chance of a loss beyond
    /// 5%; sharing more does the reverse. Both design variants are settled on the base run's own
    /// world: one simulated world for the whole tornado.
    @Test func aDesignTermSwingMovesFiguresAsTheRulesDictateOnOneWorld() throws {
        let swing = Swing(keyPath: "designs[1].reconciliation.downside_rate", low: 0.1, high: 1.0)
        let result = try Sensitivity.run(yaml: Self.yaml, file: "fixture.yaml", swings: [swing], trials: 120, seed: 5, threads: 2)
        #expect(result.worldRuns == 1)
        #expect(Set(result.bars.map(\.design)) == ["Two-sided"], "a design term moves only its own design")
        let p5 = try #require(result.bars.first { $0.figure.name.hasPrefix("P5 exposure") })
        let lowError = try #require(p5.low.mcse), highError = try #require(p5.high.mcse)
        #expect(p5.low.value > 2 * lowError, "less downside, higher P5: \(p5.low)")
        // Above the base rate the loss cap binds for many practices: the move is smaller, but
        // the high end lies below the low end by more than both errors together.
        #expect(p5.high.value - p5.low.value < -2 * (lowError + highError), "more downside, lower P5: \(p5)")
        let netMean = try #require(result.bars.first { $0.figure.name == "program net cost vs FFS, mean" })
        #expect(netMean.low.value > 0 && netMean.high.value < 0, "the payer recoups less at a lower downside rate")
    }

    @Test func aSensitivitySectionIsReadAndCheckedLikeTheRest() throws {
        let good = Self.yaml + "\nsensitivity:\n  - {key: variation.trend.sd, low: 0.01, high: 0.03}\n  - {key: variation.regional_cv, share: 0.5}\n"
        let scenario = try ScenarioLoader.parse(data: Data(good.utf8), file: "fixture.yaml")
        #expect(scenario.sensitivity == [SwingSpec(keyPath: "variation.trend.sd", low: 0.01, high: 0.03),
                                         SwingSpec(keyPath: "variation.regional_cv", share: 0.5)])
        for (entry, message) in [("{key: variation.trend.sd, low: 0.03, high: 0.01}", "sensitivity[0].high: found 0.01, below low 0.03"),
                                 ("{key: variation.trend.sd, share: 0.5, low: 0.01}", "sensitivity[0].low: is given with 'share'"),
                                 ("{key: variation.trend.sd, low: 0.01}", "sensitivity[0]: has neither share nor both low and high")] {
            let bad = Self.yaml + "\nsensitivity:\n  - \(entry)\n"
            do {
                _ = try ScenarioLoader.parse(data: Data(bad.utf8), file: "fixture.yaml")
                Issue.record("\(entry) was accepted")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    @Test func swingsThatDoNotLeadThroughTheScenarioAreLocatedErrors() throws {
        func failure(_ swing: Swing) -> String {
            do {
                _ = try Sensitivity.run(yaml: Self.yaml, file: "fixture.yaml", swings: [swing], trials: 2, seed: 1, threads: 1)
                return "no error"
            } catch { return error.description }
        }
        #expect(failure(Swing(keyPath: "designs[7].reconciliation.downside_rate", low: 0, high: 1)).contains("has 2 designs"))
        #expect(failure(Swing(keyPath: "designs[1].reconciliation.downside_rate", low: 0, high: 2))
            .contains("designs[3].reconciliation.downside_rate"))
        #expect(failure(Swing(keyPath: "variation.trend.sd.deeper", low: 0, high: 1)).contains("does not lead through the scenario"))
        #expect(throws: ScenarioEdit.EditError.self) { try ScenarioEdit.number(at: "designs[1].prospective_share", in: Self.yaml) }
        #expect(try ScenarioEdit.number(at: "variation.trend.sd", in: Self.yaml) == 0.02)
        // A list (a glide path) is not one number, but a swing may replace it with one.
        try ScenarioEdit.checkPath("designs[1].prospective_share", in: Self.yaml)
        #expect(throws: ScenarioEdit.EditError.self) { try ScenarioEdit.checkPath("variation.trend.sd.deeper", in: Self.yaml) }
        #expect(try ScenarioEdit.number(at: "variation.absent_key", in: Self.yaml) == nil)
    }

    /// Design variants ride on the world of the scenario's own designs: adding them leaves every
    /// simulated cost and every original design's exposure bit for bit as it was.
    @Test func designVariantsLeaveTheWorldAndTheOriginalDesignsUnchanged() throws {
        let plain = try ScenarioLoader.parse(data: Data(Self.yaml.utf8), file: "fixture.yaml")
        let expandedText = try ScenarioEdit.addingVariant(ofDesign: 1, setting: "reconciliation.downside_rate", to: 0.9,
                                                          name: "variant", in: Self.yaml)
        let expanded = try ScenarioLoader.parse(data: Data(expandedText.utf8), file: "fixture.yaml")
        #expect(expanded.designs.count == 3 && expanded.designs[2].name == "variant")
        let a = try Simulation.run(scenario: plain, trials: 30, seed: 8, threads: 2)
        let b = try Simulation.run(scenario: expanded, trials: 30, seed: 8, threads: 2)
        #expect(a.totalCost == b.totalCost)
        for t in 0..<30 {
            for p in 0..<plain.practices.count {
                for year in 1...3 {
                    for d in 0..<2 {
                        #expect(a.exposure[a.settledIndex(trial: t, design: d, practice: p, year: year)]
                                == b.exposure[b.settledIndex(trial: t, design: d, practice: p, year: year)])
                    }
                }
            }
        }
    }
}

/// The solver on a world where the answer is known: an add-on-only design costs the payer exactly
/// the add-on times the member-months, trial by trial, so the add-on that brings the mean net cost
/// to 10 × the mean member-months is 10.
struct SolverTests {
    static let yaml = Fixture.world

    @Test func solverRecoversAKnownAddOn() throws {
        let trials = 100, seed: UInt64 = 4
        let scenario = try ScenarioLoader.parse(data: Data(Self.yaml.utf8), file: "fixture.yaml")
        let world = try Simulation.run(scenario: scenario, trials: trials, seed: seed, threads: 2)
        let meanMonths = world.memberMonths.reduce(0, +) / Double(trials)
        let target = Solver.Target(figure: .netMean, atLeast: false, value: 10 * meanMonths)
        let solved = try Solver.solve(yaml: Self.yaml, file: "fixture.yaml", term: "designs[0].add_ons[0].pmpm", range: 0...40,
                                      target: target, trials: trials, seed: seed, threads: 2)
        guard case let .solved(value, low, high) = solved.outcome else {
            Issue.record("expected a solution, got \(solved.outcome)")
            return
        }
        #expect(abs(value - 10) < 1e-6, "add-on \(value)")
        #expect(low <= value && value <= high && high - low < 2, "interval \(low)...\(high)")
        // Two rounds of nine candidates; the second round's bracket ends were settled in the first.
        #expect(solved.points.count == 16 && Set(solved.points.map(\.value)).count == 16)
    }

    @Test func solverSaysWhenATargetCannotBeMetOrIsMetEverywhere() throws {
        func outcome(_ value: Double) throws -> Solver.Outcome {
            try Solver.solve(yaml: Self.yaml, file: "fixture.yaml", term: "designs[0].add_ons[0].pmpm", range: 0...40,
                             target: Solver.Target(figure: .netMean, atLeast: false, value: value), trials: 20, seed: 4,
                             threads: 2, candidates: 5, rounds: 1).outcome
        }
        #expect(try outcome(-1_000) == .cannotBeMet)
        #expect(try outcome(1e12) == .metEverywhere)
        #expect(throws: Sensitivity.Failure.self) { try Solver.Target(parsing: "p7>=0.1") }
        #expect(try Solver.Target(parsing: "p5 >= -0.10") == Solver.Target(figure: .p5, atLeast: true, value: -0.10))
    }
}
