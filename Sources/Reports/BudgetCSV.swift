import Statistics

/// `budget.csv`: the budget view as a tidy table a spreadsheet opens as is: one row per design,
/// period, measure and statistic; plain dollars, no thousands separators.
///
/// measure: `total_outlay`; `net_cost_vs_ffs`; `component:<name>` (mean paid in the period);
/// `difference` (paired, `design` minus `compared_with`).
public enum BudgetCSV {
    public static let header = "design,compared_with,period,measure,statistic,value,mcse"

    public static func render(_ budget: BudgetSummary) -> String {
        var lines = [header]
        func add(_ design: String, _ comparedWith: String, _ period: String, _ measure: String,
                 _ statistic: String, _ value: Double, _ mcse: Double?) {
            lines.append([ExposureCSV.quoted(design), ExposureCSV.quoted(comparedWith), ExposureCSV.quoted(period),
                          measure, statistic, ExposureCSV.number(value), mcse.map(ExposureCSV.number) ?? ""]
                .joined(separator: ","))
        }
        func addAppropriation(_ design: String, _ comparedWith: String, _ period: String, _ measure: String, _ a: Appropriation) {
            add(design, comparedWith, period, measure, "mean", a.mean.value, a.mean.mcse)
            add(design, comparedWith, period, measure, "sd", a.sd, nil)
            for level in a.levels {
                add(design, comparedWith, period, measure, ExposureCSV.percentileName(level.level), level.value, level.mcse)
            }
        }
        for design in budget.designs {
            for period in design.periods {
                addAppropriation(design.design, "", period.period, "total_outlay", period.totalOutlay)
                if let net = period.netCost {
                    addAppropriation(design.design, counterfactualLabel, period.period, "net_cost_vs_ffs", net)
                }
                for component in period.componentMeans {
                    add(design.design, "", period.period, "component:\(component.component)", "mean", component.mean, nil)
                }
            }
        }
        for comparison in budget.comparisons {
            addAppropriation(comparison.design, comparison.baseline, comparison.period, "difference", comparison.difference)
            add(comparison.design, comparison.baseline, comparison.period, "difference", "mean_ci95_low", comparison.meanLow, nil)
            add(comparison.design, comparison.baseline, comparison.period, "difference", "mean_ci95_high", comparison.meanHigh, nil)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
