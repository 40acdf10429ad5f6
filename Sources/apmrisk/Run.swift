import ArgumentParser
import Engine
import Foundation
import Reports
import Scenario
import Synchronization

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a scenario and write summary.json, exposure.csv and budget.csv.",
        discussion: """
        Results go into a new folder under Results/ unless --output names one. The folder appears \
        only when every file in it is complete. The same scenario, seed and trials give \
        byte-identical files whatever --threads is.
        """)

    @Argument(help: "Scenario file (YAML), e.g. Models/default.yaml.")
    var scenario: String

    @Option(help: "Number of trials (overrides simulation.trials).")
    var trials: Int?

    @Option(help: "Random seed (overrides simulation.seed).")
    var seed: UInt64?

    @Option(help: "Worker threads (default: all cores). Does not change results.")
    var threads: Int?

    @Option(help: "Confidence level of the extra appropriation column, e.g. 0.975 (default: the scenario's budget.confidence).")
    var confidence: Double?

    @Option(help: "Folder to write results into (must not exist yet).")
    var output: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if let trials, trials < 1 || trials > ScenarioLoader.maximumTrials {
            throw ValidationError("--trials must be between 1 and \(ScenarioLoader.maximumTrials)")
        }
        if let confidence, !(confidence > 0 && confidence < 1) {
            throw ValidationError("--confidence must be between 0 and 1, e.g. 0.9")
        }
        if let threads, threads < 1 || threads > 1024 {
            throw ValidationError("--threads must be between 1 and 1024")
        }
    }

    func run() throws {
        let loaded = try loadScenario(scenario)
        let trialCount = trials ?? loaded.simulation.trials
        let runSeed = seed ?? loaded.simulation.seed
        let workers = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let destination = URL(fileURLWithPath: output ?? defaultOutput(for: loaded))
        if FileManager.default.fileExists(atPath: destination.path) {
            standardError("apmrisk: \(destination.path) already exists; choose another --output")
            throw ExitCode.badInput
        }

        let reporter = ProgressLine(total: trialCount, enabled: !quiet)
        let results: SimulationResults
        do {
            results = try Simulation.run(scenario: loaded, trials: trialCount, seed: runSeed,
                                         threads: workers, progress: reporter.update)
        } catch {
            standardError("apmrisk: \(error.description)")
            throw ExitCode.failure
        }
        reporter.finish()
        let summary = Summarizer(scenario: loaded, results: results).summary(seed: runSeed, confidence: confidence)
        try RunFolder.write(to: destination, files: [
            "summary.json": try SummaryJSON.encode(summary),
            "exposure.csv": Data(ExposureCSV.render(summary).utf8),
            "budget.csv": Data(BudgetCSV.render(summary.budget).utf8),
        ])
        if !quiet {
            print(TerminalTable.render(summary))
            print(BudgetTable.render(summary.budget))
            print("Wrote \(destination.path)/summary.json, exposure.csv and budget.csv")
        }
    }

    func defaultOutput(for scenario: Scenario) -> String {
        let stem = URL(fileURLWithPath: scenario.sourceFile).deletingPathExtension().lastPathComponent
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "Results/\(stem)-\(formatter.string(from: Date()))"
    }
}

/// Writes a run folder atomically: files go into a hidden temporary sibling that is renamed into
/// place only once complete, so an interrupted run never leaves a folder that looks finished.
enum RunFolder {
    static func write(to destination: URL, files: [String: Data]) throws {
        let manager = FileManager.default
        let parent = destination.deletingLastPathComponent()
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
        try? manager.removeItem(at: staging)
        try manager.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            for (name, data) in files.sorted(by: { $0.key < $1.key }) {
                try data.write(to: staging.appendingPathComponent(name))
            }
            try manager.moveItem(at: staging, to: destination)
        } catch {
            try? manager.removeItem(at: staging)
            throw error
        }
    }
}

/// Progress on stderr: at most one line every two seconds, never into stdout's tables.
final class ProgressLine: Sendable {
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private let lastPrinted = Mutex<Date>(Date())

    init(total: Int, enabled: Bool) { self.total = total; self.enabled = enabled }

    @Sendable func update(_ done: Int) {
        guard enabled else { return }
        let now = Date()
        let due = lastPrinted.withLock { last -> Bool in
            guard now.timeIntervalSince(last) >= 2 else { return false }
            last = now
            return true
        }
        guard due else { return }
        let elapsed = now.timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = Double(total - done) / max(rate, 1e-9)
        standardError(String(format: "apmrisk: %d/%d trials (%.0f/s, about %.0f s left)", done, total, rate, eta))
    }

    func finish() {
        guard enabled else { return }
        standardError(String(format: "apmrisk: %d trials in %.1f s", total, Date().timeIntervalSince(start)))
    }
}
