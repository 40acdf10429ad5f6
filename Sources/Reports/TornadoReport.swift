import Foundation
import Statistics

/// One bar of a tornado as the renderers need it (the engine's `Sensitivity.Bar`, flattened).
public struct TornadoBar: Codable, Sendable, Equatable {
    public let keyPath: String
    public let lowValue: Double
    public let highValue: Double
    public let design: String
    public let figure: String
    /// `share` or `dollars`.
    public let unit: String
    public let base: Double
    public let low: Estimate
    public let high: Estimate

    public init(keyPath: String, lowValue: Double, highValue: Double, design: String, figure: String, unit: String,
                base: Double, low: Estimate, high: Estimate) {
        self.keyPath = keyPath; self.lowValue = lowValue; self.highValue = highValue; self.design = design
        self.figure = figure; self.unit = unit; self.base = base; self.low = low; self.high = high
    }

    /// Whether the move exceeds twice its paired Monte Carlo error at either end (never, when the
    /// run had too few trials for errors: then nothing can be told from noise).
    public var exceedsError: Bool {
        [low, high].contains { e in e.mcse.map { abs(e.value) > 2 * $0 } ?? false }
    }
}

/// What `summary.json` of `apmrisk sensitivity` holds: the run's settings and every bar.
public struct TornadoSummary: Codable, Sendable, Equatable {
    public var schemaVersion = 1
    public var tool = "apmrisk"
    public var scenario: String
    public var trials: Int
    public var seed: UInt64
    /// Simulated worlds: one for the scenario and all design-term swings, two per world swing.
    public var worldRuns: Int
    public var band: String
    public var bars: [TornadoBar]

    public init(scenario: String, trials: Int, seed: UInt64, worldRuns: Int, band: String, bars: [TornadoBar]) {
        self.scenario = scenario; self.trials = trials; self.seed = seed; self.worldRuns = worldRuns
        self.band = band; self.bars = bars
    }

    public func encoded() throws -> Data { try prettyJSON(self) }
}

/// `sensitivity.csv`, the terminal tornado and its `report.html`: bars grouped by figure and design,
/// the widest first (the order the engine gives them).
public enum TornadoReport {
    public static let csvHeader = "figure,design,key_path,low_value,high_value,unit,base,change_at_low,mcse_at_low,change_at_high,mcse_at_high,exceeds_mc_error"

    public static func csv(_ bars: [TornadoBar]) -> String {
        var lines = [csvHeader]
        for bar in bars {
            lines.append([ExposureCSV.quoted(bar.figure), ExposureCSV.quoted(bar.design), ExposureCSV.quoted(bar.keyPath),
                          ExposureCSV.number(bar.lowValue), ExposureCSV.number(bar.highValue), bar.unit,
                          ExposureCSV.number(bar.base), ExposureCSV.number(bar.low.value), bar.low.mcse.map(ExposureCSV.number) ?? "",
                          ExposureCSV.number(bar.high.value), bar.high.mcse.map(ExposureCSV.number) ?? "",
                          bar.exceedsError ? "yes" : "no"].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func groups(_ bars: [TornadoBar]) -> [(figure: String, design: String, bars: [TornadoBar])] {
        var result: [(figure: String, design: String, bars: [TornadoBar])] = []
        for bar in bars {
            if let last = result.last, last.figure == bar.figure, last.design == bar.design {
                result[result.count - 1].bars.append(bar)
            } else {
                result.append((bar.figure, bar.design, [bar]))
            }
        }
        return result
    }

    /// A level (−11.4%, $12.30M) or, with `change`, a move from the base in points or dollars
    /// (+2.2 pt, −$0.40M); no sign on what rounds to zero.
    static func amount(_ x: Double, unit: String, change: Bool) -> String {
        let digits = unit == "dollars" ? String(format: "%.2f", abs(x) / 1e6) : String(format: "%.1f", abs(x) * 100)
        let zero = Double(digits) == 0
        let sign = zero ? "" : x < 0 ? "−" : change ? "+" : ""
        return unit == "dollars" ? "\(sign)$\(digits)M" : "\(sign)\(digits)\(change ? " pt" : "%")"
    }

    static func change(_ e: Estimate, unit: String) -> String {
        let error = e.mcse.map { unit == "dollars" ? String(format: " ±%.2f", $0 / 1e6) : String(format: " ±%.1f", $0 * 100) } ?? ""
        return amount(e.value, unit: unit, change: true) + error
    }

    public static func terminal(_ bars: [TornadoBar], band: String, trials: Int, worldRuns: Int) -> String {
        var out = ["Sensitivity: each assumption swung alone, \(trials) trials per run, \(worldRuns) simulated world\(worldRuns == 1 ? "" : "s"); practice figures for the \(band) band.",
                   "Changes are from the base, in points (of revenue, or of probability) or $ millions, with the Monte Carlo error of the paired difference; * = beyond twice that error (errors need at least 100 trials)."]
        for group in groups(bars) {
            out.append("")
            out.append("\(group.figure) — \(group.design): base \(amount(group.bars[0].base, unit: group.bars[0].unit, change: false))")
            let rows = group.bars.map { bar in
                ["  \(bar.keyPath)", "\(ExposureCSV.number(bar.lowValue)) .. \(ExposureCSV.number(bar.highValue))",
                 change(bar.low, unit: bar.unit), change(bar.high, unit: bar.unit), bar.exceedsError ? "*" : ""]
            }
            out += TerminalTable.table(["  swing", "low .. high", "at low", "at high", ""], rows)
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A self-contained page: one tornado chart per figure and design, bars drawn from the base
    /// (the centre line) to the figure at each end of the swing, the paired error as a whisker.
    public static func html(_ bars: [TornadoBar], title: String, band: String, trials: Int, worldRuns: Int) -> String {
        var body = "<h1>\(escape(title)): sensitivity</h1><p class=\"note\">Each assumption is swung alone between its low and high value; every other input stays as the scenario writes it. \(trials) trials per run, \(worldRuns) simulated world\(worldRuns == 1 ? "" : "s") (design terms are settled on the same world); practice figures for the \(escape(band)) band. A bar runs from the base figure to the figure at the swing's low value (light) and high value (dark); its whisker is the Monte Carlo error of the paired difference (2 standard errors), so a bar inside its whisker is noise.</p>"
        for group in groups(bars) {
            body += "<section class=\"design\">" + chart(group.bars, title: "\(group.figure) — \(group.design)") + "</section>"
        }
        return HTMLReport.page(title: "apmrisk sensitivity: \(title)", body: body)
    }

    /// A key path as a chart row names it: without `designs[N].` (each chart is one design's) and
    /// with spaced separators, so a long path wraps between its keys rather than inside one.
    static func chartLabel(_ keyPath: String) -> String {
        var path = Substring(keyPath)
        if path.hasPrefix("designs["), let close = path.firstIndex(of: "]"), path[path.index(after: close)...].hasPrefix(".") {
            path = path[path.index(close, offsetBy: 2)...]
        }
        return path.split(separator: ".").joined(separator: " › ")
    }

    static func chart(_ bars: [TornadoBar], title: String) -> String {
        let unit = bars[0].unit
        let scale = unit == "dollars" ? 1e-6 : 100.0
        var reach = 1e-9
        for bar in bars {
            for estimate in [bar.low, bar.high] {
                let whisker: Double = 2 * (estimate.mcse ?? 0)
                reach = max(reach, (abs(estimate.value) + whisker) * scale)
            }
        }
        reach *= 1.1
        let labels = bars.map { "\(chartLabel($0.keyPath)) (\(ExposureCSV.number($0.lowValue))\u{00A0}..\u{00A0}\(ExposureCSV.number($0.highValue)))" }
        let widest = labels.map { SVGText.width($0, size: SVGFrame.tickSize) }.max() ?? 0
        let legend: [(String, String)] = [
            ("at the low value", "<rect x=\"0\" y=\"0\" width=\"24\" height=\"10\" fill=\"#bbb\" stroke=\"#000\"/>"),
            ("at the high value", "<rect x=\"0\" y=\"0\" width=\"24\" height=\"10\" fill=\"#555\" stroke=\"#000\"/>"),
            ("± 2 paired standard errors", "<line x1=\"0\" y1=\"5\" x2=\"24\" y2=\"5\" stroke=\"#000\"/>"),
        ]
        let rowHeight = 34.0
        let frame = SVGFrame(title: title, legend: legend, plotHeight: rowHeight * Double(bars.count),
                             left: min(max(widest + 16, 90), 300), x: -reach...reach, y: 0...Double(max(bars.count, 1)))
        let positions = niceTicks(frame.xRange)
        // As many decimals as the tick spacing needs: 0.2-point steps print as +0.2, not +0.
        let step = positions.count > 1 ? positions[1] - positions[0] : 1
        let digits = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3
        let ticks = positions.map { tick in (tick, abs(tick) < step / 1000 ? "0" : String(format: "%+.\(digits)f", tick)) }
        var svg = frame.open(xLabel: unit == "dollars" ? "Change from base, $ millions" : "Change from base, points",
                             yLabel: "", xTicks: ticks, yTicks: [])
        svg += "<line x1=\"\(n(frame.x(0)))\" y1=\"\(n(frame.top))\" x2=\"\(n(frame.x(0)))\" y2=\"\(n(frame.y(0)))\" class=\"zero\"/>"
        for (k, bar) in bars.enumerated() {
            let center = frame.y(Double(bars.count - k) - 0.5)
            svg += SVGFrame.rightAlignedLabel(labels[k], right: frame.left - 8, y: center, width: frame.left - 14)
            for (estimate, fill, offset) in [(bar.low, "#bbb", -8.0), (bar.high, "#555", 1.0)] {
                let value = estimate.value * scale
                let x0 = frame.x(min(0, value)), x1 = frame.x(max(0, value))
                svg += "<rect x=\"\(n(x0))\" y=\"\(n(center + offset))\" width=\"\(n(max(x1 - x0, 1)))\" height=\"7\" fill=\"\(fill)\" stroke=\"#000\" stroke-width=\"0.5\"/>"
                if let error = estimate.mcse {
                    let a = frame.x(value - 2 * error * scale), b = frame.x(value + 2 * error * scale)
                    svg += "<line x1=\"\(n(a))\" y1=\"\(n(center + offset + 3.5))\" x2=\"\(n(b))\" y2=\"\(n(center + offset + 3.5))\" stroke=\"#000\"/>"
                }
            }
        }
        return svg + SVGFrame.close
    }
}
