import Engine
import Foundation
import Scenario
import Testing

struct ShardTests {
    @Test func shardsCoverEveryTrialOnceInOrder() {
        for total in [1, 2, 7, 100, 1001] {
            for count in 1...min(total, 13) {
                let ranges = (0..<count).map { ShardSpec(index: $0, count: count).trials(of: total) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == total)
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(ranges.allSatisfy { !$0.isEmpty })
            }
        }
    }

    @Test func shardIndexComesFromTheArrayJobEngine() {
        #expect(ShardSpec(parsing: "3/8") == ShardSpec(index: 3, count: 8))
        for bad in ["8/8", "-1/4", "1", "1/0", "a/b", "1/2/3", ""] { #expect(ShardSpec(parsing: bad) == nil, "\(bad)") }
        #expect(ShardSpec.arrayIndex(in: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1"])?.index == 4)
        #expect(ShardSpec.arrayIndex(in: ["SLURM_ARRAY_TASK_ID": "5"])?.index == 5)
        #expect(ShardSpec.arrayIndex(in: ["JOB_COMPLETION_INDEX": "2"])?.index == 2)
        #expect(ShardSpec.arrayIndex(in: ["AWS_BATCH_JOB_ARRAY_INDEX": "0"])?.index == 0)
        #expect(ShardSpec.arrayIndex(in: ["JOB_COMPLETION_INDEX": "x"])?.index == nil)
        #expect(ShardSpec.arrayIndex(in: ["HOME": "/root"]) == nil)
        #expect(ShardSpec(index: 3, count: 12).folderName == "part-03-of-12")
    }

    /// Parts written by shards and read back column by column give the single run's values to the
    /// bit, every quantity, design, practice, year and trial, and its outlay.
    @Test func partsReadBackAsTheSingleRun() throws {
        let scenario = try Fixture.scenario()
        let trials = 13
        let whole = try Simulation.run(scenario: scenario, trials: trials, seed: 21, threads: 2)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apmrisk-parts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var folders: [URL] = []
        for k in 0..<3 {
            let spec = ShardSpec(index: k, count: 3)
            let range = spec.trials(of: trials)
            let part = try Simulation.run(scenario: scenario, trials: trials, shard: range, seed: 21, threads: 1)
            #expect(part.trials == range.count && part.method == whole.method)
            let partFolder = folder.appendingPathComponent(spec.folderName)
            try FileManager.default.createDirectory(at: partFolder, withIntermediateDirectories: true)
            let written = try PartWriter.write(part, to: partFolder.appendingPathComponent(PartManifest.dataFileName))
            let manifest = PartManifest(
                toolVersion: "test", scenario: .init(path: "fixture.yaml", sha256: String(repeating: "0", count: 64)), roster: nil,
                seed: 21, trials: trials, confidence: nil, generator: "test", method: part.method.rawValue,
                libraryMembers: scenario.simulation.libraryMembers, layout: part.partLayout, shard: spec,
                firstTrial: range.lowerBound, dataBytes: written.bytes, checksum: written.checksum)
            try manifest.encoded().write(to: partFolder.appendingPathComponent(PartManifest.fileName))
            folders.append(partFolder)
        }
        // Given in the wrong order on purpose: parts are put in trial order by their ranges.
        let set = try PartSet.open(folders.reversed())
        try set.verify()
        let merged = try set.results(scenario: scenario)
        #expect(merged.trials == trials && merged.outlay == whole.outlay)
        for d in 0..<whole.designs {
            for p in 0..<whole.practices {
                for year in 1...whole.years {
                    for quantity in SettledQuantity.allCases where quantity != .quality || whole.recordsQuality {
                        #expect(merged.column(quantity, design: d, practice: p, year: year)
                            == whole.column(quantity, design: d, practice: p, year: year))
                    }
                }
            }
        }
        for p in 0..<whole.practices {
            for year in 1...whole.years {
                for quantity in WorldQuantity.allCases {
                    #expect(merged.column(quantity, practice: p, year: year) == whole.column(quantity, practice: p, year: year))
                }
            }
        }
        #expect(merged.storageFailure == nil)

        // One flipped byte in the middle of a part is found before anything is summarised.
        let damaged = folders[1].appendingPathComponent(PartManifest.dataFileName)
        var bytes = try Data(contentsOf: damaged)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: damaged)
        #expect(throws: MergeProblem.self) { try PartSet.open(folders).verify() }
    }
}
