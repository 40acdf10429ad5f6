import Foundation
import Statistics

/// `report.html`: one self-contained page (inline CSS and SVG, no network; one short script only
/// sorts the practice table) rendered
/// only from the summary model. It opens with the answer in words, then the charts and tables the
/// subcommittee and budget staff use, then the assumptions and the Monte Carlo precision.
public enum HTMLReport {
    /// - Parameter histogramBand: size band whose exposure histogram is drawn (default: the
    ///   smallest band with practices).
    public static func render(_ summary: RunSummary, histogramBand: String? = nil) -> String {
        let program = summary.exposure.filter { $0.year == wholeProgramLabel }
        let bands = summary.sizeBands.filter { $0.practices > 0 }.map(\.name)
        let chosenBand = histogramBand.flatMap { bands.contains($0) ? $0 : nil } ?? bands.first ?? ""
        var body = ""
        body += header(summary)
        body += answer(summary, program: program, smallest: bands.first ?? "")
        body += termSheets(summary.designTerms ?? [])
        body += guaranteedAndAtRisk(program)
        body += "<h2 id=\"exposure\">Practice exposure by size band, designs side by side</h2>"
        body += "<p class=\"note\">Exposure is the practice's result under the design minus what pure fee-for-service would have paid it in the same simulated future, over the whole program, as a share of its expected FFS revenue. Negative values are losses. Each size band's charts overlay the designs, and every band's charts share one scale, so bars and curves compare by eye across designs and bands.</p>"
        let ladderRange = sharedRange(program)
        let exceedanceTop = program.flatMap { $0.exceedance.map(\.probability) }.max() ?? 0
        for band in bands {
            let rows = program.filter { $0.sizeBand == band }
            guard !rows.isEmpty else { continue }
            body += "<section class=\"design\"><h3>Practices of \(escape(band)) members</h3>"
            body += ladderChart(rows, title: "\(band) members: exposure percentiles by design (P1–P99)", range: ladderRange)
            body += exceedanceChart(rows, title: "\(band) members: loss-exceedance by design", top: exceedanceTop,
                                    subject: "practices of \(band) members")
            body += "</section>"
        }
        body += comparisonTable(program)
        body += practiceTable(summary)
        body += histogramSection(program, band: chosenBand, designs: summary.designs)
        body += budgetSection(summary.budget)
        if let uncertainty = summary.uncertainty { body += UncertaintyReport.htmlSection(uncertainty) }
        body += assumptions(summary, program: program)
        return page(title: "apmrisk: \(summary.scenario.name)", body: body)
    }

    // MARK: - Sections

    static func header(_ s: RunSummary) -> String {
        let years = s.settings.yearLabels
        return "<header><h1>\(escape(s.scenario.name))</h1>"
            + (s.scenario.description.isEmpty ? "" : "<p>\(escape(s.scenario.description))</p>")
            + "<p class=\"facts\">\(s.settings.trials) simulated futures · program years \(escape(years.first ?? ""))–\(escape(years.last ?? "")) · seed \(s.settings.seed) · \(s.designs.count) designs compared on the same simulated world</p></header>"
    }

    static func answer(_ s: RunSummary, program: [ExposureSummary], smallest: String) -> String {
        var items = ""
        for design in s.designs {
            for row in program where row.design == design && row.sizeBand == smallest {
                guard let loss5 = row.lossProbabilities.first(where: { abs($0.lossShare - 0.05) < 1e-9 }),
                      let p5 = row.shareOfRevenue.percentile(0.05) else { continue }
                let group = row.track == "all" && row.tier == "all" ? "" : " (\(row.track), \(row.tier))"
                let dollars = row.dollars.percentile(0.05).map { " (\(practiceDollars(abs($0.value))) for a typical practice of the band)" } ?? ""
                // A gain stated as a gain, a loss as a loss.
                let badOutcome = abs(p5.value) < 0.0005
                    ? "in a 1-in-20 bad outcome (P5) it neither gains nor loses (<strong>0.0%</strong> of revenue)"
                    : p5.value >= 0
                    ? "even in a 1-in-20 bad outcome (P5) it gains <strong>\(percent(p5.value))</strong> of revenue\(dollars)"
                    : "in a 1-in-20 bad outcome (P5) it loses <strong>\(percent(-p5.value))</strong> of revenue\(dollars)"
                items += "<li>Under <strong>\(escape(design))</strong>\(escape(group)), a practice of <strong>\(escape(row.sizeBand))</strong> members loses more than 5% of its expected revenue over the program in <strong>\(percent(loss5.probability, digits: 0))</strong> of simulated futures\(oneIn(loss5.probability)); \(badOutcome); it owes a shared-loss repayment in \(percent(row.repaymentProbability.value, digits: 0)) of futures and is paid shared savings in \(percent(row.savingsPaidProbability.value, digits: 0)).\(split(row))</li>"
            }
        }
        var budget = ""
        if let first = s.budget.designs.first,
           let total = first.periods.first(where: \.isWholeProgram),
           let net = total.appropriatedNet, let p90 = net.level(0.9) {
            let stateShare = total.stateNetCost != nil ? " (its own share, after the federal match)" : ""
            let direction = net.mean.value >= 0 ? "costs the state\(stateShare) \(millions(net.mean.value)) more than" : "saves the state\(stateShare) \(millions(-net.mean.value)) against"
            let reference = s.budget.netAgainst.map { "the status quo (\(escape($0)))" } ?? "pure FFS"
            let above = s.budget.netAgainst.map { "the status quo (\(escape($0)))" } ?? "FFS"
            budget = "<p>Budget: over the whole program, <strong>\(escape(first.design))</strong> \(direction) \(reference) on average; an appropriation of \(millions(p90.value)) above \(above) covers 9 futures in 10. See the budget section for every design and fiscal year.</p>"
        }
        return "<section id=\"answer\"><h2>The answer in brief</h2><ul>\(items)</ul>\(budget)\(firstScreenTables(s, program: program))</section>"
    }

    /// The answer's sentence on what the terms guarantee and what they put at risk.
    static func split(_ row: ExposureSummary) -> String {
        guard let given = row.guaranteedShare, let risk = row.atRiskShare, let riskP5 = risk.percentile(0.05) else { return "" }
        let guaranteed = abs(given.mean.value) < 0.0005 ? "guarantee it nothing beyond FFS on average"
            : given.mean.value > 0 ? "guarantee it <strong>\(percent(given.mean.value))</strong> of revenue more than FFS on average"
            : "cost it <strong>\(percent(-given.mean.value))</strong> of revenue on average before any settlement (its investment exceeds what the terms add)"
        let bad = riskP5.value < -0.0005 ? "a loss of <strong>\(percent(-riskP5.value))</strong>" : riskP5.value > 0.0005 ? "a gain of \(percent(riskP5.value))" : "nothing"
        return " Its terms \(guaranteed); what is at risk (shared savings or losses, quality money) averages \(signedPercent(risk.mean.value)) and is \(bad) in a 1-in-20 bad outcome."
    }

    /// The first screen's two tables: each design's practice risk by size band, and its net cost
    /// to the program at the budget's levels.
    static func firstScreenTables(_ s: RunSummary, program: [ExposureSummary]) -> String {
        let showTiers = program.contains { $0.track != "all" || $0.tier != "all" }
        var html = "<table class=\"first\"><thead><tr><th>Design</th>\(showTiers ? "<th>Track / tier</th>" : "")<th>Size band</th><th>P(loss &gt; 5%)</th><th>P5, % of revenue</th><th>P5, $ (typical practice)</th><th>P(owing a repayment)</th><th>P(shared savings paid)</th></tr></thead><tbody>"
        for row in program {
            let loss5 = row.lossProbabilities.first { abs($0.lossShare - 0.05) < 1e-9 }
            let group = showTiers ? "<td>\(escape(row.track)) / \(escape(row.tier))</td>" : ""
            html += "<tr><td>\(escape(row.design))</td>\(group)<td>\(escape(row.sizeBand))</td>"
            html += "<td class=\"num\">\(percent(loss5?.probability ?? 0))</td><td class=\"num\">\(signedPercent(row.shareOfRevenue.percentile(0.05)?.value ?? 0))</td>"
            html += "<td class=\"num\">\(row.dollars.percentile(0.05).map { signedDollars($0.value) } ?? "–")</td>"
            html += "<td class=\"num\">\(percent(row.repaymentProbability.value))</td><td class=\"num\">\(percent(row.savingsPaidProbability.value))</td></tr>"
        }
        html += "</tbody></table>"
        let levels = [0.5, 0.9, 0.95]
        html += "<table class=\"first\"><thead><tr><th>Design</th><th>\(s.budget.splitsShares ? "State share of net cost" : "Net cost") vs \(escape(s.budget.netReference)) over the program, mean ($ millions)</th>" + levels.map { "<th>P\(Formatting.levelLabel($0)) ($ millions)</th>" }.joined() + "</tr></thead><tbody>"
        for design in s.budget.designs {
            guard let whole = design.periods.first(where: \.isWholeProgram), let net = whole.appropriatedNet else { continue }
            html += "<tr><td>\(escape(design.design))</td><td class=\"num\">\(millionsNumber(net.mean.value))</td>"
                + levels.map { "<td class=\"num\">\(millionsNumber(net.level($0)?.value))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table><p class=\"note\">Exposure is over the whole program, against what pure FFS would have paid the same practice in the same simulated future; P5 is the 1-in-20 bad outcome (negative: a loss). Net cost is what the design costs \(s.budget.splitsShares ? "the state, after the federal match," : "the payer") above \(s.budget.netAgainst.map { "the status quo, " + escape($0) + "," } ?? "pure FFS") (negative: it saves). Monte Carlo errors are in the design comparison and budget sections.</p>"
    }

    /// Whole dollars with thousands separators: $123,456.
    static func practiceDollars(_ x: Double) -> String { "$" + Formatting.groupedDigits(Int(x.rounded())) }

    /// Each design's term sheet: per track (and who it takes) and tier, one row per term.
    static func termSheets(_ designs: [DesignTerms]) -> String {
        guard !designs.isEmpty else { return "" }
        var html = "<h2 id=\"terms\">What each design is</h2><p class=\"note\">Each design's terms as the scenario sets them. Guaranteed payments (prospective payment, add-ons) are paid whatever happens; shared savings and losses depend on the practice's total cost of care against its benchmark.</p>"
        for design in designs {
            html += "<section class=\"design\"><h3>\(escape(design.design))</h3>"
            for track in design.tracks {
                for tier in track.tiers {
                    let heading = track.tiers.count == 1 ? escape(track.name) : "\(escape(track.name)): \(escape(tier.name))"
                    let placement = track.tiers.count == 1 ? track.placement : "\(track.placement); tier: \(tier.placement)"
                    html += "<table class=\"terms\"><thead><tr><th colspan=\"2\">\(heading) <span class=\"flag\">(\(escape(placement)))</span></th></tr></thead><tbody>"
                    html += tier.terms.map { "<tr><td>\(escape($0.term))</td><td>\(escape($0.value))</td></tr>" }.joined()
                    html += "</tbody></table>"
                }
            }
            html += "</section>"
        }
        return html
    }

    /// Each design's exposure split into what its terms guarantee and what it puts at risk, per
    /// size band: an upside-only design's add-ons are not a lottery win, and a two-sided design's
    /// prospective payment is not a loss.
    static func guaranteedAndAtRisk(_ program: [ExposureSummary]) -> String {
        let rows = program.filter { $0.guaranteedShare != nil && $0.atRiskShare != nil }
        guard !rows.isEmpty else { return "" }
        let showTiers = rows.contains { $0.track != "all" || $0.tier != "all" }
        var html = "<h2 id=\"given\">What each design gives, and what it puts at risk</h2>"
        html += "<p class=\"note\">A practice's exposure in two parts, over the whole program, as % of its expected FFS revenue (dollars for a practice of the band's average revenue). <strong>Guaranteed</strong>: what the design's terms pay whatever its patients' cost of care — prospective payment against the FFS it replaces, add-ons — less the practice's own investment (its care team). <strong>At risk</strong>: shared savings or losses and net quality money, which depend on the practice's cost and quality against its benchmark. The two add up to the exposure.</p>"
        html += "<table class=\"first\"><thead><tr><th>Design</th>\(showTiers ? "<th>Track / tier</th>" : "")<th>Size band</th><th>Guaranteed, mean</th><th>Guaranteed, $ (typical practice)</th><th>At risk, P5</th><th>At risk, mean</th><th>At risk, P95</th><th>At risk P5, $ (typical practice)</th></tr></thead><tbody>"
        for row in rows {
            guard let given = row.guaranteedShare, let risk = row.atRiskShare else { continue }
            let group = showTiers ? "<td>\(escape(row.track)) / \(escape(row.tier))</td>" : ""
            let riskP5 = risk.percentile(0.05)?.value ?? 0
            html += "<tr><td>\(escape(row.design))</td>\(group)<td>\(escape(row.sizeBand))</td>"
            html += "<td class=\"num\">\(signedPercent(given.mean.value))</td><td class=\"num\">\(signedDollars(given.mean.value * row.expectedRevenue))</td>"
            html += "<td class=\"num\">\(signedPercent(riskP5))</td><td class=\"num\">\(signedPercent(risk.mean.value))</td>"
            html += "<td class=\"num\">\(signedPercent(risk.percentile(0.95)?.value ?? 0))</td><td class=\"num\">\(signedDollars(riskP5 * row.expectedRevenue))</td></tr>"
        }
        return html + "</tbody></table>"
    }

    /// Whole dollars with a sign for losses: −$12,345.
    static func signedDollars(_ x: Double) -> String { (x <= -0.5 ? "−" : "") + practiceDollars(abs(x)) }

    /// The P1–P99 range of every row, with zero, padded: one scale for every band's ladder.
    static func sharedRange(_ rows: [ExposureSummary]) -> ClosedRange<Double> {
        let values: [Double] = rows.flatMap { row in
            row.shareOfRevenue.percentiles.filter { $0.level >= 0.01 && $0.level <= 0.99 }.map(\.value)
        } + [0]
        let low = values.min() ?? -0.1, high = values.max() ?? 0.1
        let pad = (high - low) * 0.05 + 1e-6
        return (low - pad)...(high + pad)
    }

    static func ladderChart(_ rows: [ExposureSummary], title: String, range: ClosedRange<Double>) -> String {
        let rowHeight = 34.0
        let labels = rows.map(designLabel)
        // Room for the longest label on one line, up to 40% of the chart; longer ones wrap.
        let widest = labels.map { SVGText.width($0, size: SVGFrame.tickSize) }.max() ?? 0
        let left = min(max(widest + 16, 90), 256)
        let legend: [(String, String)] = [
            ("P1–P99 range", "<line x1=\"0\" y1=\"5\" x2=\"24\" y2=\"5\" stroke=\"#000\"/>"),
            ("P5–P95", "<rect x=\"0\" y=\"0\" width=\"24\" height=\"10\" fill=\"#ddd\" stroke=\"#000\"/>"),
            ("P10–P90", "<rect x=\"0\" y=\"0\" width=\"24\" height=\"10\" fill=\"#999\" stroke=\"#000\"/>"),
            ("median (P50)", "<line x1=\"12\" y1=\"0\" x2=\"12\" y2=\"10\" stroke=\"#000\" stroke-width=\"3\"/>"),
        ]
        let frame = SVGFrame(title: title, legend: legend, plotHeight: rowHeight * Double(rows.count), left: left,
                             x: range, y: 0...Double(max(rows.count, 1)))
        let ticks = niceTicks(frame.xRange).map { ($0, signedPercent($0, digits: 0)) }
        var svg = frame.open(xLabel: "Exposure over the program, % of expected revenue", yLabel: "", xTicks: ticks, yTicks: [])
        svg += "<line x1=\"\(n(frame.x(0)))\" y1=\"\(n(frame.top))\" x2=\"\(n(frame.x(0)))\" y2=\"\(n(frame.y(0)))\" class=\"zero\"/>"
        for (k, row) in rows.enumerated() {
            let center = frame.y(Double(rows.count - k) - 0.5)
            let p = { (level: Double) in row.shareOfRevenue.percentile(level)?.value ?? 0 }
            svg += SVGFrame.rightAlignedLabel(labels[k], right: frame.left - 8, y: center, width: frame.left - 14)
            svg += "<line x1=\"\(n(frame.x(p(0.01))))\" y1=\"\(n(center))\" x2=\"\(n(frame.x(p(0.99))))\" y2=\"\(n(center))\" stroke=\"#000\"/>"
            for level in [0.01, 0.99] {
                svg += "<line x1=\"\(n(frame.x(p(level))))\" y1=\"\(n(center - 5))\" x2=\"\(n(frame.x(p(level))))\" y2=\"\(n(center + 5))\" stroke=\"#000\"/>"
            }
            svg += "<rect x=\"\(n(frame.x(p(0.05))))\" y=\"\(n(center - 9))\" width=\"\(n(max(frame.x(p(0.95)) - frame.x(p(0.05)), 1)))\" height=\"18\" fill=\"#ddd\" stroke=\"#000\"/>"
            svg += "<rect x=\"\(n(frame.x(p(0.10))))\" y=\"\(n(center - 9))\" width=\"\(n(max(frame.x(p(0.90)) - frame.x(p(0.10)), 1)))\" height=\"18\" fill=\"#999\" stroke=\"#000\"/>"
            svg += "<line x1=\"\(n(frame.x(p(0.5))))\" y1=\"\(n(center - 11))\" x2=\"\(n(frame.x(p(0.5))))\" y2=\"\(n(center + 11))\" stroke=\"#000\" stroke-width=\"3\"/>"
        }
        return svg + SVGFrame.close
    }

    /// A design's name in a band's charts, with its tier where the design has tiers.
    static func designLabel(_ row: ExposureSummary) -> String {
        row.track == "all" && row.tier == "all" ? row.design : "\(row.design) · \(row.tier)"
    }

    /// - Parameter top: the highest probability of any band's curve, so every band shares a scale.
    static func exceedanceChart(_ rows: [ExposureSummary], title: String, top: Double, subject: String) -> String {
        let highest = rows.flatMap { $0.exceedance.map(\.probability) }.max() ?? 0
        guard highest > 0 else {
            return "<p class=\"note\">Loss-exceedance: under no design did \(escape(subject)) lose money over the program in any simulated future, so there is no curve to draw.</p>"
        }
        let legend: [(String, String)] = rows.indices.map { k in
            let style = lineStyles[k % lineStyles.count]
            return (designLabel(rows[k]), "<line x1=\"0\" y1=\"5\" x2=\"24\" y2=\"5\" stroke=\"\(style.gray)\" stroke-width=\"2\" stroke-dasharray=\"\(style.dash)\"/>" + marker(style.marker, x: 12, y: 5, gray: style.gray))
        }
        let frame = SVGFrame(title: title, legend: legend, plotHeight: 192,
                             x: 0...((rows.first?.exceedance.last?.lossShare ?? 1) * 100), y: 0...max(top * 100, 1))
        let xTicks = niceTicks(frame.xRange).map { ($0, "\(Int($0.rounded()))%") }
        let yTicks = niceTicks(frame.yRange, count: 5).map { ($0, "\(format($0))%") }
        var svg = frame.open(xLabel: "Loss over the program, % of expected revenue",
                             yLabel: "Probability of a worse loss (%)", xTicks: xTicks, yTicks: yTicks)
        for (k, row) in rows.enumerated() {
            let style = lineStyles[k % lineStyles.count]
            let points = row.exceedance.map { (frame.x($0.lossShare * 100), frame.y($0.probability * 100)) }
            let path = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(n($0.element.0)) \(n($0.element.1))" }.joined()
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(style.gray)\" stroke-width=\"2\" stroke-dasharray=\"\(style.dash)\"/>"
            svg += points.map { marker(style.marker, x: $0.0, y: $0.1, gray: style.gray) }.joined()
        }
        return svg + SVGFrame.close
    }

    static func comparisonTable(_ program: [ExposureSummary]) -> String {
        var html = "<h2 id=\"comparison\">Design comparison</h2><p class=\"note\">Whole program, exposure as % of expected revenue; ± is the Monte Carlo standard error.</p>"
        let showTiers = program.contains { $0.track != "all" || $0.tier != "all" }
        html += "<table><thead><tr><th>Design</th>\(showTiers ? "<th>Track / tier</th>" : "")<th>Size band</th><th>Practices</th><th>Mean</th><th>P5</th><th>P1</th><th>ES95</th><th>P(loss &gt; 5%)</th><th>P(repay)</th><th>P(shared savings)</th></tr></thead><tbody>"
        for row in program {
            let share = row.shareOfRevenue
            let loss5 = row.lossProbabilities.first { abs($0.lossShare - 0.05) < 1e-9 }
            let group = showTiers ? "<td>\(escape(row.track)) / \(escape(row.tier))</td>" : ""
            html += "<tr><td>\(escape(row.design))</td>\(group)<td>\(escape(row.sizeBand))</td><td class=\"num\">\(row.practices)</td>"
            html += "<td class=\"num\">\(signedPercent(share.mean.value))</td>"
            html += "<td class=\"num\">\(withError(share.percentile(0.05)))</td><td class=\"num\">\(withError(share.percentile(0.01)))</td>"
            html += "<td class=\"num\">\(signedPercent(share.expectedShortfall95.value))</td>"
            html += "<td class=\"num\">\(percent(loss5?.probability ?? 0))</td><td class=\"num\">\(probability(row.repaymentProbability))</td><td class=\"num\">\(probability(row.savingsPaidProbability))</td></tr>"
        }
        return html + "</tbody></table>"
    }

    /// Every practice of the roster under every design, sortable by any column (a short inline
    /// script; without it the table still reads, in roster order).
    static func practiceTable(_ s: RunSummary) -> String {
        guard let practices = s.practiceResults, !practices.isEmpty else { return "" }
        var html = "<h2 id=\"practices\">Each practice under each design</h2><p class=\"note\">Whole program, as % of the practice's own expected FFS revenue: P5 (the 1-in-20 bad outcome) and the probability of losing more than 5%, for each of the \(practices.count) practices; click a column heading to sort. Medians and Monte Carlo errors are in practices.csv. A single practice's P5 rests on \(s.settings.trials) simulated futures only, so it is far less precise than a band's.</p>"
        html += "<details><summary>Show the table (\(practices.count) practices)</summary><table class=\"sortable\"><thead><tr><th>Practice</th><th>Size band</th><th>Region</th><th>Members</th>"
        for design in s.designs { html += "<th>\(escape(design)): P5</th><th>\(escape(design)): P(loss &gt; 5%)</th>" }
        html += "</tr></thead><tbody>"
        for practice in practices {
            html += "<tr><td>\(escape(practice.practice))</td><td>\(escape(practice.sizeBand))</td><td>\(escape(practice.region))</td><td class=\"num\" data-sort=\"\(practice.members)\">\(Formatting.groupedDigits(practice.members))</td>"
            for result in practice.designs {
                html += "<td class=\"num\" data-sort=\"\(result.p5.value)\">\(signedPercent(result.p5.value))</td>"
                html += "<td class=\"num\" data-sort=\"\(result.lossBeyond5.value)\">\(percent(result.lossBeyond5.value))</td>"
            }
            html += "</tr>"
        }
        return html + "</tbody></table></details>" + sortScript
    }

    /// Sorts a `table.sortable` by the clicked column: numbers by their data-sort value, text
    /// alphabetically; a second click reverses.
    static let sortScript = """
        <script>
        document.querySelectorAll("table.sortable").forEach(function (table) {
          table.querySelectorAll("th").forEach(function (th, column) {
            th.style.cursor = "pointer"; th.title = "Sort by this column";
            th.addEventListener("click", function () {
              var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
              var up = th.getAttribute("data-order") !== "up";
              table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("data-order"); });
              th.setAttribute("data-order", up ? "up" : "down");
              function key(row) { var c = row.cells[column]; var v = c.getAttribute("data-sort"); return v === null ? c.textContent : parseFloat(v); }
              rows.sort(function (a, b) { var x = key(a), y = key(b); var r = typeof x === "number" ? x - y : String(x).localeCompare(String(y)); return up ? r : -r; });
              rows.forEach(function (row) { body.appendChild(row); });
            });
          });
        });
        </script>
        """

    static func histogramSection(_ program: [ExposureSummary], band: String, designs: [String]) -> String {
        var html = "<h2 id=\"histogram\">Distribution of exposure: \(escape(band)) members</h2><p class=\"note\">Share of simulated practice-programs by exposure over the program; the tails are clipped at the 0.5th and 99.5th percentiles.</p>"
        for design in designs {
            for row in program where row.design == design && row.sizeBand == band {
                guard let histogram = row.histogram, !histogram.counts.isEmpty else { continue }
                let total = histogram.counts.reduce(0, +)
                let highest = Double(histogram.counts.max() ?? 1) / Double(max(total, 1)) * 100
                let upper = histogram.lower + histogram.width * Double(histogram.counts.count)
                let group = row.track == "all" && row.tier == "all" ? "" : " (\(row.track), \(row.tier))"
                let frame = SVGFrame(title: "\(design)\(group): exposure, \(band) members", plotHeight: 152,
                                     x: histogram.lower * 100...upper * 100, y: 0...max(highest, 0.1))
                var svg = frame.open(xLabel: "Exposure over the program, % of expected revenue", yLabel: "% of practice-programs",
                                     xTicks: niceTicks(frame.xRange).map { ($0, "\(format($0))%") },
                                     yTicks: niceTicks(frame.yRange, count: 4).map { ($0, "\(format($0))%") })
                for (k, count) in histogram.counts.enumerated() {
                    let x0 = frame.x((histogram.lower + Double(k) * histogram.width) * 100)
                    let x1 = frame.x((histogram.lower + Double(k + 1) * histogram.width) * 100)
                    let top = frame.y(Double(count) / Double(max(total, 1)) * 100)
                    svg += "<rect x=\"\(n(x0))\" y=\"\(n(top))\" width=\"\(n(max(x1 - x0 - 1, 0.5)))\" height=\"\(n(frame.y(0) - top))\" fill=\"#888\" stroke=\"#000\" stroke-width=\"0.5\"/>"
                }
                if frame.xRange.contains(0) {
                    svg += "<line x1=\"\(n(frame.x(0)))\" y1=\"\(n(frame.top))\" x2=\"\(n(frame.x(0)))\" y2=\"\(n(frame.y(0)))\" class=\"zero\"/>"
                }
                html += svg + SVGFrame.close
            }
        }
        return html
    }

    static func budgetSection(_ budget: BudgetSummary) -> String {
        var html = "<h2 id=\"budget\">Budget: what the program costs the state</h2>"
        html += "<p class=\"note\">Payer outlay (claims and every payment to practices, less withholds and collected recoupments) by state fiscal year, as paid: settlements \(budget.settlementLagMonths) months after each program year, recoupments \(budget.recoupmentLagMonths) months after at \(percent(budget.recoupmentCollectionRate, digits: 0)) collected. Fiscal years start in month \(budget.fiscalYearStartMonth) and are named by the year they end in.</p>"
        let splitsShares = budget.splitsShares
        if splitsShares {
            html += "<p class=\"note\"><strong>Tables and charts show the state's share</strong>: what the state appropriates, the outlay less the federal match (FMAP by member class, blended by each class's share of expected cost, at the rate of the federal fiscal year, starting October 1, in which each dollar is paid; administrative items at their own match rate). The total and federal shares are beside it, and in budget.csv and appropriations.csv.</p>"
        }
        let levels = Array(Set(BudgetSummary.standardLevels + [budget.confidence])).sorted()
        let who = splitsShares ? "state share of outlay" : "total outlay"

        for design in budget.designs {
            let years = design.periods.filter { !$0.isHalfYear && !$0.isWholeProgram }
            html += "<section class=\"design\"><h3>\(escape(design.design))</h3>"
            html += fanChart(years, title: "\(design.design): \(who) by fiscal year",
                             yLabel: splitsShares ? "State share of outlay, $ millions" : "Payer outlay, $ millions") { $0.appropriated }
            if design.periods.contains(where: { $0.netCost != nil }) {
                html += fanChart(years, title: "\(design.design): \(splitsShares ? "state share of " : "")net cost vs \(budget.netReference) by fiscal year",
                                 yLabel: "Outlay minus \(budget.netReference), $ millions") {
                    $0.appropriatedNet ?? $0.appropriated
                }
            }
            html += "<p class=\"note\">Amounts in $ millions. Partial fiscal years (the program starts or ends inside them) and years with settlements only are marked; years with nothing paid are left out. The same table is in appropriations.csv.</p>"
            html += "<table>" + (splitsShares ? "<caption>State share of outlay (what the state appropriates), $ millions; the total and the federal share at the right</caption>" : "")
            html += "<thead><tr><th>Fiscal period</th><th>Mean</th>" + levels.map { "<th>P\(Formatting.levelLabel($0))\(splitsShares ? "" : " appropriation")</th>" }.joined()
            html += !design.periods.contains(where: { $0.netCost != nil }) ? ""
                : "<th>Net vs \(escape(budget.netReference)), mean</th><th>Net vs \(escape(budget.netReference)), P\(Formatting.levelLabel(budget.confidence))</th>"
            let incurred = design.periods.contains { $0.incurredMean != nil }
            html += incurred ? (splitsShares ? "<th>Total incurred, mean</th><th>Total unpaid claims at end, mean</th>"
                                : "<th>Incurred (claims by month of service), mean</th><th>Claims incurred, unpaid at period end, mean</th>") : ""
            html += splitsShares ? "<th>Total outlay, mean</th><th>Federal share, mean</th>" : ""
            html += "</tr></thead><tbody>"
            for period in design.periods where !period.isHalfYear && !period.isEmpty {
                let type = period.periodType
                let flag = type == "fiscal year" || type == "whole program" ? "" : " <span class=\"flag\">(\(escape(type)))</span>"
                html += "<tr><td>\(escape(period.period))\(flag)</td><td class=\"num\">\(millionsNumber(period.appropriated.mean.value))</td>"
                html += levels.map { "<td class=\"num\">\(millionsNumber(period.appropriated.level($0)?.value))</td>" }.joined()
                if let net = period.appropriatedNet {
                    html += "<td class=\"num\">\(millionsNumber(net.mean.value))</td><td class=\"num\">\(millionsNumber(net.level(budget.confidence)?.value))</td>"
                }
                if incurred {
                    html += "<td class=\"num\">\(millionsNumber(period.incurredMean))</td><td class=\"num\">\(period.unpaidClaimsAtEnd.map { millionsNumber($0) } ?? "–")</td>"
                }
                if splitsShares {
                    html += "<td class=\"num\">\(millionsNumber(period.totalOutlay.mean.value))</td><td class=\"num\">\(millionsNumber(period.federalOutlay?.mean.value))</td>"
                }
                html += "</tr>"
            }
            html += "</tbody></table>"
            if let note = BudgetTable.timingNote(design) { html += "<p class=\"note\"><strong>\(escape(note))</strong></p>" }
            html += componentsTable(design)
            html += halfYearsTable(design, levels: levels)
            html += "</section>"
        }
        let whole = budget.comparisons.filter { $0.period == wholeProgramLabel }
        if !whole.isEmpty {
            html += "<h3>Designs compared on the same simulated futures</h3><table><thead><tr><th>Difference</th><th>Mean</th><th>95% CI of mean</th><th>P5</th><th>P95</th>\(splitsShares ? "<th>State share, mean</th>" : "")</tr></thead><tbody>"
            for c in whole {
                html += "<tr><td>\(escape(c.design)) − \(escape(c.baseline))</td><td class=\"num\">\(millions(c.difference.mean.value))</td><td class=\"num\">\(millions(c.meanLow)) to \(millions(c.meanHigh))</td><td class=\"num\">\(millions(c.difference.level(0.05)?.value ?? 0))</td><td class=\"num\">\(millions(c.difference.level(0.95)?.value ?? 0))</td>"
                html += (c.stateDifference.map { "<td class=\"num\">\(millions($0.mean.value))</td>" } ?? "") + "</tr>"
            }
            html += "</tbody></table>"
        }
        return html
    }

    /// What the payer pays in each fiscal period by component, on average ($ millions; withholds
    /// and recoupments as they reduce outlay, negative), periods with nothing paid left out.
    static func componentsTable(_ design: DesignBudget) -> String {
        let periods = design.periods.filter { !$0.isHalfYear && !$0.isEmpty }
        guard let first = periods.first else { return "" }
        let names = first.componentMeans.map(\.component).filter { name in
            periods.contains { $0.componentMeans.first { $0.component == name }?.mean ?? 0 != 0 }
        }
        var html = "<table class=\"components\"><caption>Mean outlay by component, $ millions</caption><thead><tr><th>Fiscal period</th>"
        html += names.map { "<th>\(escape($0.replacingOccurrences(of: "_", with: " ")))</th>" }.joined() + "</tr></thead><tbody>"
        for period in periods {
            html += "<tr><td>\(escape(period.period))</td>"
            html += names.map { name in
                let mean = period.componentMeans.first { $0.component == name }?.mean ?? 0
                let signed = name == "quality_withheld" || name == "shared_losses_recouped" ? -mean : mean
                return "<td class=\"num\">\(millionsNumber(signed))</td>"
            }.joined() + "</tr>"
        }
        return html + "</tbody></table>"
    }

    /// The appropriation table by half year, folded away: budget staff who work in halves open it.
    static func halfYearsTable(_ design: DesignBudget, levels: [Double]) -> String {
        let halves = design.periods.filter { $0.isHalfYear && !$0.isEmpty }
        guard !halves.isEmpty else { return "" }
        let who = design.periods.contains { $0.stateOutlay != nil } ? ", state share" : ""
        var html = "<details><summary>By half year ($ millions\(who))</summary><table><thead><tr><th>Half year</th><th>Mean</th>"
        html += levels.map { "<th>P\(Formatting.levelLabel($0))</th>" }.joined() + "</tr></thead><tbody>"
        for period in halves {
            let type = period.periodType
            let flag = type == "half year" ? "" : " <span class=\"flag\">(\(escape(type)))</span>"
            html += "<tr><td>\(escape(period.period))\(flag)</td><td class=\"num\">\(millionsNumber(period.appropriated.mean.value))</td>"
            html += levels.map { "<td class=\"num\">\(millionsNumber(period.appropriated.level($0)?.value))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table></details>"
    }

    /// Fan chart over fiscal years of `amount`'s median, P25–P75 and P5–P95.
    static func fanChart(_ years: [PeriodBudget], title: String, yLabel: String,
                         amount: (PeriodBudget) -> Appropriation) -> String {
        guard !years.isEmpty else { return "" }
        let values: [Double] = years.flatMap { period in amount(period).levels.map { $0.value / 1e6 } }
        let low: Double = values.min() ?? 0, high: Double = values.max() ?? 1
        let pad = (high - low) * 0.08 + 1e-3
        let legend: [(String, String)] = [
            ("P5–P95", "<rect x=\"0\" y=\"0\" width=\"24\" height=\"10\" fill=\"#e0e0e0\"/>"),
            ("P25–P75", "<rect x=\"0\" y=\"0\" width=\"24\" height=\"10\" fill=\"#a8a8a8\"/>"),
            ("median", "<line x1=\"0\" y1=\"5\" x2=\"24\" y2=\"5\" stroke=\"#000\" stroke-width=\"2\"/>"),
        ]
        let frame = SVGFrame(title: title, legend: legend, plotHeight: 172, x: -0.5...(Double(years.count) - 0.5),
                             y: min(0, low - pad)...max(0, high + pad))
        var svg = frame.open(xLabel: "State fiscal year", yLabel: yLabel,
                             xTicks: years.enumerated().map { (Double($0.offset), $0.element.period) },
                             yTicks: niceTicks(frame.yRange, count: 5).map { ($0, format($0)) })
        func band(_ low: Double, _ high: Double, fill: String) -> String {
            let upper = years.enumerated().map { "\(n(frame.x(Double($0.offset)))) \(n(frame.y((amount($0.element).level(high)?.value ?? 0) / 1e6)))" }
            let lower = years.enumerated().reversed().map { "\(n(frame.x(Double($0.offset)))) \(n(frame.y((amount($0.element).level(low)?.value ?? 0) / 1e6)))" }
            return "<path d=\"M\((upper + lower).joined(separator: "L"))Z\" fill=\"\(fill)\" stroke=\"none\"/>"
        }
        svg += band(0.05, 0.95, fill: "#e0e0e0") + band(0.25, 0.75, fill: "#a8a8a8")
        let median = years.enumerated().map { "\(n(frame.x(Double($0.offset)))) \(n(frame.y((amount($0.element).level(0.5)?.value ?? 0) / 1e6)))" }
        if frame.yRange.contains(0) && frame.yRange.lowerBound < 0 {
            svg += "<line x1=\"\(n(frame.left))\" y1=\"\(n(frame.y(0)))\" x2=\"\(n(frame.width - frame.right))\" y2=\"\(n(frame.y(0)))\" class=\"zero\"/>"
        }
        svg += "<path d=\"M\(median.joined(separator: "L"))\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>"
        return svg + SVGFrame.close
    }

    static func assumptions(_ s: RunSummary, program: [ExposureSummary]) -> String {
        var html = "<h2 id=\"assumptions\">Assumptions and precision</h2><table class=\"facts\"><tbody>"
        html += "<tr><th>Scenario</th><td>\(escape(s.scenario.name)) (\(escape(s.scenario.file)))</td></tr>"
        html += "<tr><th>Simulated futures (trials)</th><td>\(s.settings.trials)</td></tr>"
        html += "<tr><th>Seed and generator</th><td>\(s.settings.seed), \(escape(s.settings.generator))</td></tr>"
        html += "<tr><th>Program years</th><td>\(escape(s.settings.yearLabels.joined(separator: ", ")))</td></tr>"
        html += "<tr><th>Practices and members by size band</th><td>" + s.sizeBands.map { "\(escape($0.name)): \($0.practices) practices, \(Formatting.groupedDigits($0.members)) members" }.joined(separator: "<br/>") + "</td></tr>"
        html += "<tr><th>Tool</th><td>\(escape(s.tool)) \(escape(s.toolVersion)), summary schema \(s.schemaVersion)</td></tr>"
        html += "</tbody></table>"
        if !s.scenario.sources.isEmpty {
            html += "<h3>Calibration sources cited in the scenario</h3><ul>" + s.scenario.sources.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        }
        if let precision = s.precision {
            html += "<p><strong>Precision:</strong> \(escape(TerminalTable.precisionLine(precision)))</p>"
        }
        html += "<h3>Monte Carlo error of the headline figures</h3><p class=\"note\">Standard errors from 20 interleaved batches of trials, each drawing on its own set of member libraries on the fast path, so the libraries' sampling error is counted; what a stop-loss truncates is corrected to its exact mean. More trials shrink the trials' part by the square root; the libraries' part shrinks only with more library members.</p><table><thead><tr><th>Design</th><th>Size band</th><th>P5 ± s.e.</th><th>P1 ± s.e.</th><th>P(loss &gt; 5%) ± s.e.</th></tr></thead><tbody>"
        for row in program {
            let loss5 = row.lossProbabilities.first { abs($0.lossShare - 0.05) < 1e-9 }
            html += "<tr><td>\(escape(row.design))</td><td>\(escape(row.sizeBand))</td><td class=\"num\">\(withError(row.shareOfRevenue.percentile(0.05)))</td><td class=\"num\">\(withError(row.shareOfRevenue.percentile(0.01)))</td><td class=\"num\">\(percent(loss5?.probability ?? 0))\(loss5?.mcse.map { " ± " + percent($0) } ?? "")</td></tr>"
        }
        html += "</tbody></table>"
        if !s.worldChecks.isEmpty {
            html += "<h3>World check</h3><p class=\"note\">Simulated total cost of care per member-month beside its closed form: the simulated world is the one the scenario describes.</p><table><thead><tr><th>Size band</th><th>Year</th><th>Closed form</th><th>Simulated ± s.e.</th></tr></thead><tbody>"
            for check in s.worldChecks {
                html += "<tr><td>\(escape(check.sizeBand))</td><td>\(escape(check.year))</td><td class=\"num\">$\(String(format: "%.2f", check.analytic))</td><td class=\"num\">$\(String(format: "%.2f", check.simulated.value))\(check.simulated.mcse.map { String(format: " ± %.2f", $0) } ?? "")</td></tr>"
            }
            html += "</tbody></table>"
        }
        if let checks = s.persistenceChecks, !checks.isEmpty {
            html += "<h3>Persistence check</h3><p class=\"note\">How member cost carries over from year to year among members who stay, simulated beside published figures (a cohort attributed all year, at the statewide mix).</p><table><thead><tr><th>Statistic</th><th>Simulated ± s.e.</th><th>Published</th><th>Source</th></tr></thead><tbody>"
            for check in checks {
                html += "<tr><td>\(escape(check.statistic))</td><td class=\"num\">\(percent(check.simulated.value))\(check.simulated.mcse.map { " ± " + percent($0) } ?? "")</td><td class=\"num\">\(escape(check.target))</td><td>\(escape(check.source))</td></tr>"
            }
            html += "</tbody></table>"
        }
        return html
    }

    // MARK: - Page and formatting

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(escape(title))</title>
        <style>
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #111; max-width: 980px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
        h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #000; padding-bottom: 0.2em; margin-top: 2em; }
        .facts, .note { color: #333; } .note { font-size: 0.92em; }
        table { border-collapse: collapse; margin: 0.8em 0 1.5em; font-size: 0.9em; width: 100%; }
        th, td { border: 1px solid #999; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
        table.terms td:first-child { width: 28%; } th { background: #eee; } .flag { color: #555; font-size: 0.9em; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        svg.chart { width: 100%; height: auto; margin: 0.6em 0 1.2em; }
        svg .title { font-size: 14px; font-weight: bold; } svg .tick { font-size: 11px; } svg .label { font-size: 12px; }
        svg .axis { stroke: #000; } svg .grid { stroke: #ccc; stroke-width: 0.5; } svg .zero { stroke: #000; stroke-dasharray: 4 3; }
        section.design { page-break-inside: avoid; }
        .chart-box { overflow-x: auto; }
        @media screen and (max-width: 700px) { table { display: block; overflow-x: auto; } svg.chart { min-width: 560px; } }
        caption { text-align: left; font-weight: bold; padding: 0.3em 0; } details { margin: 0 0 1.2em; }
        @media print { body { margin: 0; max-width: none; } h2, h3, caption, p.note { page-break-after: avoid; break-after: avoid; } p { break-inside: avoid; }
          svg.chart, .chart-box, tr { page-break-inside: avoid; break-inside: avoid; } thead { display: table-header-group; } }
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    static func percent(_ p: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f%%", p * 100) }

    static func signedPercent(_ share: Double, digits: Int = 1) -> String {
        let text = String(format: "%.\(digits)f%%", abs(share) * 100)
        return share < 0 && text != String(format: "%.\(digits)f%%", 0.0) ? "−" + text : text
    }

    static func probability(_ estimate: Estimate) -> String {
        percent(estimate.value) + (estimate.mcse.map { " ± " + String(format: "%.1f", $0 * 100) } ?? "")
    }

    static func withError(_ estimate: PercentileEstimate?) -> String {
        guard let estimate else { return "–" }
        return signedPercent(estimate.value) + (estimate.mcse.map { " ± " + String(format: "%.1f", $0 * 100) } ?? "")
    }

    static func oneIn(_ p: Double) -> String {
        guard p > 0.001 && p < 0.5 else { return "" }
        return " (about 1 in \(Int((1 / p).rounded())))"
    }

    /// Dollars in millions as a plain number (ASCII minus, no separators): a table cell that
    /// pastes into a spreadsheet as a number.
    static func millionsNumber(_ dollars: Double?) -> String {
        guard let dollars, dollars.isFinite else { return "–" }
        let text = String(format: "%.1f", dollars / 1e6)
        return text == "-0.0" ? "0.0" : text
    }

    static func millions(_ dollars: Double) -> String {
        let text = String(format: "$%.1fM", abs(dollars) / 1e6)
        return dollars < -5e4 ? "−" + text : text
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
    }

}
