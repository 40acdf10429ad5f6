import Foundation
import Scenario
import Statistics

/// Finds the value of one design term that brings a headline figure to a target, on one simulated
/// world: every candidate value is settled as one more design on the same trials (common random
/// numbers), so the figure is a fixed function of the term and a bracketing search converges on
/// it. The interval around the answer is where the figure's Monte Carlo band (±2 standard errors
/// of the figure at each candidate) crosses the target.
public struct Solver {
    public enum Figure: String, CaseIterable, Sendable {
        case p5, p1, lossBeyond5 = "loss5", repayment = "repay", netMean = "net_mean", netP90 = "net_p90"
    }

    public struct Target: Sendable, Equatable {
        public let figure: Figure
        /// true: the figure must be at least `value`; false: at most.
        public let atLeast: Bool
        public let value: Double

        /// `p5>=-0.10`, `loss5<=0.05`, `net_p90<=2.5e6`.
        public init(parsing text: String) throws(Sensitivity.Failure) {
            let compact = text.replacingOccurrences(of: " ", with: "")
            for (symbol, atLeast) in [(">=", true), ("<=", false)] {
                let parts = compact.components(separatedBy: symbol)
                guard parts.count == 2 else { continue }
                guard let figure = Figure(rawValue: parts[0]), let value = Double(parts[1]), value.isFinite else { break }
                self.figure = figure; self.atLeast = atLeast; self.value = value
                return
            }
            throw .edit(ScenarioEdit.EditError(keyPath: "--target \(text)", reason: "expected FIGURE>=VALUE or FIGURE<=VALUE with FIGURE one of \(Figure.allCases.map(\.rawValue).joined(separator: ", ")), e.g. p5>=-0.10"))
        }

        public init(figure: Figure, atLeast: Bool, value: Double) { self.figure = figure; self.atLeast = atLeast; self.value = value }

        func isMet(_ x: Double) -> Bool { atLeast ? x >= value : x <= value }
    }

    public struct Point: Sendable, Equatable {
        public let value: Double
        public let figure: Estimate
    }

    public enum Outcome: Sendable, Equatable {
        /// The term's value where the figure meets the target, and the values between which the
        /// crossing lies given Monte Carlo error.
        case solved(value: Double, low: Double, high: Double)
        case metEverywhere
        case cannotBeMet
        case notMonotone
    }

    public let outcome: Outcome
    /// Every candidate settled, in the order of the term's value.
    public let points: [Point]
    public let band: String

    /// - Parameter rounds: bracketing rounds of `candidates` values each; the answer's resolution is
    ///   the range / (candidates − 1)^rounds before the final linear interpolation.
    public static func solve(yaml: String, file: String, term keyPath: String, range: ClosedRange<Double>, target: Target,
                             trials: Int, seed: UInt64, threads: Int, band: String? = nil,
                             candidates: Int = 9, rounds: Int = 2) throws(Sensitivity.Failure) -> Solver {
        let swing = Swing(keyPath: keyPath, low: range.lowerBound, high: range.upperBound)
        guard let (design, path) = swing.design else {
            throw .edit(ScenarioEdit.EditError(keyPath: keyPath, reason: "solve takes a design term (designs[N]....): a world assumption is not the subcommittee's to choose"))
        }
        var points: [Point] = []
        var bandName = ""
        var low = range.lowerBound, high = range.upperBound
        for _ in 0..<rounds {
            // A bracket's ends were settled in the round before: only its inside is new.
            let settled = Set(points.map(\.value))
            let values = (0..<candidates).map { low + (high - low) * Double($0) / Double(candidates - 1) }
                .filter { !settled.contains($0) }
            let (evaluated, name) = try evaluate(yaml: yaml, file: file, design: design, path: path, values: values,
                                                 figure: target.figure, trials: trials, seed: seed, threads: threads, band: band)
            bandName = name
            points = (points + evaluated).sorted { $0.value < $1.value }
            // The bracket where the target changes from met to not met (on the point estimates).
            guard let k = points.indices.dropLast().first(where: {
                target.isMet(points[$0].figure.value) != target.isMet(points[$0 + 1].figure.value)
            }) else { break }
            low = points[k].value; high = points[k + 1].value
        }
        let outcome = Self.outcome(points: points, target: target)
        return Solver(outcome: outcome, points: points, band: bandName)
    }

    static func outcome(points: [Point], target: Target) -> Outcome {
        let met = points.map { target.isMet($0.figure.value) }
        if met.allSatisfy({ $0 }) { return .metEverywhere }
        if !met.contains(true) { return .cannotBeMet }
        // Monotone within error: no reversal larger than twice the two points' errors.
        let increasing = (points.last!.figure.value - points.first!.figure.value) >= 0
        for (a, b) in zip(points, points.dropFirst()) {
            let step = b.figure.value - a.figure.value
            let noise = 2 * ((a.figure.mcse ?? 0) + (b.figure.mcse ?? 0))
            if (increasing ? -step : step) > noise { return .notMonotone }
        }
        // Linear interpolation inside each crossing of the target, for the estimate and for the
        // edges of the ±2-standard-error band.
        func crossing(_ shift: Double) -> Double? {
            for (a, b) in zip(points, points.dropFirst()) {
                let fa = a.figure.value + shift * (a.figure.mcse ?? 0) - target.value
                let fb = b.figure.value + shift * (b.figure.mcse ?? 0) - target.value
                if fa == 0 { return a.value }
                if (fa < 0) != (fb < 0) { return a.value + (b.value - a.value) * fa / (fa - fb) }
            }
            return nil
        }
        guard let value = crossing(0) else { return .cannotBeMet }
        let edges = [crossing(-2), crossing(2)].compactMap { $0 }
        let lowEdge = edges.min() ?? points.first!.value, highEdge = edges.max() ?? points.last!.value
        return .solved(value: value, low: min(lowEdge, value), high: max(highEdge, value))
    }

    /// The figure, with its own Monte Carlo error, under each value of the term (one run).
    static func evaluate(yaml: String, file: String, design: Int, path: String, values: [Double], figure: Figure,
                         trials: Int, seed: UInt64, threads: Int, band: String?) throws(Sensitivity.Failure) -> ([Point], String) {
        let base = try Sensitivity.load(yaml, file: file, swing: "(none)")
        let variants = values.enumerated().map { k, value in
            DesignVariant(design: design, path: path, value: value, label: "candidate \(k + 1): \(path) = \(value)")
        }
        let (scenario, results) = try Sensitivity.settle(variants, yaml: yaml, file: file, base: base, trials: trials,
                                                         seed: seed, threads: threads)
        let sampler = FigureSampler(scenario: scenario, band: try Sensitivity.bandIndex(band, in: base), results: results)
        let points = values.indices.map { k in
            Point(value: values[k], figure: sampler.estimate(figure, design: base.designs.count + k))
        }
        return (points, sampler.bandName)
    }
}

extension FigureSampler {
    /// One figure of design `d` with its own batch error.
    func estimate(_ figure: Solver.Figure, design d: Int) -> Estimate {
        let k = practices.count
        switch figure {
        case .p5, .p1:
            let sample = BatchedSample(values: practiceObservations(design: d).shares, perTrial: k)
            let level = figure == .p5 ? 0.05 : 0.01
            let p = sample.summary(levels: [level]).percentile(level)
            return Estimate(value: p?.value ?? 0, mcse: p?.mcse)
        case .lossBeyond5:
            return BatchedSample(values: practiceObservations(design: d).shares, perTrial: k).probability { $0 < -0.05 }
        case .repayment:
            return BatchedSample(values: practiceObservations(design: d).repaid, perTrial: k).probability { $0 > 0 }
        case .netMean:
            let net = netCost(design: d)
            let sample = BatchedSample(values: net, perTrial: 1)
            return Estimate(value: net.reduce(0, +) / Double(max(net.count, 1)), mcse: sample.meanError { $0 })
        case .netP90:
            let p = BatchedSample(values: netCost(design: d), perTrial: 1).summary(levels: [0.9]).percentile(0.9)
            return Estimate(value: p?.value ?? 0, mcse: p?.mcse)
        }
    }
}
