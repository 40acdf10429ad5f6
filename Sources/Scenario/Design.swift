/// A candidate payment design: tracks, each with tiers; every practice is placed in one track
/// and one tier of it, and the tier's payment terms settle its money.
public struct Design: Sendable, Equatable {
    public var name: String
    public var tracks: [Track]
    /// When prospective payments and add-ons are paid relative to the month they cover.
    public var pmpmTiming: PMPMTiming = .inMonth
    /// A voluntary design: the share of practices that join, drawn per trial; nil = every
    /// practice the design places takes part.
    public var participation: Participation?

    public init(name: String, tracks: [Track], pmpmTiming: PMPMTiming = .inMonth) {
        self.name = name; self.tracks = tracks; self.pmpmTiming = pmpmTiming
    }

    /// A design with one track and one tier holding `terms` for every practice.
    public init(name: String, terms: PaymentTerms) {
        self.init(name: name, tracks: [Track(name: "all", placement: .everyone,
                                             tiers: [Tier(name: "all", placement: .everyone, terms: terms)])])
    }

    /// Track and tier indices of a practice: an explicit roster track/tier naming one of this
    /// design's tracks or tiers wins; otherwise the first track (then tier) whose rule matches.
    public func place(_ practice: Practice, sizeBand: Int) -> (track: Int, tier: Int)? {
        let track = practice.track.flatMap { name in tracks.firstIndex { $0.name == name } }
            ?? tracks.firstIndex { $0.placement.matches(practice, sizeBand: sizeBand) }
        guard let track else { return nil }
        let tiers = tracks[track].tiers
        let tier = practice.tier.flatMap { name in tiers.firstIndex { $0.name == name } }
            ?? tiers.firstIndex { $0.placement.matches(practice, sizeBand: sizeBand) }
        return tier.map { (track, $0) }
    }
}

/// Who joins a voluntary design: in each trial the joining rate is drawn (normal around `share`,
/// or a size band's own share, with SD `sd`, held in [0, 1]) and each practice joins with that
/// probability, independently of its future. Practices that stay out are paid FFS.
public struct Participation: Sendable, Equatable {
    public var share: Double
    public var sd: Double
    /// Joining shares of named size bands (by index in the scenario's bands), overriding `share`.
    public var bandShares: [Int: Double]

    public init(share: Double, sd: Double = 0, bandShares: [Int: Double] = [:]) {
        self.share = share; self.sd = sd; self.bandShares = bandShares
    }

    /// The expected joining rate of a practice in size band `band`.
    public func share(band: Int) -> Double { bandShares[band] ?? share }
}

/// When a design pays its per-member-month payments: in the month they cover, the month before
/// (in advance, as capitation usually is) or the month after (in arrears).
public enum PMPMTiming: String, Sendable, Equatable, CaseIterable {
    case inMonth = "in_month", advance, arrears

    /// Months from the month of service to the month of payment.
    public var monthShift: Int {
        switch self {
        case .inMonth: 0
        case .advance: -1
        case .arrears: 1
        }
    }
}

public struct Track: Sendable, Equatable {
    public var name: String
    public var placement: Placement
    public var tiers: [Tier]

    public init(name: String, placement: Placement, tiers: [Tier]) {
        self.name = name; self.placement = placement; self.tiers = tiers
    }
}

public struct Tier: Sendable, Equatable {
    public var name: String
    public var placement: Placement
    public var terms: PaymentTerms

    public init(name: String, placement: Placement, terms: PaymentTerms) {
        self.name = name; self.placement = placement; self.terms = terms
    }
}

/// Which practices a track or tier takes. Every criterion given must match; none given matches all.
public struct Placement: Sendable, Equatable {
    public var sizeBands: [Int]?
    public var practiceTypes: [Int]?
    public var regions: [Int]?
    public var practiceIDs: [String]?

    public init(sizeBands: [Int]? = nil, practiceTypes: [Int]? = nil, regions: [Int]? = nil, practiceIDs: [String]? = nil) {
        self.sizeBands = sizeBands; self.practiceTypes = practiceTypes
        self.regions = regions; self.practiceIDs = practiceIDs
    }

    public static let everyone = Placement()

    public func matches(_ practice: Practice, sizeBand: Int) -> Bool {
        (sizeBands?.contains(sizeBand) ?? true) && (practiceTypes?.contains(practice.type) ?? true)
            && (regions?.contains(practice.region) ?? true) && (practiceIDs?.contains(practice.id) ?? true)
    }
}

/// Every money term of one tier, in the order money flows. Numeric terms are glide paths.
public struct PaymentTerms: Sendable, Equatable {
    /// Share of in-scope FFS replaced by a prospective primary-care payment.
    public var prospectiveShare: Glide
    /// Multiplier on the observed risk score of members with the social-need flag (1 = clinical
    /// risk adjustment only). Applies to prospective payments and benchmarks.
    public var socialRiskAdjustment: Double
    public var addOns: [AddOn]
    /// The practice's own cost of the design's investments (care team, CHWs), per member-month.
    public var investmentPMPM: Glide
    public var interventions: [Intervention]
    public var quality: QualityTerms?
    /// What the prospective payment's per-member-month rate is priced from.
    public var prospectivePricing: BaseRate
    /// Coding intensity and the benchmark's limit on risk-score growth.
    public var riskScores: RiskScoreTerms
    public var benchmark: BenchmarkTerms
    public var accountability: Accountability
    public var stopLoss: StopLoss?
    public var reconciliation: Reconciliation?

    public init(prospectiveShare: Glide = Glide(0), socialRiskAdjustment: Double = 1, addOns: [AddOn] = [],
                investmentPMPM: Glide = Glide(0), interventions: [Intervention] = [], quality: QualityTerms? = nil,
                prospectivePricing: BaseRate = .ownBaseline, riskScores: RiskScoreTerms = RiskScoreTerms(),
                benchmark: BenchmarkTerms = BenchmarkTerms(), accountability: Accountability = .practice,
                stopLoss: StopLoss? = nil, reconciliation: Reconciliation? = nil) {
        self.prospectiveShare = prospectiveShare; self.socialRiskAdjustment = socialRiskAdjustment
        self.addOns = addOns; self.investmentPMPM = investmentPMPM; self.interventions = interventions
        self.quality = quality; self.prospectivePricing = prospectivePricing; self.riskScores = riskScores
        self.benchmark = benchmark; self.accountability = accountability
        self.stopLoss = stopLoss; self.reconciliation = reconciliation
    }

    /// Pure fee-for-service: the counterfactual every design is compared with.
    public static let feeForService = PaymentTerms()
}

/// A per-member-month payment: flat, plus an extra amount for members with the social-need flag,
/// plus an amount by observed-risk tier.
public struct AddOn: Sendable, Equatable {
    public var name: String
    public var pmpm: Glide
    public var socialNeedPMPM: Glide
    /// Tiers by observed risk score, ascending; the last has no upper bound.
    public var riskTiers: [RiskTierPayment]

    public init(name: String, pmpm: Glide, socialNeedPMPM: Glide = Glide(0), riskTiers: [RiskTierPayment] = []) {
        self.name = name; self.pmpm = pmpm; self.socialNeedPMPM = socialNeedPMPM; self.riskTiers = riskTiers
    }
}

public struct RiskTierPayment: Sendable, Equatable {
    /// Members with observed risk score below this bound (and at or above the previous tier's).
    public var below: Double?
    public var pmpm: Glide

    public init(below: Double?, pmpm: Glide) { self.below = below; self.pmpm = pmpm }
}

/// A change in utilization the design is expected to bring, uncertain: the effect is drawn once
/// per trial from a normal with this mean and SD, and phased in by year.
public struct Intervention: Sendable, Equatable {
    /// Index of the service category in `Scenario.services`.
    public var category: Int
    /// Relative change in the category's cost at full effect (−0.08 = 8% fewer services).
    public var effect: Double
    public var sd: Double
    /// Share of the full effect realised in each program year.
    public var phaseIn: Glide

    public init(category: Int, effect: Double, sd: Double, phaseIn: Glide) {
        self.category = category; self.effect = effect; self.sd = sd; self.phaseIn = phaseIn
    }
}

/// Quality payments driven by the practice's measured quality score in [0, 1].
/// Payout fraction = clamp((score − floor) / (1 − floor), 0, 1).
public struct QualityTerms: Sendable, Equatable {
    /// Bonus at full payout, per member-month.
    public var bonusPMPM: Glide
    /// Bonus at full payout, as a share of revenue before settlement (FFS + prospective + add-ons).
    public var bonusShare: Glide
    /// Share of FFS + prospective payments withheld, returned × payout fraction.
    public var withholdShare: Glide
    public var floor: Double
    /// Shared savings are paid only when the score is at least this.
    public var gate: Double?

    public init(bonusPMPM: Glide = Glide(0), bonusShare: Glide = Glide(0), withholdShare: Glide = Glide(0),
                floor: Double = 0, gate: Double? = nil) {
        self.bonusPMPM = bonusPMPM; self.bonusShare = bonusShare; self.withholdShare = withholdShare
        self.floor = floor; self.gate = gate
    }

    public func payoutFraction(score: Double) -> Double {
        guard floor < 1 else { return score >= 1 ? 1 : 0 }
        return min(max((score - floor) / (1 - floor), 0), 1)
    }
}

/// The population a base rate is measured over: the practice's region or the whole state.
public enum ReferencePopulation: String, Sendable, Equatable, CaseIterable {
    case region, statewide
}

/// A rate per risk-adjusted member-month priced from the practice's own baseline, a reference
/// population's base rate (its baseline cost per risk-adjusted member-month, so the practice is
/// paid for its members' risk scores, not its history), or a blend of the two.
public struct BaseRate: Sendable, Equatable {
    /// Weight of the reference population's rate; 0 is the practice's own baseline alone.
    public var weight: Glide
    public var population: ReferencePopulation

    public init(weight: Glide, population: ReferencePopulation = .region) {
        self.weight = weight; self.population = population
    }

    public static let ownBaseline = BaseRate(weight: Glide(0))
}

/// How the payer's view of risk scores moves under the design. Coding intensity: the scores a
/// practice submits grow by `codingGrowth` a program year beyond the member's true change
/// (1.01 in year 1, 1.0201 in year 2 ...), in prospective payments and benchmarks alike. The cap:
/// a practice's average score in a performance year may move at most ± `growthCap` from its
/// average over the benchmark's base years when the benchmark is risk-adjusted (MSSP: ± 3% over
/// an agreement period).
public struct RiskScoreTerms: Sendable, Equatable {
    public var codingGrowth: Double
    public var growthCap: Double?

    public init(codingGrowth: Double = 0, growthCap: Double? = nil) {
        self.codingGrowth = codingGrowth; self.growthCap = growthCap
    }

    /// How much program year `year`'s coding inflates scores (baseline years are as measured).
    public func codingFactor(year: Int) -> Double { year < 1 || codingGrowth == 0 ? 1 : pow1p(codingGrowth, year) }
}

public struct BenchmarkTerms: Sendable, Equatable {
    /// Weight of the reference population's baseline cost per risk-adjusted member-month (the
    /// rest is the practice's own baseline).
    public var regionalBlend: Glide
    /// Whose base rate the blend takes: the practice's region (default) or the whole state.
    public var basePopulation: ReferencePopulation
    /// Whether the benchmark follows fee-schedule changes made after the baseline year.
    public var adjustForFeeChanges: Bool
    /// Weights of the most recent baseline years, oldest first, summing to 1 (MSSP: 0.1, 0.3,
    /// 0.6 in a first agreement period). Each year's cost is trended to the performance year.
    public var baselineWeights: [Double]
    /// Rebasing at the start of each new agreement period; nil keeps the first base throughout.
    public var rebase: Rebase?
    /// How the base is brought to the performance year: the assumed trend, the realised growth
    /// of a reference population, or a blend.
    public var trendUpdate: TrendUpdate

    public init(regionalBlend: Glide = Glide(0), basePopulation: ReferencePopulation = .region, adjustForFeeChanges: Bool = true,
                baselineWeights: [Double] = [1], rebase: Rebase? = nil, trendUpdate: TrendUpdate = .prospective) {
        self.regionalBlend = regionalBlend; self.basePopulation = basePopulation; self.adjustForFeeChanges = adjustForFeeChanges
        self.baselineWeights = baselineWeights; self.rebase = rebase; self.trendUpdate = trendUpdate
    }

    /// The base years and their weights for program year `year`: the baseline years in the
    /// first agreement period, then the most recent years before each new period begins.
    public func baseYears(forProgramYear year: Int) -> [(year: Int, weight: Double)] {
        var last = 0
        var weights = baselineWeights
        if let rebase, year > rebase.agreementYears {
            last = ((year - 1) / rebase.agreementYears) * rebase.agreementYears
            weights = rebase.weights
        }
        let first = last - weights.count + 1
        return weights.enumerated().map { (first + $0.offset, $0.element) }
    }
}

/// How a benchmark moves from its base years to the performance year. The prospective update is
/// the scenario's assumed trend (and fee factor), fixed before the year; the realised update is
/// the growth, from each base year to the performance year, of the reference population's cost
/// per risk-adjusted member-month as simulated (statewide, the practice's region, or a blend of
/// the two growths), the way MSSP updates benchmarks by national–regional growth. The benchmark
/// rate is (1 − realisedWeight) × prospective + realisedWeight × realised, the realised rate
/// first held within ± guardrail of the prospective one.
public struct TrendUpdate: Sendable, Equatable {
    /// Weight of the realised update, in [0, 1]; 0 is the prospective trend alone.
    public var realisedWeight: Double
    /// Weight of the practice's region in the reference growth, in [0, 1]; 0 is statewide.
    public var regionalWeight: Double
    /// Largest relative distance of the realised rate from the prospective one, or nil.
    public var guardrail: Double?

    public init(realisedWeight: Double, regionalWeight: Double = 0, guardrail: Double? = nil) {
        self.realisedWeight = realisedWeight; self.regionalWeight = regionalWeight; self.guardrail = guardrail
    }

    public static let prospective = TrendUpdate(realisedWeight: 0)
}

/// A new benchmark base at each agreement period (MSSP rebases every 5 years, from the three
/// years before the new period, equally weighted).
public struct Rebase: Sendable, Equatable {
    /// Length of an agreement period in program years; periods start at years 1, 1 + n, 1 + 2n, …
    public var agreementYears: Int
    /// Weights of the most recent years before the new period, oldest first, summing to 1.
    public var weights: [Double]

    public init(agreementYears: Int, weights: [Double]) {
        self.agreementYears = agreementYears; self.weights = weights
    }
}

/// Who is reconciled against a benchmark: each practice, the practices of a region (within one
/// track and tier), or a named pool (roster column `pool`). Pooled results are allocated back to
/// the member practices pro rata by benchmark dollars.
public enum Accountability: String, Sendable, Equatable, CaseIterable {
    case practice, region, pool
}

/// Per-member truncation of annual cost in the reconciliation (actual and baseline alike).
public struct StopLoss: Sendable, Hashable {
    public enum Point: Sendable, Hashable {
        /// Dollars per member-year (in baseline dollars when indexed).
        case attachment(Double)
        /// A percentile of the member annual cost distribution (e.g. 0.99).
        case percentile(Double)
    }
    public var point: Point
    /// Whether the attachment moves year by year: a percentile is taken of each year's own
    /// member cost distribution (MSSP truncates each year at that year's 99th percentile); a
    /// dollar attachment is trended and fee-adjusted as the benchmark is. Not indexed, one
    /// attachment in baseline dollars holds for every year.
    public var indexed: Bool

    public init(_ point: Point, indexed: Bool? = nil) {
        self.point = point
        if let indexed { self.indexed = indexed } else if case .percentile = point { self.indexed = true } else { self.indexed = false }
    }

    public static func attachment(_ dollars: Double) -> StopLoss { StopLoss(.attachment(dollars)) }
    public static func percentile(_ p: Double) -> StopLoss { StopLoss(.percentile(p)) }
}

/// How the reconciled actual counts the in-scope (primary-care) services the practice is paid
/// for: at their shadow FFS price (the claims), or at what the payer actually paid (FFS at the
/// remaining share plus the prospective payment).
public enum InScopeActual: String, Sendable, Equatable, CaseIterable {
    case shadowFFS = "shadow_ffs"
    case payments
}

/// How a minimum savings or loss rate is set.
public enum ThresholdRule: Sendable, Equatable {
    case fixed(Glide)
    /// The MSSP table by attributed members (FACTS.md, 42 CFR 425.604(b)), interpolated.
    case msspTable
    /// z · CV / √n: a two-sided confidence band on per-capita cost for n members.
    case confidence(Double)
}

/// Whether shared savings/losses start at the first dollar once the threshold is crossed,
/// or only count the part beyond the threshold.
public enum SharingBasis: String, Sendable, Equatable, CaseIterable {
    case firstDollar = "first_dollar"
    case netOfThreshold = "net_of_threshold"
}

/// A cap on shared savings or losses. When both limits are set, the lesser applies.
public struct Cap: Sendable, Equatable {
    /// Share of the benchmark (total-cost-of-care dollars).
    public var benchmarkShare: Glide?
    /// Share of the practice's revenue from the payer in the year, before settlement.
    public var revenueShare: Glide?

    public init(benchmarkShare: Glide? = nil, revenueShare: Glide? = nil) {
        self.benchmarkShare = benchmarkShare; self.revenueShare = revenueShare
    }

    public static let none = Cap()
}

/// A risk corridor: deviations from the benchmark between `lower` and `upper` (shares of the
/// benchmark) are shared at `share`, for savings and losses alike.
public struct Corridor: Sendable, Equatable {
    public var lower: Double
    public var upper: Double?
    public var share: Glide

    public init(lower: Double, upper: Double?, share: Glide) {
        self.lower = lower; self.upper = upper; self.share = share
    }
}

/// Total-cost-of-care reconciliation against a benchmark.
public struct Reconciliation: Sendable, Equatable {
    public var minimumSavingsRate: ThresholdRule
    public var minimumLossRate: ThresholdRule
    public var sharingBasis: SharingBasis
    public var upsideRate: Glide
    public var downsideRate: Glide
    /// When present, replaces the upside and downside rates.
    public var corridors: [Corridor]?
    public var savingsCap: Cap
    public var lossCap: Cap
    /// Service categories (indices into `Scenario.services`) left out of the reconciled total
    /// cost of care, benchmark and actual alike (e.g. long-term services, pharmacy).
    public var carveOuts: [Int]
    public var inScopeActual: InScopeActual

    public init(minimumSavingsRate: ThresholdRule, minimumLossRate: ThresholdRule, sharingBasis: SharingBasis,
                upsideRate: Glide, downsideRate: Glide, corridors: [Corridor]? = nil,
                savingsCap: Cap, lossCap: Cap, carveOuts: [Int] = [], inScopeActual: InScopeActual = .shadowFFS) {
        self.minimumSavingsRate = minimumSavingsRate; self.minimumLossRate = minimumLossRate
        self.sharingBasis = sharingBasis; self.upsideRate = upsideRate; self.downsideRate = downsideRate
        self.corridors = corridors; self.savingsCap = savingsCap; self.lossCap = lossCap
        self.carveOuts = carveOuts; self.inScopeActual = inScopeActual
    }
}
