import Statistics

/// `exposure.csv`: one row per design, size band, year and statistic (tidy), so a spreadsheet
/// pivot or an R/pandas filter needs no reshaping. Numbers are plain decimals, no separators.
public enum ExposureCSV {
    public static let header = "design,track,tier,size_band,year,statistic,unit,value,mcse"

    public static func render(_ summary: RunSummary) -> String {
        var lines = [header]
        for row in summary.exposure {
            func add(_ statistic: String, _ unit: String, _ value: Double, _ mcse: Double?) {
                lines.append([quoted(row.design), quoted(row.track), quoted(row.tier), quoted(row.sizeBand), quoted(row.year), statistic, unit,
                              number(value), mcse.map(number) ?? ""].joined(separator: ","))
            }
            add("expected_revenue", "dollars", row.expectedRevenue, nil)
            for (unit, distribution) in [("dollars", row.dollars), ("share_of_revenue", row.shareOfRevenue)] {
                add("mean", unit, distribution.mean.value, distribution.mean.mcse)
                add("sd", unit, distribution.sd, nil)
                for p in distribution.percentiles {
                    add(percentileName(p.level), unit, p.value, p.mcse)
                }
                add("expected_shortfall_95", unit, distribution.expectedShortfall95.value, distribution.expectedShortfall95.mcse)
                add("expected_shortfall_99", unit, distribution.expectedShortfall99.value, distribution.expectedShortfall99.mcse)
            }
            // The exposure's two parts: what the terms guarantee and what is at risk.
            for (part, distribution) in [("guaranteed", row.guaranteedShare), ("at_risk", row.atRiskShare)] {
                guard let distribution else { continue }
                add("\(part)_mean", "share_of_revenue", distribution.mean.value, distribution.mean.mcse)
                for p in distribution.percentiles {
                    add("\(part)_\(percentileName(p.level))", "share_of_revenue", p.value, p.mcse)
                }
            }
            for loss in row.lossProbabilities {
                add("prob_loss_worse_than_\(percentLabel(loss.lossShare))pct", "probability", loss.probability, loss.mcse)
            }
            add("prob_repayment", "probability", row.repaymentProbability.value, row.repaymentProbability.mcse)
            add("prob_shared_savings_paid", "probability", row.savingsPaidProbability.value, row.savingsPaidProbability.mcse)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func percentileName(_ level: Double) -> String { "p\(percentLabel(level))" }

    static func percentLabel(_ share: Double) -> String {
        let percent = share * 100
        return percent == percent.rounded() ? String(Int(percent)) : String(percent)
    }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "" }
        return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }

    static func quoted(_ text: String) -> String {
        text.contains(",") || text.contains("\"")
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
