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
        // The world as each practice's tier changes it: interventions act in program years only,
        // so baseline years are as simulated; rebased benchmarks see the changed years.
        let changesWorld = designPlan.tiers.contains { $0.contains { !$0.terms.interventions.isEmpty } }
        let activities: [[PracticeYearActivity]] = !changesWorld ? [] : scenario.practices.indices.map { p in
            let place = designPlan.placement[p]
            let terms = designPlan.tiers[place.track][place.tier].terms
            return scenario.simulation.allYears.map { year in
                let simulated = world.activity(practice: p, year: year)
                return year < 1 ? simulated
                    : applyInterventions(simulated, terms.interventions, effects: effects[place.track][place.tier], year: year)
            }
        }
        func activity(_ p: Int, _ year: Int) -> PracticeYearActivity {
            changesWorld ? activities[p][year - firstYear] : world.activity(practice: p, year: year)
        }
        var regionalRates: [RegionalKey: Double] = [:]
        for year in 1...scenario.simulation.programYears {
            var components: [PaymentComponents] = []
            var inputs: [ReconciliationInput?] = []
            var gates: [Bool] = []
            for (p, practice) in scenario.practices.enumerated() {
                let place = designPlan.placement[p]
                let tier = designPlan.tiers[place.track][place.tier]
                let terms = tier.terms
                let current = activity(p, year)
                let social = terms.socialRiskAdjustment
                let base = terms.benchmark.baseYears(forProgramYear: year)
                let trend = plan.trendFactors[year]
                let inScopeRate = baseRate(base, of: [p], activity: activity, inYearZeroTerms: .inScope, social: social)
                let score = world.quality[p][year]
                let c = SettlementCalculator.basePayments(
                    terms: terms, year: year, activity: current,
                    expectedInScopePMPM: inScopeRate * trend * plan.inScopeFeeFactor[year],
                    qualityScore: score, riskBins: plan.recording.riskBins)
                var input: ReconciliationInput?
                if terms.reconciliation != nil {
                    let adjust = terms.benchmark.adjustForFeeChanges
                    let reconciled = RateKind.reconciled(attachment: tier.attachment, adjustForFees: adjust)
                    let own = baseRate(base, of: [p], activity: activity, inYearZeroTerms: reconciled, social: social)
                    let key = RegionalKey(region: practice.region, kind: reconciled, social: social,
                                          years: base.map(\.year), weights: base.map(\.weight))
                    let regional = regionalRates[key] ?? baseRate(
                        base, of: scenario.practices.indices.filter { scenario.practices[$0].region == practice.region },
                        activity: activity, inYearZeroTerms: reconciled, social: social)
                    regionalRates[key] = regional
                    let blend = terms.benchmark.regionalBlend.value(year: year)
                    let fee = adjust ? plan.totalFeeFactor[year] : 1
                    let benchmark = ((1 - blend) * own + blend * regional)
                        * current.adjustedRiskMonths(socialFactor: social) * trend * fee
                    input = ReconciliationInput(benchmark: benchmark, actual: current.reconciledCost(attachment: tier.attachment),
                                                revenue: c.revenueBeforeSettlement, members: practice.members)
                }
                components.append(c)
                inputs.append(input)
                gates.append(terms.quality?.gate.map { score >= $0 } ?? true)
            }
            reconcile(year: year, inputs: inputs, gates: gates, components: &components)
            var outlay = PayerOutlay()
            for p in scenario.practices.indices {
                let current = activity(p, year)
                outlay.add(components[p], otherClaims: current.totalCost - current.inScopeFFS)
                sink.recordSettlement(design: design, practice: p, year: year, components: components[p],
                                      counterfactualFFS: world.activity(practice: p, year: year).inScopeFFS)
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
    private func baseRate(_ base: [(year: Int, weight: Double)], of practices: [Int],
                          activity: (Int, Int) -> PracticeYearActivity, inYearZeroTerms kind: RateKind,
                          social: Double) -> Double {
        var rate = 0.0
        for (year, weight) in base {
            var cost = 0.0, riskMonths = 0.0
            for p in practices {
                let a = activity(p, year)
                switch kind {
                case .inScope: cost += a.inScopeFFS
                case let .reconciled(attachment, _): cost += a.reconciledCost(attachment: attachment)
                }
                riskMonths += a.adjustedRiskMonths(socialFactor: social)
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

    private struct RegionalKey: Hashable {
        let region: Int
        let kind: RateKind
        let social: Double
        let years: [Int]
        let weights: [Double]
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
