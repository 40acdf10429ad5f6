import Sampling
import Scenario
import Settlement
import Statistics

/// Everything about a run that is fixed before the first draw: where each practice sits in each
/// design, the stop-loss attachments and risk bins the world must record, threshold coefficients,
/// fee and trend factors per year.
struct RunPlan: Sendable {
    /// One tier's terms and what settlement reads from them practice-year after practice-year,
    /// worked out once per run (a class, so that reading it copies nothing).
    final class TierPlan: Sendable {
        let terms: PaymentTerms
        /// Index into `attachments`, or nil without stop-loss.
        let attachment: Int?
        /// z × per-member cost CV for `.confidence` minimum savings / loss rates.
        let savingsCoefficient: Double
        let lossCoefficient: Double
        /// What the benchmark is a rate of, or nil without reconciliation.
        let reconciledKind: DesignSettler.RateKind?
        /// Per program year (index 0 unused): the base years with their weights.
        let baseYears: [[(year: Int, weight: Double)]]
        /// Per program year (index 0 unused): the benchmark's regional blend.
        let regionalBlend: [Double]
        let changesWorld: Bool

        init(terms: PaymentTerms, attachment: Int?, savingsCoefficient: Double, lossCoefficient: Double, programYears: Int) {
            self.terms = terms; self.attachment = attachment
            self.savingsCoefficient = savingsCoefficient; self.lossCoefficient = lossCoefficient
            reconciledKind = terms.reconciliation == nil ? nil
                : .reconciled(attachment: attachment, adjustForFees: terms.benchmark.adjustForFeeChanges)
            baseYears = (0...programYears).map { $0 == 0 ? [] : terms.benchmark.baseYears(forProgramYear: $0) }
            regionalBlend = (0...programYears).map { $0 == 0 ? 0 : terms.benchmark.regionalBlend.value(year: $0) }
            changesWorld = !terms.interventions.isEmpty
        }
    }

    /// A benchmark base a regional rate is computed for: what it measures, its social-risk
    /// factor and its base years. Practices of one region whose tiers share a base share the
    /// regional rate.
    struct BenchmarkBase: Hashable {
        let kind: DesignSettler.RateKind
        let social: Double
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
        /// The number of distinct benchmark bases among the design's reconciled tiers, and each
        /// practice's per program year (index 0 unused; empty without reconciliation).
        let benchmarkBases: Int
        let baseIndex: [[Int]]

        init(tiers: [[TierPlan]], placement: [(track: Int, tier: Int)], pools: [[Int]]) {
            self.tiers = tiers; self.placement = placement; self.pools = pools
            practiceTiers = placement.map { tiers[$0.track][$0.tier] }
            var bases: [BenchmarkBase: Int] = [:]
            baseIndex = practiceTiers.map { tier in
                guard let kind = tier.reconciledKind else { return [] }
                return tier.baseYears.map { base in
                    let key = BenchmarkBase(kind: kind, social: tier.terms.socialRiskAdjustment,
                                            years: base.map(\.year), weights: base.map(\.weight))
                    if let index = bases[key] { return index }
                    bases[key] = bases.count
                    return bases.count - 1
                }
            }
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

    /// Members simulated to resolve percentile attachments and confidence-based thresholds.
    static let pilotMembers = 200_000
    static let pilotSeed: UInt64 = 0x5EED_1107

    init(scenario: Scenario) throws(RunPlanError) {
        self.scenario = scenario
        let years = scenario.simulation.programYears
        let needsPilot = scenario.designs.contains { design in
            design.tracks.contains { $0.tiers.contains { tier in
                if case .percentile? = tier.terms.stopLoss { return true }
                guard let r = tier.terms.reconciliation else { return false }
                if case .confidence = r.minimumSavingsRate { return true }
                if case .confidence = r.minimumLossRate { return true }
                return false
            } }
        }
        let pilotCosts: [Double]
        do {
            pilotCosts = needsPilot ? try MemberSampler(scenario: scenario)
                .memberCosts(members: Self.pilotMembers, mix: scenario.population.classes.map(\.panelShare), seed: Self.pilotSeed)
                .map(\.cost).sorted() : []
        } catch { throw .sampling(error) }

        var attachments: [Double] = []
        func attachmentIndex(_ stopLoss: StopLoss?) -> Int? {
            guard let stopLoss else { return nil }
            let dollars: Double = switch stopLoss {
            case let .attachment(a): a
            case let .percentile(p): Quantile.of(sorted: pilotCosts, p)
            }
            if let index = attachments.firstIndex(of: dollars) { return index }
            attachments.append(dollars)
            return attachments.count - 1
        }
        func coefficient(_ rule: ThresholdRule?, attachment: Double?) throws(RunPlanError) -> Double {
            guard case let .confidence(level)? = rule else { return 0 }
            let truncated = attachment.map { a in pilotCosts.map { Swift.min($0, a) } } ?? pilotCosts
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
                    let index = attachmentIndex(tier.terms.stopLoss)
                    let dollars = index.map { attachments[$0] }
                    trackTiers.append(TierPlan(
                        terms: tier.terms, attachment: index,
                        savingsCoefficient: try coefficient(tier.terms.reconciliation?.minimumSavingsRate, attachment: dollars),
                        lossCoefficient: try coefficient(tier.terms.reconciliation?.minimumLossRate, attachment: dollars),
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

        let bounds = scenario.designs.flatMap { $0.tracks.flatMap { $0.tiers.flatMap { $0.terms.addOns.flatMap { $0.riskTiers.compactMap(\.below) } } } }
        recording = WorldRecording(attachments: attachments, riskBins: RiskBins(bounds: bounds))
        feeIndex = (0...years).map { scenario.feeIndex(year: $0) }
        hasFeeChanges = feeIndex.contains { $0.contains { $0 != 1 } }
        let expectations = WorldExpectations(scenario: scenario)
        let mix = scenario.population.classes.map(\.panelShare)
        let categoryMeans = expectations.costPerMemberMonthByCategory(mix: mix)
        primaryCareScope = scenario.services.map(\.primaryCareScope)
        func weighted(_ year: Int, inScopeOnly: Bool) -> Double {
            var base = 0.0, changed = 0.0
            for (c, mean) in categoryMeans.enumerated() where !inScopeOnly || scenario.services[c].primaryCareScope {
                base += mean
                changed += mean * scenario.feeIndex(year: year)[c]
            }
            return base > 0 ? changed / base : 1
        }
        totalFeeFactor = (0...years).map { weighted($0, inScopeOnly: false) }
        inScopeFeeFactor = (0...years).map { weighted($0, inScopeOnly: true) }
        trendFactors = (0...years).map { pow1p(scenario.variation.assumedTrend, $0) }
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
