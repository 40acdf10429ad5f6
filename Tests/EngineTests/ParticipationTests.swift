import Foundation
import Scenario
import Settlement
import Statistics
import Testing
@testable import Engine

/// Voluntary participation: practices that stay out are paid FFS, so the payer's outlay moves
/// with who joins; each practice's own settlement is that of a practice that joins.
struct ParticipationTests {
    static func scenario(_ participation: String) throws -> Scenario {
        try Fixture.scenario(Fixture.world.replacingOccurrences(of: "  - name: Two-sided\n",
                                                               with: "  - name: Two-sided\n    participation: \(participation)\n"))
    }

    /// Net cost per trial of design `d` against the FFS counterfactual, whole program.
    static func netCost(_ results: SimulationResults, design d: Int) -> [Double] {
        (0..<results.trials).map { t in
            (1...results.years).reduce(0.0) { total, year in
                let a = results.outlayIndex(trial: t, design: d, year: year)
                let b = results.outlayIndex(trial: t, design: results.designs, year: year)
                return total + PayerOutlay.Component.allCases.reduce(0.0) {
                    $0 + $1.sign * (results.outlay[a + $1.rawValue] - results.outlay[b + $1.rawValue])
                }
            }
        }
    }

    @Test func nobodyJoiningCostsExactlyFFSAndEverybodyJoiningIsTheDesign() throws {
        let trials = 30
        let plain = try Simulation.run(scenario: try Fixture.scenario(), trials: trials, seed: 4, threads: 2)
        let none = try Simulation.run(scenario: try Self.scenario("{share: 0}"), trials: trials, seed: 4, threads: 2)
        let all = try Simulation.run(scenario: try Self.scenario("{share: 1}"), trials: trials, seed: 4, threads: 2)
        #expect(Self.netCost(none, design: 1).allSatisfy { $0 == 0 })
        #expect(all.outlay == plain.outlay)
        // What a joining practice faces does not depend on who else joins (no pooled terms here).
        #expect(none.exposure == plain.exposure)
        // The other design is untouched.
        #expect(Self.netCost(none, design: 0) == Self.netCost(plain, design: 0))
    }

    /// Joining at 50% independently of the future halves the net cost in expectation: on the
    /// same worlds, each trial's half-participation net cost minus half the full one has mean 0
    /// within 4 standard errors.
    @Test func halfJoiningHalvesTheNetCostInExpectation() throws {
        let trials = 400
        let full = try Simulation.run(scenario: try Fixture.scenario(), trials: trials, seed: 6, threads: 2)
        let half = try Simulation.run(scenario: try Self.scenario("{share: 0.5, sd: 0.1}"), trials: trials, seed: 6, threads: 2)
        let differences = zip(Self.netCost(half, design: 1), Self.netCost(full, design: 1)).map { $0 - 0.5 * $1 }
        let mean = differences.reduce(0, +) / Double(trials)
        let sd = (differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(trials - 1)).squareRoot()
        #expect(abs(mean) < 4 * sd / Double(trials).squareRoot(), "\(mean) ± \(sd / Double(trials).squareRoot())")
        #expect(sd > 0, "who joins varies from trial to trial")
    }

    @Test func participationIsCheckedWhereItIsWritten() {
        for (text, message) in [("{share: 1.2}", "designs[1].participation.share: found 1.2, expected a share in [0, 1]"),
                                ("{share: 0.5, by_size_band: {tiny: 0.2}}", "designs[1].participation.by_size_band.tiny")] {
            do {
                _ = try ParticipationTests.scenario(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}
