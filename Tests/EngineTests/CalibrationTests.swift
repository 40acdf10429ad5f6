import Engine
import Foundation
import Scenario
import Testing

/// The default model's member cost distribution against the MEPS concentration rows of
/// ../shared/FACTS.md. 300,000 members give an MC standard error of about 0.25 points on the
/// top-1% share (the noisiest row), so the "within a few points" tolerances below are 8+ SEs
/// wide: a failure means the calibration moved, not bad luck.
struct CalibrationTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func defaultModelReproducesTheMEPSConcentrationRows() throws {
        let scenario = try ScenarioLoader.load(path: Self.repositoryRoot.appendingPathComponent("Models/default.yaml").path)
        let mix = scenario.population.classes.map(\.panelShare)
        let members = try MemberSampler(scenario: scenario).memberCosts(members: 300_000, mix: mix, seed: 2026)
        let costs = members.map(\.cost).sorted(by: >)
        let total = costs.reduce(0, +)
        func topShare(_ fraction: Double) -> Double {
            costs.prefix(Int(fraction * Double(costs.count))).reduce(0, +) / total
        }
        let top1 = topShare(0.01), top5 = topShare(0.05)
        let bottom50 = costs.suffix(costs.count / 2).reduce(0, +) / total
        let zero = Double(costs.filter { $0 == 0 }.count) / Double(costs.count)
        print(String(format: "MEPS check: top 1%% %.1f%%, top 5%% %.1f%%, bottom 50%% %.2f%%, zero cost %.1f%%",
                     top1 * 100, top5 * 100, bottom50 * 100, zero * 100))
        #expect(abs(top1 - 0.217) <= 0.03, "top 1% share \(top1), MEPS 21.7%")
        #expect(abs(top5 - 0.487) <= 0.03, "top 5% share \(top5), MEPS 48.7%")
        #expect(bottom50 < 0.03 && bottom50 > 0.015, "bottom 50% share \(bottom50), MEPS under 3%")
        #expect(abs(zero - 0.13) <= 0.03, "share with no cost \(zero), MEPS about 13%")

        // The blended mean per member-year is the FACTS KFF figure the model was built on.
        let memberYears = members.reduce(0.0) { $0 + Double($1.months) } / 12
        let perMemberYear = total / memberYears
        #expect(abs(perMemberYear - 7_593) / 7_593 < 0.05, "mean per member-year \(perMemberYear), KFF $7,593")
    }
}
