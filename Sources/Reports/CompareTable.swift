import Foundation
import Statistics

/// `apmrisk compare`: the headline figures of two runs side by side, matched by design, track,
/// tier and size band (whole program), then the budget over the whole program.
public enum CompareTable {
    public static func render(_ a: RunSummary, _ b: RunSummary, labels: (String, String)) -> String {
        var out = ["A = \(labels.0): \(a.scenario.name), \(a.settings.trials) trials, seed \(a.settings.seed)",
                   "B = \(labels.1): \(b.scenario.name), \(b.settings.trials) trials, seed \(b.settings.seed)", ""]
        out.append("Practice exposure over the whole program, % of expected revenue (± MC s.e.)")
        var rows: [[String]] = []
        let programB = b.exposure.filter { $0.year == wholeProgramLabel }
        for rowA in a.exposure where rowA.year == wholeProgramLabel {
            guard let rowB = programB.first(where: {
                $0.design == rowA.design && $0.track == rowA.track && $0.tier == rowA.tier && $0.sizeBand == rowA.sizeBand
            }) else { continue }
            let group = rowA.track == "all" && rowA.tier == "all" ? rowA.design : "\(rowA.design) / \(rowA.track) / \(rowA.tier)"
            rows.append([group, rowA.sizeBand,
                         p(rowA.shareOfRevenue.percentile(0.05)), p(rowB.shareOfRevenue.percentile(0.05)),
                         p(rowA.shareOfRevenue.percentile(0.01)), p(rowB.shareOfRevenue.percentile(0.01)),
                         loss5(rowA), loss5(rowB)])
        }
        if rows.isEmpty {
            out.append("  (no design and size band in common)")
        } else {
            out.append(contentsOf: TerminalTable.table(["design", "size band", "P5 A", "P5 B", "P1 A", "P1 B", "P(loss>5%) A", "P(loss>5%) B"], rows))
        }
        out.append("")
        out.append("Budget over the whole program, $ millions")
        var budgetRows: [[String]] = []
        for designA in a.budget.designs {
            guard let designB = b.budget.designs.first(where: { $0.design == designA.design }),
                  let totalA = designA.periods.first(where: { $0.period == wholeProgramLabel }),
                  let totalB = designB.periods.first(where: { $0.period == wholeProgramLabel }) else { continue }
            budgetRows.append([designA.design, BudgetTable.millions(totalA.totalOutlay.mean.value), BudgetTable.millions(totalB.totalOutlay.mean.value),
                               BudgetTable.millions(totalA.totalOutlay.level(0.9)?.value), BudgetTable.millions(totalB.totalOutlay.level(0.9)?.value)])
        }
        out.append(contentsOf: TerminalTable.table(["design", "mean A", "mean B", "P90 A", "P90 B"], budgetRows))
        return out.joined(separator: "\n") + "\n"
    }

    static func p(_ estimate: PercentileEstimate?) -> String {
        TerminalTable.withError(estimate?.value, estimate?.mcse)
    }

    static func loss5(_ row: ExposureSummary) -> String {
        TerminalTable.probability(row.lossProbabilities.first { abs($0.lossShare - 0.05) < 1e-9 }?.probability)
    }
}
