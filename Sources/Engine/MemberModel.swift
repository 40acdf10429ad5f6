import Foundation
import Sampling
import Scenario
import Settlement

/// The member level of the world (DOMAIN.md level 4), with every distribution turned into
/// validated sampling parameters once, before any draw.
///
/// Frailty: a member's multiplier for category c has mean 1 and CV `frailty_cv` exactly. It is
/// the product of a lognormal part driven by one standard normal shared by all of the member's
/// categories (carrying the share `frailty_sharing` of the category's log-variance) and an
/// independent gamma part for the rest: (1 + cv²) = (1 + cv²)^ρ · (1 + cv²)^(1−ρ).
struct MemberModel: Sendable {
    struct Category: Sendable {
        let primaryCareScope: Bool
        let severity: Severity
        /// σ of the shared lognormal part, and σ²/2 (so its mean is 1).
        let sharedSigma: Double
        let sharedHalfVariance: Double
        /// Shape (= 1/scale) of the gamma part with mean 1; 0 when the category has none.
        let idiosyncraticShape: Double
    }

    struct MemberClassModel: Sendable {
        /// Services per member-year at true risk 1, per category (rate × class multipliers).
        let rates: [Double]
        /// The class's weight in observed risk scores (`WorldExpectations.riskScoreWeights`).
        let riskScoreWeight: Double
        /// Lognormal with mean 1 for true risk; nil when the class has no risk spread.
        let risk: Lognormal?
        let socialNeedProbability: Double
        let socialNeedMultiplier: Double
    }

    let categories: [Category]
    /// The scenario's member classes, once per social-need scale any practice has (scale 1
    /// first): class `c` at scale index `s` is `classes[s × scenarioClasses + c]`. Its risk-score
    /// weight is its scenario class's, since the payer's demographic model does not see need.
    let classes: [MemberClassModel]
    let scenarioClasses: Int
    let socialNeedScales: [Double]
    let fullYearProbability: Double
    let riskScoreNoise: Lognormal?
    /// The strata of the persistent health state; nil when panels are drawn afresh every year.
    let strata: HealthStrata?

    /// Groups of a panel the aggregate path keeps apart: one per class, or per class × stratum.
    var groupsPerClass: Int { strata?.count ?? 1 }

    init(scenario: Scenario) throws(SamplingError) {
        let rho = scenario.population.frailtySharing
        var categories: [Category] = []
        for service in scenario.services {
            let severity: Severity = switch service.costKind {
            case .gamma: .gamma(try GammaByMean(mean: service.costMean, cv: service.costCV))
            case .lognormal: .lognormal(try Lognormal(mean: service.costMean, cv: service.costCV))
            }
            let logVariance = log1p(service.frailtyCV * service.frailtyCV)
            let sharedVariance = rho * logVariance
            // Gamma with mean 1 and CV² = (1 + cv²)^(1−ρ) − 1, i.e. shape = 1/CV².
            let idiosyncraticCV2 = expm1((1 - rho) * logVariance)
            categories.append(Category(
                primaryCareScope: service.primaryCareScope, severity: severity,
                sharedSigma: sharedVariance.squareRoot(), sharedHalfVariance: sharedVariance / 2,
                idiosyncraticShape: idiosyncraticCV2 > 1e-12 ? 1 / idiosyncraticCV2 : 0))
        }
        var classes: [MemberClassModel] = []
        let weights = WorldExpectations(scenario: scenario).riskScoreWeights()
        var scales = [1.0]
        for practice in scenario.practices where !scales.contains(practice.socialNeedScale) {
            scales.append(practice.socialNeedScale)
        }
        for scale in scales {
            for (k, memberClass) in scenario.population.classes.enumerated() {
                let rates = zip(scenario.services, memberClass.categoryMultipliers).map { $0.rate * $1 }
                classes.append(MemberClassModel(
                    rates: rates, riskScoreWeight: weights[k],
                    risk: memberClass.riskCV > 0 ? try Lognormal(mean: 1, cv: memberClass.riskCV) : nil,
                    socialNeedProbability: memberClass.socialNeedProbability(scale: scale),
                    socialNeedMultiplier: memberClass.socialNeedMultiplier))
            }
        }
        self.categories = categories
        self.classes = classes
        scenarioClasses = scenario.population.classes.count
        socialNeedScales = scales
        self.fullYearProbability = scenario.population.fullYearProbability
        let noise = scenario.population.riskScoreNoiseCV
        self.riskScoreNoise = noise > 0 ? try Lognormal(mean: 1, cv: noise) : nil
        let persistence = scenario.population.persistence
        strata = scenario.population.isPersistent(types: scenario.practiceTypes)
            ? HealthStrata(health: persistence.healthPersistence, catastrophic: persistence.catastrophicPersistence) : nil
    }

    /// The year-to-year dynamics of a practice's panel.
    /// Classes of other social-need scales have no members in this practice's panel.
    func dynamics(of practice: Practice, in scenario: Scenario) -> PanelDynamics {
        let type = scenario.practiceTypes[practice.type]
        let counts = classCounts(members: practice.members, mix: type.classMix)
        let retention = scenario.population.classes.indices.map { scenario.population.retention(classIndex: $0, type: type) }
        guard socialNeedScales.count > 1 else { return PanelDynamics(classCounts: counts, retention: retention) }
        let offset = (socialNeedScales.firstIndex(of: practice.socialNeedScale) ?? 0) * scenarioClasses
        var expanded = [Int](repeating: 0, count: classes.count)
        for (k, count) in counts.enumerated() { expanded[offset + k] = count }
        return PanelDynamics(classCounts: expanded, retention: (0..<socialNeedScales.count).flatMap { _ in retention })
    }
}

/// One simulated member-year, for tests and diagnostics that need the member level.
public struct MemberDraw: Sendable {
    public var classIndex: Int
    public var months: Int
    public var trueRisk: Double
    public var observedRisk: Double
    public var socialNeed: Bool
    public var cost: Double
    public var inScopeCost: Double
}

/// Receives each member as it is simulated; `IgnoreMembers` compiles to nothing in the hot loop.
public protocol MemberObserver {
    mutating func observe(_ member: MemberDraw)
}

public struct IgnoreMembers: MemberObserver {
    public init() {}
    @inline(__always) public mutating func observe(_ member: MemberDraw) {}
}

/// What the world records for every practice-year besides the member draws themselves.
struct WorldRecording: Sendable {
    /// Stop-loss attachment points (dollars per member-year) of every truncation any design of
    /// the run uses, per simulated year (oldest baseline year first), or one row for every year.
    let attachmentsByYear: [[Double]]
    /// Per truncation, the carve-out set (index into `carveOutSets`) its member cost leaves out,
    /// or nil for the member's whole cost.
    let truncationScope: [Int?]
    /// Per carve-out set, per category: whether the category is carved out.
    let carveOutSets: [[Bool]]
    let riskBins: RiskBins
    /// Whether any truncation leaves out carved-out categories (read once per member drawn).
    let hasCarveOuts: Bool

    init(attachmentsByYear: [[Double]], truncationScope: [Int?], carveOutSets: [[Bool]], riskBins: RiskBins) {
        self.attachmentsByYear = attachmentsByYear; self.truncationScope = truncationScope
        self.carveOutSets = carveOutSets; self.riskBins = riskBins
        hasCarveOuts = truncationScope.contains { $0 != nil }
    }

    /// Fixed attachments on whole member costs, the same every year.
    init(attachments: [Double], riskBins: RiskBins) {
        self.init(attachmentsByYear: [attachments], truncationScope: attachments.map { _ in nil }, carveOutSets: [],
                  riskBins: riskBins)
    }

    var truncations: Int { truncationScope.count }

    /// The attachments of simulated year `yearIndex` (0 = the oldest baseline year).
    func attachments(yearIndex: Int) -> [Double] {
        attachmentsByYear.count == 1 ? attachmentsByYear[0] : attachmentsByYear[yearIndex]
    }
}

extension MemberModel {
    /// Draws one member-year of class `classIndex`: months, risk, social need, then each
    /// category's services. `perCategory(c, cost, services)` receives every category with at
    /// least one service, costs valued at `priceFactors`. With a health `stratum`, true risk comes
    /// from the member's latent health state within that stratum; without, from the class's
    /// lognormal directly (independent years).
    @inline(__always)
    func drawMember(classIndex: Int, stratum: Int? = nil, multiplier: Double, priceFactors: [Double],
                    rng: borrowing GSLGenerator, perCategory: (Int, Double, UInt32) -> Void) -> MemberDraw {
        let memberClass = classes[classIndex]
        let months = rng.uniform() < fullYearProbability ? 12 : 1 + Int(rng.uniform() * 11)
        let trueRisk: Double
        if let stratum, let strata, let risk = memberClass.risk {
            trueRisk = exp(risk.mu + risk.sigma * strata.latent(stratum: stratum, uniform: rng.uniform()))
        } else {
            trueRisk = memberClass.risk.map { rng.lognormal($0) } ?? 1
        }
        let socialNeed = rng.uniform() < memberClass.socialNeedProbability
        let observedRisk = memberClass.riskScoreWeight * trueRisk * (riskScoreNoise.map { rng.lognormal($0) } ?? 1)
        let sharedNormal = rng.standardNormal()
        let intensity = trueRisk * (socialNeed ? memberClass.socialNeedMultiplier : 1)
            * multiplier * Double(months) / 12
        var memberCost = 0.0
        var memberInScope = 0.0
        for c in 0..<categories.count {
            let category = categories[c]
            var frailty = category.sharedSigma > 0
                ? exp(category.sharedSigma * sharedNormal - category.sharedHalfVariance) : 1
            if category.idiosyncraticShape > 0 {
                frailty *= rng.gamma(shape: category.idiosyncraticShape, scale: 1 / category.idiosyncraticShape)
            }
            let count = rng.poisson(mean: memberClass.rates[c] * intensity * frailty)
            guard count > 0 else { continue }
            let cost = rng.sum(of: category.severity, count: count) * priceFactors[c]
            memberCost += cost
            if category.primaryCareScope { memberInScope += cost }
            perCategory(c, cost, count)
        }
        return MemberDraw(classIndex: classIndex, months: months, trueRisk: trueRisk, observedRisk: observedRisk,
                          socialNeed: socialNeed, cost: memberCost, inScopeCost: memberInScope)
    }

    /// Simulates one practice-year member by member.
    /// - Parameters:
    ///   - classCounts: members of each group of the panel (`groupsPerClass` per class).
    ///   - multiplier: the product of the year's systemic, regional and practice factors; scales
    ///     every utilization rate.
    ///   - priceFactors: the year's fee-schedule index per category; scales unit costs.
    func simulateYear<Observer: MemberObserver>(
        classCounts: [Int], multiplier: Double, priceFactors: [Double], recording: WorldRecording, yearIndex: Int = 0,
        rng: borrowing GSLGenerator, observer: inout Observer
    ) -> PracticeYearActivity {
        var totals = PracticeYearActivity(categories: categories.count, attachments: recording.truncations,
                                          riskBins: recording.riskBins.count)
        addMembers(groupCounts: classCounts, byStratum: false, multiplier: multiplier, priceFactors: priceFactors,
                   recording: recording, attachments: recording.attachments(yearIndex: yearIndex), rng: rng,
                   observer: &observer, into: &totals)
        return totals
    }

    /// Simulates one practice-year of a persistent panel, member by member in panel order.
    func simulateYear<Observer: MemberObserver>(
        panel: MemberPanel, dynamics: PanelDynamics, multiplier: Double, priceFactors: [Double],
        recording: WorldRecording, yearIndex: Int, rng: borrowing GSLGenerator, observer: inout Observer
    ) -> PracticeYearActivity {
        var totals = PracticeYearActivity(categories: categories.count, attachments: recording.truncations,
                                          riskBins: recording.riskBins.count)
        let attachments = recording.attachments(yearIndex: yearIndex)
        var i = 0
        for (classIndex, count) in dynamics.classCounts.enumerated() {
            for _ in 0..<count {
                addMember(classIndex: classIndex, stratum: Int(panel.strata[i]), multiplier: multiplier,
                          priceFactors: priceFactors, recording: recording, attachments: attachments, rng: rng,
                          observer: &observer, into: &totals)
                i += 1
            }
        }
        return totals
    }

    /// Adds the member-by-member draws of `groupCounts` to `totals`: counts per class, or with
    /// `byStratum` per class × health stratum (`groupsPerClass` groups per class). Members drawn
    /// by class alone get true risk from the class's lognormal, which is the strata's mixture
    /// exactly: right for a cross-section, or for independent years.
    func addMembers<Observer: MemberObserver>(
        groupCounts: [Int], byStratum: Bool, multiplier: Double, priceFactors: [Double], recording: WorldRecording,
        attachments: [Double], rng: borrowing GSLGenerator, observer: inout Observer, into totals: inout PracticeYearActivity
    ) {
        let perClass = byStratum ? groupsPerClass : 1
        for (group, count) in groupCounts.enumerated() where count > 0 {
            let stratum: Int? = byStratum && strata != nil ? group % perClass : nil
            for _ in 0..<count {
                addMember(classIndex: group / perClass, stratum: stratum, multiplier: multiplier,
                          priceFactors: priceFactors, recording: recording, attachments: attachments, rng: rng,
                          observer: &observer, into: &totals)
            }
        }
    }

    @inline(__always)
    private func addMember<Observer: MemberObserver>(
        classIndex: Int, stratum: Int?, multiplier: Double, priceFactors: [Double], recording: WorldRecording,
        attachments: [Double], rng: borrowing GSLGenerator, observer: inout Observer,
        into totals: inout PracticeYearActivity
    ) {
        guard !recording.hasCarveOuts else {
            // A truncation of a carved-out total needs the member's cost by category.
            withUnsafeTemporaryAllocation(of: Double.self, capacity: categories.count) { byCategory in
                byCategory.initialize(repeating: 0)
                let member = drawMember(classIndex: classIndex, stratum: stratum, multiplier: multiplier,
                                        priceFactors: priceFactors, rng: rng) { c, cost, services in
                    totals.costByCategory[c] += cost
                    byCategory[c] = cost
                    if categories[c].primaryCareScope { totals.inScopeServices += Double(services) }
                }
                record(member, recording: recording, into: &totals)
                for k in 0..<attachments.count {
                    var cost = member.cost
                    if let set = recording.truncationScope[k] {
                        let carved = recording.carveOutSets[set]
                        for c in 0..<categories.count where carved[c] { cost -= byCategory[c] }
                    }
                    totals.truncatedCost[k] += min(max(cost, 0), attachments[k])
                }
                observer.observe(member)
            }
            return
        }
        let member = drawMember(classIndex: classIndex, stratum: stratum, multiplier: multiplier,
                                priceFactors: priceFactors, rng: rng) { c, cost, services in
            totals.costByCategory[c] += cost
            if categories[c].primaryCareScope { totals.inScopeServices += Double(services) }
        }
        record(member, recording: recording, into: &totals)
        for k in 0..<attachments.count { totals.truncatedCost[k] += min(member.cost, attachments[k]) }
        observer.observe(member)
    }

    /// Adds a member's months, scores and cost to the practice-year (truncations aside).
    @inline(__always)
    private func record(_ member: MemberDraw, recording: WorldRecording, into totals: inout PracticeYearActivity) {
        let memberMonths = Double(member.months)
        totals.memberMonths += memberMonths
        totals.riskMonths += member.observedRisk * memberMonths
        if member.socialNeed {
            totals.socialRiskMonths += member.observedRisk * memberMonths
            totals.socialNeedMonths += memberMonths
        }
        totals.riskBinMonths[recording.riskBins.bin(of: member.observedRisk)] += memberMonths
        totals.totalCost += member.cost
        totals.inScopeFFS += member.inScopeCost
    }
}
