import Foundation
import Scenario
import Testing

/// A minimal valid scenario; each bad-input case below breaks exactly one thing in it.
let validScenario = """
name: minimal
simulation: {trials: 10, seed: 1, program_years: 3}
population:
  classes:
    - {name: adult, panel_share: 0.7}
    - {name: child, panel_share: 0.3}
services:
  - {name: visit, primary_care_scope: true, rate: 3, cost: {distribution: gamma, mean: 100, cv: 0.5}}
regions: [north]
practices:
  groups: [{count: 2, members: [300, 600]}]
designs:
  - name: two-sided
    reconciliation: {minimum_savings_rate: 0.02, upside_rate: 0.5, downside_rate: 0.3, loss_cap: {benchmark: 0.05}}
"""

func load(_ yaml: String, file: String = "bad.yaml") throws(ScenarioError) -> Scenario {
    try ScenarioLoader.parse(data: Data(yaml.utf8), file: file)
}

func problems(_ yaml: String) -> [ScenarioProblem] {
    do {
        _ = try load(yaml)
        return []
    } catch {
        return error.problems
    }
}

struct ScenarioLoaderTests {
    @Test func validScenarioLoadsWithDefaults() throws {
        let s = try load(validScenario)
        #expect(s.practices.map(\.members) == [300, 600])
        #expect(s.population.frailtySharing == 0.5)
        #expect(s.sizeBands == SizeBand.standard)
        #expect(s.designs[0].tracks[0].tiers[0].terms.reconciliation?.downsideRate == Glide(0.3))
        #expect(s.practiceTypes.count == 1 && s.practiceTypes[0].classMix == [0.7, 0.3])
    }

    struct BadCase: CustomTestStringConvertible, Sendable {
        let label: String
        let replace: String
        let with: String
        /// Fragments the message must contain: key path and what was expected.
        let expected: [String]
        var testDescription: String { label }
    }

    static let badCases: [BadCase] = [
        BadCase(label: "unknown key with suggestion", replace: "program_years: 3", with: "program_yeras: 3",
                expected: ["simulation.program_yeras", "not a known key", "did you mean 'program_years'"]),
        BadCase(label: "wrong type", replace: "trials: 10", with: "trials: many",
                expected: ["simulation.trials", "found 'many'", "whole number"]),
        BadCase(label: "zero rate", replace: "rate: 3", with: "rate: 0",
                expected: ["services[0].rate", "found 0"]),
        BadCase(label: "negative members", replace: "members: [300, 600]", with: "members: -5",
                expected: ["practices.groups[0].members", "found -5"]),
        BadCase(label: "shares do not sum to one", replace: "panel_share: 0.3", with: "panel_share: 0.2",
                expected: ["population.classes[*].panel_share", "sum to 0.9", "expected 1"]),
        BadCase(label: "probability above one", replace: "upside_rate: 0.5", with: "upside_rate: 1.5",
                expected: ["designs[0].reconciliation.upside_rate", "found 1.5", "[0, 1]"]),
        BadCase(label: "NaN", replace: "mean: 100", with: "mean: .nan",
                expected: ["services[0].cost.mean", "finite"]),
        BadCase(label: "infinity", replace: "mean: 100", with: "mean: .inf",
                expected: ["services[0].cost.mean", "finite"]),
        BadCase(label: "too large", replace: "members: [300, 600]", with: "members: 1e15",
                expected: ["practices.groups[0].members", "too large"]),
        BadCase(label: "glide path of wrong length", replace: "downside_rate: 0.3", with: "downside_rate: [0, 0.3]",
                expected: ["designs[0].reconciliation.downside_rate", "2 values", "(3)"]),
        BadCase(label: "unknown region", replace: "groups: [{count: 2,", with: "groups: [{region: east, count: 2,",
                expected: ["practices.groups[0].region", "'east'", "north"]),
        BadCase(label: "loss cap below the loss threshold", replace: "downside_rate: 0.3,",
                with: "downside_rate: 0.3, minimum_loss_rate: 0.08, sharing_basis: net_of_threshold,",
                expected: ["loss_cap.benchmark", "below the minimum loss rate"]),
        BadCase(label: "unknown cost distribution", replace: "distribution: gamma", with: "distribution: pareto",
                expected: ["services[0].cost.distribution", "'pareto'", "gamma, lognormal"]),
        BadCase(label: "missing required key", replace: "name: minimal\n", with: "",
                expected: ["name", "is missing"]),
        BadCase(label: "duplicate class name", replace: "name: child", with: "name: adult",
                expected: ["population.classes[1].name", "defined twice"]),
        BadCase(label: "gamma with zero CV", replace: "cv: 0.5", with: "cv: 0",
                expected: ["services[0].cost.cv", "(0, 10]"]),
        BadCase(label: "fractional trials", replace: "trials: 10", with: "trials: 10.5",
                expected: ["simulation.trials", "whole number"]),
        BadCase(label: "quoted number", replace: "trials: 10", with: "trials: \"10\"",
                expected: ["simulation.trials", "found '10'"]),
    ]

    @Test(arguments: badCases)
    func badInputIsReportedWithKeyPathAndExpectation(_ c: BadCase) throws {
        #expect(validScenario.contains(c.replace), "fixture lacks '\(c.replace)'")
        let found = problems(validScenario.replacingOccurrences(of: c.replace, with: c.with))
        let text = found.map(\.description).joined(separator: "\n")
        #expect(!found.isEmpty)
        for fragment in c.expected {
            #expect(text.contains(fragment), "missing '\(fragment)' in:\n\(text)")
        }
        #expect(found.allSatisfy { $0.file == "bad.yaml" })
    }

    @Test func problemsCarryTheLineOfTheOffendingValue() {
        let found = problems(validScenario.replacingOccurrences(of: "rate: 3", with: "rate: -3"))
        let lineOfRate = validScenario.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("rate: 3") }.map { $0 + 1 }
        #expect(found.first?.line == lineOfRate)
    }

    @Test func everyProblemInAFileIsReportedTogether() {
        let broken = validScenario
            .replacingOccurrences(of: "trials: 10", with: "trials: -1")
            .replacingOccurrences(of: "rate: 3", with: "rate: zero")
            .replacingOccurrences(of: "upside_rate: 0.5", with: "upside_rate: 2")
        #expect(problems(broken).count == 3)
    }

    @Test func invalidYAMLSyntaxIsLocated() {
        let found = problems("name: x\nsimulation: {trials: 10\n")
        #expect(found.count == 1)
        #expect(found.first?.message.contains("not valid YAML") == true)
        #expect(found.first?.line != nil)
    }

    @Test func nonUTF8BytesAreRejectedWithTheirLine() {
        var bytes = Array("name: ok\nsimulation: {}\n".utf8)
        bytes += [0x6E, 0x61, 0xFF, 0xFE, 0x0A]
        do {
            _ = try ScenarioLoader.parse(data: Data(bytes), file: "latin1.yaml")
            Issue.record("accepted non-UTF-8")
        } catch {
            #expect(error.problems.first?.message.contains("not UTF-8") == true)
            #expect(error.problems.first?.line == 3)
        }
    }

    @Test func glidePathsAndSizeSpreadsAreRead() throws {
        let s = try load(validScenario.replacingOccurrences(of: "downside_rate: 0.3", with: "downside_rate: [0, 0.25, 0.5]"))
        let downside = try #require(s.designs[0].tracks[0].tiers[0].terms.reconciliation?.downsideRate)
        #expect((1...3).map { downside.value(year: $0) } == [0, 0.25, 0.5])
    }

    @Test func sizeBandOfAPractice() throws {
        let s = try load(validScenario)
        #expect(s.sizeBandIndex(members: 999) == 0)
        #expect(s.sizeBandIndex(members: 1_000) == 1)
        #expect(s.sizeBandIndex(members: 19_999) == 2)
        #expect(s.sizeBandIndex(members: 250_000) == 3)
    }
}
