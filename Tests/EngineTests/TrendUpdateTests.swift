import Engine
import Foundation
import Scenario
import Statistics
import Testing

/// Benchmarks updated by realised growth (`benchmark.trend_update`): exact where the answer is
/// known, and the trend risk it is meant to take off practices.
struct TrendUpdateTests {
    /// One region, no regional or practice variation, a large statewide trend SD: what moves a
    /// large practice's result is the statewide trend, which a realised update should remove.
    static func scenario(practices: String, designs: String, trendSD: Double = 0.05) throws -> Scenario {
        try Fixture.scenario("""
        name: trend update
        simulation: {trials: 60, seed: 5, program_years: 3}
        population:
          frailty_sharing: 0.5
          risk_score_noise_cv: 0.3
          classes: [{name: all, panel_share: 1, risk_cv: 1.0}]
        \(Fixture.services)
        variation:
          trend: {assumed: 0.03, mean: 0.03, sd: \(trendSD)}
        regions: [east]
        practices:
          groups:
        \(practices)
        designs:
        \(designs)
        """)
    }

    static let twoSided = """
        reconciliation: {minimum_savings_rate: 0, minimum_loss_rate: 0, upside_rate: 0.5, downside_rate: 0.5}
    """

    func reconciliations(_ r: SimulationResults, design: Int) -> [Double] {
        var values: [Double] = []
        for t in 0..<r.trials { for p in 0..<r.practices { for y in 1...3 {
            values.append(r.reconciliation[r.settledIndex(trial: t, design: design, practice: p, year: y)])
        } } }
        return values
    }

    @Test func aLonePracticeMeasuredAgainstItsOwnGrowthSettlesNothing() throws {
        // The state is this one practice: its benchmark is its base rate × its own growth × its
        // risk-adjusted member-months, which is its actual cost exactly, every trial and year.
        let scenario = try Self.scenario(practices: "    - {count: 1, members: [3000, 3000]}", designs: """
          - name: prospective
        \(Self.twoSided)
          - name: realised
            benchmark: {trend_update: {realised_weight: 1}}
        \(Self.twoSided)
        """)
        let r = try Simulation.run(scenario: scenario, trials: 30, seed: 5, threads: 2)
        let prospective = reconciliations(r, design: 0), realised = reconciliations(r, design: 1)
        // The prospective benchmark misses the realised trend: settlements of thousands of dollars.
        #expect(prospective.map(abs).max()! > 1_000)
        // Rounding only: a few ulps of a benchmark of about $20 million.
        #expect(realised.map(abs).max()! < 1e-3, "largest realised-update settlement \(realised.map(abs).max()!)")
    }

    @Test func realisedWeightZeroIsTheProspectiveTrendExactly() throws {
        let scenario = try Self.scenario(practices: "    - {count: 4, members: [400, 4000]}", designs: """
          - name: default
        \(Self.twoSided)
          - name: weight zero
            benchmark: {trend_update: {realised_weight: 0, regional_weight: 1, guardrail: 0.1}}
        \(Self.twoSided)
        """)
        let r = try Simulation.run(scenario: scenario, trials: 20, seed: 5, threads: 2)
        #expect(reconciliations(r, design: 0) == reconciliations(r, design: 1))
    }

    @Test func aStatewideRealisedUpdateRemovesTrendRiskAndAGuardrailKeepsPartOfIt() throws {
        let scenario = try Self.scenario(practices: "    - {count: 6, members: [20000, 20000]}", designs: """
          - name: prospective
        \(Self.twoSided)
          - name: guardrail
            benchmark: {trend_update: {realised_weight: 1, guardrail: 0.02}}
        \(Self.twoSided)
          - name: realised
            benchmark: {trend_update: {realised_weight: 1}}
        \(Self.twoSided)
          - name: half
            benchmark: {trend_update: {realised_weight: 0.5}}
        \(Self.twoSided)
        """)
        let results = try Simulation.run(scenario: scenario, trials: 60, seed: 5, threads: 2)
        let summary = Summarizer(scenario: scenario, results: results).summary(seed: 5)
        // The same practices in a world whose trend is exactly the assumed one: member noise only.
        let calm = try Self.scenario(practices: "    - {count: 6, members: [20000, 20000]}", designs: """
          - name: prospective
        \(Self.twoSided)
        """, trendSD: 0)
        let calmSummary = Summarizer(scenario: calm, results: try Simulation.run(scenario: calm, trials: 60, seed: 5, threads: 2))
            .summary(seed: 5)
        func sd(_ design: String, in summary: RunSummary) throws -> Double {
            try #require(summary.exposure.first { $0.design == design && $0.year == wholeProgramLabel }).shareOfRevenue.sd
        }
        let prospective = try sd("prospective", in: summary), guarded = try sd("guardrail", in: summary),
            realised = try sd("realised", in: summary), half = try sd("half", in: summary)
        let memberNoise = try sd("prospective", in: calmSummary)
        // A trend SD of 5% a year on a total cost about ten times primary-care revenue swings the
        // prospective result far beyond the member noise of a 20,000-member practice.
        #expect(prospective > 2 * memberNoise, "prospective \(prospective) vs member noise \(memberNoise)")
        // The realised update leaves member noise: the practice's base and actual years as
        // before, plus the state's growth noise less the part the practice itself makes up (one
        // sixth of the state); that comes to about 0.92 of the calm world's SD. The bounds allow
        // about four sampling errors of an SD from 360 practice-programs (about 4% of it each).
        #expect(realised / memberNoise > 0.75 && realised / memberNoise < 1.1,
                "realised \(realised) vs member noise \(memberNoise)")
        // A 2% guardrail keeps the part of each year's trend beyond 2%; half weight keeps half of it.
        #expect(guarded > 1.2 * realised && guarded < 0.9 * prospective, "guardrail \(guarded)")
        #expect(half > 1.2 * realised && half < 0.9 * prospective, "half \(half)")
    }

    @Test func aRealisedWeightOutsideItsRangeIsRefusedWithItsPath() throws {
        #expect {
            _ = try Self.scenario(practices: "    - {count: 1, members: [500, 500]}", designs: """
              - name: bad
                benchmark: {trend_update: {realised_weight: 1.5}}
            \(Self.twoSided)
            """)
        } throws: { error in
            String(describing: error).contains("benchmark.trend_update.realised_weight")
        }
    }
}

/// Fee-schedule changes repriced on each practice's own service mix (issue 12, item 5).
struct FeeRepricingTests {
    @Test func aPrimaryCareFeeIncreaseLeavesEveryKindOfPracticeWithoutExpectedSavings() throws {
        let scenario = try Fixture.scenario("""
        name: primary-care fee change
        simulation: {trials: 80, seed: 8, program_years: 3}
        population:
          frailty_sharing: 0.5
          risk_score_noise_cv: 0.3
          classes:
            - name: child
              panel_share: 0.4
              risk_cv: 0.8
              category_multipliers: {primary_care_visit: 1.5, specialist_visit: 0.2, ed_visit: 0.5, inpatient_admission: 0.1, outpatient_lab_imaging: 0.2}
            - {name: adult, panel_share: 0.6, risk_cv: 1.0}
        \(Fixture.services)
        variation:
          trend: {assumed: 0.03, mean: 0.03, sd: 0}
        fee_schedule_changes: [{year: 2, change: 0.25, scope: primary_care}]
        regions: [east]
        practice_types:
          - {name: pediatric, class_mix: {child: 1}}
          - {name: adult, class_mix: {adult: 1}}
          - {name: family}
        practices:
          groups:
            - {count: 4, members: [3000, 3000], type: pediatric, id_prefix: P}
            - {count: 4, members: [3000, 3000], type: adult, id_prefix: A}
            - {count: 4, members: [3000, 3000], type: family, id_prefix: F}
        designs:
          - name: two-sided
            reconciliation: {minimum_savings_rate: 0, minimum_loss_rate: 0, upside_rate: 0.5, downside_rate: 0.5}
        """)
        let r = try Simulation.run(scenario: scenario, trials: 80, seed: 8, threads: 2)
        // Per trial, each kind's settlements over the years at the new fees; their mean over
        // trials should be 0 within 4 standard errors (trials are independent). Priced with one
        // statewide factor, a pediatric benchmark would miss about a sixth of the fee change on
        // a cost that is half primary care: thousands of dollars per practice-year, far outside.
        for (kind, practices) in [("pediatric", 0..<4), ("adult", 4..<8), ("family", 8..<12)] {
            let totals = (0..<r.trials).map { t in
                practices.reduce(0.0) { sum, p in
                    sum + (2...3).reduce(0.0) { $0 + r.reconciliation[r.settledIndex(trial: t, design: 0, practice: p, year: $1)] }
                }
            }
            let mean = totals.reduce(0, +) / Double(totals.count)
            let sd = (totals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(totals.count - 1)).squareRoot()
            let standardError = sd / Double(totals.count).squareRoot()
            #expect(abs(mean) < 4 * standardError, "\(kind): mean settlement \(mean) ± \(standardError)")
        }
    }
}
