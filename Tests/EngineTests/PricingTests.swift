import Engine
import Foundation
import Scenario
import Testing

/// Benchmarks and payments priced the way programs price them (issue 12): class-weighted risk
/// scores and base rates, social risk adjustment with practices that differ in need, coding
/// intensity, stop-loss indexed by year, carve-outs and the in-scope actual. Each test builds a
/// small near-deterministic world in which the right answer is known.
struct PricingTests {
    static func world(classes: String, practiceTypes: String = "", practices: String, designs: String,
                      trend: String = "{assumed: 0.03, mean: 0.03, sd: 0}", extra: String = "",
                      riskNoise: Double = 0.3) throws -> Scenario {
        try Fixture.scenario("""
        name: pricing
        simulation: {trials: 60, seed: 12, program_years: 3}
        population:
          frailty_sharing: 0.5
          risk_score_noise_cv: \(riskNoise)
          classes:
        \(classes)
        \(Fixture.services)
        variation:
          trend: \(trend)
        \(extra)
        regions: [east]
        \(practiceTypes)
        practices:
          groups:
        \(practices)
        designs:
        \(designs)
        """)
    }

    static let sharing = "reconciliation: {minimum_savings_rate: 0, minimum_loss_rate: 0, upside_rate: 0.5, downside_rate: 0.5}"

    /// Per trial, the sum of `practices`' settlements over program years `years` in design `design`.
    static func totals(_ r: SimulationResults, design: Int, practices: Range<Int>, years: ClosedRange<Int> = 1...3) -> [Double] {
        (0..<r.trials).map { t in
            practices.reduce(0.0) { sum, p in
                sum + years.reduce(0.0) { $0 + r.reconciliation[r.settledIndex(trial: t, design: design, practice: p, year: $1)] }
            }
        }
    }

    /// Mean and standard error over trials (trials are independent).
    static func meanAndError(_ values: [Double]) -> (mean: Double, error: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        return (mean, sd / n.squareRoot())
    }

    static let childAndAdult = childAndAdult(weight: "")
    /// Children use little but primary care; `weight` may set both classes' risk_score_weight.
    static func childAndAdult(weight: String) -> String {
        """
            - name: child
              panel_share: 0.4
              risk_cv: 0.8\(weight.isEmpty ? "" : "\n          risk_score_weight: \(weight)")
              category_multipliers: {primary_care_visit: 1.2, specialist_visit: 0.3, ed_visit: 0.6, inpatient_admission: 0.2, outpatient_lab_imaging: 0.3}
            - {name: adult, panel_share: 0.6, risk_cv: 1.0, \(weight.isEmpty ? "" : "risk_score_weight: \(weight), ")category_multipliers: {inpatient_admission: 1.6, specialist_visit: 1.4}}
    """
    }
    static let pediatricAndAdultTypes = """
    practice_types:
      - {name: pediatric, class_mix: {child: 1}}
      - {name: adult, class_mix: {adult: 1}}
      - {name: family}
    """
    static let threeKinds = """
            - {count: 3, members: [4000, 4000], type: pediatric, id_prefix: P}
            - {count: 3, members: [4000, 4000], type: adult, id_prefix: A}
            - {count: 3, members: [4000, 4000], type: family, id_prefix: F}
    """

    @Test func classWeightsAreTheClassesExpectedCostsAveragingOneOverTheMembers() throws {
        let scenario = try Self.world(classes: Self.childAndAdult, practiceTypes: Self.pediatricAndAdultTypes,
                                      practices: Self.threeKinds, designs: "  - {name: FFS}")
        let weights = WorldExpectations(scenario: scenario).riskScoreWeights()
        let expectations = WorldExpectations(scenario: scenario)
        let child = expectations.costPerMemberMonthByCategory(mix: [1, 0]).reduce(0, +)
        let adult = expectations.costPerMemberMonthByCategory(mix: [0, 1]).reduce(0, +)
        #expect(abs(weights[0] / weights[1] - child / adult) < 1e-12)
        // Members: 3 × 4,000 children, 3 × 4,000 adults, and 3 × 4,000 at 40/60.
        let children = 12_000.0 + 4_800, adults = 12_000.0 + 7_200
        #expect(abs((children * weights[0] + adults * weights[1]) / (children + adults) - 1) < 1e-12)
    }

    @Test func aRegionalBaseRatePaysPracticesOfVeryDifferentMixWithoutExpectedSavings() throws {
        let designs = """
          - name: regional base rate
            benchmark: {regional_blend: 1}
            \(Self.sharing)
          - name: statewide base rate
            benchmark: {regional_blend: 1, base_rate_population: statewide}
            \(Self.sharing)
        """
        let scenario = try Self.world(classes: Self.childAndAdult, practiceTypes: Self.pediatricAndAdultTypes,
                                      practices: Self.threeKinds, designs: designs)
        let r = try Simulation.run(scenario: scenario, trials: 60, seed: 12, threads: 2)
        for design in 0..<2 {
            for (kind, practices) in [("pediatric", 0..<3), ("adult", 3..<6), ("family", 6..<9)] {
                let (mean, error) = Self.meanAndError(Self.totals(r, design: design, practices: practices))
                #expect(abs(mean) < 4 * error, "design \(design), \(kind): mean settlement \(mean) ± \(error)")
            }
        }
        // A risk model that ignores class (every weight equal, as before risk scores carried the
        // class) pays the pediatric panel as if children cost what the average member does.
        let unweighted = try Self.world(classes: Self.childAndAdult(weight: "1"),
                                        practiceTypes: Self.pediatricAndAdultTypes, practices: Self.threeKinds, designs: designs)
        #expect(WorldExpectations(scenario: unweighted).riskScoreWeights() == [1, 1])
        let biased = try Simulation.run(scenario: unweighted, trials: 20, seed: 12, threads: 2)
        let (pediatric, error) = Self.meanAndError(Self.totals(biased, design: 0, practices: 0..<3))
        #expect(pediatric > 20 * error && pediatric > 0, "unweighted pediatric settlement \(pediatric) ± \(error)")
    }

    @Test func socialRiskAdjustmentOnABaseRateMovesMoneyTowardNeedByTheAmountTheModelImplies() throws {
        // One class, social need 40% at scale 1 with a 1.5 utilization multiplier; three practices
        // at half the class's need and three at one and a half times it.
        let classes = "        - {name: all, panel_share: 1, risk_cv: 1.0, social_need_probability: 0.4, social_need_multiplier: 1.5}"
        let practices = """
                - {count: 3, members: [5000, 5000], social_need_scale: 0.5, id_prefix: L}
                - {count: 3, members: [5000, 5000], social_need_scale: 1.5, id_prefix: H}
        """
        let scenario = try Self.world(classes: classes, practices: practices, designs: """
          - name: clinical only
            benchmark: {regional_blend: 1}
            \(Self.sharing)
          - name: social adjustment
            social_risk_adjustment: 1.5
            benchmark: {regional_blend: 1}
            \(Self.sharing)
        """, trend: "{assumed: 0, mean: 0, sd: 0}")
        #expect(scenario.practices.map(\.socialNeedScale) == [0.5, 0.5, 0.5, 1.5, 1.5, 1.5])
        let r = try Simulation.run(scenario: scenario, trials: 60, seed: 12, threads: 2)
        let expectations = WorldExpectations(scenario: scenario)
        // Risk scores see no need: the region's rate per scored month is its average member's
        // cost, need prevalence (0.2 + 0.6) / 2, so a practice of prevalence p is benchmarked at
        // (1 + 0.4 × 0.5) / (1 + p × 0.5) of its expected cost and settles half the difference.
        for (kind, practices, prevalence) in [("low need", 0..<3, 0.2), ("high need", 3..<6, 0.6)] {
            let expectedCost = practices.reduce(0.0) { sum, p in
                sum + (1...3).reduce(0.0) { $0 + expectations.expectedTotalCost(of: scenario.practices[p], year: $1) }
            }
            let implied = 0.5 * expectedCost * ((1 + 0.4 * 0.5) / (1 + prevalence * 0.5) - 1)
            let clinical = Self.meanAndError(Self.totals(r, design: 0, practices: practices))
            #expect(abs(clinical.mean - implied) < 4 * clinical.error + 0.02 * abs(implied),
                    "\(kind): clinical-only settlement \(clinical.mean) ± \(clinical.error), model implies \(implied)")
            // Adjusting by exactly the need multiplier pays each practice for its need.
            let adjusted = Self.meanAndError(Self.totals(r, design: 1, practices: practices))
            #expect(abs(adjusted.mean) < 4 * adjusted.error, "\(kind): adjusted settlement \(adjusted.mean) ± \(adjusted.error)")
        }
    }

    @Test func codingGrowthInflatesTheBenchmarkExactlyAndTheCapHoldsIt() throws {
        let classes = "        - {name: all, panel_share: 1, risk_cv: 1.0}"
        let scenario = try Self.world(classes: classes, practices: "        - {count: 3, members: [20000, 20000]}", designs: """
          - name: plain
            \(Self.sharing)
          - name: coded
            risk_scores: {coding_growth: 0.05}
            \(Self.sharing)
          - name: capped
            risk_scores: {coding_growth: 0.05, growth_cap: 0.03}
            \(Self.sharing)
        """)
        let r = try Simulation.run(scenario: scenario, trials: 10, seed: 12, threads: 2)
        var cappedRatios: [Double] = []
        for t in 0..<r.trials { for p in 0..<3 { for year in 1...3 {
            let actual = r.totalCost[r.worldIndex(trial: t, practice: p, year: year)]
            let plain = r.reconciliation[r.settledIndex(trial: t, design: 0, practice: p, year: year)]
            let coded = r.reconciliation[r.settledIndex(trial: t, design: 1, practice: p, year: year)]
            let capped = r.reconciliation[r.settledIndex(trial: t, design: 2, practice: p, year: year)]
            // Settlement = half of (benchmark − actual); coding multiplies the benchmark by 1.05^year.
            let benchmark = actual + 2 * plain
            let expected = 0.5 * (benchmark * pow(1.05, Double(year)) - actual)
            #expect(abs(coded - expected) < 1e-6 * benchmark, "year \(year): \(coded) vs \(expected)")
            if year == 3 { cappedRatios.append((actual + 2 * capped) / benchmark) }
        } } }
        // By year 3 coding has grown scores 15.8%; the cap keeps them within 3% of the base
        // year's, so the capped benchmark sits near 1.03 of the plain one (the practice's own
        // score moves around its base by member noise of about half a percent).
        let mean = cappedRatios.reduce(0, +) / Double(cappedRatios.count)
        #expect(mean > 1.02 && mean < 1.04, "capped/plain benchmark in year 3: \(mean)")
    }

    @Test func aFeeChangeOrTrendWithAnIndexedStopLossManufacturesNoSavings() throws {
        let classes = "        - {name: all, panel_share: 1, risk_cv: 1.0}"
        let designs = """
          - name: percentile indexed
            stop_loss: {percentile: 0.99}
            \(Self.sharing)
          - name: dollars indexed
            stop_loss: {attachment: 25000, indexed: true}
            \(Self.sharing)
          - name: percentile in baseline dollars
            stop_loss: {percentile: 0.99, indexed: false}
            \(Self.sharing)
        """
        let practices = "        - {count: 4, members: [10000, 10000]}"
        // A pure 20% fee increase on every service (scope: all) in year 1 and no trend: the
        // world's costs are its baseline's × 1.2, so the benchmark (adjusted for the fee change)
        // is right and indexed truncation truncates the same members. (A primary-care-only
        // change is not neutral for a dollar attachment: indexed by the average fee factor, it
        // rises more than the costliest members' costs, which are mostly not primary care.)
        let feeChange = try Self.world(classes: classes, practices: practices, designs: designs,
                                       trend: "{assumed: 0, mean: 0, sd: 0}",
                                       extra: "fee_schedule_changes: [{year: 1, change: 0.2, scope: all}]")
        let fees = try Simulation.run(scenario: feeChange, trials: 40, seed: 12, threads: 2)
        for design in 0..<2 {
            let (mean, error) = Self.meanAndError(Self.totals(fees, design: design, practices: 0..<4))
            #expect(abs(mean) < 4 * error, "fee change, design \(design): mean settlement \(mean) ± \(error)")
        }
        // Held in baseline dollars the attachment truncates less of the dearer year, and the
        // benchmark (baseline truncated cost × the fee factor) comes out too high: savings, seen
        // on the same worlds as the indexed percentile's.
        let unindexed = Self.totals(fees, design: 2, practices: 0..<4), indexed = Self.totals(fees, design: 0, practices: 0..<4)
        let manufactured = Self.meanAndError(zip(unindexed, indexed).map { $0 - $1 })
        #expect(manufactured.mean > 6 * manufactured.error, "unindexed - indexed: \(manufactured)")

        // A pure 6% utilization trend the payer assumes exactly: each year's percentile is taken
        // of that year's cost distribution. A dollar attachment indexed at the assumed trend is
        // not neutral here (more services is not a price scale: members cross the attachment
        // more often; measured: mean settlement −1.8M ± 0.3M), so only the percentile is checked.
        var trend = try Self.world(classes: classes, practices: practices, designs: designs,
                                   trend: "{assumed: 0.06, mean: 0.06, sd: 0}")
        trend.simulation.method = .member
        let trended = try Simulation.run(scenario: trend, trials: 40, seed: 12, threads: 2)
        for design in 0..<1 {
            let (mean, error) = Self.meanAndError(Self.totals(trended, design: design, practices: 0..<4))
            #expect(abs(mean) < 4 * error, "trend, design \(design): mean settlement \(mean) ± \(error)")
        }
        let trendManufactured = Self.meanAndError(zip(Self.totals(trended, design: 2, practices: 0..<4),
                                                      Self.totals(trended, design: 0, practices: 0..<4)).map { $0 - $1 })
        #expect(trendManufactured.mean > 6 * trendManufactured.error, "trend, unindexed - indexed: \(trendManufactured)")
    }

    @Test func carvedOutServicesLeaveTheReconciliationAndPaymentsCanBeTheActual() throws {
        let classes = "        - {name: all, panel_share: 1, risk_cv: 1.0}"
        // Inpatient use falls 20% and primary-care visits rise 30%, for certain.
        let interventions = """
            interventions:
              - {category: inpatient_admission, effect: -0.2}
              - {category: primary_care_visit, effect: 0.3}
        """
        let scenario = try Self.world(classes: classes, practices: "        - {count: 4, members: [8000, 8000]}", designs: """
          - name: everything counted
            prospective_share: 1
        \(interventions)
            \(Self.sharing)
          - name: inpatient carved out
            prospective_share: 1
        \(interventions)
            reconciliation: {minimum_savings_rate: 0, minimum_loss_rate: 0, upside_rate: 0.5, downside_rate: 0.5, carve_outs: [inpatient_admission]}
          - name: inpatient carved out, truncated
            prospective_share: 1
            stop_loss: {attachment: 40000}
        \(interventions)
            reconciliation: {minimum_savings_rate: 0, minimum_loss_rate: 0, upside_rate: 0.5, downside_rate: 0.5, carve_outs: [inpatient_admission]}
          - name: carved out, primary care at payments
            prospective_share: 1
        \(interventions)
            reconciliation: {minimum_savings_rate: 0, minimum_loss_rate: 0, upside_rate: 0.5, downside_rate: 0.5, carve_outs: [inpatient_admission], actual_in_scope: payments}
        """, trend: "{assumed: 0, mean: 0, sd: 0}")
        let r = try Simulation.run(scenario: scenario, trials: 40, seed: 12, threads: 2)
        let everything = Self.meanAndError(Self.totals(r, design: 0, practices: 0..<4))
        let carved = Self.meanAndError(Self.totals(r, design: 1, practices: 0..<4))
        let truncated = Self.meanAndError(Self.totals(r, design: 2, practices: 0..<4))
        let atPayments = Self.meanAndError(Self.totals(r, design: 3, practices: 0..<4))
        // Counting inpatient, its fall outweighs the extra visits: savings.
        #expect(everything.mean > 4 * everything.error, "everything: \(everything)")
        // Carved out, only the extra primary care shows, at its FFS price: losses.
        #expect(carved.mean < -4 * carved.error, "carved: \(carved)")
        #expect(truncated.mean < -4 * truncated.error, "carved and truncated: \(truncated)")
        // Valued at the prospective payment actually made, the extra visits cost the payer
        // nothing more: nothing left to settle but member noise.
        #expect(abs(atPayments.mean) < 4 * atPayments.error, "at payments: \(atPayments)")
    }

    @Test func newTermsAreReadAndBadOnesNamed() throws {
        let classes = "        - {name: all, panel_share: 1, risk_cv: 1.0}"
        let scenario = try Self.world(classes: classes, practices: "        - {count: 1, members: [500, 500]}", designs: """
          - name: all terms
            prospective_share: 0.5
            prospective_pricing: {base_rate_weight: 0.5, base_rate_population: statewide}
            risk_scores: {coding_growth: 0.01, growth_cap: 0.03}
            stop_loss: {percentile: 0.99}
            reconciliation: {upside_rate: 0.5, carve_outs: [outpatient_lab_imaging], actual_in_scope: payments}
        """)
        let terms = scenario.designs[0].tracks[0].tiers[0].terms
        #expect(terms.prospectivePricing == BaseRate(weight: Glide(0.5), population: .statewide))
        #expect(terms.riskScores == RiskScoreTerms(codingGrowth: 0.01, growthCap: 0.03))
        #expect(terms.stopLoss == StopLoss(.percentile(0.99), indexed: true))
        #expect(terms.reconciliation?.carveOuts == [4])
        #expect(terms.reconciliation?.inScopeActual == .payments)
        for (bad, path) in [("reconciliation: {upside_rate: 0.5, carve_outs: [pharmacy]}", "carve_outs[0]"),
                            ("benchmark: {base_rate_population: county}", "benchmark.base_rate_population"),
                            ("risk_scores: {growth_cap: 1.5}", "risk_scores.growth_cap")] {
            #expect {
                _ = try Self.world(classes: classes, practices: "        - {count: 1, members: [500, 500]}",
                                   designs: "  - name: bad\n    \(bad)")
            } throws: { error in
                String(describing: error).contains(path)
            }
        }
    }
}

/// The new terms at their neutral values are the old design exactly (issue 12's equivalence).
struct PricingEquivalenceTests {
    @Test func neutralNewTermsSettleExactlyAsWithoutThem() throws {
        let scenario = try PricingTests.world(classes: PricingTests.childAndAdult, practiceTypes: PricingTests.pediatricAndAdultTypes,
                                              practices: PricingTests.threeKinds, designs: """
          - name: without
            prospective_share: 0.5
            stop_loss: {attachment: 30000}
            \(PricingTests.sharing)
          - name: neutral
            prospective_share: 0.5
            prospective_pricing: {base_rate_weight: 0}
            risk_scores: {coding_growth: 0}
            benchmark: {regional_blend: 0, base_rate_population: statewide}
            stop_loss: {attachment: 30000, indexed: false}
            reconciliation: {minimum_savings_rate: 0, minimum_loss_rate: 0, upside_rate: 0.5, downside_rate: 0.5, carve_outs: [], actual_in_scope: shadow_ffs}
        """, trend: "{assumed: 0.03, mean: 0.035, sd: 0.02}")
        let r = try Simulation.run(scenario: scenario, trials: 12, seed: 12, threads: 2)
        for t in 0..<r.trials { for p in 0..<r.practices { for y in 1...3 {
            #expect(r.reconciliation[r.settledIndex(trial: t, design: 0, practice: p, year: y)]
                    == r.reconciliation[r.settledIndex(trial: t, design: 1, practice: p, year: y)])
            #expect(r.exposure[r.settledIndex(trial: t, design: 0, practice: p, year: y)]
                    == r.exposure[r.settledIndex(trial: t, design: 1, practice: p, year: y)])
        } } }
    }

    @Test func equalClassWeightsNormaliseToOne() throws {
        // With every class weighted alike the score is the within-class clinical score × noise,
        // as before scores carried the class: a whole panel's scored months average its months.
        let scenario = try PricingTests.world(classes: PricingTests.childAndAdult(weight: "3"),
                                              practiceTypes: PricingTests.pediatricAndAdultTypes,
                                              practices: PricingTests.threeKinds, designs: "  - {name: FFS}")
        #expect(WorldExpectations(scenario: scenario).riskScoreWeights() == [1, 1])
    }
}
