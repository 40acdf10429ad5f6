import Foundation
import Statistics

/// `apmrisk compare`: the headline figures of two runs side by side, matched by design (by name,
/// or by position when the runs name their designs differently), track, tier and size band
/// (whole program), each with the difference B − A, its Monte Carlo error and whether the
/// difference exceeds it; then the budget over the whole program the same way.
public enum CompareTable {
    /// A difference "exceeds Monte Carlo error" beyond this many combined standard errors (a
    /// two-sided 95% test).
    static let significance = 1.96

    public static func render(_ a: RunSummary, _ b: RunSummary, labels: (String, String), byPosition: Bool = false) -> String {
        var out = ["A = \(labels.0): \(a.scenario.name), \(a.settings.trials) trials, seed \(a.settings.seed)",
                   "B = \(labels.1): \(b.scenario.name), \(b.settings.trials) trials, seed \(b.settings.seed)", ""]
        let sameSeed = a.settings.seed == b.settings.seed
        if sameSeed {
            out.append("Warning: both runs used seed \(a.settings.seed). Their simulated futures share random numbers, so their")
            out.append("errors are not independent: where the scenarios agree a difference is exact, and the combined")
            out.append("error below (which takes the runs as independent) overstates the noise. Rerun one with --seed.")
            out.append("")
        }
        let designB: (String) -> String? = { name in
            guard byPosition else { return b.designs.contains(name) ? name : nil }
            guard let index = a.designs.firstIndex(of: name), index < b.designs.count else { return nil }
            return b.designs[index]
        }
        if byPosition { out.append("Designs matched by position: " + zip(a.designs, b.designs).map { "\"\($0)\" ↔ \"\($1)\"" }.joined(separator: ", ")); out.append("") }
        out.append("Practice exposure over the whole program, % of expected revenue (± MC s.e.; B − A ± combined s.e.)")
        var rows: [[String]] = []
        let programB = b.exposure.filter { $0.year == wholeProgramLabel }
        for rowA in a.exposure where rowA.year == wholeProgramLabel {
            guard let nameB = designB(rowA.design), let rowB = programB.first(where: {
                $0.design == nameB && $0.track == rowA.track && $0.tier == rowA.tier && $0.sizeBand == rowA.sizeBand
            }) else { continue }
            let group = rowA.track == "all" && rowA.tier == "all" ? rowA.design : "\(rowA.design) / \(rowA.track) / \(rowA.tier)"
            let p5A = rowA.shareOfRevenue.percentile(0.05), p5B = rowB.shareOfRevenue.percentile(0.05)
            let p1A = rowA.shareOfRevenue.percentile(0.01), p1B = rowB.shareOfRevenue.percentile(0.01)
            let p5 = difference(p5A?.value, p5A?.mcse, p5B?.value, p5B?.mcse)
            let p1 = difference(p1A?.value, p1A?.mcse, p1B?.value, p1B?.mcse)
            rows.append([group, rowA.sizeBand, p(p5A), p(p5B), p5.text, p5.verdict, p(p1A), p(p1B), p1.text, p1.verdict,
                         loss5(rowA), loss5(rowB)])
        }
        if rows.isEmpty {
            out.append(byPosition ? "  (no design and size band in common)"
                                  : "  (no design and size band in common; --by-position matches designs by their order)")
        } else {
            out.append(contentsOf: TerminalTable.table(["design", "size band", "P5 A", "P5 B", "P5 B−A", "beyond MC error",
                                                        "P1 A", "P1 B", "P1 B−A", "beyond MC error",
                                                        "P(loss>5%) A", "P(loss>5%) B"], rows))
        }
        out.append("")
        out.append("Budget over the whole program, $ millions (mean ± MC s.e.)")
        var budgetRows: [[String]] = []
        for designA in a.budget.designs {
            let nameB = designA.design == counterfactualLabel ? counterfactualLabel : designB(designA.design)
            guard let nameB, let designBudget = b.budget.designs.first(where: { $0.design == nameB }),
                  let totalA = designA.periods.first(where: \.isWholeProgram),
                  let totalB = designBudget.periods.first(where: \.isWholeProgram) else { continue }
            let meanA = totalA.totalOutlay.mean, meanB = totalB.totalOutlay.mean
            let change = difference(meanA.value, meanA.mcse, meanB.value, meanB.mcse, scale: 1e-6, digits: 2)
            budgetRows.append([designA.design, BudgetTable.millions(meanA.value), BudgetTable.millions(meanB.value), change.text, change.verdict,
                               BudgetTable.millions(totalA.totalOutlay.level(0.9)?.value), BudgetTable.millions(totalB.totalOutlay.level(0.9)?.value)])
        }
        out.append(contentsOf: TerminalTable.table(["design", "mean A", "mean B", "mean B−A", "beyond MC error", "P90 A", "P90 B"],
                                                   budgetRows))
        out.append("")
        out.append("beyond MC error: yes when |B − A| > \(significance) combined standard errors; – where a run has too few trials")
        out.append("for a standard error.")
        return out.joined(separator: "\n") + "\n"
    }

    /// B − A with its combined standard error (the runs taken as independent) and whether it
    /// exceeds `significance` of them; shares in percentage points unless `scale` says otherwise.
    static func difference(_ a: Double?, _ errorA: Double?, _ b: Double?, _ errorB: Double?, scale: Double = 100,
                           digits: Int = 1) -> (text: String, verdict: String) {
        guard let a, let b else { return ("–", "") }
        let d = b - a
        let text = String(format: "%+.\(digits)f", d * scale)
        guard let errorA, let errorB else { return (text, "–") }
        let combined = (errorA * errorA + errorB * errorB).squareRoot()
        return (text + String(format: " ±%.\(digits)f", combined * scale), abs(d) > significance * combined ? "yes" : "no")
    }

    static func p(_ estimate: PercentileEstimate?) -> String {
        TerminalTable.withError(estimate?.value, estimate?.mcse)
    }

    static func loss5(_ row: ExposureSummary) -> String {
        TerminalTable.probability(row.lossProbabilities.first { abs($0.lossShare - 0.05) < 1e-9 }?.probability)
    }
}
