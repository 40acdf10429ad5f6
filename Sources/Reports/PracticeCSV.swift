import Statistics

/// `practices.csv`: each practice of the roster under each design, one row per practice and
/// design (tidy), so a practice or an association can filter for itself. Shares are of the
/// practice's own expected FFS revenue over the program; negative is a loss.
public enum PracticeCSV {
    public static let header = "practice,size_band,region,members,expected_revenue_dollars,design,"
        + "p5_share_of_revenue,p5_mcse,p50_share_of_revenue,p50_mcse,prob_loss_worse_than_5pct,prob_mcse"

    public static func render(_ summary: RunSummary) -> String {
        var lines = [header]
        for practice in summary.practiceResults ?? [] {
            for result in practice.designs {
                lines.append([ExposureCSV.quoted(practice.practice), ExposureCSV.quoted(practice.sizeBand),
                              ExposureCSV.quoted(practice.region), String(practice.members),
                              ExposureCSV.number(practice.expectedRevenue.rounded()), ExposureCSV.quoted(result.design),
                              ExposureCSV.number(result.p5.value), result.p5.mcse.map(ExposureCSV.number) ?? "",
                              ExposureCSV.number(result.p50.value), result.p50.mcse.map(ExposureCSV.number) ?? "",
                              ExposureCSV.number(result.lossBeyond5.value), result.lossBeyond5.mcse.map(ExposureCSV.number) ?? ""]
                    .joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
