import Foundation
import Scenario
import Settlement
import Statistics

/// One assumption swung between two values, one at a time, the rest of the scenario as written.
public struct Swing: Sendable, Equatable {
    /// Key path in the scenario file, e.g. `variation.trend.sd` or `designs[1].reconciliation.downside_rate`.
    public let keyPath: String
    public let low: Double
    public let high: Double

    public init(keyPath: String, low: Double, high: Double) { self.keyPath = keyPath; self.low = low; self.high = high }

    /// The design a swing of a design term changes, and the path below it; nil for the world.
    public var design: (index: Int, path: String)? {
        guard keyPath.hasPrefix("designs["), let close = keyPath.firstIndex(of: "]"),
              let index = Int(keyPath[keyPath.index(keyPath.startIndex, offsetBy: 8)..<close]),
              keyPath[keyPath.index(after: close)...].hasPrefix(".") else { return nil }
        return (index, String(keyPath[keyPath.index(close, offsetBy: 2)...]))
    }
}

/// The tornado: how each headline figure of each design moves when each assumption is swung.
///
/// Every swing is computed on common random numbers. A design term's two values are settled as
/// two more designs on the same simulated world, in the same run as the scenario's own designs,
/// so the world is simulated once however many design terms are swung; an assumption about the
/// world is a run of its own with the same seed (the same trial streams). Each bar's error is that
/// of the paired difference from the base (`PairedDifference`), not of the two levels.
public struct Sensitivity {
    public struct Figure: Sendable, Equatable {
        public let name: String
        /// `share` (of revenue, or a probability), or `dollars`.
        public let unit: String
    }

    public struct Bar: Sendable, Equatable {
        public let swing: Swing
        public let design: String
        public let figure: Figure
        public let base: Double
        /// Figure at the swing's low and high value minus the base, with the paired error.
        public let low: Estimate
        public let high: Estimate
        /// The larger of the two moves, for ordering.
        public var width: Double { max(abs(low.value), abs(high.value)) }
    }

    public let bars: [Bar]
    /// Simulated worlds: one for the scenario and every design-term swing, two per world swing.
    public let worldRuns: Int
    public let trials: Int
    public let band: String

    public enum Failure: Error, CustomStringConvertible {
        case edit(ScenarioEdit.EditError)
        case scenario(swing: String, ScenarioError)
        case simulation(SimulationError)
        case noPractices(band: String)

        public var description: String {
            switch self {
            case let .edit(error): error.description
            case let .scenario(swing, error): "\(swing): the scenario it makes is not valid: \(error.description)"
            case let .simulation(error): error.description
            case let .noPractices(band): "no practice falls in size band \"\(band)\""
            }
        }
    }

    /// - Parameters:
    ///   - yaml: the scenario's text; `file` its path (rosters resolve beside it).
    ///   - band: the size band whose practice figures are reported (default: the smallest with practices).
    public static func run(yaml: String, file: String, swings: [Swing], trials: Int, seed: UInt64, threads: Int,
                           band: String? = nil) throws(Failure) -> Sensitivity {
        let base = try load(yaml, file: file, swing: "(none)")
        let bandIndex = try bandIndex(band, in: base)
        let bandName = base.sizeBands[bandIndex].name

        // Design-term swings: two variants each, settled after the scenario's own designs.
        let designSwings = swings.compactMap { swing in swing.design.map { (swing, $0.index, $0.path) } }
        var variants: [DesignVariant] = []
        for (k, (swing, d, path)) in designSwings.enumerated() {
            for (end, value) in [("low", swing.low), ("high", swing.high)] {
                // Unique even when two swings share a path or an end equals the other.
                variants.append(DesignVariant(design: d, path: path, value: value,
                                              label: "swing \(k + 1) \(end): \(path) = \(value)"))
            }
        }
        let (world, results) = try settle(variants, yaml: yaml, file: file, base: base, trials: trials, seed: seed,
                                          threads: threads)
        var worldRuns = 1
        let figures = FigureSampler(scenario: world, band: bandIndex, results: results)
        var bars: [Bar] = []
        for (k, (swing, d, _)) in designSwings.enumerated() {
            let low = base.designs.count + 2 * k
            bars += figures.bars(swing: swing, designName: base.designs[d].name,
                                 base: (figures, d), low: (figures, low), high: (figures, low + 1))
        }
        // World swings: a run each way, same seed, every design.
        for swing in swings where swing.design == nil {
            var runs: [FigureSampler] = []
            for value in [swing.low, swing.high] {
                let text: String
                do { text = try ScenarioEdit.setting(swing.keyPath, to: value, in: yaml) } catch { throw .edit(error) }
                let scenario = try load(text, file: file, swing: "\(swing.keyPath)=\(value)")
                runs.append(FigureSampler(scenario: scenario, band: bandIndex,
                                          results: try simulate(scenario, trials: trials, seed: seed, threads: threads)))
                worldRuns += 1
            }
            for d in base.designs.indices {
                bars += figures.bars(swing: swing, designName: base.designs[d].name,
                                     base: (figures, d), low: (runs[0], d), high: (runs[1], d))
            }
        }
        // Figure by figure and design by design (each in the order first met), the widest swing first.
        func firstSeen(_ keys: [String]) -> [String: Int] {
            var rank: [String: Int] = [:]
            for key in keys where rank[key] == nil { rank[key] = rank.count }
            return rank
        }
        let figureRank = firstSeen(bars.map(\.figure.name)), designRank = firstSeen(bars.map(\.design))
        let sorted = bars.sorted {
            (figureRank[$0.figure.name]!, designRank[$0.design]!, -$0.width) < (figureRank[$1.figure.name]!, designRank[$1.design]!, -$1.width)
        }
        return Sensitivity(bars: sorted, worldRuns: worldRuns, trials: trials, band: bandName)
    }
}

/// A copy of design `design` with the number at `path` (below the design) set to `value`, to be
/// settled as one more design on the scenario's own world; `label` tells it from the others.
struct DesignVariant {
    let design: Int
    let path: String
    let value: Double
    let label: String
}

extension Sensitivity {
    static func load(_ text: String, file: String, swing: String) throws(Failure) -> Scenario {
        do { return try ScenarioLoader.parse(data: Data(text.utf8), file: file) } catch { throw .scenario(swing: swing, error) }
    }

    static func simulate(_ scenario: Scenario, trials: Int, seed: UInt64, threads: Int) throws(Failure) -> SimulationResults {
        do { return try Simulation.run(scenario: scenario, trials: trials, seed: seed, threads: threads) } catch {
            throw .simulation(error)
        }
    }

    /// The scenario with `variants` appended after its own designs, in order, and its run: one
    /// simulated world for the scenario's designs and every variant.
    static func settle(_ variants: [DesignVariant], yaml: String, file: String, base: Scenario, trials: Int, seed: UInt64,
                       threads: Int) throws(Failure) -> (Scenario, SimulationResults) {
        var expanded = yaml
        for variant in variants {
            guard variant.design < base.designs.count else {
                throw .edit(ScenarioEdit.EditError(keyPath: "designs[\(variant.design)].\(variant.path)",
                                                   reason: "the scenario has \(base.designs.count) designs (0 to \(base.designs.count - 1))"))
            }
            do {
                expanded = try ScenarioEdit.addingVariant(ofDesign: variant.design, setting: variant.path, to: variant.value,
                                                          name: "\(base.designs[variant.design].name) [\(variant.label)]", in: expanded)
            } catch { throw .edit(error) }
        }
        let scenario = try load(expanded, file: file, swing: variants.isEmpty ? "(none)" : "design terms")
        return (scenario, try simulate(scenario, trials: trials, seed: seed, threads: threads))
    }

    /// The size band named `band` (default: the smallest with practices); it must hold practices.
    static func bandIndex(_ band: String?, in scenario: Scenario) throws(Failure) -> Int {
        let index: Int
        if let band {
            guard let found = scenario.sizeBands.firstIndex(where: { $0.name == band }) else { throw .noPractices(band: band) }
            index = found
        } else {
            index = scenario.sizeBands.indices.first { b in scenario.practices.contains { scenario.sizeBandIndex(members: $0.members) == b } } ?? 0
        }
        guard scenario.practices.contains(where: { scenario.sizeBandIndex(members: $0.members) == index }) else {
            throw .noPractices(band: scenario.sizeBands[index].name)
        }
        return index
    }
}

/// The observations behind each headline figure of one design in one run, in a fixed order
/// (trial by trial, the band's practices in roster order), so two runs pair up observation by
/// observation.
struct FigureSampler {
    let scenario: Scenario
    let results: SimulationResults
    let practices: [Int]
    let bandName: String
    let timing: CashTiming
    /// The design net costs are measured against (`budget.net_against`), or the FFS counterfactual.
    let reference: Int

    init(scenario: Scenario, band: Int, results: SimulationResults) {
        self.scenario = scenario
        self.results = results
        practices = scenario.practices.indices.filter { scenario.sizeBandIndex(members: scenario.practices[$0].members) == band }
        bandName = scenario.sizeBands[band].name
        timing = CashTiming(settings: scenario.budget, programYears: results.years,
                            firstCalendarYear: scenario.simulation.firstProgramYear)
        reference = scenario.budget.netAgainst.flatMap { name in scenario.designs.firstIndex { $0.name == name } }
            ?? results.designs
    }

    /// What `net cost` is measured against, in words.
    var referenceName: String { scenario.budget.netAgainst ?? "FFS" }

    /// The band's whole-program outcomes under design `d`, as the run's summary counts them.
    func practiceObservations(design d: Int) -> PracticeOutcomes {
        PracticeOutcomes(results: results, design: d, practices: practices, years: 1...results.years,
                         expectations: WorldExpectations(scenario: scenario))
    }

    /// The payer's whole-program outlay under design `d` less the reference's, per trial, as the
    /// budget view counts it (recoupments at the collection rate).
    func netCost(design d: Int) -> [Double] {
        (0..<results.trials).map { t in
            var net = 0.0
            for year in 1...results.years {
                let design = results.outlayIndex(trial: t, design: d, year: year)
                let base = results.outlayIndex(trial: t, design: reference, year: year)
                for component in PayerOutlay.Component.allCases {
                    net += timing.paidInAll(component, owed: results.outlay[design + component.rawValue])
                        - timing.paidInAll(component, owed: results.outlay[base + component.rawValue])
                }
            }
            return net
        }
    }

    func bars(swing: Swing, designName: String, base: (FigureSampler, Int), low: (FigureSampler, Int),
              high: (FigureSampler, Int)) -> [Sensitivity.Bar] {
        let samples = [base, low, high].map { sampler, d in (practice: sampler.practiceObservations(design: d), net: sampler.netCost(design: d)) }
        let k = practices.count
        func bar(_ name: String, unit: String, _ statistic: ([Double]) -> Double,
                 _ difference: ([Double], [Double]) -> Estimate, _ pick: ((practice: PracticeOutcomes, net: [Double])) -> [Double]) -> Sensitivity.Bar {
            let b = pick(samples[0])
            return Sensitivity.Bar(swing: swing, design: designName, figure: .init(name: name, unit: unit), base: statistic(b),
                                   low: difference(b, pick(samples[1])), high: difference(b, pick(samples[2])))
        }
        func quantile(_ level: Double) -> ([Double]) -> Double { { Quantile.of(sorted: $0.sorted(), level) } }
        return [
            bar("P5 exposure, \(bandName)", unit: "share", quantile(0.05),
                { PairedDifference.percentile($0, $1, perTrial: k, level: 0.05) }, { $0.practice.shares }),
            bar("P1 exposure, \(bandName)", unit: "share", quantile(0.01),
                { PairedDifference.percentile($0, $1, perTrial: k, level: 0.01) }, { $0.practice.shares }),
            bar("P(loss > 5%), \(bandName)", unit: "share", { x in Double(x.filter { $0 < -0.05 }.count) / Double(max(x.count, 1)) },
                { PairedDifference.probability($0, $1, perTrial: k) { $0 < -0.05 } }, { $0.practice.shares }),
            bar("P(owing a repayment), \(bandName)", unit: "share", { x in x.reduce(0, +) / Double(max(x.count, 1)) },
                { PairedDifference.mean($0, $1, perTrial: k) }, { $0.practice.repaid }),
            bar("program net cost vs \(referenceName), mean", unit: "dollars", { x in x.reduce(0, +) / Double(max(x.count, 1)) },
                { PairedDifference.mean($0, $1, perTrial: 1) }, { $0.net }),
            bar("program net cost vs \(referenceName), P90", unit: "dollars", quantile(0.9),
                { PairedDifference.percentile($0, $1, perTrial: 1, level: 0.9) }, { $0.net }),
        ]
    }
}
