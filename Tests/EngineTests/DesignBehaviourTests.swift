import Engine
import Foundation
import Scenario
import Settlement
import Statistics
import Testing

/// Designs on one world: each test changes one term and checks the direction or the exact size
/// of what follows.
struct DesignBehaviourTests {
    /// Twelve small practices in one region (plus three larger ones), no systemic variation, so
    /// the difference between accountability levels is the diversifiable noise pooling removes.
    static func scenario(designs: String, years: Int = 3, extraPractices: String = "", groupKeys: String = "") throws -> Scenario {
        try Fixture.scenario("""
        name: design behaviour
        simulation: {trials: 120, seed: 17, program_years: \(years)}
        population:
          frailty_sharing: 0.5
          risk_score_noise_cv: 0.3
          classes: [{name: all, panel_share: 1, risk_cv: 1.0, social_need_probability: 0.3, social_need_multiplier: 1.2}]
        \(Fixture.services)
        regions: [east]
        practices:
          groups:
            - {count: 12, members: [300, 600], id_prefix: S\(groupKeys)}
            - {count: 3, members: [2000, 4000], id_prefix: M\(groupKeys)}
        \(extraPractices)
        designs:
        \(designs)
        """)
    }

    static let twoSided = """
        reconciliation:
          minimum_savings_rate: 0.02
          minimum_loss_rate: 0.02
          upside_rate: 0.5
          downside_rate: 0.5
          loss_cap: {benchmark: 0.10}
    """

    func sd(_ summary: RunSummary, design: String, band: String = "under 1,000") throws -> Double {
        let row = try #require(summary.exposure.first { $0.design == design && $0.sizeBand == band && $0.year == wholeProgramLabel })
        return row.shareOfRevenue.sd
    }

    @Test func regionalPoolingNarrowsSmallPracticeExposure() throws {
        let scenario = try Self.scenario(designs: """
          - name: practice level
            accountability: practice
        \(Self.twoSided)
          - name: regional
            accountability: region
        \(Self.twoSided)
        """)
        let results = try Simulation.run(scenario: scenario, trials: 120, seed: 17, threads: 2)
        let summary = Summarizer(scenario: scenario, results: results).summary(seed: 17)
        let alone = try sd(summary, design: "practice level"), pooled = try sd(summary, design: "regional")
        // Pooling 15 practices' benchmarks and costs leaves each small practice with its share of
        // a pool ~30× its size: the idiosyncratic SD should fall by far more than half; 0.6 leaves
        // room for the 120-trial estimate of each SD (relative SE ≈ 1/√(2·120·12) < 2%).
        #expect(pooled < 0.6 * alone, "pooled SD \(pooled) vs practice-level \(alone)")
    }

    @Test func downsideGlidePathWorsensTheTailYearByYear() throws {
        let scenario = try Self.scenario(designs: """
          - name: glide
            reconciliation: {minimum_loss_rate: 0.02, downside_rate: [0, 0.25, 0.5]}
        """)
        let results = try Simulation.run(scenario: scenario, trials: 120, seed: 3, threads: 2)
        let summary = Summarizer(scenario: scenario, results: results).summary(seed: 3)
        let rows = (1...3).map { year in summary.exposure.first { $0.year == String(year) && $0.sizeBand == "under 1,000" }! }
        #expect(rows[0].repaymentProbability.value == 0)     // no downside in year 1: nobody repays
        #expect(rows[1].repaymentProbability.value > 0)
        let p5 = rows.map { $0.shareOfRevenue.percentile(0.05)!.value }
        #expect(p5[0] == 0)                                   // one-sided year, no other payment
        #expect(p5[2] < p5[1] && p5[1] < p5[0], "P5 by year \(p5)")
    }

    @Test func largerPMPMRaisesOutlayByExactlyPMPMTimesMemberMonths() throws {
        let scenario = try Self.scenario(designs: """
          - name: base
            add_ons: [{name: care, pmpm: 10}]
        \(Self.twoSided)
          - name: richer
            add_ons: [{name: care, pmpm: 12.5}]
        \(Self.twoSided)
        """)
        let results = try Simulation.run(scenario: scenario, trials: 10, seed: 5, threads: 2)
        let totalIndex = PayerOutlay.componentNames.count
        for t in 0..<10 {
            for year in 1...3 {
                let months = (0..<results.practices).reduce(0.0) { $0 + results.memberMonths[results.worldIndex(trial: t, practice: $1, year: year)] }
                let base = results.outlayIndex(trial: t, design: 0, year: year)
                let richer = results.outlayIndex(trial: t, design: 1, year: year)
                let difference = (0..<totalIndex).map { results.outlay[richer + $0] - results.outlay[base + $0] }
                let addOns = PayerOutlay.Component.addOns.rawValue
                #expect(abs(difference[addOns] - 2.5 * months) < 1e-6 * months)
                for k in 0..<totalIndex where k != addOns { #expect(difference[k] == 0) }   // nothing else moves
            }
        }
    }

    @Test func interventionScalesTheDesignsWorldOnly() throws {
        let all = ["primary_care_visit", "specialist_visit", "ed_visit", "inpatient_admission", "outpatient_lab_imaging"]
        let interventions = all.map { "{category: \($0), effect: -0.1}" }.joined(separator: ", ")
        let scenario = try Self.scenario(designs: """
          - name: ten percent less of everything
            interventions: [\(interventions)]
        """)
        let results = try Simulation.run(scenario: scenario, trials: 6, seed: 8, threads: 1)
        for t in 0..<6 {
            for year in 1...3 {
                let design = results.outlayIndex(trial: t, design: 0, year: year)
                let counterfactual = results.outlayIndex(trial: t, design: results.designs, year: year)
                // FFS and other claims both scale by 0.9 in the design's world, exactly up to rounding.
                for k in [PayerOutlay.Component.ffs.rawValue, PayerOutlay.Component.otherClaims.rawValue] {
                    let expected = 0.9 * results.outlay[counterfactual + k]
                    #expect(abs(results.outlay[design + k] - expected) <= 1e-9 * expected)
                }
            }
        }
    }

    @Test func tracksAndTiersPlacePracticesAndReportSeparately() throws {
        let scenario = try Self.scenario(designs: """
          - name: tiered
            add_ons: [{name: care, pmpm: 10}]
            tracks:
              - name: protected
                placement: {size_bands: ["under 1,000"]}
                tiers:
                  - {name: smallest, placement: {practices: [S1, S2]}, add_ons: [{name: care, pmpm: 20}]}
                  - {name: rest}
              - name: standard
        """)
        let results = try Simulation.run(scenario: scenario, trials: 4, seed: 2, threads: 1)
        let summary = Summarizer(scenario: scenario, results: results).summary(seed: 2)
        let groups = Set(summary.exposure.map { "\($0.track)/\($0.tier)/\($0.sizeBand)" })
        #expect(groups == ["protected/smallest/under 1,000", "protected/rest/under 1,000", "standard/all/1,000-4,999"])
        let smallest = try #require(summary.exposure.first { $0.tier == "smallest" && $0.year == "1" })
        #expect(smallest.practices == 2)
        // Pure add-on design: exposure is exactly the add-on, 20 vs 10 PMPM per member-month.
        let rest = try #require(summary.exposure.first { $0.tier == "rest" && $0.year == "1" })
        #expect(smallest.dollars.mean.value / 20 > rest.dollars.mean.value / 10 * 0.5)
        #expect(rest.practices == 10)
    }

    @Test func practiceOutsideEveryTrackIsRejectedWhenTheScenarioIsRead() {
        do {
            _ = try Self.scenario(designs: """
              - name: small only
                tracks: [{name: small, placement: {size_bands: ["under 1,000"]}}]
            """)
            Issue.record("a design leaving practices unplaced was accepted")
        } catch {
            #expect("\(error)".contains("3 practice(s) fit no track or tier"))
        }
    }

    /// Exposure = guaranteed + at risk, exactly, in every trial: so the summaries' means add up
    /// to rounding. A design with neither reconciliation nor quality has nothing at risk (every
    /// percentile exactly 0, its guaranteed part is its exposure); a quality-only design puts its
    /// withhold and bonus at risk, so its at-risk part moves.
    @Test func exposureSplitsIntoGuaranteedAndAtRisk() throws {
        let scenario = try Self.scenario(designs: """
              - name: add-ons only
                add_ons: [{name: care, pmpm: 12}]
                investment_pmpm: 4
              - name: quality only
                add_ons: [{name: care, pmpm: 12}]
                quality: {bonus_share: 0.05, withhold_share: 0.02}
              - name: two-sided with quality
                prospective_share: 0.5
                quality: {bonus_share: 0.05, withhold_share: 0.02}
            \(Self.twoSided)
            """)
        let results = try Simulation.run(scenario: scenario, trials: 60, seed: 9, threads: 2)
        #expect(results.recordsQuality && results.quality.count == results.exposure.count)
        let summary = Summarizer(scenario: scenario, results: results).summary(seed: 9)
        for row in summary.exposure {
            let given = try #require(row.guaranteedShare), risk = try #require(row.atRiskShare)
            let scale = max(abs(row.shareOfRevenue.mean.value), 1e-3)
            #expect(abs(given.mean.value + risk.mean.value - row.shareOfRevenue.mean.value) <= 1e-9 * scale,
                    "\(row.design), \(row.sizeBand), \(row.year)")
            switch row.design {
            case "add-ons only":
                #expect(risk.percentiles.allSatisfy { $0.value == 0 } && risk.mean.value == 0)
                #expect(given.percentile(0.05)?.value == row.shareOfRevenue.percentile(0.05)?.value)
            case "quality only":
                #expect(risk.percentile(0.95)!.value > risk.percentile(0.05)!.value, "quality money should vary")
            default:
                #expect(risk.percentile(0.05)!.value < 0, "a two-sided design puts losses at risk")
            }
        }
        // Without quality terms nothing is kept for quality.
        let plain = try Self.scenario(designs: "  - name: two-sided\n\(Self.twoSided)")
        #expect(!(try Simulation.run(scenario: plain, trials: 4, seed: 9, threads: 1)).recordsQuality)
    }
}
