import Foundation
import Testing

/// Runs the built `apmrisk` binary: arguments in; exit code, stdout, stderr and files out.
struct CommandLineTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixture = root.appendingPathComponent("Tests/Fixtures/small.yaml").path

    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: URL {
        // The test bundle and the executable are built into the same products folder.
        Bundle.main.bundleURL.appendingPathComponent("apmrisk")
    }

    func apmrisk(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = Self.root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// The cells of one CSV row (quoted cells may hold commas).
    static func csvCells(_ row: String) -> [String] {
        var cells: [String] = [], current = "", quoted = false
        for ch in row {
            if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted { cells.append(current); current = "" } else { current.append(ch) }
        }
        return cells + [current]
    }

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("apmrisk-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func runWritesTablesAndIdenticalFilesForOneAndTwoThreads() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [[Data]] = []
        for threads in ["1", "2"] {
            let output = folder.appendingPathComponent("run-\(threads)")
            let result = try apmrisk(["run", Self.fixture, "--trials", "20", "--threads", threads, "--output", output.path])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.contains("Design: Two-sided"))
            #expect(result.stdout.contains("under 1,000"))
            #expect(result.stdout.contains("Budget: payer outlay by fiscal year"))
            let names = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
            #expect(names == ["appropriations.csv", "budget.csv", "exposure.csv", "manifest.json", "practices.csv", "provenance.json",
                              "report.html", "scenario.yaml", "summary.json"])
            // Everything but provenance.json (threads, times) is the same for any thread count.
            files.append(try ["budget.csv", "exposure.csv", "summary.json", "report.html", "appropriations.csv", "practices.csv",
                              "manifest.json"]
                .map { try Data(contentsOf: output.appendingPathComponent($0)) })
        }
        #expect(files[0] == files[1])
        let budget = String(decoding: files[0][0], as: UTF8.self)
        #expect(budget.hasPrefix("design,compared_with,period,period_type,measure,statistic,unit,value,mcse\n"))
        #expect(!budget.contains("e+"))   // plain decimals a spreadsheet reads as dollars
        // appropriations.csv: every cell after the four labels is a number a spreadsheet reads as one.
        let appropriations = String(decoding: files[0][4], as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(appropriations.first?.hasPrefix("design,period,period_type,measure,mean ($ millions),P50 ($ millions)") == true)
        #expect(appropriations.count > 2)
        for row in appropriations.dropFirst() {
            let cells = Self.csvCells(row)
            #expect(cells.count == Self.csvCells(appropriations[0]).count, "\(row)")
            #expect(cells.dropFirst(4).allSatisfy { Double($0) != nil }, "non-numeric cell in \(row)")
        }
        // practices.csv: one row per practice and design, numbers after the six labels (an error
        // column is empty when the run has too few trials for batch errors).
        let practices = String(decoding: files[0][5], as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(practices.first?.hasPrefix("practice,size_band,region,members,expected_revenue_dollars,design,p5_share_of_revenue") == true)
        let written = try JSONSerialization.jsonObject(with: files[0][2]) as? [String: Any]
        let practiceCount = (written?["practiceResults"] as? [Any])?.count ?? 0
        #expect(practiceCount > 0 && practices.count == 1 + practiceCount * ((written?["designs"] as? [Any])?.count ?? 0))
        for row in practices.dropFirst() {
            let cells = Self.csvCells(row)
            #expect(cells.count == Self.csvCells(practices[0]).count, "\(row)")
            #expect(Int(cells[3]) != nil && [6, 8, 10].allSatisfy { Double(cells[$0]) != nil }
                    && [7, 9, 11].allSatisfy { cells[$0].isEmpty || Double(cells[$0]) != nil }, "non-numeric cell in \(row)")
        }
        let csv = String(decoding: files[0][1], as: UTF8.self)
        #expect(csv.hasPrefix("design,track,tier,size_band,year,statistic,unit,value,mcse\n"))
        let json = try JSONSerialization.jsonObject(with: files[0][2]) as? [String: Any]
        #expect(json?["schemaVersion"] as? Int == 1)
        // Each design's terms travel with its results.
        let terms = json?["designTerms"] as? [[String: Any]]
        #expect(terms?.map { $0["design"] as? String } == ["PMPM only", "Two-sided"])
        let report = String(decoding: files[0][3], as: UTF8.self)
        #expect(report.contains("What each design is") && report.contains("Loss cap"))
    }

    @Test func badScenarioExits64NamingFileKeyAndExpectation() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.yaml")
        let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
            .replacingOccurrences(of: "upside_rate: 0.5", with: "upside_rate: 5")
        try Data(text.utf8).write(to: bad)
        let output = folder.appendingPathComponent("never")
        let result = try apmrisk(["run", bad.path, "--output", output.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("bad.yaml:"))
        #expect(result.stderr.contains("designs[1].reconciliation.upside_rate"))
        #expect(result.stderr.contains("expected a share in [0, 1]"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func refusesToOverwriteAnExistingOutputFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try apmrisk(["run", Self.fixture, "--trials", "2", "--output", folder.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("already exists"))
    }

    @Test(arguments: [["--help"], ["run", "--help"], ["validate", "--help"]])
    func helpIsAvailableOnEveryCommand(_ arguments: [String]) throws {
        let result = try apmrisk(arguments)
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE"))
    }

    @Test func everyShippedModelValidates() throws {
        let models = Self.root.appendingPathComponent("Models")
        let files = try FileManager.default.contentsOfDirectory(atPath: models.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.contains("default.yaml"))
        for file in files {
            let result = try apmrisk(["validate", models.appendingPathComponent(file).path])
            #expect(result.status == 0, "\(file): \(result.stderr)")
        }
    }

    /// `init` copies a shipped scenario under a new name, with its guide, into a file that
    /// validates; it never overwrites; a roster path still finds the roster from the new folder.
    @Test func initStartsAValidScenarioFromAShippedOneAndNeverOverwrites() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mine = folder.appendingPathComponent("mine.yaml")
        let made = try apmrisk(["init", mine.path, "--from", Self.root.appendingPathComponent("Models/default.yaml").path,
                                "--name", "County \"pilot\" program"])
        #expect(made.status == 0, "\(made.stderr)")
        let text = try String(contentsOf: mine, encoding: .utf8)
        #expect(text.hasPrefix("# Started with `apmrisk init` from default.yaml."))
        #expect(text.contains("\nname: \"County \\\"pilot\\\" program\"\n"))
        let checked = try apmrisk(["validate", mine.path])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("County \"pilot\" program") || checked.stdout.contains("valid"))
        let again = try apmrisk(["init", mine.path])
        #expect(again.status == 64 && again.stderr.contains("already exists"))
        #expect(try String(contentsOf: mine, encoding: .utf8) == text)

        // A scenario whose roster sits beside it, copied into another folder.
        let source = folder.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try Data("id,members,region\nA,400,north\nB,2500,south\n".utf8).write(to: source.appendingPathComponent("practices.csv"))
        let small = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        let groups = try #require(small.range(of: "practices:\n  groups:"))
        let designs = try #require(small.range(of: "designs:"))
        try Data((String(small[..<groups.lowerBound]) + "practices:\n  roster: practices.csv\n" + String(small[designs.lowerBound...])).utf8)
            .write(to: source.appendingPathComponent("with-roster.yaml"))
        let rostered = folder.appendingPathComponent("elsewhere/rostered.yaml")
        try FileManager.default.createDirectory(at: rostered.deletingLastPathComponent(), withIntermediateDirectories: true)
        let roster = try apmrisk(["init", rostered.path, "--from", source.appendingPathComponent("with-roster.yaml").path])
        #expect(roster.status == 0, "\(roster.stderr)")
        #expect(try apmrisk(["validate", rostered.path]).stdout.contains("2 practices, 2900 members"))
    }

    @Test func sensitivityWritesATornadoAndRefusesASwingThatLeadsNowhere() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("tornado")
        let good = try apmrisk(["sensitivity", Self.fixture, "--vary", "designs[1].reconciliation.loss_cap.benchmark=0.03..0.08",
                                "--vary", "variation.regional_cv=±50%", "--trials", "100", "--threads", "2", "--output", output.path])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("P5 exposure, under 1,000 — Two-sided") && good.stdout.contains("variation.regional_cv"))
        let names = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        #expect(names == ["manifest.json", "report.html", "sensitivity.csv", "summary.json"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("summary.json"))) as? [String: Any]
        #expect(json?["worldRuns"] as? Int == 3 && (json?["bars"] as? [Any])?.isEmpty == false)
        let csv = try String(contentsOf: output.appendingPathComponent("sensitivity.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("figure,design,key_path,low_value,high_value,unit,base,"))
        #expect(csv.contains("variation.regional_cv,0.015,0.045,"))
        let bad = try apmrisk(["sensitivity", Self.fixture, "--vary", "variation.trend.nonsense.deeper=1..2", "--trials", "10",
                               "--output", folder.appendingPathComponent("never").path])
        #expect(bad.status == 64 && bad.stderr.contains("variation.trend.nonsense.deeper"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("never").path))
    }

    @Test func solveAnswersOrSaysWhyNot() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let met = try apmrisk(["solve", Self.fixture, "--term", "designs[0].add_ons[0].pmpm", "--range", "0..40",
                               "--target", "net_mean<=1e12", "--trials", "20", "--output", folder.appendingPathComponent("a").path])
        #expect(met.status == 0 && met.stdout.contains("is met across the whole range"), "\(met.stderr)")
        let csv = try String(contentsOf: folder.appendingPathComponent("a/solve.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("term_value,figure,figure_value,mcse\n0.0,net_mean,"))
        let solved = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("a/summary.json"))) as? [String: Any]
        #expect(solved?["outcome"] as? String == "met everywhere" && (solved?["candidates"] as? [Any])?.isEmpty == false)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("a/report.html").path))
        let bad = try apmrisk(["solve", Self.fixture, "--term", "designs[0].add_ons[0].pmpm", "--range", "0..40",
                               "--target", "p7>=1", "--output", folder.appendingPathComponent("b").path])
        #expect(bad.status == 64 && bad.stderr.contains("FIGURE>=VALUE"), "\(bad.stderr)")
        let world = try apmrisk(["solve", Self.fixture, "--term", "variation.trend.sd", "--range", "0..0.1",
                                 "--target", "p5>=-0.1", "--output", folder.appendingPathComponent("c").path])
        #expect(world.status == 64 && world.stderr.contains("solve takes a design term"), "\(world.stderr)")
    }

    @Test func validateWarnsAboutAddOnsWithNoInvestment() throws {
        let result = try apmrisk(["validate", Self.fixture])
        #expect(result.status == 0)
        #expect(result.stdout.contains("warning: design \"PMPM only\": add-ons are paid with no investment_pmpm"))
    }

    @Test func replayFromTheManifestReproducesTheRunExactly() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("first"), again = folder.appendingPathComponent("again")
        #expect(try apmrisk(["run", Self.fixture, "--trials", "12", "--seed", "99", "--output", first.path, "--quiet"]).status == 0)
        let replay = try apmrisk(["run", "--replay", first.path, "--threads", "1", "--output", again.path, "--quiet"])
        #expect(replay.status == 0, "\(replay.stderr)")
        for name in ["summary.json", "exposure.csv", "budget.csv", "scenario.yaml"] {
            #expect(try Data(contentsOf: first.appendingPathComponent(name)) == Data(contentsOf: again.appendingPathComponent(name)), "\(name)")
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: again.appendingPathComponent("manifest.json"))) as? [String: Any]
        #expect(manifest?["seed"] as? Int == 99 && manifest?["trials"] as? Int == 12 && manifest?["complete"] as? Bool == true)
    }

    @Test func reportRejectsAnUnknownBandAndListsTheBands() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run")
        #expect(try apmrisk(["run", Self.fixture, "--trials", "12", "--output", run.path, "--quiet"]).status == 0)
        let before = try Data(contentsOf: run.appendingPathComponent("report.html"))
        let bad = try apmrisk(["report", run.path, "--band", "nonsense"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--band \"nonsense\" is not a size band of this run") && bad.stderr.contains("\"under 1,000\""),
                "\(bad.stderr)")
        #expect(try Data(contentsOf: run.appendingPathComponent("report.html")) == before)
        let good = try apmrisk(["report", run.path, "--band", "under 1,000"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try String(decoding: Data(contentsOf: run.appendingPathComponent("report.html")), as: UTF8.self)
            .contains("Distribution of exposure: under 1,000 members"))
    }

    @Test func replayRefusesAFolderThatIsNotAFinishedRun() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try apmrisk(["run", "--replay", folder.path, "--output", folder.appendingPathComponent("x").path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("is not a finished apmrisk run"))
    }

    @Test func interruptStopsCleanlyAndLeavesNoFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("interrupted")
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["run", Self.root.appendingPathComponent("Models/default.yaml").path, "--trials", "400",
                             "--output", output.path]
        let err = Pipe()
        process.standardOutput = Pipe()
        process.standardError = err
        try process.run()
        Thread.sleep(forTimeInterval: 2)
        process.interrupt()   // SIGINT
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("nothing was written"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)   // no folder, no partial
    }

    @Test func aRunThatWouldNotFitInMemoryIsRefusedUpFront() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try apmrisk(["run", Self.fixture, "--trials", "10000000", "--output", folder.appendingPathComponent("big").path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("GiB of memory"))
        #expect(result.stderr.contains("--trials"))
    }
}
