import Foundation
import Statistics

/// The budget tables `apmrisk run` prints: appropriation by fiscal year per design, and the
/// paired design comparisons over the whole program.
public enum BudgetTable {
    public static func render(_ budget: BudgetSummary) -> String {
        var out: [String] = []
        let conf = budget.confidence
        let levels = Array(Set(BudgetSummary.standardLevels + [conf])).sorted()
        let split = budget.splitsShares
        out.append("Budget: \(split ? "the STATE's share of " : "")payer outlay by fiscal year, $ millions (FY starts in month \(budget.fiscalYearStartMonth); settlements paid \(budget.settlementLagMonths) months after each program year, recoupments \(budget.recoupmentLagMonths) months at \(Int((budget.recoupmentCollectionRate * 100).rounded()))% collected).")
        if split { out.append("State share = outlay less the federal match (FMAP by member class and federal fiscal year; administrative items at their own rate); total and federal shares are in budget.csv and appropriations.csv.") }
        out.append("The appropriation that covers a level is that percentile of \(split ? "the state's share of outlay" : "total outlay") across trials; net = design minus \(budget.netAgainst.map { "the status quo, \($0)," } ?? "the FFS counterfactual") in the same trial.")
        for design in budget.designs {
            out.append("")
            out.append(design.design)
            let incurred = design.periods.contains { $0.incurredMean != nil }
            let header = ["period", "mean"] + levels.map { "P\(Formatting.levelLabel($0))" }
                + (design.periods.contains { $0.netCost != nil } ? ["net mean", "net P\(Formatting.levelLabel(conf))"] : [])
                + (incurred ? split ? ["incurred (total)", "unpaid at end (total)"] : ["incurred", "unpaid at end"] : [])
                + (split ? ["total mean", "federal mean"] : [])
            var rows: [[String]] = []
            // Years with nothing paid in any trial are left out, as in the report and appropriations.csv.
            for period in design.periods where !period.isHalfYear && !period.isEmpty {
                var row = [period.period, millions(period.appropriated.mean.value)]
                row += levels.map { millions(period.appropriated.level($0)?.value) }
                if let net = period.appropriatedNet { row += [millions(net.mean.value), millions(net.level(conf)?.value)] }
                if incurred { row += [millions(period.incurredMean), period.unpaidClaimsAtEnd.map { millions($0) } ?? "–"] }
                if split { row += [millions(period.totalOutlay.mean.value), millions(period.federalOutlay?.mean.value)] }
                rows.append(row)
            }
            out.append(contentsOf: TerminalTable.table(header, rows))
            if let note = timingNote(design) { out.append("  " + note) }
        }
        let program = budget.comparisons.filter { $0.period == wholeProgramLabel }
        if !program.isEmpty {
            out.append("")
            out.append("Design comparisons over the whole program (paired on the same trials), $ millions")
            let rows = program.map { c in
                ["\(c.design) − \(c.baseline)", millions(c.difference.mean.value),
                 "[\(millions(c.meanLow)), \(millions(c.meanHigh))]",
                 millions(c.difference.level(0.05)?.value), millions(c.difference.level(0.95)?.value)]
                    + (split ? [millions(c.stateDifference?.mean.value)] : [])
            }
            out.append(contentsOf: TerminalTable.table(["difference", "mean", "95% CI of mean", "P5", "P95"]
                                                       + (split ? ["state share, mean"] : []), rows))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The fiscal years whose appropriation depends on when settlements land, in words; nil if none.
    public static func timingNote(_ design: DesignBudget) -> String? {
        let flagged = design.periods.filter { $0.settlementsAtStake != nil && !$0.isHalfYear }
        guard !flagged.isEmpty else { return nil }
        return "Depends on settlement timing: " + flagged.map { "\($0.period) $\(millions($0.settlementsAtStake))M" }
            .joined(separator: ", ") + " (mean settlements that land in that fiscal year or a neighbouring one depending on a slip of budget.settlement_slip)."
    }

    public static func millions(_ x: Double?) -> String {
        guard let x else { return "–" }
        let text = String(format: "%.2f", x / 1e6)
        return text == "-0.00" ? "0.00" : text   // rounding residue of a zero, not a negative amount
    }
}
