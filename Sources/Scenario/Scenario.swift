/// One swing of a `sensitivity:` section: a key path and either two values or a share of the
/// value written in the file (`apmrisk sensitivity`; `docs/scenario-reference.md`, "Key paths").
public struct SwingSpec: Sendable, Equatable {
    public var keyPath: String
    public var low: Double?
    public var high: Double?
    public var share: Double?

    public init(keyPath: String, low: Double? = nil, high: Double? = nil, share: Double? = nil) {
        self.keyPath = keyPath; self.low = low; self.high = high; self.share = share
    }
}

/// A validated scenario: only values that passed every check reach the engine.
/// `docs/scenario-reference.md` documents each field's key, unit, default and meaning.
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    /// Path of the file this scenario was read from (for messages and manifests).
    public var sourceFile: String
    public var simulation: SimulationSettings
    public var population: Population
    public var services: [ServiceCategory]
    public var variation: Variation
    public var regions: [String]
    public var practiceTypes: [PracticeType]
    public var practices: [Practice]
    public var sizeBands: [SizeBand]
    public var designs: [Design]
    public var quality: QualityWorld
    public var feeScheduleChanges: [FeeScheduleChange]
    public var budget: BudgetSettings
    /// Path of the roster CSV read, if any.
    public var rosterFile: String?
    /// Calibration sources cited in the scenario (`sources:`), carried into every run's outputs.
    public var sources: [String]
    /// The swings `apmrisk sensitivity` makes when the command line gives none (`sensitivity:`).
    public var sensitivity: [SwingSpec] = []
    /// Numbers written as distributions, each drawn once per trial (`UncertainAssumption`).
    public var uncertain: [UncertainAssumption] = []
    /// What is already known at a fall re-forecast (`observed:`); nil for the summer forecast.
    public var observed: Observed?

    public init(name: String, description: String, sourceFile: String,
                simulation: SimulationSettings, population: Population,
                services: [ServiceCategory], variation: Variation, regions: [String],
                practiceTypes: [PracticeType], practices: [Practice], sizeBands: [SizeBand],
                designs: [Design], quality: QualityWorld = QualityWorld(),
                feeScheduleChanges: [FeeScheduleChange] = [], budget: BudgetSettings = BudgetSettings(),
                sources: [String]) {
        self.name = name; self.description = description; self.sourceFile = sourceFile
        self.simulation = simulation; self.population = population; self.services = services
        self.variation = variation; self.regions = regions; self.practiceTypes = practiceTypes
        self.practices = practices; self.sizeBands = sizeBands; self.designs = designs
        self.quality = quality; self.feeScheduleChanges = feeScheduleChanges; self.budget = budget
        self.sources = sources
    }

    /// Index of the size band a practice of `members` attributed members reports in.
    public func sizeBandIndex(members: Int) -> Int {
        SizeBand.index(of: members, in: sizeBands)
    }
}

public struct SimulationSettings: Sendable, Equatable {
    public var trials: Int
    public var seed: UInt64
    public var programYears: Int
    /// Label of program year 1 in outputs (e.g. 2027); year k is labelled firstProgramYear + k - 1.
    public var firstProgramYear: Int
    /// How the member level is drawn: in aggregate from member libraries (fast), member by member
    /// (the direct reference), or automatically (aggregate when the libraries pay for themselves).
    public var method: SimulationMethod
    /// Member-years simulated for each library (one per member class and multiplier grid point;
    /// with persistent panels split evenly over the health strata of that class and grid point).
    public var libraryMembers: Int
    /// Historical years simulated before program year 1 (1-5), the last being year 0: the years
    /// a benchmark can be built from. The panel runs through them exactly as through program years.
    public var baselineYears: Int

    public static let defaultLibraryMembers = 1 << 18

    public init(trials: Int, seed: UInt64, programYears: Int, firstProgramYear: Int,
                method: SimulationMethod = .automatic, libraryMembers: Int = Self.defaultLibraryMembers,
                baselineYears: Int = 1) {
        self.trials = trials; self.seed = seed
        self.programYears = programYears; self.firstProgramYear = firstProgramYear
        self.method = method; self.libraryMembers = libraryMembers; self.baselineYears = baselineYears
    }

    /// The first simulated year: year 0 is the last baseline year, program years are 1...programYears.
    public var firstYear: Int { 1 - baselineYears }
    /// Every simulated year, oldest baseline year first.
    public var allYears: ClosedRange<Int> { firstYear...programYears }
}

public enum SimulationMethod: String, Sendable, Equatable, CaseIterable {
    case automatic
    case aggregate
    case member
}

public struct Population: Sendable, Equatable {
    public var classes: [MemberClass]
    /// Share of each category's log-frailty variance that is common to all categories of a member.
    public var frailtySharing: Double
    /// CV of the lognormal (mean 1) noise between true risk and the payer's observed risk score.
    public var riskScoreNoiseCV: Double
    /// Probability a member is attributed for all 12 months; otherwise 1–11 months, uniformly.
    public var fullYearProbability: Double
    /// How panels carry over from year to year; `.independentYears` draws every year afresh.
    public var persistence: Persistence

    public init(classes: [MemberClass], frailtySharing: Double, riskScoreNoiseCV: Double,
                fullYearProbability: Double, persistence: Persistence = .independentYears) {
        self.classes = classes; self.frailtySharing = frailtySharing
        self.riskScoreNoiseCV = riskScoreNoiseCV; self.fullYearProbability = fullYearProbability
        self.persistence = persistence
    }

    /// Retention of class `c` in a practice of type `type`: the practice type's value, else the
    /// class's, else the population's.
    public func retention(classIndex c: Int, type: PracticeType) -> Double {
        type.retention ?? classes[c].retention ?? persistence.retention
    }

    /// Whether any member's health state can outlive a year: some member must stay attributed
    /// (retention) and some state carry over. False reproduces independent years.
    public func isPersistent(types: [PracticeType]) -> Bool {
        let carries = max(persistence.healthPersistence, persistence.catastrophicPersistence ?? 0) > 0
        return carries && types.contains { type in classes.indices.contains { retention(classIndex: $0, type: type) > 0 } }
    }

    /// Expected months attributed per member.
    public var expectedMonths: Double {
        fullYearProbability * 12 + (1 - fullYearProbability) * 6
    }
}

/// Panels that carry over (DOMAIN.md, "Persistence"). Each year a member stays attributed with
/// probability `retention`; a leaver is replaced by a newcomer of the same class, so a panel's
/// size and class mix hold. A staying member keeps its health state (the latent that sets true
/// risk) with probability `healthPersistence` and otherwise draws it afresh; so the state's
/// correlation across k years is about (retention × healthPersistence)^k. The top 1% of health
/// states (catastrophic, often acute) carry over with `catastrophicPersistence` when it is set.
public struct Persistence: Sendable, Equatable {
    public var retention: Double
    public var healthPersistence: Double
    /// Nil: as `healthPersistence`.
    public var catastrophicPersistence: Double?

    public init(retention: Double, healthPersistence: Double, catastrophicPersistence: Double? = nil) {
        self.retention = retention; self.healthPersistence = healthPersistence
        self.catastrophicPersistence = catastrophicPersistence
    }

    public static let independentYears = Persistence(retention: 0, healthPersistence: 0)
}

public struct MemberClass: Sendable, Equatable {
    public var name: String
    public var panelShare: Double
    /// Annual retention of this class, overriding `Persistence.retention`.
    public var retention: Double?
    /// CV of true risk: lognormal with mean 1 within the class.
    public var riskCV: Double
    /// Multiplier on each service category's rate, aligned with `Scenario.services`.
    public var categoryMultipliers: [Double]
    public var socialNeedProbability: Double
    /// Utilization multiplier for members with the social-need (HRSN) flag.
    public var socialNeedMultiplier: Double
    /// The payer's demographic/eligibility weight of the class before normalisation, overriding
    /// the class's expected cost (to model a risk model biased between classes); nil = unbiased.
    public var riskScoreWeight: Double?

    public init(name: String, panelShare: Double, riskCV: Double, categoryMultipliers: [Double],
                socialNeedProbability: Double, socialNeedMultiplier: Double, retention: Double? = nil,
                riskScoreWeight: Double? = nil) {
        self.name = name; self.panelShare = panelShare; self.riskCV = riskCV; self.retention = retention
        self.riskScoreWeight = riskScoreWeight
        self.categoryMultipliers = categoryMultipliers
        self.socialNeedProbability = socialNeedProbability
        self.socialNeedMultiplier = socialNeedMultiplier
    }

    /// Mean utilization multiplier from the social-need flag.
    public var meanSocialNeedFactor: Double {
        1 + socialNeedProbability * (socialNeedMultiplier - 1)
    }

    /// The social-need probability in a practice of social-need scale `scale`.
    public func socialNeedProbability(scale: Double) -> Double {
        scale == 1 ? socialNeedProbability : min(1, socialNeedProbability * scale)
    }

    /// Mean utilization multiplier from the social-need flag in a practice of scale `scale`.
    public func meanSocialNeedFactor(scale: Double) -> Double {
        scale == 1 ? meanSocialNeedFactor : 1 + socialNeedProbability(scale: scale) * (socialNeedMultiplier - 1)
    }
}

public enum CostDistributionKind: String, Sendable, Equatable, CaseIterable {
    case gamma, lognormal
}

public struct ServiceCategory: Sendable, Equatable {
    public var name: String
    /// Paid to the practice (FFS or prospective payment); otherwise total cost of care only.
    public var primaryCareScope: Bool
    /// Services per member-year at true risk 1, before class multipliers.
    public var rate: Double
    /// CV of the member's gamma-mixed frailty for this category (overdispersion of counts).
    public var frailtyCV: Double
    public var costKind: CostDistributionKind
    /// Mean cost per service, dollars, at the fee schedule of the baseline year.
    public var costMean: Double
    public var costCV: Double

    public init(name: String, primaryCareScope: Bool, rate: Double, frailtyCV: Double,
                costKind: CostDistributionKind, costMean: Double, costCV: Double) {
        self.name = name; self.primaryCareScope = primaryCareScope; self.rate = rate
        self.frailtyCV = frailtyCV; self.costKind = costKind
        self.costMean = costMean; self.costCV = costCV
    }
}

/// Systemic, regional and practice-level variation (DOMAIN.md levels 1–3).
public struct Variation: Sendable, Equatable {
    /// Annual cost trend the payer assumes when it trends benchmarks forward.
    public var assumedTrend: Double
    /// Realised annual trend: normal with this mean and SD, drawn per trial and program year.
    public var trendMean: Double
    public var trendSD: Double
    /// A one-year statewide utilization surge: its probability per program year and multiplier.
    public var shockProbability: Double
    public var shockMultiplier: Double
    /// CV of the per-region, per-year cost multiplier (lognormal, mean 1).
    public var regionalCV: Double
    /// CV of the persistent per-practice efficiency multiplier (lognormal, mean 1).
    public var practiceEfficiencyCV: Double
    /// Annual change in enrollment (every panel's size), normal with this mean and SD, drawn per
    /// trial and program year and compounded: the caseload.
    public var enrollmentMean: Double = 0
    public var enrollmentSD: Double = 0

    /// Expected enrollment of program year `year` relative to the baseline (year 0 = 1).
    public func expectedEnrollmentIndex(year: Int) -> Double { year > 0 ? pow1p(enrollmentMean, year) : 1 }

    public init(assumedTrend: Double, trendMean: Double, trendSD: Double,
                shockProbability: Double, shockMultiplier: Double,
                regionalCV: Double, practiceEfficiencyCV: Double) {
        self.assumedTrend = assumedTrend; self.trendMean = trendMean; self.trendSD = trendSD
        self.shockProbability = shockProbability; self.shockMultiplier = shockMultiplier
        self.regionalCV = regionalCV; self.practiceEfficiencyCV = practiceEfficiencyCV
    }

    /// Expected realised cost index of program year `year` (baseline year 0 has index 1).
    public func expectedCostIndex(year: Int) -> Double {
        guard year > 0 else { return 1 }
        let trend = pow1p(trendMean, year)
        return trend * (1 + shockProbability * (shockMultiplier - 1))
    }
}

/// (1 + x)^n by repeated multiplication: exact for the small integer n used here.
public func pow1p(_ x: Double, _ n: Int) -> Double {
    var result = 1.0
    for _ in 0..<max(n, 0) { result *= 1 + x }
    return result
}

public struct PracticeType: Sendable, Equatable {
    public var name: String
    /// Panel share of each member class, aligned with `Population.classes`.
    public var classMix: [Double]
    /// Annual retention of every class in practices of this type, overriding the classes' own.
    public var retention: Double?

    public init(name: String, classMix: [Double], retention: Double? = nil) {
        self.name = name; self.classMix = classMix; self.retention = retention
    }
}

public struct Practice: Sendable, Equatable {
    public var id: String
    public var members: Int
    public var region: Int
    public var type: Int
    /// Explicit placement from the roster or group: a track or tier name, used by designs that have it.
    public var track: String?
    public var tier: String?
    /// Pool for `accountability: pool`.
    public var pool: String?
    /// The practice's social-need prevalence relative to its classes' rates (1 = the class
    /// rates): a member of class c has the flag with probability min(1, scale × rate_c).
    public var socialNeedScale: Double

    public init(id: String, members: Int, region: Int, type: Int, track: String? = nil, tier: String? = nil,
                pool: String? = nil, socialNeedScale: Double = 1) {
        self.id = id; self.members = members; self.region = region; self.type = type
        self.track = track; self.tier = tier; self.pool = pool; self.socialNeedScale = socialNeedScale
    }
}

/// The quality world: each practice has a persistent true quality (normal, clamped to [0, 1]);
/// its measured score each year adds noise whose SD grows as the panel shrinks:
/// noiseSD × √(referenceMembers / members).
public struct QualityWorld: Sendable, Equatable {
    public var mean: Double
    public var sd: Double
    public var noiseSD: Double
    public var referenceMembers: Double

    public init(mean: Double = 0.7, sd: Double = 0.1, noiseSD: Double = 0.05, referenceMembers: Double = 1_000) {
        self.mean = mean; self.sd = sd; self.noiseSD = noiseSD; self.referenceMembers = referenceMembers
    }

    /// SD of the measurement noise of a panel of `members`.
    public func noiseSD(members: Int) -> Double {
        noiseSD * (referenceMembers / Double(max(members, 1))).squareRoot()
    }
}

/// When money moves, for the budget view: fiscal calendar, settlement and recoupment timing.
public struct BudgetSettings: Sendable, Equatable {
    /// Calendar month (1–12) in which a fiscal year starts; fiscal years are named by the calendar
    /// year in which they end (July start: FY2028 = July 2027 – June 2028).
    public var fiscalYearStartMonth: Int
    /// Calendar month (1–12) in which program year 1 starts (in calendar year `first_program_year`).
    public var programStartMonth: Int
    /// Months after a program year ends that quality payments and shared savings are paid.
    public var settlementLagMonths: Int
    /// Share of shared losses the payer actually collects, and months after the program year ends.
    public var recoupmentCollectionRate: Double
    public var recoupmentLagMonths: Int
    /// Confidence level of the extra appropriation column (the CLI's --confidence overrides).
    public var confidence: Double
    /// Share of a month's claims (FFS and other claims) paid in the month of service and in each
    /// month after it; sums to 1. [1] (the default) pays claims as they are incurred.
    public var claimsLag: [Double] = [1]
    /// The design whose outlay net costs are measured against (the status quo, e.g. today's PCMH
    /// payments); nil for pure FFS.
    public var netAgainst: String?
    /// Who pays: the federal share of service spending per member class and of administration;
    /// nil reports totals only.
    public var federalMatch: FederalMatch?
    /// Administrative and one-time cost lines, and grants that offset them.
    public var adminItems: [AdminItem] = []
    /// Months a program year's settlements and recoupments may slip past their lag, with their
    /// probabilities (drawn per trial and program year); one slip of 0 = always on time.
    public var settlementSlip: [SettlementSlip] = [SettlementSlip(months: 0, probability: 1)]

    /// The largest slip a settlement can take.
    public var longestSlip: Int { settlementSlip.map(\.months).max() ?? 0 }

    public init(fiscalYearStartMonth: Int = 7, programStartMonth: Int = 1, settlementLagMonths: Int = 6,
                recoupmentCollectionRate: Double = 1, recoupmentLagMonths: Int = 9, confidence: Double = 0.9) {
        self.fiscalYearStartMonth = fiscalYearStartMonth; self.programStartMonth = programStartMonth
        self.settlementLagMonths = settlementLagMonths; self.recoupmentCollectionRate = recoupmentCollectionRate
        self.recoupmentLagMonths = recoupmentLagMonths; self.confidence = confidence
    }
}

public struct SettlementSlip: Sendable, Equatable {
    public var months: Int
    public var probability: Double

    public init(months: Int, probability: Double) { self.months = months; self.probability = probability }
}

/// The federal medical assistance percentage (FMAP) per member class, which may change on the
/// October 1 that starts a federal fiscal year, and the match rate of administrative items.
public struct FederalMatch: Sendable, Equatable {
    /// FMAP of each member class, aligned with `Population.classes`, before any change.
    public var classRates: [Double]
    public var changes: [FMAPChange]
    public var adminRate: Double

    public init(classRates: [Double], changes: [FMAPChange] = [], adminRate: Double = 0.5) {
        self.classRates = classRates; self.changes = changes; self.adminRate = adminRate
    }

    /// Class `c`'s FMAP in federal fiscal year `year` (which starts October 1 of `year` − 1): the
    /// latest change taking effect by then, else the class's rate.
    public func rate(classIndex c: Int, federalFiscalYear year: Int) -> Double {
        changes.filter { $0.classIndex == c && $0.federalFiscalYear <= year }
            .max { $0.federalFiscalYear < $1.federalFiscalYear }?.rate ?? classRates[c]
    }
}

public struct FMAPChange: Sendable, Equatable {
    public var federalFiscalYear: Int
    public var classIndex: Int
    public var rate: Double

    public init(federalFiscalYear: Int, classIndex: Int, rate: Double) {
        self.federalFiscalYear = federalFiscalYear; self.classIndex = classIndex; self.rate = rate
    }
}

/// A cost line of running the program (operations, analytics) or, negative, a grant that
/// offsets one: dollars per program year, paid evenly over its months or in one month, with the
/// share the federal government matches.
public struct AdminItem: Sendable, Equatable {
    public var name: String
    /// Dollars in each program year (index 0 = year 1).
    public var annual: [Double]
    public var federalShare: Double
    /// Month of the program year (1–12) in which the whole year's amount is paid; nil = evenly.
    public var month: Int?

    public init(name: String, annual: [Double], federalShare: Double, month: Int? = nil) {
        self.name = name; self.annual = annual; self.federalShare = federalShare; self.month = month
    }
}

/// A change in the fee schedule from program year `year` on: unit costs of the affected
/// categories are multiplied by (1 + change).
public struct FeeScheduleChange: Sendable, Equatable {
    public var year: Int
    public var change: Double
    /// True: primary-care-scope categories only; false: every category.
    public var primaryCareOnly: Bool

    public init(year: Int, change: Double, primaryCareOnly: Bool) {
        self.year = year; self.change = change; self.primaryCareOnly = primaryCareOnly
    }
}

extension Scenario {
    /// Fee-schedule index of each category in program year `year` (1 in the baseline year).
    public func feeIndex(year: Int) -> [Double] {
        services.map { service in
            feeScheduleChanges.reduce(1.0) { index, change in
                change.year <= year && (service.primaryCareScope || !change.primaryCareOnly) ? index * (1 + change.change) : index
            }
        }
    }
}

/// A reporting group of practices by attributed members: `[lowerBound, upperBound)`.
public struct SizeBand: Sendable, Equatable {
    public var name: String
    public var lowerBound: Int
    public var upperBound: Int?

    public init(name: String, lowerBound: Int, upperBound: Int?) {
        self.name = name; self.lowerBound = lowerBound; self.upperBound = upperBound
    }

    /// Index of the band a practice of `members` attributed members reports in.
    public static func index(of members: Int, in bands: [SizeBand]) -> Int {
        bands.firstIndex { band in band.upperBound.map { members < $0 } ?? true } ?? bands.count - 1
    }
}
