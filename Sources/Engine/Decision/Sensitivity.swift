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
        func load(_ text: String, swing: String) throws(Failure) -> Scenario {
            do { return try ScenarioLoader.parse(data: Data(text.utf8), file: file) } catch {
                throw .scenario(swing: swing, error)
            }
        }
        func simulate(_ scenario: Scenario) throws(Failure) -> SimulationResults {
            do { return try Simulation.run(scenario: scenario, trials: trials, seed: seed, threads: threads) } catch {
                throw .simulation(error)
            }
        }
        let base = try load(yaml, swing: "(none)")
        let bandIndex = try bandIndex(band, in: base)
        let bandName = base.sizeBands[bandIndex].name

        // Design-term swings: two variants each, appended to the scenario's designs.
        var expanded = yaml
        var variants: [(swing: Swing, design: Int, low: Int, high: Int)] = []
        var designCount = base.designs.count
        for swing in swings {
            guard let (d, path) = swing.design else { continue }
            guard d < base.designs.count else {
                throw .edit(ScenarioEdit.EditError(keyPath: swing.keyPath, reason: "the scenario has \(base.designs.count) designs (0 to \(base.designs.count - 1))"))
            }
            for (end, value) in [("low", swing.low), ("high", swing.high)] {
                // Unique even when two swings share a path or an end equals the other.
                let name = "\(base.designs[d].name) [swing \(variants.count + 1) \(end): \(path) = \(value)]"
                do {
                    expanded = try ScenarioEdit.addingVariant(ofDesign: d, setting: path, to: value, name: name, in: expanded)
                } catch { throw .edit(error) }
            }
            variants.append((swing, d, designCount, designCount + 1))
            designCount += 2
        }
        let world = try load(expanded, swing: variants.isEmpty ? "(none)" : "design terms")
        let results = try simulate(world)
        var worldRuns = 1
        let figures = FigureSampler(scenario: world, results: results, band: bandIndex)
        var bars: [Bar] = []
        for variant in variants {
            bars += figures.bars(swing: variant.swing, designName: base.designs[variant.design].name,
                                 base: (figures, variant.design), low: (figures, variant.low), high: (figures, variant.high))
        }
        // World swings: a run each way, same seed, every design.
        for swing in swings where swing.design == nil {
            var runs: [FigureSampler] = []
            for value in [swing.low, swing.high] {
                let text: String
                do { text = try ScenarioEdit.setting(swing.keyPath, to: value, in: yaml) } catch { throw .edit(error) }
                let scenario = try load(text, swing: "\(swing.keyPath)=\(value)")
                runs.append(FigureSampler(scenario: scenario, results: try simulate(scenario), band: bandIndex))
                worldRuns += 1
            }
            for d in base.designs.indices {
                bars += figures.bars(swing: swing, designName: base.designs[d].name,
                                     base: (figures, d), low: (runs[0], d), high: (runs[1], d))
            }
        }
        // Figure by figure and design by design (in the order first met), the widest swing first.
        var groups: [String: [Bar]] = [:], order: [String] = []
        for bar in bars {
            let key = bar.figure.name + "\u{0}" + bar.design
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(bar)
        }
        let figureOrder = order.sorted { a, b in
            let fa = groups[a]![0], fb = groups[b]![0]
            let ia = order.firstIndex { groups[$0]![0].figure == fa.figure }!, ib = order.firstIndex { groups[$0]![0].figure == fb.figure }!
            return ia != ib ? ia < ib : order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
        let sorted = figureOrder.flatMap { key in groups[key]!.sorted { $0.width > $1.width } }
        return Sensitivity(bars: sorted, worldRuns: worldRuns, trials: trials, band: bandName)
    }
}

extension Sensitivity {
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
    let revenue: [Double]
    let bandName: String

    init(scenario: Scenario, results: SimulationResults, band: Int) {
        self.scenario = scenario
        self.results = results
        practices = scenario.practices.indices.filter { scenario.sizeBandIndex(members: scenario.practices[$0].members) == band }
        let world = WorldExpectations(scenario: scenario)
        revenue = practices.map { p in (1...results.years).reduce(0.0) { $0 + world.expectedRevenue(of: scenario.practices[p], year: $1) } }
        bandName = scenario.sizeBands[band].name
    }

    /// Whole-program exposure as a share of expected revenue, and whether a repayment was owed.
    func practiceObservations(design d: Int) -> (shares: [Double], repaid: [Double]) {
        var shares: [Double] = [], repaid: [Double] = []
        shares.reserveCapacity(results.trials * practices.count)
        for t in 0..<results.trials {
            for (k, p) in practices.enumerated() {
                var total = 0.0, owes = false
                for year in 1...results.years {
                    let i = results.settledIndex(trial: t, design: d, practice: p, year: year)
                    total += results.exposure[i]
                    owes = owes || results.reconciliation[i] < 0
                }
                shares.append(revenue[k] > 0 ? total / revenue[k] : 0)
                repaid.append(owes ? 1 : 0)
            }
        }
        return (shares, repaid)
    }

    /// The payer's whole-program outlay under design `d` minus pure FFS, per trial.
    func netCost(design d: Int) -> [Double] {
        (0..<results.trials).map { t in
            var net = 0.0
            for year in 1...results.years {
                let design = results.outlayIndex(trial: t, design: d, year: year)
                let ffs = results.outlayIndex(trial: t, design: results.designs, year: year)
                for component in PayerOutlay.Component.allCases {
                    net += component.sign * (results.outlay[design + component.rawValue] - results.outlay[ffs + component.rawValue])
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
                 _ difference: ([Double], [Double]) -> Estimate, _ pick: ((practice: (shares: [Double], repaid: [Double]), net: [Double])) -> [Double]) -> Sensitivity.Bar {
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
            bar("program net cost vs FFS, mean", unit: "dollars", { x in x.reduce(0, +) / Double(max(x.count, 1)) },
                { PairedDifference.mean($0, $1, perTrial: 1) }, { $0.net }),
            bar("program net cost vs FFS, P90", unit: "dollars", quantile(0.9),
                { PairedDifference.percentile($0, $1, perTrial: 1, level: 0.9) }, { $0.net }),
        ]
    }
}
