import Foundation
import Statistics

/// The readable table `apmrisk run` prints: for each design, each size band's whole-program
/// exposure as a share of expected revenue, with the Monte Carlo error of the tail figures.
public enum TerminalTable {
    public static func render(_ summary: RunSummary) -> String {
        var out: [String] = []
        let years = summary.settings.yearLabels
        out.append("\(summary.scenario.name): \(summary.settings.trials) trials, seed \(summary.settings.seed), program years \(years.first ?? "")–\(years.last ?? "")")
        out.append("Exposure = revenue under the design minus pure FFS, over the whole program, as % of the practice's expected FFS revenue (negative = loss).")
        for design in summary.designs {
            out.append("")
            out.append("Design: \(design)")
            let rowsOfDesign = summary.exposure.filter { $0.design == design && $0.year == wholeProgramLabel }
            let showTiers = rowsOfDesign.contains { $0.track != "all" || $0.tier != "all" }
            let columns = (showTiers ? ["track / tier"] : []) + ["size band", "practices", "exp. revenue", "mean", "P50", "P5", "P1", "ES95", "P(loss>5%)", "P(repay)", "P(savings)"]
            var rows: [[String]] = []
            for row in rowsOfDesign {
                let share = row.shareOfRevenue
                let practices = row.practices
                let loss5 = row.lossProbabilities.first { abs($0.lossShare - 0.05) < 1e-9 }
                rows.append((showTiers ? ["\(row.track) / \(row.tier)"] : []) + [
                    row.sizeBand, String(practices), dollars(row.expectedRevenue),
                    percent(share.mean.value),
                    percent(share.percentile(0.50)?.value),
                    withError(share.percentile(0.05)?.value, share.percentile(0.05)?.mcse),
                    withError(share.percentile(0.01)?.value, share.percentile(0.01)?.mcse),
                    percent(share.expectedShortfall95.value),
                    probability(loss5?.probability), probability(row.repaymentProbability),
                    probability(row.savingsPaidProbability),
                ])
            }
            out.append(contentsOf: table(columns, rows))
        }
        if !summary.worldChecks.isEmpty {
            out.append("")
            out.append("World check: total cost of care per member-month, simulated (± MC s.e.) vs closed form")
            var rows: [[String]] = []
            for check in summary.worldChecks {
                let sim = check.simulated
                rows.append([check.sizeBand, check.year, String(format: "%.2f", check.analytic),
                             String(format: "%.2f", sim.value) + (sim.mcse.map { String(format: " ± %.2f", $0) } ?? "")])
            }
            out.append(contentsOf: table(["size band", "year", "closed form", "simulated"], rows))
        }
        if let checks = summary.persistenceChecks, !checks.isEmpty {
            out.append("")
            out.append("World check: persistence of member cost among members who stay, simulated (± s.e.) vs published")
            let rows = checks.map { check in
                [check.statistic, probability(check.simulated.value) + (check.simulated.mcse.map { " ± " + probability($0) } ?? ""),
                 check.target, check.source]
            }
            out.append(contentsOf: table(["statistic", "simulated", "published", "source"], rows))
        }
        return out.joined(separator: "\n") + "\n"
    }

    public static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ")
        }
        return ["  " + line(header)] + rows.map { "  " + line($0) }
    }

    static func percent(_ share: Double?) -> String {
        guard let share else { return "–" }
        return String(format: "%+.1f%%", share * 100)
    }

    public static func withError(_ share: Double?, _ mcse: Double?) -> String {
        guard let mcse else { return percent(share) }
        return percent(share) + String(format: " ±%.1f", mcse * 100)
    }

    public static func probability(_ p: Double?) -> String {
        guard let p else { return "–" }
        return String(format: "%.1f%%", p * 100)
    }

    /// A probability with its Monte Carlo error, in percentage points.
    static func probability(_ estimate: Estimate) -> String {
        probability(estimate.value) + (estimate.mcse.map { String(format: " ±%.1f", $0 * 100) } ?? "")
    }

    static func dollars(_ x: Double) -> String {
        let rounded = Int(x.rounded())
        return (rounded < 0 ? "-$" : "$") + Formatting.groupedDigits(abs(rounded))
    }

    /// One line on the precision a `--precision` run reached.
    public static func precisionLine(_ p: PrecisionReport) -> String {
        let verdict = p.met ? "met" : "NOT met (the trial limit was reached first)"
        return String(format: "Precision target %.4g %@ after %@ trials: largest headline standard error %.4g (%@).",
                      p.target, verdict, Formatting.groupedDigits(p.trials), p.reached, p.limitingFigure)
    }
}
