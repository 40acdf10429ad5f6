import ArgumentParser
import Foundation
import Scenario

/// The options of every command that simulates (`run`, `sensitivity`, `solve`).
struct SimulationOptions: ParsableArguments {
    @Option(help: "Number of trials (overrides simulation.trials).")
    var trials: Int?

    @Option(help: "Random seed (overrides simulation.seed).")
    var seed: UInt64?

    @Option(help: "Worker threads (default: all cores). Does not change results.")
    var threads: Int?

    @Option(help: "Folder to write results into (must not exist yet).")
    var output: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if let trials, trials < 1 || trials > ScenarioLoader.maximumTrials {
            throw ValidationError("--trials must be between 1 and \(ScenarioLoader.maximumTrials)")
        }
        if let threads, threads < 1 || threads > 1024 {
            throw ValidationError("--threads must be between 1 and 1024")
        }
    }

    var workers: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    /// Claims the results folder of a command on `scenario` (--output, or
    /// `Results/SCENARIO-SUFFIX-TIMESTAMP`), or exits saying why it cannot.
    func claimFolder(for scenario: String, suffix: String) throws -> (claim: OutputClaim, destination: URL) {
        let folder = destination(stem: URL(fileURLWithPath: scenario).deletingPathExtension().lastPathComponent + "-" + suffix)
        do { return (try OutputClaim.claim(folder, neededBytes: OutputClaim.typicalOutputBytes).0, folder) } catch {
            standardError("apmrisk: \(error)")
            throw ExitCode.badInput
        }
    }

    /// --output, or `Results/STEM-TIMESTAMP`.
    func destination(stem: String) -> URL { Self.destination(output: output, stem: stem) }

    static func destination(output: String?, stem: String) -> URL {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return URL(fileURLWithPath: output ?? "Results/\(stem)-\(formatter.string(from: Date()))")
    }
}
