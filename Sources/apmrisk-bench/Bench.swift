import ArgumentParser
import Dispatch
import Engine
import Foundation
import Sampling
import Scenario
import Statistics

/// Times the member level on the speed peer's model, by the fast (aggregate) path and the direct
/// (member-by-member) path, on 1 and 2 threads, beside the numpy peer measured in the same run;
/// then times whole runs: the default model, and the statewide reference (Models/bench-statewide.yaml)
/// with persistent panels as written and with independent years, with peak memory.
/// Prints figures; asserts nothing.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apmrisk-bench",
        abstract: "Member-years per second of apmrisk's member-level world vs the numpy peer.")

    @Option(help: "Members per practice (the peer's --members).")
    var members = 2_000

    @Option(help: "Trials (practice-years) per timing of the direct path.")
    var trials = 4_000

    @Option(help: "Trials (practice-years) per timing of the fast path.")
    var fastTrials = 200_000

    @Option(help: "The statewide reference scenario; pass --no-statewide to skip it.")
    var statewide = "Models/bench-statewide.yaml"

    @Flag(help: "Skip the statewide run.")
    var noStatewide = false

    @Option(help: "The default model, timed as a whole run; pass --no-default to skip it.")
    var defaultModel = "Models/default.yaml"

    @Flag(help: "Skip the default model's run.")
    var noDefault = false

    @Option(help: "Per-member cost cap, dollars.")
    var cap = 150_000.0

    @Option(help: "Seed of both paths' draws (and of the numpy peer).")
    var seed: UInt64 = 1

    @Option(help: "Also run the coverage check: this many seeds of each path against the exact distribution (0: skip).")
    var coverageSeeds = 0

    @Option(help: "Trials per seed of the coverage check's direct path (its fast path runs 10x as many).")
    var coverageTrials = 1000

    @Option(help: "Timing repeats; the best is reported.")
    var repeats = 3

    @Option(help: "The peer's member model as a scenario file.")
    var model = "Models/bench-peer.yaml"

    @Option(help: "Path of the numpy peer script.")
    var peer = "../shared/bench/numpy_member_sim.py"

    @Flag(help: "Skip the numpy peer.")
    var noPeer = false

    @Option(help: "Only the merge benchmark, on a synthetic roster of this many practices (e.g. 10000).")
    var mergePractices: Int?

    @Option(help: "Merge benchmark: trials of the synthetic run.")
    var mergeTrials = 20_000

    @Option(help: "Merge benchmark: parts the synthetic run is split into.")
    var mergeShards = 10

    @Option(help: "Merge benchmark: folder for the parts (removed afterwards); default the temporary folder.")
    var mergeFolder: String?

    func run() throws {
        if let mergePractices {
            return try MergeBench(practices: mergePractices, trials: mergeTrials, shards: mergeShards, statewide: statewide,
                                  folder: URL(fileURLWithPath: mergeFolder ?? FileManager.default.temporaryDirectory
                                      .appendingPathComponent("apmrisk-merge-bench-\(getpid())").path),
                                  keep: false).run()
        }
        let scenario = try BenchModel.scenario(path: model)
        let sampler = try PanelSampler(scenario: scenario, method: .member, attachments: [cap], seed: seed)
        print("Direct path (member by member), peer model: \(members) members × \(trials) trials, cap $\(Int(cap)), best of \(repeats)")
        var direct: [Int: Double] = [:]
        var totals: [Double] = []
        var directTotals: [Double] = []
        for threads in [1, 2] {
            let best = try bestTime {
                totals = try sampler.practiceYears(classCounts: [members], trials: trials, threads: threads).map { $0.truncatedCost[0] }
            }
            direct[threads] = Double(members * trials) / best
            report(threads: threads, seconds: best, rate: direct[threads]!)
        }
        print(String(format: "  scaling 2 vs 1 thread: %.2f×", direct[2]! / direct[1]!))
        describe(totals)
        directTotals = totals

        let fast = try PanelSampler(scenario: scenario, method: .aggregate, attachments: [cap], seed: seed)
        let libraryStart = DispatchTime.now().uptimeNanoseconds
        _ = try fast.practiceYears(classCounts: [members], trials: 1, threads: 2)
        let librarySeconds = Double(DispatchTime.now().uptimeNanoseconds - libraryStart) / 1e9
        print(String(format: "Fast path (aggregate from member libraries), same model: %d members × %d trials, best of %d; libraries built once in %.2f s",
                     members, fastTrials, repeats, librarySeconds))
        var aggregate: [Int: Double] = [:]
        for threads in [1, 2] {
            let best = try bestTime {
                totals = try fast.practiceYears(classCounts: [members], trials: fastTrials, threads: threads).map { $0.truncatedCost[0] }
            }
            aggregate[threads] = Double(members * fastTrials) / best
            report(threads: threads, seconds: best, rate: aggregate[threads]!)
        }
        print(String(format: "  scaling 2 vs 1 thread: %.2f×", aggregate[2]! / aggregate[1]!))
        describe(totals)
        let fastTotals = totals
        print(String(format: "  fast vs direct path, one core each: %.1f×", aggregate[1]! / direct[1]!))

        compareWithExact(scenario: scenario, fast: fastTotals, direct: directTotals)
        if coverageSeeds > 0 { try printCoverage(scenario: scenario) }

        if !noPeer, let peerRate = runPeer() {
            print(String(format: "ratio to numpy, one core each: fast path %.1f×, direct path %.2f×", aggregate[1]! / peerRate,
                         direct[1]! / peerRate))
        }
        if !noDefault { _ = timeRun(defaultModel, label: "Default model") }
        if !noStatewide {
            let persistent = timeRun(statewide, label: "Statewide reference, persistent panels")
            if let independent = withIndependentYears(statewide),
               let seconds = timeRun(independent.path, label: "Statewide reference, independent years (same run, for the ratio)") {
                if let persistent { print(String(format: "  persistent panels cost %.2f× the independent-years run", persistent / seconds)) }
                try? FileManager.default.removeItem(at: independent)
            }
        }
    }

    /// A copy of the scenario at `path` with persistence, baseline years and baseline weights
    /// removed (independent years, one baseline year), or nil if it cannot be written.
    func withIndependentYears(_ path: String) -> URL? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var lines: [Substring] = []
        var skippingBlock = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if skippingBlock, line.hasPrefix("    ") { continue }
            skippingBlock = false
            let key = line.drop { $0 == " " }
            if key.hasPrefix("persistence:") { skippingBlock = true; continue }
            if key.hasPrefix("baseline_years:") { continue }
            if key.hasPrefix("benchmark: {baseline_weights:") { continue }
            lines.append(line)
        }
        let url = URL(fileURLWithPath: path).deletingLastPathComponent()
            .appendingPathComponent(".apmrisk-bench-independent-\(getpid()).yaml")
        do { try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8) } catch { return nil }
        return url
    }

    /// Both paths' mean and P1–P99.5 beside the exact FFT distribution of the same panel, each
    /// with its stated Monte Carlo error (libraries included) and z = (estimate − exact) / error.
    func compareWithExact(scenario: Scenario, fast: [Double], direct: [Double]) {
        let exact: ExactPanelCost
        do { exact = try ExactPanelCost(scenario: scenario, members: members, cap: cap) } catch {
            print("Exact reference: \(error)")
            return
        }
        print("Against the exact FFT distribution (seed \(seed); error = stated Monte Carlo standard error, library sets included):")
        let columns = ["statistic", "exact", "fast path", "± error", "z", "direct path", "± error", "z"]
        var rows: [[String]] = []
        for (f, d) in zip(ReferenceCheck.rows(sample: fast, exact: exact), ReferenceCheck.rows(sample: direct, exact: exact)) {
            func z(_ row: ReferenceCheck.Row) -> String { row.z.map { String(format: "%+.2f", $0) } ?? "n/a" }
            rows.append([f.statistic, grouped(f.exact), grouped(f.estimate), f.error.map(grouped) ?? "n/a", z(f),
                         grouped(d.estimate), d.error.map(grouped) ?? "n/a", z(d)])
        }
        let widths = columns.indices.map { c in max(columns[c].count, rows.map { $0[c].count }.max() ?? 0) }
        for line in [columns] + rows {
            print("  " + line.enumerated().map { String(repeating: " ", count: widths[$0] - $1.count) + $1 }.joined(separator: "  "))
        }
    }

    /// Root mean square and mean of z over `coverageSeeds` seeds per path and statistic, for the
    /// capped panel total (an honest error gives RMS near 1; CoverageTests asserts the limits).
    func printCoverage(scenario: Scenario) throws {
        let exact = try ExactPanelCost(scenario: scenario, members: members, cap: cap)
        print("Coverage over \(coverageSeeds) seeds (seeds \(seed)…), \(members) members, capped total: RMS z (mean z)")
        for (method, trials) in [(SimulationMethod.member, coverageTrials), (.aggregate, 10 * coverageTrials)] {
            let coverage = try ReferenceCheck.coverage(seeds: coverageSeeds, exact: exact) { s in
                try PanelSampler(scenario: scenario, method: method, attachments: [cap], seed: seed + s)
                    .practiceYears(classCounts: [members], trials: trials, threads: 2).map { $0.truncatedCost[0] }
            }
            let cells = coverage.map { String(format: "%@ %.2f (%+.2f)", $0.statistic, $0.rmsZ, $0.meanZ) }
            print("  \(method == .member ? "direct" : "fast  ") path, \(trials) trials: " + cells.joined(separator: "  "))
        }
    }

    func bestTime(_ body: () throws -> Void) throws -> Double {
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }

    func report(threads: Int, seconds: Double, rate: Double) {
        print(String(format: "  %d thread%@: %.3f s, %@ member-years/s", threads, threads == 1 ? " " : "s", seconds, grouped(rate)))
    }

    /// Runs `apmrisk run` on a scenario (all its trials, 2 threads) as a child process and prints
    /// its wall time (from here) and the peak memory of the children so far; returns the seconds.
    func timeRun(_ path: String, label: String) -> Double? {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("apmrisk")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("apmrisk-bench-run-\(getpid())")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", path, "--threads", "2", "--quiet", "--output", output.path]
        let start = DispatchTime.now().uptimeNanoseconds
        do { try process.run() } catch {
            print("\(label): \(binary.path) could not be started (\(error))")
            return nil
        }
        process.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        let manifest = (try? String(contentsOf: output.appendingPathComponent("manifest.json"), encoding: .utf8)) ?? ""
        let trials = manifest.range(of: #""trials" : [0-9]+"#, options: .regularExpression)
            .map { String(manifest[$0].filter(\.isNumber)) } ?? "?"
        try? FileManager.default.removeItem(at: output)
        guard process.terminationStatus == 0 else {
            print("\(label): apmrisk exited with \(process.terminationStatus)")
            return nil
        }
        print(String(format: "%@ (%@, %@ trials, 2 threads): %.1f s wall, peak memory of the runs so far %.2f GiB",
                     label, path, trials, seconds, Double(usage.ru_maxrss) / 1_048_576))
        return seconds
    }

    func describe(_ totals: [Double]) {
        let sorted = totals.sorted()
        let mean = totals.reduce(0, +) / Double(totals.count)
        print("  per-practice total: mean \(grouped(mean))  P50 \(grouped(Quantile.of(sorted: sorted, 0.5)))  P95 \(grouped(Quantile.of(sorted: sorted, 0.95)))  P99 \(grouped(Quantile.of(sorted: sorted, 0.99)))")
    }

    /// Runs the numpy peer on the same model and sizes; returns its member-years per second.
    func runPeer() -> Double? {
        guard FileManager.default.fileExists(atPath: peer) else {
            print("numpy peer: \(peer) not found; pass --peer PATH")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", peer, "--members", String(members), "--trials", String(trials),
                             "--seed", String(seed), "--cap", String(cap)]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch {
            print("numpy peer: python3 could not be started (\(error))")
            return nil
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print("numpy peer (same run):")
        for line in output.split(separator: "\n") { print("  " + line) }
        guard process.terminationStatus == 0,
              let field = output.range(of: #"throughput ([0-9,]+) member-years/s"#, options: .regularExpression)
        else { print("numpy peer: failed or numpy missing (pip install numpy)"); return nil }
        let digits = output[field].filter(\.isNumber)
        return Double(String(digits))
    }

    func grouped(_ x: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: x)) ?? String(x)
    }
}
