import Foundation
import Statistics

/// The fall re-forecast beside the summer figure: terminal, `reforecast.csv` and `report.html`.
public enum ReforecastReport {
    static func levelName(_ p: Double?) -> String { p.map { "P\(Formatting.levelLabel($0))" } ?? "mean" }

    public static let csvHeader = "design,period,measure,statistic,summer ($ millions),fall ($ millions),fall minus summer ($ millions)"

    public static func csv(_ r: ReforecastSummary) -> String {
        var lines = [csvHeader]
        func millions(_ x: Double?) -> String { x.map { String(format: "%.3f", $0 / 1e6) } ?? "" }
        for design in r.designs {
            for period in design.periods {
                for p in [nil] + r.levels.map(Optional.some) {
                    let summer = p.map { period.summer.level($0)?.value } ?? period.summer.mean.value
                    let fall = p.map { period.fall.level($0)?.value } ?? period.fall.mean.value
                    lines.append([ExposureCSV.quoted(design.design), period.period, ExposureCSV.quoted(r.measure), levelName(p),
                                  millions(summer), millions(fall), millions(period.change(at: p))].joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func explanation(_ r: ReforecastSummary) -> String {
        let years = (0..<max(r.observedTrend.count, r.observedEnrollment.count)).map { k in
            var facts: [String] = []
            if k < r.observedTrend.count {
                facts.append("trend \(String(format: "%+.1f%%", r.observedTrend[k] * 100))\(r.observedShocks[k] ? " with the surge" : "")")
            }
            if k < r.observedEnrollment.count { facts.append("enrollment \(String(format: "%+.1f%%", r.observedEnrollment[k] * 100))") }
            return "program year \(k + 1): " + facts.joined(separator: ", ")
        } + r.settlementsPaid.map { "settlement paid: \($0)" }
        return "Fall re-forecast with data through \(r.asOf) (\(years.isEmpty ? "no program year completed" : years.joined(separator: "; "))), beside the summer forecast that knew none of it; \(r.trials) simulated futures each, seed \(r.seed), the same futures except for what was observed. Figures are the \(r.measure), $ millions, for each fiscal year not over by \(r.asOf). Fall minus summer at the appropriation level is the supplemental request (positive) or the amount expected to lapse (negative)."
    }

    public static func terminal(_ r: ReforecastSummary) -> String {
        var out = [explanation(r)]
        let conf = r.confidence
        for design in r.designs where !design.periods.isEmpty {
            out.append("")
            out.append(design.design)
            let rows = design.periods.map { p in
                [p.period, BudgetTable.millions(p.summer.mean.value), BudgetTable.millions(p.fall.mean.value),
                 BudgetTable.millions(p.summer.level(conf)?.value), BudgetTable.millions(p.fall.level(conf)?.value),
                 BudgetTable.millions(p.change(at: conf))]
            }
            out += TerminalTable.table(["period", "summer mean", "fall mean", "summer \(levelName(conf))", "fall \(levelName(conf))",
                                        "supplemental (+) / lapse (−)"], rows)
        }
        return out.joined(separator: "\n") + "\n"
    }

    public static func html(_ r: ReforecastSummary) -> String {
        var body = "<h1>\(escape(r.scenario)): fall re-forecast</h1><p class=\"note\">\(escape(explanation(r)))</p>"
        for design in r.designs where !design.periods.isEmpty {
            body += "<section class=\"design\"><h3>\(escape(design.design))</h3><table><thead><tr><th>Fiscal year</th><th>Statistic</th><th>Summer</th><th>Fall</th><th>Fall − summer</th></tr></thead><tbody>"
            for period in design.periods {
                for (k, p) in ([nil] + r.levels.map(Optional.some)).enumerated() {
                    let summer = p.map { period.summer.level($0)?.value } ?? period.summer.mean.value
                    let fall = p.map { period.fall.level($0)?.value } ?? period.fall.mean.value
                    let emphasis = p.map { abs($0 - r.confidence) < 1e-12 } ?? false
                    let cells = [summer, fall, period.change(at: p)].map { "<td class=\"num\">\(emphasis ? "<strong>" : "")\(HTMLReport.millionsNumber($0))\(emphasis ? "</strong>" : "")</td>" }.joined()
                    body += "<tr>\(k == 0 ? "<td rowspan=\"\(r.levels.count + 1)\">\(escape(period.period))</td>" : "")<td>\(levelName(p))\(emphasis ? " (appropriation level)" : "")</td>\(cells)</tr>"
                }
            }
            body += "</tbody></table></section>"
        }
        return HTMLReport.page(title: "apmrisk re-forecast: \(r.scenario)", body: body)
    }

    public static func encoded(_ r: ReforecastSummary) throws -> Data { try prettyJSON(r) }
}
