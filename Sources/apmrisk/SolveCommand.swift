import ArgumentParser
import Engine
import Foundation
import Reports
import Scenario
import Statistics

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Find the value of one design term that meets a target on a headline figure, on one simulated world, with an interval for Monte Carlo error.",
        discussion: """
        Example: apmrisk solve Models/default.yaml --term 'designs[1].reconciliation.loss_cap.benchmark' \
        --range 0.01..0.10 --target 'p5>=-0.10'. Figures: p5 and p1 (exposure as a share of revenue), \
        loss5 (P(loss > 5%)) and repay (P(owing a repayment)) for the smallest size band (--band picks \
        another), net_mean and net_p90 (the program's net cost against FFS, dollars). Every candidate \
        value is settled on the same trials; two rounds of 9 candidates each bracket the answer. Writes \
        report.html, summary.json, solve.csv and manifest.json into a new folder.
        """)

    @Argument(help: "Scenario file (YAML).")
    var scenario: String

    @Option(help: "The design term: a key path such as designs[1].reconciliation.downside_rate.")
    var term: String

    @Option(help: "The values to search, LOW..HIGH.")
    var range: String

    @Option(help: "The target, FIGURE>=VALUE or FIGURE<=VALUE, e.g. p5>=-0.10 or loss5<=0.05.")
    var target: String

    @Option(help: "Size band whose practice figures are used (default: the smallest with practices).")
    var band: String?

    @OptionGroup var options: SimulationOptions
    var quiet: Bool { options.quiet }

    func validate() throws {
        let parts = range.components(separatedBy: "..")
        guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]), low.isFinite, high.isFinite, low < high else {
            throw ValidationError("--range must be LOW..HIGH with LOW < HIGH, e.g. 0.01..0.10")
        }
    }

    func run() throws {
        let loaded = try loadScenario(scenario)
        guard let text = try? String(contentsOfFile: scenario, encoding: .utf8) else {
            standardError("apmrisk: cannot read \(scenario)")
            throw ExitCode.badInput
        }
        let parts = range.components(separatedBy: "..").compactMap(Double.init)
        let trials = options.trials ?? loaded.simulation.trials
        let seed = options.seed ?? loaded.simulation.seed
        let parsedTarget: Solver.Target
        do { parsedTarget = try Solver.Target(parsing: target) } catch {
            standardError("apmrisk: \(error.description)")
            throw ExitCode.badInput
        }
        let (claim, destination) = try options.claimFolder(for: scenario, suffix: "solve")
        do {
            let solved: Solver
            do {
                solved = try Solver.solve(yaml: text, file: scenario, term: term, range: parts[0]...parts[1], target: parsedTarget,
                                          trials: trials, seed: seed, threads: options.workers,
                                          band: band)
            } catch {
                standardError("apmrisk: \(scenario): \(error.description)")
                throw ExitCode.badInput
            }
            let answer = Self.describe(solved, term: term, target: target)
            var solvedAt: (value: Double, low: Double, high: Double)?
            if case let .solved(value, low, high) = solved.outcome { solvedAt = (value, low, high) }
            let summary = SolveSummary(
                scenario: loaded.name, trials: trials, seed: seed, term: term, rangeLow: parts[0], rangeHigh: parts[1],
                target: target, figure: parsedTarget.figure.rawValue, threshold: parsedTarget.value, band: solved.band,
                outcome: Self.outcomeName(solved.outcome), answer: answer,
                value: solvedAt?.value, low: solvedAt?.low, high: solvedAt?.high,
                candidates: solved.points.map { SolveSummary.Candidate(value: $0.value, figure: $0.figure) })
            let manifest: [String: Any] = ["tool": "apmrisk", "command": "solve", "scenario": scenario, "seed": seed, "trials": trials,
                                           "term": term, "range": range, "target": target, "answer": answer]
            try claim.write(files: ["solve.csv": Data(SolveReport.csv(summary).utf8),
                                    "summary.json": try summary.encoded(),
                                    "report.html": Data(SolveReport.html(summary).utf8)],
                            manifest: try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]),
                            manifestName: "manifest.json")
            if !quiet {
                print(answer)
                print("Candidates (same \(trials) trials each; band \(solved.band)):")
                for point in solved.points {
                    print("  \(term) = \(String(format: "%.6g", point.value)): \(parsedTarget.figure.rawValue) \(String(format: "%.6g", point.figure.value))\(point.figure.mcse.map { String(format: " ± %.3g", $0) } ?? "")")
                }
                print("Wrote \(destination.path)/ (report.html, summary.json, solve.csv, manifest.json)")
            }
        } catch {
            claim.release()
            throw error
        }
    }

    static func outcomeName(_ outcome: Solver.Outcome) -> String {
        switch outcome {
        case .solved: "solved"
        case .metEverywhere: "met everywhere"
        case .cannotBeMet: "cannot be met"
        case .notMonotone: "not monotone"
        }
    }

    static func describe(_ solved: Solver, term: String, target: String) -> String {
        switch solved.outcome {
        case let .solved(value, low, high):
            String(format: "\(term) = %.6g meets %@ (between %.6g and %.6g given Monte Carlo error)", value, target, low, high)
        case .metEverywhere: "\(target) is met across the whole range: any value of \(term) in it will do"
        case .cannotBeMet: "\(target) cannot be met by any value of \(term) in the range"
        case .notMonotone: "the figure is not monotone in \(term) over the range (beyond Monte Carlo error): narrow the range"
        }
    }
}
