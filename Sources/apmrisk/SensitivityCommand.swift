import ArgumentParser
import Engine
import Foundation
import Reports
import Scenario
import Statistics

struct SensitivityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensitivity",
        abstract: "Swing assumptions one at a time and show how each design's headline figures move (a tornado), with paired Monte Carlo errors.",
        discussion: """
        --vary KEY=LOW..HIGH swings the number at a key path of the scenario (e.g. \
        variation.trend.sd=0.01..0.03 or designs[1].reconciliation.downside_rate=0.3..0.7); \
        KEY=±20% swings it by a share of its value. Repeat --vary for more swings. Without --vary, \
        the scenario's sensitivity: section is swung, and without that a default set: trend mean (±1 point), trend SD, regional and practice variation, \
        risk-score noise (each ×0.5 and ×1.5), and each design's downside rate, minimum loss rate \
        and loss cap (×0.5 and ×1.5, rates at most 1). Design terms are settled on the run's \
        own simulated world; each world assumption is two more runs with the same seed. Writes \
        report.html (the tornado charts), summary.json, sensitivity.csv and manifest.json into a new folder.
        """)

    @Argument(help: "Scenario file (YAML).")
    var scenario: String

    @Option(name: .customLong("vary"), help: "A swing: KEY=LOW..HIGH or KEY=±SHARE% (repeatable).")
    var swings: [String] = []

    @Option(help: "Size band whose practice figures are shown (default: the smallest with practices).")
    var band: String?

    @OptionGroup var options: SimulationOptions
    var quiet: Bool { options.quiet }

    func run() throws {
        let loaded = try loadScenario(scenario)
        guard let text = try? String(contentsOfFile: scenario, encoding: .utf8) else {
            standardError("apmrisk: cannot read \(scenario)")
            throw ExitCode.badInput
        }
        let parsed: [Swing]
        do {
            if !swings.isEmpty {
                parsed = try swings.map { try Self.parse($0, yaml: text) }
            } else if !loaded.sensitivity.isEmpty {
                parsed = try loaded.sensitivity.map { spec in
                    if let share = spec.share {
                        return try Self.parse("\(spec.keyPath)=±\(share * 100)%", yaml: text)
                    }
                    return try Self.parse("\(spec.keyPath)=\(spec.low ?? 0)..\(spec.high ?? 0)", yaml: text)
                }
            } else {
                parsed = DefaultSwings.of(yaml: text, designs: loaded.designs.count)
            }
        } catch {
            standardError("apmrisk: \(scenario): \(error)")
            throw ExitCode.badInput
        }
        guard !parsed.isEmpty else {
            standardError("apmrisk: \(scenario): nothing to swing (give --vary KEY=LOW..HIGH)")
            throw ExitCode.badInput
        }
        let trials = options.trials ?? loaded.simulation.trials
        let seed = options.seed ?? loaded.simulation.seed
        let (claim, destination) = try options.claimFolder(for: scenario, suffix: "sensitivity")
        do {
            if !quiet { standardError("apmrisk: \(parsed.count) swings, \(trials) trials per run ...") }
            let result: Sensitivity
            do {
                result = try Sensitivity.run(yaml: text, file: scenario, swings: parsed, trials: trials, seed: seed,
                                             threads: options.workers, band: band)
            } catch {
                standardError("apmrisk: \(scenario): \(error.description)")
                throw ExitCode.badInput
            }
            let bars = result.bars.map { bar in
                TornadoBar(keyPath: bar.swing.keyPath, lowValue: bar.swing.low, highValue: bar.swing.high, design: bar.design,
                           figure: bar.figure.name, unit: bar.figure.unit, base: bar.base, low: bar.low, high: bar.high)
            }
            let manifest: [String: Any] = ["tool": "apmrisk", "command": "sensitivity", "scenario": scenario, "seed": seed,
                                           "trials": trials, "worldRuns": result.worldRuns,
                                           "swings": parsed.map { "\($0.keyPath)=\($0.low)..\($0.high)" }]
            let summary = TornadoSummary(scenario: loaded.name, trials: trials, seed: seed, worldRuns: result.worldRuns,
                                         band: result.band, bars: bars)
            try claim.write(files: [
                "summary.json": try summary.encoded(),
                "sensitivity.csv": Data(TornadoReport.csv(bars).utf8),
                "report.html": Data(TornadoReport.html(bars, title: loaded.name, band: result.band, trials: trials,
                                                        worldRuns: result.worldRuns).utf8),
            ], manifest: try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]),
               manifestName: "manifest.json")
            if !quiet {
                print(TornadoReport.terminal(bars, band: result.band, trials: trials, worldRuns: result.worldRuns))
                print("Wrote \(destination.path)/ (report.html, summary.json, sensitivity.csv, manifest.json)")
            }
        } catch {
            claim.release()
            throw error
        }
    }

    /// KEY=LOW..HIGH, or KEY=±S% (a share of the key's value in the scenario).
    static func parse(_ text: String, yaml: String) throws -> Swing {
        guard let equals = text.firstIndex(of: "=") else {
            throw ScenarioEdit.EditError(keyPath: text, reason: "expected KEY=LOW..HIGH or KEY=±SHARE%")
        }
        let key = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        let range = String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        if range.hasPrefix("±") || range.hasPrefix("+-") {
            let digits = range.drop { $0 == "±" || $0 == "+" || $0 == "-" }
            guard digits.hasSuffix("%"), let share = Double(digits.dropLast()), share >= 0 else {
                throw ScenarioEdit.EditError(keyPath: key, reason: "expected ±SHARE% such as ±20%, found \"\(range)\"")
            }
            guard let value = try ScenarioEdit.number(at: key, in: yaml) else {
                throw ScenarioEdit.EditError(keyPath: key, reason: "is not set in the scenario, so ±\(digits) has nothing to scale; give LOW..HIGH")
            }
            return Swing(keyPath: key, low: DefaultSwings.tidy(value * (1 - share / 100)), high: DefaultSwings.tidy(value * (1 + share / 100)))
        }
        let parts = range.components(separatedBy: "..")
        guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]), low.isFinite, high.isFinite else {
            throw ScenarioEdit.EditError(keyPath: key, reason: "expected LOW..HIGH such as 0.01..0.03, found \"\(range)\"")
        }
        try ScenarioEdit.checkPath(key, in: yaml)   // a glide path (a list) there becomes this one number
        return Swing(keyPath: key, low: low, high: high)
    }
}

/// The swings `apmrisk sensitivity` makes when none is given: the world assumptions that move
/// small-practice tails and the budget most, and each design's downside terms.
enum DefaultSwings {
    /// Ten significant digits: 0.02 − 0.01 prints as 0.01, not 0.009999999999999998.
    static func tidy(_ x: Double) -> Double { Double(String(format: "%.10g", x)) ?? x }

    static func of(yaml: String, designs: Int) -> [Swing] {
        var swings: [Swing] = []
        func add(_ key: String, _ low: Double, _ high: Double) { swings.append(Swing(keyPath: key, low: tidy(low), high: tidy(high))) }
        func value(_ key: String) -> Double? { (try? ScenarioEdit.number(at: key, in: yaml)) ?? nil }
        if let mean = value("variation.trend.mean") { add("variation.trend.mean", mean - 0.01, mean + 0.01) }
        for key in ["variation.trend.sd", "variation.regional_cv", "variation.practice_efficiency_cv", "population.risk_score_noise_cv"] {
            if let x = value(key), x > 0 { add(key, x * 0.5, x * 1.5) }
        }
        for d in 0..<designs {
            for key in ["reconciliation.downside_rate", "reconciliation.minimum_loss_rate", "reconciliation.loss_cap.benchmark"] {
                if let x = value("designs[\(d)].\(key)"), x > 0 {
                    add("designs[\(d)].\(key)", x * 0.5, min(x * 1.5, 1))
                }
            }
        }
        return swings
    }
}
