import Foundation
import Testing

/// Where a run writes: refused up front when it cannot, claimed against a second run, never left
/// half-written, and a damaged run folder is refused by key when replayed.
struct OutputSafetyTests {
    let cli = CommandLineTests()
    static let defaultModel = CommandLineTests.root.appendingPathComponent("Models/default.yaml").path

    /// A run of the default model long enough to be signalled or raced while it simulates.
    func startLongRun(output: URL) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = ["run", Self.defaultModel, "--trials", "2000", "--output", output.path]
        let err = Pipe()
        process.standardOutput = Pipe()
        process.standardError = err
        try process.run()
        return (process, err)
    }

    /// Waits (up to 30 s) until the run has claimed its output: the staging folder appears only
    /// once the scenario is read and the output checked, just before the first trial.
    func waitForClaim(_ process: Process, output: URL) -> Bool {
        let staging = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).partial-\(process.processIdentifier)").path
        for _ in 0..<300 {
            if FileManager.default.fileExists(atPath: staging) { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    @Test func aSecondRunToTheSameFolderIsRefusedAndSIGTERMLeavesNothing() throws {
        let folder = try cli.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("shared")
        let (first, err) = try startLongRun(output: output)
        #expect(waitForClaim(first, output: output))

        let second = try cli.apmrisk(["run", CommandLineTests.fixture, "--trials", "4", "--output", output.path])
        #expect(second.status == 64)
        #expect(second.stderr.contains("another apmrisk run is already writing"), "\(second.stderr)")

        first.terminate()   // SIGTERM, as a batch scheduler sends at the end of a time limit
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        first.waitUntilExit()
        #expect(first.terminationStatus == 143, "\(stderr)")
        #expect(stderr.contains("nothing was written"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)   // no folder, staging or lock
    }

    @Test func aSecondInterruptQuitsAtOnceAndStillLeavesNothing() throws {
        let folder = try cli.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("twice")
        let (process, err) = try startLongRun(output: output)
        #expect(waitForClaim(process, output: output))
        process.interrupt()
        Thread.sleep(forTimeInterval: 0.05)
        process.interrupt()
        _ = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// The write at the end fails (here: its staging folder is removed mid-run, as a full disk or
    /// a cleanup script would make it fail): the finished results are kept and the message says where.
    @Test func finishedResultsAreKeptWhenTheFinalWriteFails() throws {
        let folder = try cli.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("lost"), temporary = folder.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false)
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = ["run", Self.defaultModel, "--trials", "200", "--output", output.path, "--quiet"]
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary.path]) { $1 }
        let err = Pipe()
        process.standardOutput = Pipe()
        process.standardError = err
        try process.run()
        #expect(waitForClaim(process, output: output))
        try FileManager.default.removeItem(at: folder.appendingPathComponent(".lost.partial-\(process.processIdentifier)"))
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1, "\(stderr)")
        let kept = temporary.appendingPathComponent("apmrisk-unsaved-lost-\(process.processIdentifier)")
        #expect(stderr.contains("the finished results are kept in \(kept.path)"), "\(stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: kept.path).sorted() == [
            "appropriations.csv", "budget.csv", "exposure.csv", "manifest.json", "practices.csv", "provenance.json", "report.html",
            "scenario.yaml", "summary.json"])
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".lost.lock").path))
    }

    @Test func leftoversOfAKilledRunAreRemovedByTheNextRun() throws {
        let folder = try cli.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A process id that is certainly not running: one that has just exited.
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let stale = folder.appendingPathComponent(".run.partial-\(finished.processIdentifier)")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: false)
        try Data("half a report".utf8).write(to: stale.appendingPathComponent("report.html"))
        try Data().write(to: folder.appendingPathComponent(".run.lock"))   // held by nobody

        let output = folder.appendingPathComponent("run")
        let result = try cli.apmrisk(["run", CommandLineTests.fixture, "--trials", "4", "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("removed \(stale.path)"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["run"])
    }

    @Test func anOutputThatCannotBeWrittenIsRefusedBeforeAnyTrial() throws {
        let folder = try cli.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a-file")
        try Data("not a folder".utf8).write(to: file)
        let underFile = try cli.apmrisk(["run", CommandLineTests.fixture, "--trials", "4",
                                         "--output", file.appendingPathComponent("run").path])
        #expect(underFile.status == 64)
        #expect(underFile.stderr.contains("\(file.path) is a file, not a folder"), "\(underFile.stderr)")

        // /proc refuses new entries even to root, which ignores permission bits.
        let kernel = try cli.apmrisk(["run", CommandLineTests.fixture, "--trials", "4", "--output", "/proc/self/apmrisk-run"])
        #expect(kernel.status == 64)
        #expect(kernel.stderr.contains("cannot write"), "\(kernel.stderr)")
        #expect(!kernel.stderr.contains("trials done"))

        if getuid() != 0 {
            let readOnly = folder.appendingPathComponent("read-only")
            try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: false)
            chmod(readOnly.path, 0o555)
            defer { chmod(readOnly.path, 0o755) }
            let refused = try cli.apmrisk(["run", CommandLineTests.fixture, "--trials", "4",
                                           "--output", readOnly.appendingPathComponent("run").path])
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("is not writable by you"), "\(refused.stderr)")
        }
    }

    /// A finished run whose manifest is then edited: each damage is refused with the key.
    @Test(arguments: [
        ("\"trials\" : 12", "\"trials\" : -5", "trials: found -5, expected a whole number in [1, 10000000]"),
        ("\"trials\" : 12", "\"trials\" : \"12\"", "trials: found a value of the wrong kind, expected a whole number"),
        ("\"schemaVersion\" : 1", "\"schemaVersion\" : 1, \"confidence\" : 2", "confidence: found 2.0, expected a level in (0, 1)"),
        ("\"method\" : \"member\"", "\"method\" : \"bogus\"", "method: found 'bogus', expected one of"),
        ("\"seed\" : 99", "\"seed\" : -1", "seed: found -1, expected a whole number in [0, 18446744073709551615]"),
        ("\"complete\" : true", "\"complete\" : \"yes\"", "complete: found a value of the wrong kind, expected true or false"),
        ("\"tool\" : \"apmrisk\"", "\"tool\" : \"apmrisk\",", "the file is not valid JSON"),
        ("\"schemaVersion\" : 1", "\"schemaVersion\" : 7", "schemaVersion: found 7, expected 1"),
        ("\"sha256\" : \"", "\"sha256\" : \"zz", "scenario.sha256: found 'zz"),
    ])
    func replayRefusesADamagedManifestByKey(_ edit: (String, String, String)) throws {
        let folder = try cli.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run")
        #expect(try cli.apmrisk(["run", CommandLineTests.fixture, "--trials", "12", "--seed", "99", "--output", run.path,
                                 "--quiet"]).status == 0)
        let manifestURL = run.appendingPathComponent("manifest.json")
        let original = try String(contentsOf: manifestURL, encoding: .utf8)
        try #require(original.contains(edit.0), "manifest layout changed: \(original)")
        guard let range = original.range(of: edit.0) else { return }
        try Data(original.replacingCharacters(in: range, with: edit.1).utf8).write(to: manifestURL)

        let again = folder.appendingPathComponent("again")
        let result = try cli.apmrisk(["run", "--replay", run.path, "--output", again.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("manifest.json: "), "\(result.stderr)")
        #expect(result.stderr.contains(edit.2), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: again.path))
    }
}
