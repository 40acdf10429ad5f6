import Foundation
import Testing

/// Sharded runs through the binary: shard processes running at the same time on this machine,
/// merged into what one run writes, and merges refused when the parts are not one whole run.
struct ShardCommandTests {
    let cli = CommandLineTests()
    static let defaultModel = CommandLineTests.root.appendingPathComponent("Models/default.yaml").path

    /// Starts `apmrisk arguments` with extra environment variables, without waiting.
    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = arguments
        process.currentDirectoryURL = CommandLineTests.root
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM_") }
            .merging(environment) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, err)
    }

    /// Every file of `expected` but provenance.json has the same bytes in `actual`, and no other file is there.
    func expectIdenticalRuns(_ expected: URL, _ actual: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: expected.path).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: actual.path).sorted() == names)
        #expect(names.contains("provenance.json") && names.contains("report.html"))
        for name in names where name != "provenance.json" {
            let same = try Data(contentsOf: expected.appendingPathComponent(name)) == Data(contentsOf: actual.appendingPathComponent(name))
            #expect(same, "\(name) differs between the single run and the merge")
        }
    }

    /// Forty trials of the default model draw in aggregate, while ten (one shard's) would not pay
    /// for the member libraries: the shards must take the whole run's decision to match it.
    @Test func concurrentShardsMergeIntoTheSingleRunByteForByte() throws {
        let folder = try cli.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let single = folder.appendingPathComponent("single")
        #expect(try cli.apmrisk(["run", Self.defaultModel, "--trials", "40", "--output", single.path, "--quiet"]).status == 0)
        let parts = folder.appendingPathComponent("parts")
        let common = ["run", Self.defaultModel, "--trials", "40", "--output", parts.path, "--quiet", "--threads", "1"]
        // The four ways a shard learns its index, all at once into one parts folder.
        let shards = [
            try start(common + ["--shard", "0/4"]),
            try start(common + ["--shards", "4"], environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1"]),
            try start(common + ["--shards", "4"], environment: ["JOB_COMPLETION_INDEX": "2"]),
            try start(common + ["--shards", "4"], environment: ["AWS_BATCH_JOB_ARRAY_INDEX": "3"]),
        ]
        for (process, err) in shards {
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(stderr)")
        }
        let folders = try FileManager.default.contentsOfDirectory(atPath: parts.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(folders == ["part-0-of-4", "part-1-of-4", "part-2-of-4", "part-3-of-4"])

        let merged = folder.appendingPathComponent("merged")
        let merge = try cli.apmrisk(["merge", parts.path, "--output", merged.path, "--quiet"])
        #expect(merge.status == 0, "\(merge.stderr)")
        try expectIdenticalRuns(single, merged)
        let manifest = try String(contentsOf: merged.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"method\" : \"aggregate\""))
        let provenance = try JSONSerialization.jsonObject(with: Data(contentsOf: merged.appendingPathComponent("provenance.json"))) as? [String: Any]
        #expect((provenance?["parts"] as? [Any])?.count == 4)

        // A merged run replays like any other.
        let replay = folder.appendingPathComponent("replay")
        #expect(try cli.apmrisk(["run", "--replay", merged.path, "--output", replay.path, "--quiet"]).status == 0)
        try expectIdenticalRuns(single, replay)
    }

    @Test func mergeRefusesPartsThatAreNotOneWholeRun() throws {
        let folder = try cli.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func shard(_ k: Int, seed: String = "7", into name: String = "parts") throws {
            let result = try cli.apmrisk(["run", CommandLineTests.fixture, "--trials", "30", "--seed", seed, "--shard", "\(k)/3",
                                          "--output", folder.appendingPathComponent(name).path, "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        for k in 0..<3 { try shard(k) }
        try shard(1, seed: "8", into: "other")
        let parts = folder.appendingPathComponent("parts")
        func part(_ k: Int, in name: String = "parts") -> String { folder.appendingPathComponent("\(name)/part-\(k)-of-3").path }
        let cases: [([String], String)] = [
            ([part(0), part(2)], "trials 10..<20 of 30 are in no part (shard 1 of 3 is missing)"),
            ([parts.path, part(1)], "trials 10..<20 are in both"),
            ([part(0), part(1, in: "other"), part(2)], "seed is 8, but"),
            ([folder.path], "is neither a part"),
        ]
        for (arguments, message) in cases {
            let out = folder.appendingPathComponent("merged")
            let result = try cli.apmrisk(["merge"] + arguments + ["--output", out.path])
            #expect(result.status == 64)
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
        // A truncated part (a copy cut short) is named, with the shard to run again.
        let data = URL(fileURLWithPath: part(2)).appendingPathComponent("results.part")
        try Data(try Data(contentsOf: data).prefix(4096)).write(to: data)
        let result = try cli.apmrisk(["merge", parts.path, "--output", folder.appendingPathComponent("merged").path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("truncated or damaged; run shard 2 of 3 again"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("merged").path))
    }

    @Test func shardsWithoutAnIndexOrBeyondTheArraySayWhatToSet() throws {
        let folder = try cli.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("parts").path
        let (missing, err) = try start(["run", CommandLineTests.fixture, "--trials", "30", "--shards", "3", "--output", out])
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        missing.waitUntilExit()
        #expect(missing.terminationStatus == 64)
        #expect(stderr.contains("none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set"), "\(stderr)")
        let (beyond, err2) = try start(["run", CommandLineTests.fixture, "--trials", "30", "--shards", "3", "--output", out],
                                       environment: ["JOB_COMPLETION_INDEX": "3"])
        let stderr2 = String(decoding: err2.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        beyond.waitUntilExit()
        #expect(beyond.terminationStatus == 64)
        #expect(stderr2.contains("JOB_COMPLETION_INDEX=3 is not a shard index from 0 to 2"), "\(stderr2)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let tooMany = try cli.apmrisk(["run", CommandLineTests.fixture, "--trials", "3", "--shard", "0/4", "--output", out])
        #expect(tooMany.status == 64 && tooMany.stderr.contains("use at most 3 shards"), "\(tooMany.stderr)")
    }
}
