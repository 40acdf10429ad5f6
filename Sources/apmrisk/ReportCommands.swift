import ArgumentParser
import Foundation
import Reports
import Statistics

/// Reads the summary of a finished run folder, or exits 64 saying why the folder is not one.
func loadRun(_ path: String) throws -> RunSummary {
    let folder = URL(fileURLWithPath: path)
    let summaryURL = folder.appendingPathComponent("summary.json")
    do {
        _ = try RunManifest.load(runFolder: folder)
        // A summary is a few megabytes even for the statewide model; 1 GiB means damage.
        guard let data = RunManifest.readRegularFile(summaryURL, limit: 1 << 30) else {
            standardError("apmrisk: \(summaryURL.path): is missing, not a regular file, or larger than 1 GiB; the run folder was edited or damaged")
            throw ExitCode.badInput
        }
        return try SummaryJSON.decode(data)
    } catch let error as RunFolderError {
        standardError("apmrisk: \(error)")
        throw ExitCode.badInput
    } catch let exit as ExitCode {
        throw exit
    } catch {
        standardError("apmrisk: \(summaryURL.path): \(RunManifest.plainWords(error)); the run folder was edited or damaged")
        throw ExitCode.badInput
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-render report.html of a finished run from its summary.json.")

    @Argument(help: "Run folder (written by apmrisk run).")
    var folder: String

    @Option(help: "Size band whose exposure histogram the report draws (default: the smallest).")
    var band: String?

    func run() throws {
        let summary = try loadRun(folder)
        if let band {
            // Only bands that hold practices have a histogram to draw.
            let drawable = summary.sizeBands.filter { $0.practices > 0 }.map(\.name)
            guard drawable.contains(band) else {
                let known = summary.sizeBands.contains { $0.name == band }
                standardError("apmrisk: --band \"\(band)\" \(known ? "has no practices in this run" : "is not a size band of this run"); "
                              + "its size bands with practices are: \(drawable.map { "\"\($0)\"" }.joined(separator: ", "))")
                throw ExitCode.badInput
            }
        }
        let url = URL(fileURLWithPath: folder).appendingPathComponent("report.html")
        // Write next to the folder's files atomically: a reader never sees half a report.
        try Data(HTMLReport.render(summary, histogramBand: band).utf8).write(to: url, options: .atomic)
        print("Wrote \(url.path)")
    }
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the headline figures of two finished runs side by side, with their differences and whether each exceeds Monte Carlo error.")

    @Argument(help: "First run folder (A).")
    var runA: String

    @Argument(help: "Second run folder (B).")
    var runB: String

    @Flag(help: "Match designs by their order in each run instead of by name (for renamed designs).")
    var byPosition = false

    func run() throws {
        let a = try loadRun(runA), b = try loadRun(runB)
        print(CompareTable.render(a, b, labels: (runA, runB), byPosition: byPosition), terminator: "")
    }
}
