import Statistics

/// `budget.csv`: the budget view as a tidy table a spreadsheet opens as is: one row per design,
/// period, measure and statistic; plain dollars (unit `USD`), no thousands separators.
///
/// period_type: `fiscal year`, `half year`, `whole program`, or a partial or settlements-only one
/// (`PeriodBudget.periodType`). measure: `total_outlay`; `net_cost_vs_ffs`; `component:<name>`
/// (mean paid in the period; `component:admin: NAME` for an administrative item);
/// `state_share:` and `federal_share:` before a measure for the split with `budget.federal_match`; `difference` (paired, `design` minus `compared_with`).
public enum BudgetCSV {
    public static let header = "design,compared_with,period,period_type,measure,statistic,unit,value,mcse"

    public static func render(_ budget: BudgetSummary) -> String {
        var lines = [header]
        var types: [String: String] = [:]
        for design in budget.designs { for period in design.periods { types[period.period] = period.periodType } }
        func add(_ design: String, _ comparedWith: String, _ period: String, _ measure: String,
                 _ statistic: String, _ value: Double, _ mcse: Double?) {
            lines.append([ExposureCSV.quoted(design), ExposureCSV.quoted(comparedWith), ExposureCSV.quoted(period),
                          ExposureCSV.quoted(types[period] ?? ""), measure, statistic, "USD", ExposureCSV.number(value),
                          mcse.map(ExposureCSV.number) ?? ""]
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
                    addAppropriation(design.design, budget.netAgainst ?? counterfactualLabel, period.period,
                                     budget.netAgainst == nil ? "net_cost_vs_ffs" : "net_cost_vs_status_quo", net)
                }
                let netMeasure = budget.netAgainst == nil ? "net_cost_vs_ffs" : "net_cost_vs_status_quo"
                for (share, outlay, net) in [("state", period.stateOutlay, period.stateNetCost),
                                             ("federal", period.federalOutlay, period.federalNetCost)] {
                    if let outlay { addAppropriation(design.design, "", period.period, "\(share)_share:total_outlay", outlay) }
                    if let net {
                        addAppropriation(design.design, budget.netAgainst ?? counterfactualLabel, period.period,
                                         "\(share)_share:\(netMeasure)", net)
                    }
                }
                if let atStake = period.settlementsAtStake {
                    add(design.design, "", period.period, "settlements_dependent_on_timing", "mean", atStake, nil)
                }
                if let incurred = period.incurredMean { add(design.design, "", period.period, "incurred_outlay", "mean", incurred, nil) }
                if let unpaid = period.unpaidClaimsAtEnd { add(design.design, "", period.period, "unpaid_claims_at_end", "mean", unpaid, nil) }
                for component in period.componentMeans {
                    add(design.design, "", period.period, "component:\(component.component)", "mean", component.mean, nil)
                }
            }
        }
        for comparison in budget.comparisons {
            addAppropriation(comparison.design, comparison.baseline, comparison.period, "difference", comparison.difference)
            if let state = comparison.stateDifference {
                addAppropriation(comparison.design, comparison.baseline, comparison.period, "state_share:difference", state)
            }
            add(comparison.design, comparison.baseline, comparison.period, "difference", "mean_ci95_low", comparison.meanLow, nil)
            add(comparison.design, comparison.baseline, comparison.period, "difference", "mean_ci95_high", comparison.meanHigh, nil)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `appropriations.csv`: the appropriation table for a budget memo, one row per design, fiscal
/// period (fiscal years, then the whole program; periods with nothing paid left out) and measure
/// (`total outlay`, `net cost vs FFS`), its levels in columns, in $ millions as plain numbers a
/// spreadsheet reads as numbers.
public enum AppropriationsCSV {
    public static func levels(_ budget: BudgetSummary) -> [Double] {
        Array(Set(BudgetSummary.standardLevels + [budget.confidence])).sorted()
    }

    public static func header(_ budget: BudgetSummary) -> String {
        (["design", "period", "period_type", "measure", "mean ($ millions)"]
            + levels(budget).map { "P\(Formatting.levelLabel($0)) ($ millions)" }).joined(separator: ",")
    }

    public static func render(_ budget: BudgetSummary) -> String {
        var lines = [header(budget)]
        let levels = levels(budget)
        func millions(_ dollars: Double?) -> String {
            guard let dollars, dollars.isFinite else { return "" }
            let text = String(format: "%.3f", dollars / 1e6)
            return text == "-0.000" ? "0.000" : text
        }
        for design in budget.designs {
            for period in design.periods where !period.isHalfYear && !period.isEmpty {
                // The state's share first: it is what the state appropriates.
                var measures: [(String, Appropriation)] = []
                if let state = period.stateOutlay { measures.append(("state share of outlay", state)) }
                if let state = period.stateNetCost { measures.append(("state share of net cost vs \(budget.netReference)", state)) }
                measures.append(("total outlay", period.totalOutlay))
                if let net = period.netCost { measures.append(("net cost vs \(budget.netReference)", net)) }
                if let federal = period.federalOutlay { measures.append(("federal share of outlay", federal)) }
                if let federal = period.federalNetCost { measures.append(("federal share of net cost vs \(budget.netReference)", federal)) }
                for (measure, amount) in measures {
                    let cells = [ExposureCSV.quoted(design.design), ExposureCSV.quoted(period.period),
                                 ExposureCSV.quoted(period.periodType), measure, millions(amount.mean.value)]
                        + levels.map { millions(amount.level($0)?.value) }
                    lines.append(cells.joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
