import Foundation
import Sampling
import Scenario
import Settlement
import Statistics

/// Everything about a run that is fixed before the first draw: where each practice sits in each
/// design, the stop-loss attachments and risk bins the world must record, threshold coefficients,
/// fee and trend factors per year.
struct RunPlan: Sendable {
    /// The risk-score bins a run records: one boundary per risk tier of any add-on of any design.
    static func riskBins(of scenario: Scenario) -> RiskBins {
        RiskBins(bounds: scenario.designs.flatMap { $0.tracks.flatMap { $0.tiers.flatMap {
            $0.terms.addOns.flatMap { $0.riskTiers.compactMap(\.below) } } } })
    }

    /// One tier's terms and what settlement reads from them practice-year after practice-year,
    /// worked out once per run (a class, so that reading it copies nothing).
    final class TierPlan: Sendable {
        let terms: PaymentTerms
        /// Index of the world's truncation (`WorldRecording`), or nil without stop-loss.
        let attachment: Int?
        /// The reconciled total's carve-out set, or nil when it counts every category.
        let carveOutSet: Int?
        /// z × per-member cost CV for `.confidence` minimum savings / loss rates.
        let savingsCoefficient: Double
        let lossCoefficient: Double
        /// What the benchmark is a rate of, or nil without reconciliation.
        let reconciledKind: DesignSettler.RateKind?
        /// Per program year (index 0 unused): the base years with their weights.
        let baseYears: [[(year: Int, weight: Double)]]
        /// Per program year (index 0 unused): the benchmark's regional blend.
        let regionalBlend: [Double]
        /// Per program year (index 0 unused): the weight of the base rate in the prospective payment's rate.
        let pricingWeight: [Double]
        let changesWorld: Bool

        init(terms: PaymentTerms, attachment: Int?, carveOutSet: Int?, savingsCoefficient: Double, lossCoefficient: Double,
             programYears: Int) {
            self.terms = terms; self.attachment = attachment; self.carveOutSet = carveOutSet
            self.savingsCoefficient = savingsCoefficient; self.lossCoefficient = lossCoefficient
            reconciledKind = terms.reconciliation == nil ? nil
                : .reconciled(attachment: attachment, carveOutSet: carveOutSet, adjustForFees: terms.benchmark.adjustForFeeChanges)
            baseYears = (0...programYears).map { $0 == 0 ? [] : terms.benchmark.baseYears(forProgramYear: $0) }
            regionalBlend = (0...programYears).map { $0 == 0 ? 0 : terms.benchmark.regionalBlend.value(year: $0) }
            pricingWeight = (0...programYears).map { $0 == 0 ? 0 : terms.prospectivePricing.weight.value(year: $0) }
            changesWorld = !terms.interventions.isEmpty
        }
    }

    /// A benchmark base a regional rate is computed for: what it measures, its social-risk
    /// factor and its base years. Practices of one region whose tiers share a base share the
    /// regional rate.
    struct BenchmarkBase: Hashable {
        let kind: DesignSettler.RateKind
        let social: Double
        let codingGrowth: Double
        let years: [Int]
        let weights: [Double]
    }

    struct DesignPlan: Sendable {
        /// tiers[track][tier]
        let tiers: [[TierPlan]]
        /// Placement of each practice.
        let placement: [(track: Int, tier: Int)]
        /// Practices reconciled together (a practice alone, or a regional or named pool inside one
        /// track and tier), in order of their first practice; practices without reconciliation
        /// are in none. Fixed for the run, so trials do not rebuild it.
        let pools: [[Int]]
        /// Each practice's tier.
        let practiceTiers: [TierPlan]
        /// The number of distinct rate bases among the design's tiers (benchmarks and prospective
        /// payments priced from a base rate), and each practice's per program year (index 0
        /// unused; empty where the practice has none).
        let benchmarkBases: Int
        let baseIndex: [[Int]]
        let pricingIndex: [[Int]]

        init(tiers: [[TierPlan]], placement: [(track: Int, tier: Int)], pools: [[Int]]) {
            self.tiers = tiers; self.placement = placement; self.pools = pools
            practiceTiers = placement.map { tiers[$0.track][$0.tier] }
            var bases: [BenchmarkBase: Int] = [:]
            func indices(_ tier: TierPlan, kind: DesignSettler.RateKind) -> [Int] {
                tier.baseYears.map { base in
                    let key = BenchmarkBase(kind: kind, social: tier.terms.socialRiskAdjustment,
                                            codingGrowth: tier.terms.riskScores.codingGrowth,
                                            years: base.map(\.year), weights: base.map(\.weight))
                    if let index = bases[key] { return index }
                    bases[key] = bases.count
                    return bases.count - 1
                }
            }
            baseIndex = practiceTiers.map { tier in tier.reconciledKind.map { indices(tier, kind: $0) } ?? [] }
            pricingIndex = practiceTiers.map { tier in tier.pricingWeight.contains { $0 > 0 } ? indices(tier, kind: .inScope) : [] }
            benchmarkBases = bases.count
        }
    }

    let scenario: Scenario
    let designs: [DesignPlan]
    let recording: WorldRecording
    /// Fee index per year (0 = baseline) and category.
    let feeIndex: [[Double]]
    /// Whether any fee-schedule change moves any year's fees.
    let hasFeeChanges: Bool
    /// Expected-cost-weighted fee factors per year: total cost of care and in-scope FFS.
    let totalFeeFactor: [Double]
    let inScopeFeeFactor: [Double]
    /// The payer's assumed trend compounded to each year (0 = baseline).
    let trendFactors: [Double]
    let primaryCareScope: [Bool]
    /// Per carve-out set + 1 (0 = none carved), per category: whether the reconciled total
    /// counts it.
    let reconciledCategories: [[Bool]]

    /// A per-member truncation the world records: the stop-loss, what member cost it truncates
    /// (whole, or less a carve-out set) and whether an indexed dollar attachment follows fees.
    struct Truncation: Hashable {
        let stopLoss: StopLoss
        let carveOutSet: Int?
        let adjustForFees: Bool
    }

    private struct PilotKey: Hashable {
        let carveOutSet: Int?
        let year: Int
    }

    /// Members simulated to resolve percentile attachments and confidence-based thresholds.
    static let pilotMembers = 200_000
    static let pilotSeed: UInt64 = 0x5EED_1107

    init(scenario: Scenario) throws(RunPlanError) {
        self.scenario = scenario
        let years = scenario.simulation.programYears
        let categories = scenario.services.count
        let mix = scenario.population.classes.map(\.panelShare)
        let allYears = Array(scenario.simulation.allYears)
        let expectations = WorldExpectations(scenario: scenario)
        let categoryMeans = expectations.costPerMemberMonthByCategory(mix: mix)
        func feeFactor(_ year: Int, included: (Int) -> Bool) -> Double {
            var base = 0.0, changed = 0.0
            let fees = scenario.feeIndex(year: max(year, 0))
            for (c, mean) in categoryMeans.enumerated() where included(c) {
                base += mean
                changed += mean * fees[c]
            }
            return base > 0 ? changed / base : 1
        }

        // Carve-out sets, each a mask of carved categories.
        var carveOutSets: [[Int]] = []
        func carveOutSet(_ carveOuts: [Int]) -> Int? {
            guard !carveOuts.isEmpty else { return nil }
            if let index = carveOutSets.firstIndex(of: carveOuts) { return index }
            carveOutSets.append(carveOuts)
            return carveOutSets.count - 1
        }
        let masks = { (set: Int?) -> [Bool]? in
            set.map { s in (0..<categories).map { carveOutSets[s].contains($0) } }
        }

        // Pilot member costs, sorted, per carve-out set and year (year 0 unless indexed).
        var pilots: [PilotKey: [Double]] = [:]
        func pilot(carveOutSet set: Int?, year: Int) throws(RunPlanError) -> [Double] {
            let key = PilotKey(carveOutSet: set, year: year)
            if let known = pilots[key] { return known }
            let variation = scenario.variation
            let index = year > 0 ? variation.expectedCostIndex(year: year) : pow(1 + variation.trendMean, Double(year))
            do throws(SamplingError) {
                let costs = try MemberSampler(scenario: scenario).pilotCosts(
                    members: Self.pilotMembers, mix: mix, multiplier: index, priceFactors: scenario.feeIndex(year: max(year, 0)),
                    carved: masks(set), seed: Self.pilotSeed).sorted()
                pilots[key] = costs
                return costs
            } catch { throw .sampling(error) }
        }

        var truncations: [Truncation] = []
        var attachmentsByYear: [[Double]] = allYears.map { _ in [] }
        func truncationIndex(_ stopLoss: StopLoss?, carveOuts: Int?, adjustForFees: Bool) throws(RunPlanError) -> Int? {
            guard let stopLoss else { return nil }
            let key = Truncation(stopLoss: stopLoss, carveOutSet: carveOuts, adjustForFees: stopLoss.indexed && adjustForFees)
            if let index = truncations.firstIndex(of: key) { return index }
            for (i, year) in allYears.enumerated() {
                let dollars: Double
                switch stopLoss.point {
                case let .attachment(a):
                    guard stopLoss.indexed else { dollars = a; break }
                    let fees = key.adjustForFees ? feeFactor(year) { c in masks(carveOuts).map { !$0[c] } ?? true } : 1
                    dollars = a * pow(1 + scenario.variation.assumedTrend, Double(year)) * fees
                case let .percentile(p):
                    dollars = Quantile.of(sorted: try pilot(carveOutSet: carveOuts, year: stopLoss.indexed ? year : 0), p)
                }
                attachmentsByYear[i].append(dollars)
            }
            truncations.append(key)
            return truncations.count - 1
        }
        func coefficient(_ rule: ThresholdRule?, truncation: Int?, carveOuts: Int?) throws(RunPlanError) -> Double {
            guard case let .confidence(level)? = rule else { return 0 }
            let base = try pilot(carveOutSet: carveOuts, year: 0)
            let yearZero = allYears.firstIndex(of: 0) ?? 0
            let truncated = truncation.map { k in base.map { Swift.min($0, attachmentsByYear[yearZero][k]) } } ?? base
            let n = Double(truncated.count)
            let mean = truncated.reduce(0, +) / n
            let sd = (truncated.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            do { return try StandardNormal.quantile((1 + level) / 2) * sd / mean } catch { throw .sampling(error) }
        }

        var designs: [DesignPlan] = []
        for (d, design) in scenario.designs.enumerated() {
            var tiers: [[TierPlan]] = []
            for track in design.tracks {
                var trackTiers: [TierPlan] = []
                for tier in track.tiers {
                    let carveOuts = carveOutSet(tier.terms.reconciliation?.carveOuts ?? [])
                    let index = try truncationIndex(tier.terms.stopLoss, carveOuts: carveOuts,
                                                    adjustForFees: tier.terms.benchmark.adjustForFeeChanges)
                    let reconciliation = tier.terms.reconciliation
                    trackTiers.append(TierPlan(
                        terms: tier.terms, attachment: index, carveOutSet: carveOuts,
                        savingsCoefficient: try coefficient(reconciliation?.minimumSavingsRate, truncation: index, carveOuts: carveOuts),
                        lossCoefficient: try coefficient(reconciliation?.minimumLossRate, truncation: index, carveOuts: carveOuts),
                        programYears: years))
                }
                tiers.append(trackTiers)
            }
            var placement: [(track: Int, tier: Int)] = []
            var unplaced: [String] = []
            for practice in scenario.practices {
                let band = scenario.sizeBandIndex(members: practice.members)
                if let place = design.place(practice, sizeBand: band) { placement.append(place) } else {
                    unplaced.append("\(practice.id) (\(practice.members) members, \(scenario.sizeBands[band].name))")
                }
            }
            if !unplaced.isEmpty {
                throw .unplacedPractices(design: design.name, designIndex: d, practices: unplaced)
            }
            designs.append(DesignPlan(tiers: tiers, placement: placement,
                                      pools: Self.pools(scenario: scenario, tiers: tiers, placement: placement)))
        }
        self.designs = designs

        let carveOutMasks = carveOutSets.indices.compactMap { masks($0) }
        let constantAttachments = attachmentsByYear.allSatisfy { $0 == attachmentsByYear.first }
        recording = WorldRecording(attachmentsByYear: constantAttachments ? [attachmentsByYear.first ?? []] : attachmentsByYear,
                                   truncationScope: truncations.map(\.carveOutSet), carveOutSets: carveOutMasks,
                                   riskBins: Self.riskBins(of: scenario))
        reconciledCategories = [(0..<categories).map { _ in true }] + carveOutMasks.map { $0.map { !$0 } }
        feeIndex = (0...years).map { scenario.feeIndex(year: $0) }
        hasFeeChanges = feeIndex.contains { $0.contains { $0 != 1 } }
        primaryCareScope = scenario.services.map(\.primaryCareScope)
        totalFeeFactor = (0...years).map { feeFactor($0) { _ in true } }
        inScopeFeeFactor = (0...years).map { feeFactor($0) { scenario.services[$0].primaryCareScope } }
        trendFactors = (0...years).map { pow1p(scenario.variation.assumedTrend, $0) }
    }

    /// The practices of each region, then every practice (the statewide reference population).
    var areaPractices: [[Int]] {
        scenario.regions.indices.map { r in scenario.practices.indices.filter { scenario.practices[$0].region == r } }
            + [Array(scenario.practices.indices)]
    }

    /// The fee index of any simulated year: baseline years are at the baseline fee schedule.
    func fees(year: Int) -> [Double] { feeIndex[max(year, 0)] }

    /// The payer's assumed trend from year `from` to year `to` (either may be a baseline year).
    func assumedTrend(from: Int, to: Int) -> Double { pow1p(scenario.variation.assumedTrend, to - from) }
}

extension RunPlan {
    private enum PoolKey: Hashable {
        case practice(Int)
        case region(track: Int, tier: Int, region: Int)
        case pool(track: Int, tier: Int, name: String)
    }

    static func pools(scenario: Scenario, tiers: [[TierPlan]], placement: [(track: Int, tier: Int)]) -> [[Int]] {
        var groups: [PoolKey: Int] = [:]
        var pools: [[Int]] = []
        for (p, practice) in scenario.practices.enumerated() {
            let place = placement[p]
            let terms = tiers[place.track][place.tier].terms
            guard terms.reconciliation != nil else { continue }
            let key: PoolKey = switch terms.accountability {
            case .practice: .practice(p)
            case .region: .region(track: place.track, tier: place.tier, region: practice.region)
            case .pool: .pool(track: place.track, tier: place.tier, name: practice.pool ?? practice.id)
            }
            if let index = groups[key] { pools[index].append(p) } else {
                groups[key] = pools.count
                pools.append([p])
            }
        }
        return pools
    }
}

public enum RunPlanError: Error, CustomStringConvertible {
    case sampling(SamplingError)
    case unplacedPractices(design: String, designIndex: Int, practices: [String])

    public var description: String {
        switch self {
        case let .sampling(error): return "sampling failed: \(error)"
        case let .unplacedPractices(design, index, practices):
            let shown = practices.prefix(5).joined(separator: ", ") + (practices.count > 5 ? ", …" : "")
            return "designs[\(index)] '\(design)': \(practices.count) practice(s) fit no track or tier: \(shown); expected a placement rule matching every practice (add a track or tier without placement as a catch-all)"
        }
    }
}
