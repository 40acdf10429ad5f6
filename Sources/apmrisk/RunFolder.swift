import ArgumentParser
import Engine
import Foundation
import Reports
import Sampling
import Scenario
import Statistics

/// The files of a finished run, made and written the same way whether the run was simulated at
/// once or merged from shards: that is what makes the two folders identical.
enum RunFolder {
    static func files(_ summary: RunSummary, scenarioBytes: Data, provenance: RunProvenance) throws -> [String: Data] {
        var files: [String: Data] = [
            "summary.json": try SummaryJSON.encode(summary),
            "exposure.csv": Data(ExposureCSV.render(summary).utf8),
            "budget.csv": Data(BudgetCSV.render(summary.budget).utf8),
            "appropriations.csv": Data(AppropriationsCSV.render(summary.budget).utf8),
            "practices.csv": Data(PracticeCSV.render(summary).utf8),
            "report.html": Data(HTMLReport.render(summary).utf8),
            RunManifest.scenarioCopy: scenarioBytes,
            RunProvenance.fileName: try provenance.encoded(),
        ]
        if let uncertainty = summary.uncertainty { files["variance-shares.csv"] = Data(UncertaintyReport.csv(uncertainty).utf8) }
        return files
    }

    /// The manifest of a run of `scenario` with these settings: the same for a run and its merge.
    static func manifest(_ scenario: Scenario, scenarioBytes: Data, seed: UInt64, trials: Int, confidence: Double?,
                         method: SimulationMethod, precision: Double?) -> RunManifest {
        RunManifest(
            toolVersion: Summarizer.toolVersion,
            scenario: .init(path: URL(fileURLWithPath: scenario.sourceFile).standardizedFileURL.path,
                            sha256: SHA256.hex(scenarioBytes)),
            roster: rosterInput(scenario),
            seed: seed, trials: trials, confidence: confidence, generator: GSLGenerator.typeName,
            method: method.rawValue, precision: precision)
    }

    static func rosterInput(_ scenario: Scenario) -> RunManifest.Input? {
        scenario.rosterFile.map { path in
            .init(path: URL(fileURLWithPath: path).standardizedFileURL.path,
                  sha256: SHA256.hex(FileManager.default.contents(atPath: path) ?? Data()))
        }
    }

    /// Writes the files and the manifest (last), or keeps them in a temporary folder when the
    /// destination cannot take them.
    static func write(_ files: [String: Data], manifest: RunManifest, claim: OutputClaim) throws {
        let manifestBytes = try manifest.encoded()
        do {
            try claim.write(files: files, manifest: manifestBytes, manifestName: RunManifest.fileName)
        } catch {
            try rescue(files: files, manifest: manifestBytes, claim: claim, failure: error)
        }
    }

    /// What a finished run prints on the terminal.
    static func printTables(_ summary: RunSummary, method: SimulationMethod, destination: URL, files: [String: Data]) {
        print(TerminalTable.render(summary))
        print(BudgetTable.render(summary.budget))
        print("Member level drawn \(method == .aggregate ? "in aggregate from member libraries" : "member by member").")
        if let uncertainty = summary.uncertainty { print(UncertaintyReport.terminal(uncertainty)) }
        if let precision = summary.precision { print(TerminalTable.precisionLine(precision)) }
        print("Wrote \(destination.path)/ (\(files.keys.sorted().joined(separator: ", ")), manifest.json)")
    }

    /// Writing failed at the end (the disk filled, the folder was removed): the finished results
    /// are kept in the temporary folder instead, and the message says where.
    static func rescue(files: [String: Data], manifest: Data, claim: OutputClaim, failure: any Error) throws {
        claim.release()
        let reason = plainReason(failure)
        let keep = FileManager.default.temporaryDirectory
            .appendingPathComponent("apmrisk-unsaved-\(claim.destination.lastPathComponent)-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
            for (name, data) in files { try data.write(to: keep.appendingPathComponent(name)) }
            try manifest.write(to: keep.appendingPathComponent(RunManifest.fileName))
        } catch {
            try? FileManager.default.removeItem(at: keep)
            standardError("apmrisk: cannot write \(claim.destination.path) (\(reason)), nor keep the results in \(keep.path) (\(plainReason(error))); nothing was written")
            throw ExitCode.failure
        }
        standardError("apmrisk: cannot write \(claim.destination.path) (\(reason)); the finished results are kept in \(keep.path): move that folder where you want it")
        throw ExitCode.failure
    }
}
