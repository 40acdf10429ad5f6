import ArgumentParser
import Dispatch
import Engine
import Foundation
import Sampling
import Statistics
import Synchronization

/// Times the member-level world on the speed peer's model and compares it with the numpy peer
/// measured in the same run. Prints figures; asserts nothing.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apmrisk-bench",
        abstract: "Member-years per second of apmrisk's member-level world vs the numpy peer.")

    @Option(help: "Members per practice (the peer's --members).")
    var members = 2_000

    @Option(help: "Trials (practice-years) per timing.")
    var trials = 4_000

    @Option(help: "Per-member cost cap, dollars.")
    var cap = 150_000.0

    @Option(help: "Timing repeats; the best is reported.")
    var repeats = 3

    @Option(help: "The peer's member model as a scenario file.")
    var model = "Models/bench-peer.yaml"

    @Option(help: "Path of the numpy peer script.")
    var peer = "../shared/bench/numpy_member_sim.py"

    @Flag(help: "Skip the numpy peer.")
    var noPeer = false

    func run() throws {
        let sampler = try MemberSampler(scenario: BenchModel.scenario(path: model))
        print("apmrisk member-level world, peer model: \(members) members × \(trials) trials, cap $\(Int(cap)), best of \(repeats)")
        var rates: [Int: Double] = [:]
        var totals: [Double] = []
        for threads in [1, 2] {
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                totals = try practiceTotals(sampler: sampler, threads: threads)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            rates[threads] = Double(members * trials) / best
            print(String(format: "  %d thread%@: %.3f s, %@ member-years/s", threads, threads == 1 ? " " : "s", best,
                         grouped(rates[threads]!)))
        }
        let scaling = rates[2]! / rates[1]!
        print(String(format: "  scaling 2 vs 1 thread: %.2f×", scaling))
        describe(totals)

        guard !noPeer else { return }
        guard let peerRate = runPeer() else { return }
        print(String(format: "ratio apmrisk/numpy, one core each: %.2f×   (2 threads vs numpy's one: %.2f×)",
                     rates[1]! / peerRate, rates[2]! / peerRate))
    }

    /// Per-practice totals of capped member costs, one practice-year per trial; trial t always
    /// uses the stream of (seed, t), so the totals do not depend on the thread count.
    func practiceTotals(sampler: MemberSampler, threads: Int) throws -> [Double] {
        var totals = [Double](repeating: 0, count: trials)
        let next = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        let count = trials, members = members, cap = cap
        totals.withUnsafeMutableBufferPointer { buffer in
            let slots = Slots(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while true {
                    let t = next.add(1, ordering: .relaxed).oldValue
                    guard t < count else { return }
                    var sum = CappedSum(cap: cap)
                    do {
                        try sampler.simulate(members: members, mix: [1], seed: StreamSeed.derive(1, UInt64(t)), observer: &sum)
                    } catch { failed.store(true, ordering: .relaxed); return }
                    slots.buffer[t] = sum.total
                }
            }
        }
        if failed.load(ordering: .relaxed) { throw ExitCode.failure }
        return totals
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
                             "--seed", "1", "--cap", String(cap)]
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

private struct Slots: @unchecked Sendable { let buffer: UnsafeMutableBufferPointer<Double> }

/// Sums member costs truncated at a per-member cap.
struct CappedSum: MemberObserver {
    let cap: Double
    var total = 0.0
    mutating func observe(_ member: MemberDraw) { total += min(member.cost, cap) }
}
