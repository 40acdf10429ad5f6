import Foundation
import Statistics

/// Where each headline figure's spread comes from, when the scenario has uncertain assumptions:
/// in the terminal, `variance-shares.csv` and a section of `report.html`.
public enum UncertaintyReport {
    public static let csvHeader = "design,figure,source,distribution,share,mcse"

    public static func csv(_ u: UncertaintySummary) -> String {
        var lines = [csvHeader]
        for figure in u.figures {
            for (assumption, share) in zip(u.assumptions, figure.shares) {
                lines.append([ExposureCSV.quoted(figure.design), ExposureCSV.quoted(figure.figure), ExposureCSV.quoted(assumption.keyPath),
                              ExposureCSV.quoted(assumption.distribution), ExposureCSV.number(share.value),
                              share.mcse.map(ExposureCSV.number) ?? ""].joined(separator: ","))
            }
            lines.append([ExposureCSV.quoted(figure.design), ExposureCSV.quoted(figure.figure), worldSource, "",
                          ExposureCSV.number(figure.world.value), figure.world.mcse.map(ExposureCSV.number) ?? ""].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let worldSource = "simulated world and interactions"

    /// A share in percent to one decimal, its error in points; no sign on what rounds to zero.
    static func share(_ e: Estimate) -> String {
        let shown = String(format: "%.1f", e.value * 100)
        return (Double(shown) == 0 ? "0.0" : shown) + "%" + (e.mcse.map { String(format: " ±%.1f", $0 * 100) } ?? "")
    }

    static func value(_ x: Double) -> String { String(format: "%.4g", x) }

    public static func terminal(_ u: UncertaintySummary) -> String {
        var out = ["Where the spread comes from: share of each figure's variance explained by each uncertain assumption alone (± bootstrap error);",
                   "the rest is the simulated world (chance) and interactions between assumptions."]
        for (k, a) in u.assumptions.enumerated() {
            out.append("  [\(k + 1)] \(a.keyPath) ~ \(a.distribution), draws \(value(a.low)) to \(value(a.high))")
        }
        for design in orderedDesigns(u) {
            out.append("")
            out.append("Design: \(design)")
            let rows = u.figures.filter { $0.design == design }.map { figure in
                ["  \(figure.figure)"] + figure.shares.map(share) + [share(figure.world)]
            }
            out += TerminalTable.table(["  figure"] + u.assumptions.indices.map { "[\($0 + 1)]" } + ["world"], rows)
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func orderedDesigns(_ u: UncertaintySummary) -> [String] {
        var seen: [String] = []
        for figure in u.figures where !seen.contains(figure.design) { seen.append(figure.design) }
        return seen
    }

    /// The report section: the assumptions, then one table per design whose columns are the
    /// sources of spread, each cell a share of the figure's variance.
    public static func htmlSection(_ u: UncertaintySummary) -> String {
        var html = "<h2 id=\"uncertainty\">How much of the spread is assumption, how much is chance</h2>"
        html += "<p class=\"note\">Some assumptions in this scenario are not known: each is drawn once per simulated future from the distribution below, so every figure in this report already carries that uncertainty. The tables split each figure's variance: the share each assumption explains on its own, and the rest, which comes from the simulated world itself (chance) and from assumptions acting together. A share near zero means pinning that assumption down would not narrow the figure. Estimator: \(escape(u.estimator)).</p>"
        html += "<table><thead><tr><th>Assumption</th><th>Distribution</th><th>Value elsewhere (mean)</th><th>Draws between</th></tr></thead><tbody>"
        for a in u.assumptions {
            html += "<tr><td>\(escape(a.keyPath))</td><td>\(escape(a.distribution))</td><td class=\"num\">\(value(a.mean))</td><td class=\"num\">\(value(a.low)) – \(value(a.high))</td></tr>"
        }
        html += "</tbody></table>"
        for design in orderedDesigns(u) {
            html += "<section class=\"design\"><h3>\(escape(design))</h3><table><thead><tr><th>Figure</th>"
            html += u.assumptions.map { "<th>\(escape($0.keyPath))</th>" }.joined() + "<th>Simulated world and interactions</th></tr></thead><tbody>"
            for figure in u.figures where figure.design == design {
                html += "<tr><td>\(escape(figure.figure))</td>" + (figure.shares + [figure.world]).map { "<td class=\"num\">\(share($0))</td>" }.joined() + "</tr>"
            }
            html += "</tbody></table></section>"
        }
        return html
    }
}
