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
        var regionalBaselines: [RegionalKey: Double] = [:]
        for year in 1...scenario.simulation.programYears {
            var components: [PaymentComponents] = []
            var inputs: [ReconciliationInput?] = []
            var gates: [Bool] = []
            var designActivities: [PracticeYearActivity] = []
            for (p, practice) in scenario.practices.enumerated() {
                let place = designPlan.placement[p]
                let tier = designPlan.tiers[place.track][place.tier]
                let terms = tier.terms
                let activity = applyInterventions(world.activity[p][year], terms.interventions,
                                                  effects: effects[place.track][place.tier], year: year)
                let baseline = world.activity[p][0]
                let social = terms.socialRiskAdjustment
                let baselineRiskMonths = baseline.adjustedRiskMonths(socialFactor: social)
                let trend = plan.trendFactors[year]
                let inScopePerRiskMonth = baselineRiskMonths > 0 ? baseline.inScopeFFS / baselineRiskMonths : 0
                let score = world.quality[p][year]
                let c = SettlementCalculator.basePayments(
                    terms: terms, year: year, activity: activity,
                    expectedInScopePMPM: inScopePerRiskMonth * trend * plan.inScopeFeeFactor[year],
                    qualityScore: score, riskBins: plan.recording.riskBins)
                var input: ReconciliationInput?
                if terms.reconciliation != nil {
                    let own = baselineRiskMonths > 0 ? baseline.reconciledCost(attachment: tier.attachment) / baselineRiskMonths : 0
                    let key = RegionalKey(region: practice.region, attachment: tier.attachment, social: social)
                    let regional = regionalBaselines[key] ?? regionalBaseline(key)
                    regionalBaselines[key] = regional
                    let blend = terms.benchmark.regionalBlend.value(year: year)
                    let fee = terms.benchmark.adjustForFeeChanges ? plan.totalFeeFactor[year] : 1
                    let benchmark = ((1 - blend) * own + blend * regional)
                        * activity.adjustedRiskMonths(socialFactor: social) * trend * fee
                    input = ReconciliationInput(benchmark: benchmark, actual: activity.reconciledCost(attachment: tier.attachment),
                                                revenue: c.revenueBeforeSettlement, members: practice.members)
                }
                components.append(c)
                inputs.append(input)
                gates.append(terms.quality?.gate.map { score >= $0 } ?? true)
                designActivities.append(activity)
            }
            reconcile(year: year, inputs: inputs, gates: gates, components: &components)
            var outlay = PayerOutlay()
            for p in scenario.practices.indices {
                let activity = designActivities[p]
                outlay.add(components[p], otherClaims: activity.totalCost - activity.inScopeFFS)
                sink.recordSettlement(design: design, practice: p, year: year, components: components[p],
                                      counterfactualFFS: world.activity[p][year].inScopeFFS)
            }
            sink.recordOutlay(design: design, year: year, outlay: outlay)
        }
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

    private struct RegionalKey: Hashable {
        let region: Int
        let attachment: Int?
        let social: Double
    }

    /// The region's baseline cost per risk-adjusted member-month, over all its practices.
    private func regionalBaseline(_ key: RegionalKey) -> Double {
        var cost = 0.0, riskMonths = 0.0
        for (p, practice) in scenario.practices.enumerated() where practice.region == key.region {
            let baseline = world.activity[p][0]
            cost += baseline.reconciledCost(attachment: key.attachment)
            riskMonths += baseline.adjustedRiskMonths(socialFactor: key.social)
        }
        return riskMonths > 0 ? cost / riskMonths : 0
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
