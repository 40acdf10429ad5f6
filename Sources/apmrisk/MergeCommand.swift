import ArgumentParser
import Engine
import Foundation
import Reports
import Scenario

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the parts of a sharded run into the run folder a single run would have written.",
        discussion: """
        Give the folder the shards wrote into (their --output), or the part folders themselves. The \
        parts must come from one run (same apmrisk, scenario, roster, seed and trials) and cover \
        every trial once; each part's size and checksum are checked before anything is summarised. \
        Every file of the result is byte-identical to what `apmrisk run` with the same trials and \
        seed writes, except provenance.json, which records how and when the folder was made. Parts \
        are read a practice-year at a time, so the merge holds one size band's values, not the run's.
        """)

    @Argument(help: "Part folders, or folders of parts.")
    var parts: [String]

    @Option(help: "Folder to write the run into (must not exist yet); default Results/SCENARIO-merged-TIMESTAMP.")
    var output: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        let started = Date()
        let set: PartSet
        do { set = try PartSet.open(parts.map { URL(fileURLWithPath: $0) }) } catch {
            standardError("apmrisk: \(error)")
            throw ExitCode.badInput
        }
        let identity = set.first
        let (scenario, scenarioBytes) = try loadScenario(of: set)
        let stem = URL(fileURLWithPath: identity.scenario.path).deletingPathExtension().lastPathComponent
        let destination = SimulationOptions.destination(output: output, stem: stem + "-merged")
        let claim: OutputClaim
        do { claim = try OutputClaim.claim(destination, neededBytes: scenarioBytes.count + OutputClaim.typicalOutputBytes).0 } catch {
            standardError("apmrisk: \(error)")
            throw ExitCode.badInput
        }
        let interrupt = Interrupt()
        interrupt.onQuit { claim.release() }
        do {
            do { try set.verify() } catch {
                standardError("apmrisk: \(error)")
                throw ExitCode.badInput
            }
            let results: SimulationResults
            do { results = try set.results(scenario: scenario) } catch {
                standardError("apmrisk: \(error)")
                throw ExitCode.badInput
            }
            if !quiet {
                standardError("apmrisk: \(set.parts.count) parts, \(identity.trials) trials checked; summarising by design and size band")
            }
            let summary = Summarizer(scenario: scenario, results: results).summary(seed: identity.seed, confidence: identity.confidence)
            if let failure = results.storageFailure {
                standardError("apmrisk: \(failure); nothing was written")
                throw ExitCode.failure
            }
            if interrupt.isRequested() {
                standardError("apmrisk: interrupted while summarising; nothing was written")
                throw ExitCode(interrupt.exitCode)
            }
            let manifest = RunFolder.manifest(scenario, scenarioBytes: scenarioBytes, seed: identity.seed, trials: identity.trials,
                                              confidence: identity.confidence, method: results.method, precision: nil)
            let provenance = RunProvenance(
                arguments: Array(CommandLine.arguments.dropFirst()), threads: ProcessInfo.processInfo.activeProcessorCount,
                startedAt: started, finishedAt: Date(),
                parts: set.parts.map {
                    .init(folder: $0.folder.standardizedFileURL.path, shard: $0.manifest.shard, shards: $0.manifest.shards,
                          firstTrial: $0.manifest.firstTrial, trialCount: $0.manifest.trialCount)
                })
            let files = try RunFolder.files(summary, scenarioBytes: scenarioBytes, provenance: provenance)
            try RunFolder.write(files, manifest: manifest, claim: claim)
            if !quiet { RunFolder.printTables(summary, method: results.method, destination: destination, files: files) }
        } catch {
            claim.release()
            throw error
        }
    }

    /// The scenario the shards ran: the first part's copy (its hash checked), with its roster
    /// read from where the shards read it, as a replay does.
    func loadScenario(of set: PartSet) throws -> (Scenario, Data) {
        let identity = set.first
        let copy = set.parts[0].folder.appendingPathComponent(RunManifest.scenarioCopy)
        let bytes = RunManifest.readRegularFile(copy, limit: 64 << 20) ?? Data()
        guard SHA256.hex(bytes) == identity.scenario.sha256 else {
            standardError("apmrisk: \(copy.path) does not match the scenario hash in its \(PartManifest.fileName); the part was edited")
            throw ExitCode.badInput
        }
        if let roster = identity.roster {
            let current = FileManager.default.contents(atPath: roster.path).map { SHA256.hex($0) }
            guard current == roster.sha256 else {
                standardError("apmrisk: the roster \(roster.path) has changed since the shards ran (or is missing here); the merge needs the same roster")
                throw ExitCode.badInput
            }
        }
        let originalFolder = URL(fileURLWithPath: identity.scenario.path).deletingLastPathComponent()
        var scenario = try apmrisk.loadScenario(copy.path, rosterBase: originalFolder)
        scenario.sourceFile = identity.scenario.path
        return (scenario, bytes)
    }
}
