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
                    expectedInScopePMPM: inScopeRate * trend * plan.inScopeFeeFactor[year],
                    qualityScore: score, riskBins: plan.recording.riskBins)
                var input: ReconciliationInput?
                if let reconciled = tier.reconciledKind {
                    let own = baseRate(base, of: CollectionOfOne(p), activity: activity, inYearZeroTerms: reconciled, social: social)
                    let region = practices[p].region
                    let key = region * designPlan.benchmarkBases + designPlan.baseIndex[p][year]
                    if regionalRates[key].isNaN {
                        regionalRates[key] = baseRate(base, of: practices.indices.filter { practices[$0].region == region },
                                                      activity: activity, inYearZeroTerms: reconciled, social: social)
                    }
                    let blend = tier.regionalBlend[year]
                    let fee = tier.terms.benchmark.adjustForFeeChanges ? plan.totalFeeFactor[year] : 1
                    let benchmark = ((1 - blend) * own + blend * regionalRates[key])
                        * activity[p][y].adjustedRiskMonths(socialFactor: social) * trend * fee
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
        let firstYear = scenario.simulation.firstYear
        var rate = 0.0
        for (year, weight) in base {
            var cost = 0.0, riskMonths = 0.0
            for p in practices {
                switch kind {
                case .inScope: cost += activity[p][year - firstYear].inScopeFFS
                case let .reconciled(attachment, _): cost += activity[p][year - firstYear].reconciledCost(attachment: attachment)
                }
                riskMonths += activity[p][year - firstYear].adjustedRiskMonths(socialFactor: social)
            }
            guard riskMonths > 0 else { continue }
            var toYearZero = pow1p(scenario.variation.assumedTrend, -year)
            if year > 0 {
                toYearZero = 1 / plan.trendFactors[year]
                switch kind {
                case .inScope: toYearZero /= plan.inScopeFeeFactor[year]
                case let .reconciled(_, adjust): if adjust { toYearZero /= plan.totalFeeFactor[year] }
                }
            }
            rate += weight * (cost / riskMonths) * toYearZero
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
                : SettlementCalculator.allocate(amount, benchmarks: group.map { inputs[$0]?.benchmark ?? 0 })
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
