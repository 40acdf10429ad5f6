import Scenario
import Settlement

/// Settles one design on one trial's world: base payments per practice-year, benchmarks,
/// reconciliation at the tier's accountability level, and the payer's outlay.
struct DesignSettler {
    let plan: RunPlan
    let design: Int
    let world: TrialSimulator.World
    /// effects[track][tier][intervention]
    let effects: [[[Double]]]
    /// For a voluntary design, whether each practice joined in this trial; nil = every practice.
    var joined: [Bool]? = nil

    var scenario: Scenario { plan.scenario }

    func settle<Sink: TrialSink>(into sink: inout Sink) {
        let designPlan = plan.designs[design]
        let firstYear = scenario.simulation.firstYear
        let practices = scenario.practices
        let tiers = designPlan.practiceTiers
        // The world as each practice's tier changes it: interventions act in program years only,
        // so baseline years are as simulated; rebased benchmarks see the changed years.
        let changesWorld = tiers.contains { $0.changesWorld }
        let activity: [[PracticeYearActivity]] = !changesWorld ? world.activity : practices.indices.map { p in
            let place = designPlan.placement[p]
            let terms = tiers[p].terms
            return scenario.simulation.allYears.map { year in
                let simulated = world.activity(practice: p, year: year)
                return year < 1 ? simulated
                    : applyInterventions(simulated, terms.interventions, effects: effects[place.track][place.tier], year: year)
            }
        }
        // Reference rates per area (each region, then statewide) × rate base, NaN until first needed.
        let areas = plan.areaPractices
        let statewide = areas.count - 1
        var areaRates = [Double](repeating: .nan, count: areas.count * designPlan.benchmarkBases)
        var reference = ReferenceRates()
        for year in 1...scenario.simulation.programYears {
            let y = year - firstYear
            var components: [PaymentComponents] = []
            var inputs: [ReconciliationInput?] = []
            var gates: [Bool] = []
            components.reserveCapacity(practices.count); inputs.reserveCapacity(practices.count)
            gates.reserveCapacity(practices.count)
            let trend = plan.trendFactors[year]
            for p in practices.indices {
                let tier = tiers[p]
                let social = tier.terms.socialRiskAdjustment
                let scores = tier.terms.riskScores
                let coding = scores.codingFactor(year: year)
                let base = tier.baseYears[year]
                let region = practices[p].region
                func areaRate(_ population: ReferencePopulation, kind: RateKind, baseIndex: Int) -> Double {
                    let area = population == .statewide ? statewide : region
                    let key = area * designPlan.benchmarkBases + baseIndex
                    if areaRates[key].isNaN {
                        areaRates[key] = baseRate(base, of: areas[area], activity: activity, inYearZeroTerms: kind,
                                                  social: social, scores: scores)
                    }
                    return areaRates[key]
                }
                var inScopeRate = baseRate(base, of: CollectionOfOne(p), activity: activity, inYearZeroTerms: .inScope,
                                           social: social, scores: scores)
                let pricingWeight = tier.pricingWeight[year]
                if pricingWeight > 0 {
                    let rate = areaRate(tier.terms.prospectivePricing.population, kind: .inScope,
                                        baseIndex: designPlan.pricingIndex[p][year])
                    inScopeRate = (1 - pricingWeight) * inScopeRate + pricingWeight * rate
                }
                let score = world.quality[p][year]
                let c = SettlementCalculator.basePayments(
                    terms: tier.terms, year: year, activity: activity[p][y],
                    expectedInScopePMPM: inScopeRate * trend
                        * feeFactor(year, mixOf: CollectionOfOne(p), base: base, activity: activity, categories: nil),
                    riskScoreFactor: coding, qualityScore: score, riskBins: plan.recording.riskBins)
                var input: ReconciliationInput?
                if let reconciled = tier.reconciledKind, let terms = tier.terms.reconciliation {
                    let own = baseRate(base, of: CollectionOfOne(p), activity: activity, inYearZeroTerms: reconciled,
                                       social: social, scores: scores)
                    let blend = tier.regionalBlend[year]
                    let basePopulation = tier.terms.benchmark.basePopulation
                    let pooled = blend > 0 ? areaRate(basePopulation, kind: reconciled, baseIndex: designPlan.baseIndex[p][year]) : 0
                    let included = plan.reconciledCategories[(tier.carveOutSet ?? -1) + 1]
                    let fee = tier.terms.benchmark.adjustForFeeChanges
                        ? feeFactor(year, mixOf: CollectionOfOne(p), base: base, activity: activity, categories: included) : 1
                    let riskMonths = benchmarkRiskMonths(p, year: year, base: base, activity: activity, social: social,
                                                         scores: scores)
                    var benchmark = ((1 - blend) * own + blend * pooled) * riskMonths * trend * fee
                    let update = tier.terms.benchmark.trendUpdate
                    if update.realisedWeight > 0 {
                        func realised(_ members: some Collection<Int>) -> Double {
                            realisedRate(base, of: members, region: region, programYear: year, activity: activity,
                                         kind: reconciled, social: social, scores: scores, update: update,
                                         adjustForFees: tier.terms.benchmark.adjustForFeeChanges,
                                         regionPractices: areas, reference: &reference)
                        }
                        let referenceRate = blend == 0 ? 0
                            : realised(areas[basePopulation == .statewide ? statewide : region])
                        var updated = ((1 - blend) * realised(CollectionOfOne(p)) + blend * referenceRate) * riskMonths
                        if let guardrail = update.guardrail {
                            updated = min(max(updated, benchmark * (1 - guardrail)), benchmark * (1 + guardrail))
                        }
                        benchmark = (1 - update.realisedWeight) * benchmark + update.realisedWeight * updated
                    }
                    var actual = reconciledCost(activity[p][y], kind: reconciled)
                    let current = activity[p][y]
                    if terms.inScopeActual == .payments, current.inScopeFFS > 0 {
                        // In-scope services count at what was paid for them: the FFS still paid
                        // plus the prospective payment, for the share of in-scope cost reconciled.
                        var inScopeReconciled = 0.0
                        for (k, cost) in current.costByCategory.enumerated() where plan.primaryCareScope[k] && included[k] {
                            inScopeReconciled += cost
                        }
                        actual += inScopeReconciled / current.inScopeFFS * (c.ffs + c.prospective - current.inScopeFFS)
                    }
                    input = ReconciliationInput(benchmark: benchmark, actual: actual,
                                                revenue: c.revenueBeforeSettlement, members: practices[p].members)
                }
                components.append(c)
                inputs.append(input)
                gates.append(tier.terms.quality?.gate.map { score >= $0 } ?? true)
            }
            reconcile(year: year, inputs: inputs, gates: gates, components: &components)
            var outlay = PayerOutlay()
            for p in practices.indices {
                // A practice that stays out of a voluntary design is paid FFS on its own world;
                // its settlement is still recorded, as the outcome of a practice that joins.
                if let joined, !joined[p] {
                    outlay.addPureFFS(world.activity[p][y])
                } else {
                    let current = activity[p][y]
                    outlay.add(components[p], otherClaims: current.totalCost - current.inScopeFFS)
                }
                sink.recordSettlement(design: design, practice: p, year: year, components: components[p],
                                      counterfactualFFS: world.activity[p][y].inScopeFFS)
            }
            sink.recordOutlay(design: design, year: year, outlay: outlay)
        }
    }

    /// The risk-adjusted member-months a practice's benchmark is multiplied by in `year`: its
    /// scores as coded under the design, and with a growth cap held within ± cap of the
    /// practice's average score over the base years (weighted as the base).
    private func benchmarkRiskMonths(_ p: Int, year: Int, base: [(year: Int, weight: Double)],
                                     activity: [[PracticeYearActivity]], social: Double, scores: RiskScoreTerms) -> Double {
        let firstYear = scenario.simulation.firstYear
        let current = activity[p][year - firstYear]
        let riskMonths = current.adjustedRiskMonths(socialFactor: social) * scores.codingFactor(year: year)
        guard let cap = scores.growthCap, current.memberMonths > 0 else { return riskMonths }
        var baseScore = 0.0, weights = 0.0
        for (baseYear, weight) in base {
            let then = activity[p][baseYear - firstYear]
            guard then.memberMonths > 0 else { continue }
            baseScore += weight * then.adjustedRiskMonths(socialFactor: social) * scores.codingFactor(year: baseYear)
                / then.memberMonths
            weights += weight
        }
        guard weights > 0 else { return riskMonths }
        let limit = baseScore / weights * current.memberMonths
        return min(max(riskMonths, limit * (1 - cap)), limit * (1 + cap))
    }

    /// A practice-year's reconciled total cost of care: truncated at the stop-loss, less its
    /// carve-outs.
    private func reconciledCost(_ activity: PracticeYearActivity, kind: RateKind) -> Double {
        switch kind {
        case .inScope: return activity.inScopeFFS
        case let .reconciled(attachment, carveOutSet, _):
            if let attachment { return activity.truncatedCost[attachment] }
            guard let carveOutSet else { return activity.totalCost }
            var cost = activity.totalCost
            for (c, carved) in plan.recording.carveOutSets[carveOutSet].enumerated() where carved {
                cost -= activity.costByCategory[c]
            }
            return cost
        }
    }

    /// What a base rate measures: in-scope FFS (prospective payments) or the reconciled total.
    enum RateKind: Hashable {
        case inScope
        case reconciled(attachment: Int?, carveOutSet: Int?, adjustForFees: Bool)
    }

    /// The weighted base rate of `practices` (pooled) per risk-adjusted member-month, in year-0
    /// terms: each base year's rate is brought back to year 0 by the assumed trend and, for
    /// rebased program years, by that year's fee factor where the benchmark follows fee changes.
    /// The caller trends and fee-adjusts it to the performance year, so a single baseline year
    /// is used exactly as it is.
    private func baseRate(_ base: [(year: Int, weight: Double)], of practices: some Collection<Int>,
                          activity: [[PracticeYearActivity]], inYearZeroTerms kind: RateKind,
                          social: Double, scores: RiskScoreTerms) -> Double {
        var rate = 0.0
        for (year, weight) in base {
            guard let yearRate = rawRate(year: year, of: practices, activity: activity, kind: kind, social: social,
                                         scores: scores)
            else { continue }
            var toYearZero = pow1p(scenario.variation.assumedTrend, -year)
            if year > 0 {
                toYearZero = 1 / plan.trendFactors[year]
                switch kind {
                case .inScope:
                    toYearZero /= feeFactor(year, mixOf: practices, base: base, activity: activity, categories: nil)
                case let .reconciled(_, carveOutSet, adjust):
                    if adjust {
                        toYearZero /= feeFactor(year, mixOf: practices, base: base, activity: activity,
                                                categories: plan.reconciledCategories[(carveOutSet ?? -1) + 1])
                    }
                }
            }
            rate += weight * yearRate * toYearZero
        }
        return rate
    }

    /// How much dearer `year`'s fees make the service mix of `practices` in the base years
    /// (weighted as the base; costs of rebased program years taken back to baseline fees), over
    /// the categories a reconciled total counts (`categories`) or, nil, the in-scope ones: a fee
    /// change is repriced on the practices' own mix, so a primary-care fee change moves a
    /// pediatric benchmark by a pediatric practice's share of primary care. Exactly 1 without
    /// fee changes.
    private func feeFactor(_ year: Int, mixOf practices: some Collection<Int>, base: [(year: Int, weight: Double)],
                           activity: [[PracticeYearActivity]], categories: [Bool]?) -> Double {
        guard year > 0, plan.hasFeeChanges else { return 1 }
        let firstYear = scenario.simulation.firstYear
        let fees = plan.feeIndex[year]
        var atBase = 0.0, atYear = 0.0
        for (baseYear, weight) in base {
            let baseFees = plan.fees(year: baseYear)
            for p in practices {
                for (c, cost) in activity[p][baseYear - firstYear].costByCategory.enumerated()
                where categories?[c] ?? plan.primaryCareScope[c] {
                    let atBaselineFees = weight * cost / baseFees[c]
                    atBase += atBaselineFees
                    atYear += atBaselineFees * fees[c]
                }
            }
        }
        guard atBase > 0 else { return categories == nil ? plan.inScopeFeeFactor[year] : plan.totalFeeFactor[year] }
        return atYear / atBase
    }

    /// Cost per risk-adjusted member-month of `practices` in `year`, at that year's prices; nil
    /// without member-months.
    private func rawRate(year: Int, of practices: some Collection<Int>, activity: [[PracticeYearActivity]],
                         kind: RateKind, social: Double, scores: RiskScoreTerms) -> Double? {
        let y = year - scenario.simulation.firstYear
        var cost = 0.0, riskMonths = 0.0
        for p in practices {
            cost += reconciledCost(activity[p][y], kind: kind)
            riskMonths += activity[p][y].adjustedRiskMonths(socialFactor: social)
        }
        riskMonths *= scores.codingFactor(year: year)
        return riskMonths > 0 ? cost / riskMonths : nil
    }

    /// The reference populations' rates (statewide and per region) a realised update measures
    /// growth by, each computed once per settlement.
    struct ReferenceRates {
        struct Key: Hashable {
            let region: Int?
            let year: Int
            let kind: RateKind
            let social: Double
            let codingGrowth: Double
        }
        var rates: [Key: Double] = [:]
    }

    /// The base rate brought to program year `programYear` by the reference population's realised
    /// growth from each base year: (1 − w) × statewide growth + w × the region's, w the update's
    /// regional weight; fee changes taken out again when the benchmark does not follow them.
    private func realisedRate(_ base: [(year: Int, weight: Double)], of members: some Collection<Int>, region: Int,
                              programYear: Int, activity: [[PracticeYearActivity]], kind: RateKind, social: Double,
                              scores: RiskScoreTerms, update: TrendUpdate, adjustForFees: Bool, regionPractices: [[Int]],
                              reference: inout ReferenceRates) -> Double {
        func referenceRate(_ region: Int?, _ year: Int) -> Double? {
            let key = ReferenceRates.Key(region: region, year: year, kind: kind, social: social, codingGrowth: scores.codingGrowth)
            if let known = reference.rates[key] { return known.isNaN ? nil : known }
            let measured = rawRate(year: year, of: regionPractices[region ?? regionPractices.count - 1], activity: activity,
                                   kind: kind, social: social, scores: scores)
            reference.rates[key] = measured ?? .nan
            return measured
        }
        func growth(_ region: Int?, from year: Int) -> Double {
            guard let then = referenceRate(region, year), then > 0, let now = referenceRate(region, programYear) else { return 1 }
            return now / then
        }
        func fee(_ year: Int) -> Double {
            guard case let .reconciled(_, carveOutSet, _) = kind else { return 1 }
            return feeFactor(year, mixOf: members, base: base, activity: activity,
                             categories: plan.reconciledCategories[(carveOutSet ?? -1) + 1])
        }
        var rate = 0.0
        for (year, weight) in base {
            guard let yearRate = rawRate(year: year, of: members, activity: activity, kind: kind, social: social,
                                         scores: scores) else { continue }
            let w = update.regionalWeight
            var factor = (w < 1 ? (1 - w) * growth(nil, from: year) : 0) + (w > 0 ? w * growth(region, from: year) : 0)
            if !adjustForFees { factor /= fee(programYear) / fee(year) }
            rate += weight * yearRate * factor
        }
        return rate
    }

    private func reconcile(year: Int, inputs: [ReconciliationInput?], gates: [Bool], components: inout [PaymentComponents]) {
        let designPlan = plan.designs[design]
        for group in designPlan.pools {
            guard let first = group.first, let firstInput = inputs[first] else { continue }
            let place = designPlan.placement[first]
            let tier = designPlan.tiers[place.track][place.tier]
            guard let terms = tier.terms.reconciliation else { continue }
            let pooled = group.dropFirst().reduce(firstInput) { $0 + (inputs[$1] ?? .zero) }
            let msr = Thresholds.rate(terms.minimumSavingsRate, members: pooled.members, year: year,
                                      confidenceCoefficient: tier.savingsCoefficient)
            let mlr = Thresholds.rate(terms.minimumLossRate, members: pooled.members, year: year,
                                      confidenceCoefficient: tier.lossCoefficient)
            let amount = SettlementCalculator.reconcile(pooled, terms: terms, year: year, msr: msr, mlr: mlr)
            let shares = group.count == 1 ? [amount]
                : SettlementCalculator.allocate(amount, among: group.map { inputs[$0] ?? .zero }, terms: terms, year: year)
            for (k, p) in group.enumerated() {
                SettlementCalculator.apply(reconciliation: shares[k], to: &components[p], gateMet: gates[p])
            }
        }
    }

    /// The practice-year as the design's interventions change it: each affected category's cost
    /// scales by (1 + effect × phase-in). Truncated (stop-loss) costs scale with the total they
    /// truncate (less its carve-outs) and
    /// in-scope service counts with in-scope cost: exact in expectation, an approximation for a
    /// member's position relative to the attachment point.
    private func applyInterventions(_ activity: PracticeYearActivity, _ interventions: [Intervention],
                                    effects: [Double], year: Int) -> PracticeYearActivity {
        guard !interventions.isEmpty else { return activity }
        var changed = activity
        for (k, intervention) in interventions.enumerated() {
            let factor = max(0, 1 + effects[k] * intervention.phaseIn.value(year: year))
            changed.costByCategory[intervention.category] *= factor
        }
        var total = 0.0, inScope = 0.0
        for (c, cost) in changed.costByCategory.enumerated() {
            total += cost
            if plan.primaryCareScope[c] { inScope += cost }
        }
        let totalRatio = activity.totalCost > 0 ? total / activity.totalCost : 1
        let recording = plan.recording
        changed.truncatedCost = activity.truncatedCost.enumerated().map { k, truncated in
            guard let set = recording.truncationScope[k] else { return truncated * totalRatio }
            // A carved-out truncation scales with the cost it counts, not with the total.
            var before = 0.0, after = 0.0
            for (c, carved) in recording.carveOutSets[set].enumerated() where !carved {
                before += activity.costByCategory[c]
                after += changed.costByCategory[c]
            }
            return truncated * (before > 0 ? after / before : 1)
        }
        changed.inScopeServices = activity.inScopeFFS > 0 ? activity.inScopeServices * inScope / activity.inScopeFFS : 0
        changed.totalCost = total
        changed.inScopeFFS = inScope
        return changed
    }
}
