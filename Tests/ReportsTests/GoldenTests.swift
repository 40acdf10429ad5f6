import Foundation
@testable import Reports
import Statistics
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Every output renders from one fixed summary (Tests/Fixtures/golden/summary.json) and is
/// compared with its golden file: text formats byte for byte, JSON after parsing. To accept a
/// deliberate change, run the tests with APMRISK_RECORD_GOLDEN=1 and review the diff.
struct GoldenTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/golden")
    static let recording = ProcessInfo.processInfo.environment["APMRISK_RECORD_GOLDEN"] == "1"

    static func summary() throws -> RunSummary {
        try SummaryJSON.decode(Data(contentsOf: folder.appendingPathComponent("summary.json")))
    }

    func check(_ rendered: String, against name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        if Self.recording { try Data(rendered.utf8).write(to: url) }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(rendered == golden, "\(name) differs from its golden file; APMRISK_RECORD_GOLDEN=1 re-records it")
    }

    @Test func summaryJSONRoundTripsToTheSameDocument() throws {
        let original = try Data(contentsOf: Self.folder.appendingPathComponent("summary.json"))
        let reencoded = try SummaryJSON.encode(try Self.summary())
        let a = try JSONSerialization.jsonObject(with: original) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: reencoded) as? NSDictionary
        #expect(a != nil && a == b)
        #expect(a?["schemaVersion"] as? Int == RunSummary.currentSchemaVersion)
    }

    @Test func exposureCSV() throws { try check(ExposureCSV.render(try Self.summary()), against: "exposure.csv") }
    @Test func budgetCSV() throws { try check(BudgetCSV.render(try Self.summary().budget), against: "budget.csv") }
    @Test func appropriationsCSV() throws {
        try check(AppropriationsCSV.render(try Self.summary().budget), against: "appropriations.csv")
    }
    @Test func practicesCSV() throws { try check(PracticeCSV.render(try Self.summary()), against: "practices.csv") }
    @Test func terminalTables() throws {
        let summary = try Self.summary()
        try check(TerminalTable.render(summary) + "\n" + BudgetTable.render(summary.budget), against: "terminal.txt")
    }
    @Test func compareTable() throws {
        let summary = try Self.summary()
        try check(CompareTable.render(summary, summary, labels: ("run-a", "run-b")), against: "compare.txt")
    }
    @Test func reportHTML() throws { try check(HTMLReport.render(try Self.summary()), against: "report.html") }

    @Test func reportIsWellFormedSelfContainedAndHasEveryChartAndTable() throws {
        let summary = try Self.summary()
        let html = HTMLReport.render(summary)
        let parser = XMLParser(data: Data(html.utf8))
        let collector = ElementCollector()
        parser.delegate = collector
        #expect(parser.parse(), "report.html is not well-formed: \(String(describing: parser.parserError))")
        // Self-contained: one inline script (it sorts the practice table), no external
        // stylesheets, scripts, images, fonts or links.
        #expect(collector.names["script"] == 1 && collector.names["img"] == nil && collector.names["link"] == nil)
        #expect(collector.externalReferences.isEmpty, "external references: \(collector.externalReferences)")
        #expect(!html.contains("url("))
        // Per size band, one ladder and one exceedance chart overlaying the designs; a band no
        // design makes lose gets a sentence instead of an empty chart. A histogram per design, a
        // fan chart for each design's outlay and net cost plus the counterfactual's outlay.
        let designs = summary.designs.count
        let program = summary.exposure.filter { $0.year == wholeProgramLabel }
        let bands = summary.sizeBands.map(\.name).filter { band in program.contains { $0.sizeBand == band } }
        #expect(collector.svgTitles.filter { $0.contains("exposure percentiles by design") }.count == bands.count)
        let lossless = bands.filter { band in
            program.filter { $0.sizeBand == band }.allSatisfy { $0.exceedance.allSatisfy { $0.probability == 0 } }
        }
        #expect(collector.svgTitles.filter { $0.contains("loss-exceedance by design") }.count == bands.count - lossless.count)
        #expect(html.components(separatedBy: "so there is no curve to draw").count - 1 == lossless.count)
        #expect(collector.svgTitles.filter { $0.contains("total outlay by fiscal year") }.count == designs + 1)
        #expect(collector.svgTitles.filter { $0.contains("net cost vs FFS") }.count == designs)
        #expect(collector.svgTitles.filter { $0.contains(": exposure, ") }.count >= 1)
        for id in ["answer", "given", "exposure", "comparison", "practices", "histogram", "budget", "assumptions"] {
            #expect(collector.ids.contains(id), "missing section \(id)")
        }
        #expect(html.contains("Under <strong>\(summary.designs[0])</strong>"))
        // The first screen states a gain as a gain and a loss as a loss.
        let smallest = summary.sizeBands.first { $0.practices > 0 }?.name
        for row in summary.exposure where row.year == wholeProgramLabel && row.sizeBand == smallest {
            let p5 = try #require(row.shareOfRevenue.percentile(0.05)).value
            let phrase = abs(p5) < 0.0005 ? "(P5) it neither gains nor loses" : p5 >= 0 ? "(P5) it gains <strong>\(HTMLReport.percent(p5))</strong>" : "(P5) it loses <strong>\(HTMLReport.percent(-p5))</strong>"
            #expect(html.contains(phrase), "\(row.design): \(phrase)")
        }
        #expect((collector.names["table"] ?? 0) >= 6, "the first screen's two tables")
        #expect((collector.names["table"] ?? 0) >= 4)
    }
}

/// Gathers element names, ids, SVG titles and any attribute that could load something.
final class ElementCollector: NSObject, XMLParserDelegate {
    var names: [String: Int] = [:]
    var ids: Set<String> = []
    var svgTitles: [String] = []
    var externalReferences: [String] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        names[name, default: 0] += 1
        if let id = attributes["id"] { ids.insert(id) }
        for key in ["src", "href", "xlink:href"] { if let value = attributes[key], !value.hasPrefix("#") { externalReferences.append(value) } }
        if name == "svg", let label = attributes["aria-label"] { svgTitles.append(label) }
    }
}

/// `apmrisk compare` on a run and a changed copy of it: differences with their combined errors,
/// the verdict against Monte Carlo error, the same-seed warning, and matching by position.
struct CompareTableTests {
    @Test func differencesCarryCombinedErrorsAndAVerdict() throws {
        let a = try GoldenTests.summary()
        var b = a
        b.settings.seed = a.settings.seed + 1
        b.designs = a.designs.map { "Renamed " + $0 }
        for k in b.budget.designs.indices where b.budget.designs[k].design != counterfactualLabel {
            b.budget.designs[k].design = "Renamed " + b.budget.designs[k].design
        }
        for k in b.exposure.indices {
            b.exposure[k].design = "Renamed " + b.exposure[k].design
            // P5 known exactly: A's plus 3 points, each with an error of 1 point.
            b.exposure[k].shareOfRevenue.percentiles = b.exposure[k].shareOfRevenue.percentiles.map { p in
                var q = p
                q.value += p.level == 0.05 ? 0.03 : 0
                q.mcse = 0.01
                return q
            }
        }
        var aWithErrors = a
        for k in aWithErrors.exposure.indices {
            aWithErrors.exposure[k].shareOfRevenue.percentiles = aWithErrors.exposure[k].shareOfRevenue.percentiles.map { p in
                var q = p
                q.mcse = 0.01
                return q
            }
        }
        let byName = CompareTable.render(aWithErrors, b, labels: ("a", "b"))
        #expect(byName.contains("no design and size band in common") && byName.contains("--by-position"))
        #expect(!byName.contains("Warning: both runs used seed"))
        let byPosition = CompareTable.render(aWithErrors, b, labels: ("a", "b"), byPosition: true)
        // 3 points against √2 points of combined error: beyond Monte Carlo error; P1, unchanged, is not.
        let rows = byPosition.split(separator: "\n").filter { $0.hasPrefix("  PMPM only") || $0.hasPrefix("  Two-sided") }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        let exposureRows = rows.filter { $0.contains("%") }
        #expect(exposureRows.count == 6 && exposureRows.allSatisfy { $0.contains("+3.0 ±1.4 yes") && $0.contains("+0.0 ±1.4 no") },
                "\(byPosition)")
        let whole = a.budget.designs[0].periods.first { $0.isWholeProgram }
        let outlay = try #require(whole).totalOutlay.mean.value
        let millions = String(format: "%.2f", outlay / 1e6)
        #expect(rows.contains { $0.hasPrefix("PMPM only \(millions) \(millions) +0.00 ±") }, "budget matched by position")
        let same = CompareTable.render(a, a, labels: ("a", "a"))
        #expect(same.contains("Warning: both runs used seed \(a.settings.seed)"))
    }
}
