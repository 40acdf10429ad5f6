import Foundation
import Statistics

/// What `apmrisk solve` writes to `summary.json`: the request, the answer in words and in
/// numbers, and every candidate settled.
public struct SolveSummary: Codable, Sendable, Equatable {
    public struct Candidate: Codable, Sendable, Equatable {
        public let value: Double
        public let figure: Estimate
        public init(value: Double, figure: Estimate) { self.value = value; self.figure = figure }
    }

    public var schemaVersion = 1
    public var tool = "apmrisk"
    public var scenario: String
    public var trials: Int
    public var seed: UInt64
    public var term: String
    public var rangeLow: Double
    public var rangeHigh: Double
    public var target: String
    /// The target's figure, e.g. `p5`, and its threshold.
    public var figure: String
    public var threshold: Double
    public var band: String
    /// `solved`, `met everywhere`, `cannot be met` or `not monotone`.
    public var outcome: String
    public var answer: String
    /// When solved: the term's value and the interval Monte Carlo error leaves around it.
    public var value: Double?
    public var low: Double?
    public var high: Double?
    public var candidates: [Candidate]

    public init(scenario: String, trials: Int, seed: UInt64, term: String, rangeLow: Double, rangeHigh: Double, target: String,
                figure: String, threshold: Double, band: String, outcome: String, answer: String, value: Double?, low: Double?,
                high: Double?, candidates: [Candidate]) {
        self.scenario = scenario; self.trials = trials; self.seed = seed; self.term = term; self.rangeLow = rangeLow
        self.rangeHigh = rangeHigh; self.target = target; self.figure = figure; self.threshold = threshold; self.band = band
        self.outcome = outcome; self.answer = answer; self.value = value; self.low = low; self.high = high
        self.candidates = candidates
    }

    public func encoded() throws -> Data { try prettyJSON(self) }
}

/// `report.html` and `solve.csv` of `apmrisk solve`: the answer first, then the figure at every
/// candidate value with its ±2 s.e. band and the target line, so a reader sees where it crosses.
public enum SolveReport {
    public static let csvHeader = "term_value,figure,figure_value,mcse"

    public static func csv(_ s: SolveSummary) -> String {
        ([csvHeader] + s.candidates.map { c in
            "\(c.value),\(s.figure),\(c.figure.value),\(c.figure.mcse.map { "\($0)" } ?? "")"
        }).joined(separator: "\n") + "\n"
    }

    static func isDollars(_ figure: String) -> Bool { figure.hasPrefix("net") }

    public static func html(_ s: SolveSummary) -> String {
        var body = "<h1>\(escape(s.scenario)): solving for \(escape(s.term))</h1>"
        body += "<section id=\"answer\"><h2>The answer</h2><p><strong>\(escape(s.answer))</strong></p>"
        body += "<p class=\"note\">Target: \(escape(s.target)) (practice figures for the \(escape(s.band)) band; net cost in dollars). Every candidate value of the term was settled as one more design on the same \(s.trials) simulated futures (seed \(s.seed)), so the figure moves only because the term moves. The interval is where the figure's ±2 standard-error band crosses the target.</p></section>"
        body += "<section class=\"design\">" + chart(s) + "</section>"
        body += "<h2>Every candidate</h2><table><thead><tr><th>\(escape(s.term))</th><th>\(escape(s.figure)) ± s.e.</th><th>Meets the target</th></tr></thead><tbody>"
        let atLeast = s.target.contains(">=")
        for c in s.candidates {
            let meets = atLeast ? c.figure.value >= s.threshold : c.figure.value <= s.threshold
            body += "<tr><td class=\"num\">\(String(format: "%.6g", c.value))</td><td class=\"num\">\(String(format: "%.6g", c.figure.value))\(c.figure.mcse.map { String(format: " ± %.3g", $0) } ?? "")</td><td>\(meets ? "yes" : "no")</td></tr>"
        }
        body += "</tbody></table>"
        return HTMLReport.page(title: "apmrisk solve: \(s.scenario)", body: body)
    }

    static func chart(_ s: SolveSummary) -> String {
        let points = s.candidates.sorted { $0.value < $1.value }
        guard let first = points.first, let last = points.last, last.value > first.value else { return "" }
        let scale = isDollars(s.figure) ? 1e-6 : 1.0
        var low = s.threshold * scale, high = s.threshold * scale
        for c in points {
            let whisker = 2 * (c.figure.mcse ?? 0)
            low = min(low, (c.figure.value - whisker) * scale)
            high = max(high, (c.figure.value + whisker) * scale)
        }
        let pad = max((high - low) * 0.08, 1e-9)
        let yRange = (low - pad)...(high + pad)
        let legend: [(String, String)] = [
            ("figure at a candidate", "<circle cx=\"12\" cy=\"5\" r=\"3.5\" fill=\"#000\"/>"),
            ("± 2 standard errors", "<line x1=\"12\" y1=\"0\" x2=\"12\" y2=\"10\" stroke=\"#000\"/>"),
            ("target", "<line x1=\"0\" y1=\"5\" x2=\"24\" y2=\"5\" stroke=\"#000\" stroke-dasharray=\"4 3\"/>"),
        ]
        let frame = SVGFrame(title: "\(s.figure) against \(s.term)", legend: legend, plotHeight: 260,
                             x: first.value...last.value, y: yRange)
        let xTicks = niceTicks(frame.xRange).map { ($0, String(format: "%.4g", $0)) }
        let yTicks = niceTicks(yRange).map { ($0, String(format: "%.4g", $0)) }
        var svg = frame.open(xLabel: s.term, yLabel: isDollars(s.figure) ? "\(s.figure), $ millions" : s.figure,
                             xTicks: xTicks, yTicks: yTicks)
        let target = frame.y(s.threshold * scale)
        svg += "<line x1=\"\(n(frame.left))\" y1=\"\(n(target))\" x2=\"\(n(frame.x(last.value)))\" y2=\"\(n(target))\" class=\"zero\"/>"
        var path = ""
        for c in points {
            let x = frame.x(c.value), y = frame.y(c.figure.value * scale)
            path += (path.isEmpty ? "M" : " L") + "\(n(x)) \(n(y))"
            if let e = c.figure.mcse {
                svg += "<line x1=\"\(n(x))\" y1=\"\(n(frame.y((c.figure.value - 2 * e) * scale)))\" x2=\"\(n(x))\" y2=\"\(n(frame.y((c.figure.value + 2 * e) * scale)))\" stroke=\"#000\"/>"
            }
            svg += "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"3\" fill=\"#000\"/>"
        }
        svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"#555\"/>"
        if let value = s.value {
            svg += "<line x1=\"\(n(frame.x(value)))\" y1=\"\(n(frame.top))\" x2=\"\(n(frame.x(value)))\" y2=\"\(n(frame.y(yRange.lowerBound)))\" stroke=\"#b00\"/>"
        }
        return svg + SVGFrame.close
    }
}
