import ArgumentParser
import Engine
import Foundation
import Reports
import Sampling
import Scenario

extension Run {
    /// The shard this process runs: --shard K/S, or --shards S with K from the array job.
    func shardSpec() throws -> ShardSpec? {
        if let shard { return ShardSpec(parsing: shard) }
        guard let shards else { return nil }
        guard let (index, variable) = ShardSpec.arrayIndex(in: ProcessInfo.processInfo.environment) else {
            standardError("apmrisk: --shards \(shards) takes this task's index from an array job, but none of \(ShardSpec.indexVariables.joined(separator: ", ")) is set; outside an array job give --shard K/\(shards)")
            throw ExitCode.badInput
        }
        guard let index, index >= 0, index < shards else {
            let environment = ProcessInfo.processInfo.environment
            var value = "\(variable)=\(environment[variable] ?? "")"
            if let index, let first = environment["SLURM_ARRAY_TASK_MIN"], variable == "SLURM_ARRAY_TASK_ID" {
                value += " (index \(index) counting from SLURM_ARRAY_TASK_MIN=\(first))"
            }
            standardError("apmrisk: \(value) is not a shard index from 0 to \(shards - 1) for --shards \(shards); make the array job's size match --shards (e.g. sbatch --array=0-\(shards - 1))")
            throw ExitCode.badInput
        }
        return ShardSpec(index: index, count: shards)
    }

    /// Runs one shard's trials and writes its part (`results.part`, `part.json` and the scenario
    /// copy) into `PARTS/part-K-of-S`. Everything the run decides from all its trials is decided
    /// here from all of them too, so the merged parts equal the run made at once.
    func runShard(_ job: Job, spec: ShardSpec, workers: Int) throws {
        guard spec.count <= job.trials else {
            standardError("apmrisk: \(spec.count) shards of \(job.trials) trials would leave some shards empty; use at most \(job.trials) shards")
            throw ExitCode.badInput
        }
        let range = spec.trials(of: job.trials)
        let stem = URL(fileURLWithPath: job.scenario.sourceFile).deletingPathExtension().lastPathComponent
        // Every shard must find the same parts folder without talking to the others: the default
        // names the run, not the moment.
        let parts = URL(fileURLWithPath: output ?? "Results/\(stem)-parts-\(job.trials)-trials-seed-\(job.seed)")
        let layout = PartLayout(trials: range.count, designs: job.scenario.designs.count, practices: job.scenario.practices.count,
                                years: job.scenario.simulation.programYears, recordsQuality: job.scenario.paysForQuality)
        try checkResources(job, trials: range.count, workers: workers)
        let claim: OutputClaim
        do {
            claim = try OutputClaim.claim(parts.appendingPathComponent(spec.folderName),
                                          neededBytes: layout.bytes + job.scenarioBytes.count + (1 << 20)).0
        } catch {
            standardError("apmrisk: \(error)")
            throw ExitCode.badInput
        }
        let interrupt = Interrupt()
        interrupt.onQuit { claim.release() }
        do {
            let progress = Progress(total: range.count,
                                    style: ProgressFormat.style(quiet: quiet, terminal: isatty(STDERR_FILENO) == 1))
            let results: SimulationResults
            do {
                results = try Simulation.run(scenario: job.scenario, trials: job.trials, shard: range, seed: job.seed,
                                             threads: workers, progress: progress.update, libraryProgress: progress.libraries,
                                             shouldStop: interrupt.flag.isSet)
            } catch let SimulationError.cancelled(done) {
                standardError("\napmrisk: stopped after \(done) of \(range.count) trials of shard \(spec.index); nothing was written")
                throw ExitCode(interrupt.exitCode)
            } catch {
                standardError("apmrisk: \(job.scenario.sourceFile): \(error)")
                throw ExitCode.failure
            }
            progress.finish()
            let data = claim.staging.appendingPathComponent(PartManifest.dataFileName)
            let written = try PartWriter.write(results, to: data)
            let manifest = PartManifest(
                toolVersion: Summarizer.toolVersion,
                scenario: .init(path: URL(fileURLWithPath: job.scenario.sourceFile).standardizedFileURL.path,
                                sha256: SHA256.hex(job.scenarioBytes)),
                roster: RunFolder.rosterInput(job.scenario).map { .init(path: $0.path, sha256: $0.sha256) },
                seed: job.seed, trials: job.trials, confidence: job.confidence, generator: GSLGenerator.typeName,
                method: results.method.rawValue, libraryMembers: job.scenario.simulation.libraryMembers,
                layout: results.partLayout, shard: spec, firstTrial: range.lowerBound,
                dataBytes: written.bytes, checksum: written.checksum)
            if interrupt.isRequested() {
                standardError("apmrisk: interrupted while writing shard \(spec.index); nothing was written")
                throw ExitCode(interrupt.exitCode)
            }
            try claim.write(files: [RunManifest.scenarioCopy: job.scenarioBytes], manifest: try manifest.encoded(),
                            manifestName: PartManifest.fileName)
        } catch {
            claim.release()
            if let problem = error as? OutputProblem {
                standardError("apmrisk: \(problem)")
                throw ExitCode.failure
            }
            if error is ExitCode { throw error }
            standardError("apmrisk: cannot write \(claim.destination.path): \(plainReason(error))")
            throw ExitCode.failure
        }
        if !quiet {
            print("Wrote shard \(spec.index) of \(spec.count) (trials \(range.lowerBound)..<\(range.upperBound) of \(job.trials)) to \(claim.destination.path)/")
            print("When every shard has finished: apmrisk merge \(parts.path) --output RUN")
        }
    }
}
