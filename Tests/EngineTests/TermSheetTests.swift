import Engine
import Foundation
import Scenario
import Statistics
import Testing

/// The term sheet states each design's terms in words, and a cap on total cost of care also as a
/// share of a typical practice's primary-care revenue, by exact arithmetic on the service table.
struct TermSheetTests {
    static let yaml = """
    name: term sheet
    population:
      classes: [{name: all, panel_share: 1}]
    \(Fixture.services)
    regions: [north, south]
    size_bands: [{name: small, below: 1000}, {name: large}]
    practices: {groups: [{count: 2, members: 500}, {count: 2, members: 5000}]}
    designs:
      - name: FFS plus care management
        add_ons: [{name: care_management, pmpm: 15}]
      - name: Two-sided by size
        tracks:
          - name: Small
            placement: {size_bands: [small]}
            prospective_share: [0.3, 0.45, 0.6]
            reconciliation: {minimum_savings_rate: 0.02, upside_rate: 0.5, downside_rate: 0, savings_cap: {benchmark: 0.1}}
          - name: Large
            reconciliation:
              minimum_savings_rate: 0.02
              minimum_loss_rate: 0.02
              upside_rate: 0.5
              downside_rate: 0.5
              loss_cap: {benchmark: 0.05, revenue: 0.15}
    """

    func lines(_ terms: [DesignTerms], design: Int, track: Int) -> [String: String] {
        Dictionary(uniqueKeysWithValues: terms[design].tracks[track].tiers[0].terms.map { ($0.term, $0.value) })
    }

    @Test func statesEachDesignsTermsAndCapsAgainstPrimaryCareRevenue() throws {
        let scenario = try Fixture.scenario(Self.yaml)
        let terms = TermSheet.terms(of: scenario)
        #expect(terms.map(\.design) == ["FFS plus care management", "Two-sided by size"])

        let ffs = lines(terms, design: 0, track: 0)
        #expect(ffs["Add-on: care_management"] == "$15 PMPM (guaranteed)")
        #expect(ffs["Total cost of care"] == "not reconciled: no shared savings or losses")
        #expect(terms[0].tracks[0].placement == "every practice not placed before it")

        let small = lines(terms, design: 1, track: 0)
        #expect(terms[1].tracks[0].placement == "size band small")
        #expect(small["Prospective payment"]?.hasPrefix("30% → 45% → 60% (years 1–3) of in-scope FFS") == true)
        #expect(small["Sharing"]?.contains("no losses shared (upside only)") == true)
        #expect(small["Loss cap"] == nil && small["Minimum loss rate"] == nil)

        // Total cost per member-year over primary care's: (420 + 468 + 495 + 980 + 1400) / 420 =
        // 8.960; a 5% loss cap is 44.8% of primary-care revenue and a 10% savings cap 89.6%.
        #expect(small["Savings cap"] == "10% of benchmark, about 90% of a typical practice's primary-care revenue")
        let large = lines(terms, design: 1, track: 1)
        #expect(large["Loss cap"] == "5% of benchmark, about 45% of a typical practice's primary-care revenue or 15% of the practice's revenue, whichever is less")
        #expect(large["Minimum loss rate"] == "2% of benchmark")
        #expect(large["Accountability"] == "the practice's own total cost of care")
    }
}
