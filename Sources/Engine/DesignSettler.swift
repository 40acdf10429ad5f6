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
        // Regional rates per region × benchmark base, NaN until first needed.
        var regionalRates = [Double](repeating: .nan, count: scenario.regions.count * designPlan.benchmarkBases)
        let regionPractices = scenario.regions.indices.map { r in practices.indices.filter { practices[$0].region == r } }
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
                let base = tier.baseYears[year]
                let inScopeRate = baseRate(base, of: CollectionOfOne(p), activity: activity, inYearZeroTerms: .inScope,
                                           social: social)
                let score = world.quality[p][year]
                let c = SettlementCalculator.basePayments(
                    terms: tier.terms, year: year, activity: activity[p][y],
                    expectedInScopePMPM: inScopeRate * trend
                        * feeFactor(year, mixOf: CollectionOfOne(p), base: base, activity: activity, inScopeOnly: true),
                    qualityScore: score, riskBins: plan.recording.riskBins)
                var input: ReconciliationInput?
                if let reconciled = tier.reconciledKind {
                    let own = baseRate(base, of: CollectionOfOne(p), activity: activity, inYearZeroTerms: reconciled, social: social)
                    let region = practices[p].region
                    let key = region * designPlan.benchmarkBases + designPlan.baseIndex[p][year]
                    if regionalRates[key].isNaN {
                        regionalRates[key] = baseRate(base, of: regionPractices[region],
                                                      activity: activity, inYearZeroTerms: reconciled, social: social)
                    }
                    let blend = tier.regionalBlend[year]
                    let fee = tier.terms.benchmark.adjustForFeeChanges
                        ? feeFactor(year, mixOf: CollectionOfOne(p), base: base, activity: activity, inScopeOnly: false) : 1
                    let riskMonths = activity[p][y].adjustedRiskMonths(socialFactor: social)
                    var benchmark = ((1 - blend) * own + blend * regionalRates[key]) * riskMonths * trend * fee
                    let update = tier.terms.benchmark.trendUpdate
                    if update.realisedWeight > 0 {
                        func realised(_ members: some Collection<Int>) -> Double {
                            realisedRate(base, of: members, region: region, programYear: year, activity: activity,
                                         kind: reconciled, social: social, update: update,
                                         adjustForFees: tier.terms.benchmark.adjustForFeeChanges,
                                         regionPractices: regionPractices, reference: &reference)
                        }
                        let regional = blend > 0 ? realised(regionPractices[region]) : 0
                        var updated = ((1 - blend) * realised(CollectionOfOne(p)) + blend * regional) * riskMonths
                        if let guardrail = update.guardrail {
                            updated = min(max(updated, benchmark * (1 - guardrail)), benchmark * (1 + guardrail))
                        }
                        benchmark = (1 - update.realisedWeight) * benchmark + update.realisedWeight * updated
                    }
                    input = ReconciliationInput(benchmark: benchmark, actual: activity[p][y].reconciledCost(attachment: tier.attachment),
                                                revenue: c.revenueBeforeSettlement, members: practices[p].members)
                }
                components.append(c)
                inputs.append(input)
                gates.append(tier.terms.quality?.gate.map { score >= $0 } ?? true)
            }
            reconcile(year: year, inputs: inputs, gates: gates, components: &components)
            var outlay = PayerOutlay()
            for p in practices.indices {
                let current = activity[p][y]
                outlay.add(components[p], otherClaims: current.totalCost - current.inScopeFFS)
                sink.recordSettlement(design: design, practice: p, year: year, components: components[p],
                                      counterfactualFFS: world.activity[p][y].inScopeFFS)
            }
            sink.recordOutlay(design: design, year: year, outlay: outlay)
        }
    }

    /// What a base rate measures: in-scope FFS (prospective payments) or the reconciled total.
    enum RateKind: Hashable {
        case inScope
        case reconciled(attachment: Int?, adjustForFees: Bool)
    }

    /// The weighted base rate of `practices` (pooled) per risk-adjusted member-month, in year-0
    /// terms: each base year's rate is brought back to year 0 by the assumed trend and, for
    /// rebased program years, by that year's fee factor where the benchmark follows fee changes.
    /// The caller trends and fee-adjusts it to the performance year, so a single baseline year
    /// is used exactly as it is.
    private func baseRate(_ base: [(year: Int, weight: Double)], of practices: some Collection<Int>,
                          activity: [[PracticeYearActivity]], inYearZeroTerms kind: RateKind,
                          social: Double) -> Double {
        var rate = 0.0
        for (year, weight) in base {
            guard let yearRate = rawRate(year: year, of: practices, activity: activity, kind: kind, social: social)
            else { continue }
            var toYearZero = pow1p(scenario.variation.assumedTrend, -year)
            if year > 0 {
                toYearZero = 1 / plan.trendFactors[year]
                switch kind {
                case .inScope:
                    toYearZero /= feeFactor(year, mixOf: practices, base: base, activity: activity, inScopeOnly: true)
                case let .reconciled(_, adjust):
                    if adjust { toYearZero /= feeFactor(year, mixOf: practices, base: base, activity: activity, inScopeOnly: false) }
                }
            }
            rate += weight * yearRate * toYearZero
        }
        return rate
    }

    /// How much dearer `year`'s fees make the service mix of `practices` in the base years
    /// (weighted as the base; costs of rebased program years taken back to baseline fees), over
    /// all categories or the in-scope ones: a fee change is repriced on the practices' own mix,
    /// so a primary-care fee change moves a pediatric benchmark by a pediatric practice's share
    /// of primary care. Exactly 1 without fee changes.
    private func feeFactor(_ year: Int, mixOf practices: some Collection<Int>, base: [(year: Int, weight: Double)],
                           activity: [[PracticeYearActivity]], inScopeOnly: Bool) -> Double {
        guard year > 0, plan.hasFeeChanges else { return 1 }
        let firstYear = scenario.simulation.firstYear
        let fees = plan.feeIndex[year]
        var atBase = 0.0, atYear = 0.0
        for (baseYear, weight) in base {
            let baseFees = plan.fees(year: baseYear)
            for p in practices {
                for (c, cost) in activity[p][baseYear - firstYear].costByCategory.enumerated()
                where !inScopeOnly || plan.primaryCareScope[c] {
                    let atBaselineFees = weight * cost / baseFees[c]
                    atBase += atBaselineFees
                    atYear += atBaselineFees * fees[c]
                }
            }
        }
        guard atBase > 0 else { return inScopeOnly ? plan.inScopeFeeFactor[year] : plan.totalFeeFactor[year] }
        return atYear / atBase
    }

    /// Cost per risk-adjusted member-month of `practices` in `year`, at that year's prices; nil
    /// without member-months.
    private func rawRate(year: Int, of practices: some Collection<Int>, activity: [[PracticeYearActivity]],
                         kind: RateKind, social: Double) -> Double? {
        let y = year - scenario.simulation.firstYear
        var cost = 0.0, riskMonths = 0.0
        for p in practices {
            switch kind {
            case .inScope: cost += activity[p][y].inScopeFFS
            case let .reconciled(attachment, _): cost += activity[p][y].reconciledCost(attachment: attachment)
            }
            riskMonths += activity[p][y].adjustedRiskMonths(socialFactor: social)
        }
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
        }
        var rates: [Key: Double] = [:]
    }

    /// The base rate brought to program year `programYear` by the reference population's realised
    /// growth from each base year: (1 − w) × statewide growth + w × the region's, w the update's
    /// regional weight; fee changes taken out again when the benchmark does not follow them.
    private func realisedRate(_ base: [(year: Int, weight: Double)], of members: some Collection<Int>, region: Int,
                              programYear: Int, activity: [[PracticeYearActivity]], kind: RateKind, social: Double,
                              update: TrendUpdate, adjustForFees: Bool, regionPractices: [[Int]],
                              reference: inout ReferenceRates) -> Double {
        func referenceRate(_ region: Int?, _ year: Int) -> Double? {
            let key = ReferenceRates.Key(region: region, year: year, kind: kind, social: social)
            if let known = reference.rates[key] { return known.isNaN ? nil : known }
            let measured = region.map { rawRate(year: year, of: regionPractices[$0], activity: activity, kind: kind, social: social) }
                ?? rawRate(year: year, of: scenario.practices.indices, activity: activity, kind: kind, social: social)
            reference.rates[key] = measured ?? .nan
            return measured
        }
        func growth(_ region: Int?, from year: Int) -> Double {
            guard let then = referenceRate(region, year), then > 0, let now = referenceRate(region, programYear) else { return 1 }
            return now / then
        }
        func fee(_ year: Int) -> Double {
            feeFactor(year, mixOf: members, base: base, activity: activity, inScopeOnly: false)
        }
        var rate = 0.0
        for (year, weight) in base {
            guard let yearRate = rawRate(year: year, of: members, activity: activity, kind: kind, social: social) else { continue }
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
    /// scales by (1 + effect × phase-in). Truncated (stop-loss) costs scale with the total and
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
        changed.truncatedCost = activity.truncatedCost.map { $0 * totalRatio }
        changed.inScopeServices = activity.inScopeFFS > 0 ? activity.inScopeServices * inScope / activity.inScopeFFS : 0
        changed.totalCost = total
        changed.inScopeFFS = inScope
        return changed
    }
}
