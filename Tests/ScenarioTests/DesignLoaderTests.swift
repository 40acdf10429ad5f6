import Foundation
import Scenario
import Testing

/// The design vocabulary as written in scenario files: merged terms, placement and the checks on
/// each term.
struct DesignLoaderTests {
    static func scenario(designs: String, extra: String = "") -> String {
        let base = validScenario[..<validScenario.range(of: "designs:")!.lowerBound]
        return base + extra + "designs:\n" + designs
    }

    static let tiered = """
      - name: tiered
        prospective_share: [0.3, 0.45, 0.6]
        reconciliation: {minimum_savings_rate: 0.02, minimum_loss_rate: 0.02, upside_rate: 0.5, downside_rate: 0.5,
                         loss_cap: {benchmark: 0.05}}
        tracks:
          - name: small
            placement: {size_bands: ["under 1,000"]}
            accountability: region
            tiers:
              - {name: newest, placement: {practices: [P1]}, reconciliation: {downside_rate: 0}}
              - {name: rest}
          - name: others
    """

    @Test func tierTermsMergeKeyByKeyOverTrackAndDesign() throws {
        let s = try load(Self.scenario(designs: Self.tiered))
        let design = s.designs[0]
        #expect(design.tracks.map(\.name) == ["small", "others"])
        let newest = design.tracks[0].tiers[0].terms
        #expect(newest.reconciliation?.downsideRate == Glide(0))                    // tier's own
        #expect(newest.reconciliation?.upsideRate == Glide(0.5))                    // design's, inherited
        #expect(newest.accountability == .region)                                   // track's
        #expect(newest.prospectiveShare == Glide(perYear: [0.3, 0.45, 0.6]))        // design's
        #expect(design.tracks[1].tiers[0].terms.accountability == .practice)
        #expect(design.place(s.practices[0], sizeBand: 0)! == (0, 0))
        #expect(design.place(s.practices[1], sizeBand: 0)! == (0, 1))
        #expect(design.place(s.practices[1], sizeBand: 1)! == (1, 0))
    }

    @Test func thresholdRulesAreRead() throws {
        let s = try load(Self.scenario(designs: """
          - name: rules
            stop_loss: {percentile: 0.99}
            reconciliation: {minimum_savings_rate: mssp, minimum_loss_rate: {confidence: 0.9}, upside_rate: 0.5}
        """))
        let terms = s.designs[0].tracks[0].tiers[0].terms
        #expect(terms.reconciliation?.minimumSavingsRate == .msspTable)
        #expect(terms.reconciliation?.minimumLossRate == .confidence(0.9))
        #expect(terms.stopLoss == .percentile(0.99))
    }

    @Test func budgetAndFeeChangesAreRead() throws {
        let s = try load(Self.scenario(designs: "  - {name: FFS}\n", extra: """
        budget: {fiscal_year_start_month: 10, settlement_lag_months: 8, recoupment: {collection_rate: 0.9, lag_months: 12}}
        fee_schedule_changes: [{year: 2, change: -0.05}]

        """))
        #expect(s.budget.fiscalYearStartMonth == 10 && s.budget.recoupmentCollectionRate == 0.9)
        #expect(s.feeIndex(year: 1) == [1])
        #expect(s.feeIndex(year: 3) == [0.95])
    }

    struct BadDesign: CustomTestStringConvertible, Sendable {
        let label: String
        let designs: String
        var extra = ""
        let expected: [String]
        var testDescription: String { label }
    }

    static let badDesigns: [BadDesign] = [
        BadDesign(label: "corridors with a gap", designs: """
          - name: c
            reconciliation: {corridors: [{from: 0, to: 0.05, share: 0.5}, {from: 0.06, share: 0.2}]}
        """, expected: ["corridors[1].from", "leaves a gap", "expected 0.05"]),
        BadDesign(label: "corridors that overlap", designs: """
          - name: c
            reconciliation: {corridors: [{from: 0, to: 0.05, share: 0.5}, {from: 0.04, share: 0.2}]}
        """, expected: ["corridors[1].from", "overlaps the previous corridor"]),
        BadDesign(label: "corridors beside rates", designs: """
          - name: c
            reconciliation: {upside_rate: 0.5, corridors: [{from: 0, share: 0.5}]}
        """, expected: ["corridors", "replace upside_rate and downside_rate"]),
        BadDesign(label: "unknown key in a track", designs: """
          - name: t
            tracks: [{name: a, placment: {size_bands: [small]}}]
        """, expected: ["designs[0].tracks[0].placment", "did you mean 'placement'"]),
        BadDesign(label: "unknown size band in a placement", designs: """
          - name: t
            tracks: [{name: a, placement: {size_bands: [tiny]}}]
        """, expected: ["placement.size_bands[0]", "'tiny'", "under 1,000"]),
        BadDesign(label: "unknown practice in a placement", designs: """
          - name: t
            tracks: [{name: a, placement: {practices: [NOPE]}}]
        """, expected: ["placement.practices", "'NOPE'"]),
        BadDesign(label: "stop-loss with both forms", designs: """
          - name: s
            stop_loss: {attachment: 100000, percentile: 0.99}
        """, expected: ["stop_loss", "exactly one of attachment"]),
        BadDesign(label: "intervention on an unknown category", designs: """
          - name: i
            interventions: [{category: dental, effect: -0.1}]
        """, expected: ["interventions[0].category", "'dental'", "visit"]),
        BadDesign(label: "unknown accountability", designs: """
          - name: a
            accountability: county
        """, expected: ["accountability", "'county'", "practice, region or pool"]),
        BadDesign(label: "glide path too long in a tier", designs: """
          - name: g
            tracks: [{name: a, tiers: [{name: x, prospective_share: [0.1, 0.2, 0.3, 0.4]}]}]
        """, expected: ["tiers[0].prospective_share", "4 values", "(3)"]),
        BadDesign(label: "fiscal month out of range", designs: "  - {name: FFS}\n",
                  extra: "budget: {fiscal_year_start_month: 13}\n", expected: ["budget.fiscal_year_start_month", "found 13"]),
        BadDesign(label: "fee change after the program", designs: "  - {name: FFS}\n",
                  extra: "fee_schedule_changes: [{year: 5, change: 0.02}]\n", expected: ["fee_schedule_changes[0].year", "found 5"]),
        BadDesign(label: "risk tiers out of order", designs: """
          - name: r
            add_ons: [{name: care, risk_tiers: [{below: 2, pmpm: 5}, {below: 1, pmpm: 10}, {pmpm: 20}]}]
        """, expected: ["risk_tiers[1].below", "above the previous tier's (2)"]),
        BadDesign(label: "quality gate above one", designs: """
          - name: q
            quality: {bonus_pmpm: 4, gate: 1.5}
        """, expected: ["quality.gate", "found 1.5"]),
    ]

    @Test(arguments: badDesigns)
    func badDesignsAreReportedWithKeyPathAndExpectation(_ c: BadDesign) {
        let found = problems(Self.scenario(designs: c.designs, extra: c.extra))
        let text = found.map(\.description).joined(separator: "\n")
        #expect(!found.isEmpty)
        for fragment in c.expected {
            #expect(text.contains(fragment), "missing '\(fragment)' in:\n\(text)")
        }
    }

    @Test func aValueInheritedByManyTiersIsReportedOnce() {
        let found = problems(Self.scenario(designs: """
          - name: d
            upside: 0.5
            tracks: [{name: a, tiers: [{name: x}, {name: y}, {name: z}]}]
        """))
        #expect(found.filter { $0.message.contains("not a known key") }.count == 1)
    }
}
