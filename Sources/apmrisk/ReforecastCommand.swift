import ArgumentParser
import Engine
import Foundation
import Reports
import Scenario
import Statistics

struct ReforecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reforecast",
        abstract: "The fall re-forecast: each remaining fiscal year's appropriation conditioned on what the scenario's observed: section says is known, beside the summer figure.",
        discussion: """
        The scenario's observed: section gives the date data runs through (as_of: 2028-09) and, for each \
        program year that has ended by then, its realised statewide trend and whether the surge happened. \
        The scenario is run twice on the same seed, as the summer forecast (nothing known) and conditioned \
        on the observations; for each fiscal year not over by as_of, both appropriations are printed with \
        the difference: a supplemental request (positive) or an expected lapse (negative). Writes \
        report.html, summary.json, reforecast.csv and manifest.json into a new folder.
        """)

    @Argument(help: "Scenario file (YAML) with an observed: section.")
    var scenario: String

    @OptionGroup var options: SimulationOptions

    func run() throws {
        let loaded = try loadScenario(scenario)
        let trials = options.trials ?? loaded.simulation.trials
        let seed = options.seed ?? loaded.simulation.seed
        guard loaded.observed != nil else {
            standardError("apmrisk: \(scenario): \(Reforecast.Failure.nothingObserved.description)")
            throw ExitCode.badInput
        }
        let (claim, destination) = try options.claimFolder(for: scenario, suffix: "reforecast")
        do {
            let summary: ReforecastSummary
            do { summary = try Reforecast.run(scenario: loaded, trials: trials, seed: seed, threads: options.workers) } catch {
                standardError("apmrisk: \(scenario): \(error.description)")
                throw ExitCode.badInput
            }
            let manifest: [String: Any] = ["tool": "apmrisk", "command": "reforecast", "scenario": scenario, "seed": seed,
                                           "trials": trials, "asOf": summary.asOf]
            try claim.write(files: ["reforecast.csv": Data(ReforecastReport.csv(summary).utf8),
                                    "summary.json": try ReforecastReport.encoded(summary),
                                    "report.html": Data(ReforecastReport.html(summary).utf8)],
                            manifest: try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]),
                            manifestName: "manifest.json")
            if !options.quiet {
                print(ReforecastReport.terminal(summary))
                print("Wrote \(destination.path)/ (report.html, summary.json, reforecast.csv, manifest.json)")
            }
        } catch {
            claim.release()
            throw error
        }
    }
}
