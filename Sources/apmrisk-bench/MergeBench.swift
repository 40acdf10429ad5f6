import ArgumentParser
import Dispatch
import Engine
import Foundation
import Reports
import Sampling
import Scenario

/// The merge of a large sharded run, measured: a synthetic roster (the statewide reference's
/// practice mix scaled to `practices`), parts filled with synthetic values of the right shapes and
/// signs (the merge's cost does not depend on what the values are), then `apmrisk merge` as a child
/// process, timed, with its peak memory. Baselines in the same run: a plain sequential read of the
/// parts (the least any merge must do) and the memory a single run would hold for the same results.
struct MergeBench {
    let practices: Int
    let trials: Int
    let shards: Int
    let statewide: String
    let folder: URL
    let keep: Bool

    func run() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: folder) } }
        let scenarioURL = folder.appendingPathComponent("synthetic-statewide.yaml")
        let text = try scaledRoster(String(contentsOfFile: statewide, encoding: .utf8))
        try Data(text.utf8).write(to: scenarioURL)
        let scenario = try ScenarioLoader.load(path: scenarioURL.path)
        let designs = scenario.designs.count, years = scenario.simulation.programYears
        let layouts = (0..<shards).map { k in
            PartLayout(trials: ShardSpec(index: k, count: shards).trials(of: trials).count, designs: designs,
                       practices: scenario.practices.count, years: years, recordsQuality: scenario.paysForQuality)
        }
        let partBytes = layouts.reduce(0) { $0 + $1.bytes }
        let gib = 1_073_741_824.0
        let bandCounts = scenario.sizeBands.indices.map { b in scenario.practices.filter { scenario.sizeBandIndex(members: $0.members) == b }.count }
        print("Merge benchmark: \(scenario.practices.count) practices (size bands \(bandCounts.map(String.init).joined(separator: " / "))) × \(trials) trials × \(designs) designs × \(years) years, \(shards) parts, \(String(format: "%.1f", Double(partBytes) / gib)) GiB of parts")
        var volume = statvfs()
        if statvfs(folder.path, &volume) == 0, Double(volume.f_bavail) * Double(volume.f_frsize) < Double(partBytes) * 1.02 {
            print(String(format: "  skipped: %@ has %.1f GiB free, the parts need %.1f GiB (give --merge-folder on a bigger volume)",
                         folder.path, Double(volume.f_bavail) * Double(volume.f_frsize) / gib, Double(partBytes) / gib))
            return
        }

        let parts = folder.appendingPathComponent("parts")
        let scenarioBytes = try Data(contentsOf: scenarioURL)
        var seconds = try time {
            for k in 0..<shards {
                let spec = ShardSpec(index: k, count: shards)
                try writePart(spec: spec, layout: layouts[k], scenario: scenario, scenarioBytes: scenarioBytes,
                              scenarioPath: scenarioURL.path, into: parts.appendingPathComponent(spec.folderName))
            }
        }
        print(String(format: "  parts written in %.0f s (%.2f GiB/s)", seconds, Double(partBytes) / gib / seconds))

        seconds = try time { try readSequentially(parts) }
        let readSeconds = seconds
        print(String(format: "  baseline: reading every part once, in order: %.0f s (%.2f GiB/s)", seconds, Double(partBytes) / gib / seconds))

        let output = folder.appendingPathComponent("merged")
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("apmrisk")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["merge", parts.path, "--output", output.path, "--quiet"]
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        process.waitUntilExit()
        let mergeSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        let peak = Double(usage.ru_maxrss) * 1024
        guard process.terminationStatus == 0 else {
            print("  apmrisk merge exited with \(process.terminationStatus)")
            return
        }
        let held = ResourceEstimate(scenario: scenario, trials: trials).resultBytes / 2
        print(String(format: "  apmrisk merge: %.0f s wall (%.1f× the plain read), peak memory %.2f GiB", mergeSeconds,
                     mergeSeconds / readSeconds, peak / gib))
        print(String(format: "  a single run would hold %.1f GiB of these results in memory: the merge peaks at %.2f× that (limit asked: 16 GiB)",
                     held / gib, peak / held))
    }

    /// The statewide reference with its practice groups scaled to `practices` in all.
    func scaledRoster(_ text: String) throws -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let counts = lines.compactMap { line -> Int? in
            guard line.contains("{count: "), let range = line.range(of: #"count: [0-9]+"#, options: .regularExpression) else { return nil }
            return Int(line[range].dropFirst(7))
        }
        let total = counts.reduce(0, +)
        guard total > 0 else { throw ValidationError("no practice groups with count: in \(statewide)") }
        var assigned = 0, group = 0
        return lines.map { line in
            guard line.contains("{count: "), let range = line.range(of: #"count: [0-9]+"#, options: .regularExpression) else { return line }
            group += 1
            let scaled = group == counts.count ? practices - assigned : counts[group - 1] * practices / total
            assigned += scaled
            return line.replacingCharacters(in: range, with: "count: \(scaled)")
        }.joined(separator: "\n")
    }

    func writePart(spec: ShardSpec, layout: PartLayout, scenario: Scenario, scenarioBytes: Data, scenarioPath: String,
                   into partFolder: URL) throws {
        try FileManager.default.createDirectory(at: partFolder, withIntermediateDirectories: true)
        let first = spec.trials(of: trials).lowerBound
        let members = scenario.practices.map { Double($0.members) }
        // Values drawn from a hash of where they sit, so any part can be written alone.
        func uniforms(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> [Double] {
            (0..<layout.trials).map { t in
                var x = UInt64(truncatingIfNeeded: ((a * 1_000_003 + b) * 1_009 + c) * 131 + d) &* 0x9E37_79B9_7F4A_7C15
                    &+ UInt64(first + t) &* 0xD1B5_4A32_D192_ED03
                x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
                x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
                return Double((x ^ (x >> 31)) >> 11) * 0x1p-53
            }
        }
        let written = try PartWriter.write(
            layout: layout, to: partFolder.appendingPathComponent(PartManifest.dataFileName),
            settled: { quantity, d, p, year in
                let revenue: Double = members[p] * 12 * 40
                return uniforms(quantity.rawValue, d, p, year).map { (u: Double) -> Double in
                    switch quantity {
                    case .exposure: return (u - 0.5) * 0.2 * revenue
                    case .reconciliation: return u < 0.4 ? 0 : (u - 0.7) * 0.1 * revenue
                    case .quality: return u * 0.02 * revenue
                    }
                }
            },
            world: { quantity, p, year in
                let monthly: Double = members[p] * 12
                return uniforms(7 + quantity.rawValue, 0, p, year).map { (u: Double) -> Double in
                    quantity == .totalCost ? monthly * 600 * (0.8 + 0.4 * u) : monthly * (0.9 + 0.1 * u)
                }
            },
            outlay: syntheticOutlay(uniforms(9, 0, 0, 0), perTrial: layout.outlayCount / layout.trials))
        let manifest = PartManifest(
            toolVersion: Summarizer.toolVersion, scenario: .init(path: scenarioPath, sha256: SHA256.hex(scenarioBytes)), roster: nil,
            seed: scenario.simulation.seed, trials: trials, confidence: nil, generator: GSLGenerator.typeName, method: "aggregate",
            libraryMembers: scenario.simulation.libraryMembers, layout: layout, shard: spec, firstTrial: first,
            dataBytes: written.bytes, checksum: written.checksum)
        try manifest.encoded().write(to: partFolder.appendingPathComponent(PartManifest.fileName))
        try scenarioBytes.write(to: partFolder.appendingPathComponent(RunManifest.scenarioCopy))
    }

    func syntheticOutlay(_ uniforms: [Double], perTrial: Int) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(uniforms.count * perTrial)
        for u in uniforms { for k in 0..<perTrial { values.append(Double(k + 1) * 1e6 * (1 + u)) } }
        return values
    }

    func readSequentially(_ parts: URL) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: parts.path).sorted() {
            let handle = try FileHandle(forReadingFrom: parts.appendingPathComponent(name).appendingPathComponent(PartManifest.dataFileName))
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 8 << 20), !chunk.isEmpty {}
        }
    }

    func time(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
