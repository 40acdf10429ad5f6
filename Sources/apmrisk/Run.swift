import ArgumentParser
import Engine
import Foundation
import Locking
import Reports
import Sampling
import Scenario
import Statistics

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a scenario and write report.html, summary.json, exposure.csv, practices.csv, budget.csv, appropriations.csv and manifest.json.",
        discussion: """
        Results go into a new folder under Results/ unless --output names one. The folder appears \
        only when every file in it is complete; Ctrl-C stops the run and writes nothing. The same \
        scenario, seed and trials give byte-identical results whatever --threads is, and \
        --replay RUN repeats an earlier run from its manifest and scenario copy.
        """)

    @Argument(help: "Scenario file (YAML), e.g. Models/default.yaml.")
    var scenario: String?

    @Option(help: "Repeat the run in this folder: its scenario copy, seed and trials.")
    var replay: String?

    @OptionGroup var options: SimulationOptions
    var trials: Int? { options.trials }
    var seed: UInt64? { options.seed }
    var threads: Int? { options.threads }
    var output: String? { options.output }
    var quiet: Bool { options.quiet }


    @Option(help: "Confidence level of the extra appropriation column, e.g. 0.975 (default: the scenario's budget.confidence).")
    var confidence: Double?

    @Option(help: ArgumentHelp(
        "Stop when the Monte Carlo standard error of every headline figure is at most this: the P1, P5, P95 and P99 exposure of each design and size band (as a share of expected revenue, so 0.005 = half a point) and each design's P90 program outlay (relative, so 0.005 = 0.5%).",
        discussion: "Trials are added in rounds (from --trials, default 1,000) up to --max-trials; the results equal a run asked for the final number of trials at once."))
    var precision: Double?

    @Option(help: "With --precision: the most trials to run.")
    var maxTrials = 100_000

    @Option(help: ArgumentHelp(
        "Run only shard K of S (K from 0), e.g. 3/8: its contiguous part of the trials, written as a part into the --output folder for `apmrisk merge`.",
        valueName: "K/S"))
    var shard: String?

    @Option(help: ArgumentHelp(
        "Split the run into S shards and run the one an array job's index names (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX), so one command line serves every task.",
        valueName: "S"))
    var shards: Int?

    @Option(help: "Member level: automatic (the default: aggregate when its libraries pay for themselves), aggregate (fast, from member libraries) or member (member by member, the direct reference). Overrides simulation.method.")
    var method: SimulationMethod?


    func validate() throws {
        if (scenario == nil) == (replay == nil) {
            throw ValidationError("give either a SCENARIO file or --replay RUN")
        }
        if replay != nil && (trials != nil || seed != nil || confidence != nil) {
            throw ValidationError("--replay takes its trials, seed and confidence from the earlier run's manifest")
        }
        if let confidence, !(confidence > 0 && confidence < 1) {
            throw ValidationError("--confidence must be between 0 and 1, e.g. 0.9")
        }
        if let precision, !(precision > 0 && precision < 1) {
            throw ValidationError("--precision must be between 0 and 1, e.g. 0.005 (half a point of revenue)")
        }
        if replay != nil && (precision != nil || method != nil) {
            throw ValidationError("--replay takes its precision and method from the earlier run's manifest")
        }
        if shard != nil || shards != nil {
            if shard != nil && shards != nil { throw ValidationError("give --shard K/S or --shards S, not both") }
            if replay != nil || precision != nil {
                throw ValidationError("--shard and --shards split a run of fixed --trials; they cannot be combined with --replay or --precision")
            }
            if let shard, ShardSpec(parsing: shard) == nil {
                throw ValidationError("--shard must be K/S with 0 ≤ K < S, e.g. 3/8 (K counts from 0)")
            }
            if let shards, shards < 1 || shards > 100_000 { throw ValidationError("--shards must be between 1 and 100000") }
        }
        if maxTrials < 1 || maxTrials > ScenarioLoader.maximumTrials {
            throw ValidationError("--max-trials must be between 1 and \(ScenarioLoader.maximumTrials)")
        }
    }

    /// What to run: the scenario and the settings that fix its numbers.
    struct Job {
        var scenario: Scenario
        var scenarioBytes: Data
        var trials: Int
        var seed: UInt64
        var confidence: Double?
        var precision: Double?
    }

    func job() throws -> Job {
        if let replay {
            let folder = URL(fileURLWithPath: replay)
            let manifest: RunManifest
            do { manifest = try RunManifest.load(runFolder: folder, methods: SimulationMethod.allCases.map(\.rawValue)) } catch {
                standardError("apmrisk: \(error)")
                throw ExitCode.badInput
            }
            let copy = folder.appendingPathComponent(RunManifest.scenarioCopy)
            let bytes = FileManager.default.contents(atPath: copy.path) ?? Data()
            guard SHA256.hex(bytes) == manifest.scenario.sha256 else {
                standardError("apmrisk: \(copy.path) does not match the hash in the manifest; the run folder was edited")
                throw ExitCode.badInput
            }
            let originalFolder = URL(fileURLWithPath: manifest.scenario.path).deletingLastPathComponent()
            var loaded = try loadScenario(copy.path, rosterBase: originalFolder)
            loaded.sourceFile = manifest.scenario.path
            if let roster = manifest.roster {
                let current = FileManager.default.contents(atPath: roster.path).map { SHA256.hex($0) }
                guard current == roster.sha256 else {
                    standardError("apmrisk: the roster \(roster.path) has changed since the run (or is missing); a replay needs the same roster")
                    throw ExitCode.badInput
                }
            }
            if let method = manifest.method.flatMap(SimulationMethod.init(rawValue:)) { loaded.simulation.method = method }
            return Job(scenario: loaded, scenarioBytes: bytes, trials: manifest.trials, seed: manifest.seed,
                       confidence: manifest.confidence, precision: manifest.precision)
        }
        let path = scenario ?? ""
        var loaded = try loadScenario(path)
        if let method { loaded.simulation.method = method }
        let first = trials ?? (precision == nil ? loaded.simulation.trials : min(loaded.simulation.trials, 1_000))
        return Job(scenario: loaded, scenarioBytes: FileManager.default.contents(atPath: path) ?? Data(),
                   trials: first, seed: seed ?? loaded.simulation.seed, confidence: confidence, precision: precision)
    }

    func run() throws {
        let job = try job()
        let workers = threads ?? ProcessInfo.processInfo.activeProcessorCount
        if let spec = try shardSpec() { return try runShard(job, spec: spec, workers: workers) }
        let destination = URL(fileURLWithPath: output ?? defaultOutput(for: job.scenario))
        try checkResources(job, workers: workers)
        let claim: OutputClaim
        do {
            let (claimed, removed) = try OutputClaim.claim(destination, neededBytes: job.scenarioBytes.count + OutputClaim.typicalOutputBytes)
            claim = claimed
            for path in removed where !quiet {
                standardError("apmrisk: removed \(path), left by a run that was killed while writing")
            }
        } catch {
            standardError("apmrisk: \(error)")
            throw ExitCode.badInput
        }

        let started = Date()
        let interrupt = Interrupt()
        interrupt.onQuit { claim.release() }
        do {
            try simulateAndWrite(job, workers: workers, claim: claim, interrupt: interrupt, started: started)
        } catch {
            claim.release()
            throw error
        }
    }

    func simulateAndWrite(_ job: Job, workers: Int, claim: OutputClaim, interrupt: Interrupt, started: Date) throws {
        let destination = claim.destination
        let progress = Progress(total: job.trials,
                                style: ProgressFormat.style(quiet: quiet, terminal: isatty(STDERR_FILENO) == 1))
        let results: SimulationResults
        let limit = precisionLimit(job, workers: workers)
        // A --precision run summarises every round; the last round's summary is the run's.
        let lastRound = Locked<RunSummary?>(nil)
        do {
            results = try Simulation.run(scenario: job.scenario, trials: job.trials, seed: job.seed, threads: workers,
                                         progress: progress.update, libraryProgress: progress.libraries,
                                         shouldStop: interrupt.flag.isSet,
                                         moreTrials: job.precision.map { target in
                { results in
                    let round = Self.precisionRound(results, job: job, target: target, limit: limit)
                    lastRound.withLock { $0 = round.summary }
                    if let next = round.next { progress.extend(to: next) }
                    return round.next
                }
            })
        } catch let SimulationError.cancelled(done) {
            standardError("\napmrisk: stopped after \(done) of \(job.trials) trials; nothing was written (a run folder appears only when complete)")
            throw ExitCode(interrupt.exitCode)
        } catch let SimulationError.plan(.unplacedPractices(design, index, practices)) {
            standardError("apmrisk: \(job.scenario.sourceFile): " + RunPlanError.unplacedPractices(design: design, designIndex: index, practices: practices).description)
            throw ExitCode.badInput
        } catch {
            standardError("apmrisk: \(error)")
            throw ExitCode.failure
        }
        progress.finish()
        var summary = lastRound.withLock { $0 }.flatMap { $0.settings.trials == results.trials ? $0 : nil }
            ?? Summarizer(scenario: job.scenario, results: results).summary(seed: job.seed, confidence: job.confidence)
        if let target = job.precision { summary.precision = PrecisionReport.of(summary, target: target) }
        let manifest = RunFolder.manifest(job.scenario, scenarioBytes: job.scenarioBytes, seed: job.seed, trials: results.trials,
                                          confidence: job.confidence, method: results.method, precision: job.precision)
        let provenance = RunProvenance(arguments: Array(CommandLine.arguments.dropFirst()), threads: workers,
                                       startedAt: started, finishedAt: Date())
        if interrupt.isRequested() {
            standardError("apmrisk: interrupted while summarising; nothing was written")
            throw ExitCode(interrupt.exitCode)
        }
        let files = try RunFolder.files(summary, scenarioBytes: job.scenarioBytes, provenance: provenance)
        try RunFolder.write(files, manifest: manifest, claim: claim)
        if !quiet { RunFolder.printTables(summary, method: results.method, destination: destination, files: files) }
    }

    /// With --precision, the most trials memory allows (at most --max-trials).
    func precisionLimit(_ job: Job, workers: Int) -> Int {
        guard job.precision != nil else { return job.trials }
        let available = Double(ProcessInfo.processInfo.physicalMemory) * 0.75
        let fitting = ResourceEstimate(scenario: job.scenario, trials: maxTrials)
            .trialsFitting(bytes: available, trials: maxTrials, threads: workers) ?? job.trials
        return max(job.trials, min(maxTrials, fitting))
    }

    /// The summary of a round of a precision run, and the next total of trials, or nil when the
    /// target is met or the limit reached. Standard errors fall as 1/√trials, so the total aims
    /// at (reached/target)² times the current one, growing by 1.25× to 4× per round.
    static func precisionRound(_ results: SimulationResults, job: Job, target: Double,
                               limit: Int) -> (next: Int?, summary: RunSummary) {
        let summary = Summarizer(scenario: job.scenario, results: results).summary(seed: job.seed, confidence: job.confidence)
        let report = PrecisionReport.of(summary, target: target)
        guard !report.met, results.trials < limit else { return (nil, summary) }
        let ratio = report.reached.isFinite ? (report.reached / target) * (report.reached / target) : 4
        let next = Double(results.trials) * min(max(ratio * 1.05, 1.25), 4)
        standardError(String(format: "apmrisk: %d trials, largest headline standard error %.4g (%@), target %.4g: continuing",
                             results.trials, report.reached, report.limitingFigure, target))
        return (min(limit, Int(next.rounded(.up))), summary)
    }

    /// Refuses, before anything is allocated, a run whose results and member libraries would not
    /// fit in memory, saying what to change; says how long it will take.
    /// `trials`: how many this process runs (a shard's part of the run).
    func checkResources(_ job: Job, trials: Int? = nil, workers: Int) throws {
        let trials = trials ?? job.trials
        let estimate = ResourceEstimate(scenario: job.scenario, trials: trials)
        let available = Double(ProcessInfo.processInfo.physicalMemory) * 0.75
        let gib = 1_073_741_824.0
        let needed = estimate.bytes(threads: workers)
        if needed > available {
            let parts = String(format: "%.1f GiB for results, %.1f GiB for member libraries and the program", estimate.resultBytes / gib,
                               (needed - estimate.resultBytes) / gib)
            let lowerLibraries = "lower simulation.library_members in \(job.scenario.sourceFile) (now \(job.scenario.simulation.libraryMembers))"
            var advice: String
            if let fitting = estimate.trialsFitting(bytes: available, trials: trials, threads: workers) {
                // Shards of the same run, each within memory, merged into the run asked for.
                let shards = (trials + fitting - 1) / fitting
                advice = "split the run into shards that each fit (--shard K/\(shards) for K = 0…\(shards - 1), on one machine after another or on a cluster, then apmrisk merge; see README, Scaling out), or run at most \(fitting) trials (--trials \(fitting))"
                if estimate.libraryBytes > 0 { advice += ", or \(lowerLibraries)" }
            } else {
                advice = "\(lowerLibraries), or set simulation.method: member"
            }
            standardError(String(format: "apmrisk: this run would need about %.1f GiB of memory (%@), more than the %.1f GiB available; %@",
                                 needed / gib, parts, available / gib, advice))
            throw ExitCode.badInput
        }
        if !quiet {
            standardError(String(format: "apmrisk: %d trials, %.0f million member-years, about %@ on %d thread%@, %.2f GiB of memory",
                                 trials, estimate.memberYears / 1e6, ProgressFormat.clock(estimate.seconds(threads: workers)),
                                 workers, workers == 1 ? "" : "s", needed / gib))
        }
    }

    func defaultOutput(for scenario: Scenario) -> String {
        let stem = URL(fileURLWithPath: scenario.sourceFile).deletingPathExtension().lastPathComponent
        return options.destination(stem: replay == nil ? stem : "replay").path
    }
}

extension SimulationMethod: ExpressibleByArgument {}
