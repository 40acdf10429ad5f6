import Foundation

/// Small SVG building blocks for the HTML report: a plotting frame with linear axes, ticks and
/// labels. Styling is grayscale and uses dashes and markers so charts survive black-and-white print.
///
/// SVG text neither wraps nor shrinks, so the frame lays its text out itself: the title wraps to
/// two lines, the legend to as many rows as it needs, and the margins grow to fit; whatever is
/// still too long is shortened with "…" and keeps its full wording in a tooltip (`<title>`).
struct SVGFrame {
    let width: Double
    let height: Double
    let left: Double, right: Double, top: Double, bottom: Double
    let xRange: ClosedRange<Double>
    let yRange: ClosedRange<Double>
    let title: String
    private let titleLines: [String]
    private let legendRows: [[(label: String, shown: String, sample: String)]]

    static let titleSize = 14.0, tickSize = 11.0
    static let titleLineHeight = 18.0, legendRowHeight = 16.0
    /// A legend entry: its sample drawn in a 24×10 box, the label from x = 30, then a gap.
    static let legendSample = 30.0, legendGap = 16.0

    /// - Parameters:
    ///   - plotHeight: height of the plotting area; the chart is as tall as that plus its title,
    ///     legend and axis margins.
    ///   - legend: (label, sample SVG drawn in a 24×10 box at the origin), laid out in rows under
    ///     the title.
    init(title: String, legend: [(String, String)] = [], width: Double = 640, plotHeight: Double, left: Double = 70,
         right: Double = 20, bottom: Double = 50, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.width = width
        self.left = left; self.right = right; self.bottom = bottom
        self.title = title
        titleLines = SVGText.wrap(title, width: width - 20, size: Self.titleSize, bold: true, lines: 2)
        let available = width - 20
        var rows: [[(label: String, shown: String, sample: String)]] = []
        var used = 0.0
        for (label, sample) in legend {
            let shown = SVGText.wrap(label, width: available - Self.legendSample - Self.legendGap, size: Self.tickSize, lines: 1)[0]
            let entry = Self.legendSample + SVGText.width(shown, size: Self.tickSize) + Self.legendGap
            if rows.isEmpty || used + entry > available { rows.append([]); used = 0 }
            rows[rows.count - 1].append((label, shown, sample))
            used += entry
        }
        legendRows = rows
        top = 8 + Self.titleLineHeight * Double(titleLines.count)
            + (rows.isEmpty ? 0 : 6 + Self.legendRowHeight * Double(rows.count)) + 16
        height = top + plotHeight + bottom
        xRange = x.lowerBound < x.upperBound ? x : (x.lowerBound - 1)...(x.upperBound + 1)
        yRange = y.lowerBound < y.upperBound ? y : (y.lowerBound - 1)...(y.upperBound + 1)
    }

    func x(_ value: Double) -> Double {
        left + (value - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * (width - left - right)
    }

    func y(_ value: Double) -> Double {
        height - bottom - (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * (height - top - bottom)
    }

    /// Opening tag, title, legend, axes with ticks and axis labels.
    func open(xLabel: String, yLabel: String, xTicks: [(Double, String)], yTicks: [(Double, String)]) -> String {
        var svg = "<div class=\"chart-box\"><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<title>\(escape(title))</title>"
        for (k, line) in titleLines.enumerated() {
            svg += "<text x=\"\(n(width / 2))\" y=\"\(n(8 + Self.titleLineHeight * Double(k + 1) - 4))\" class=\"title\" text-anchor=\"middle\">\(escape(line))</text>"
        }
        let legendTop = 8 + Self.titleLineHeight * Double(titleLines.count) + 6
        for (r, row) in legendRows.enumerated() {
            var x0 = 10.0
            for entry in row {
                let tooltip = entry.shown == entry.label ? "" : "<title>\(escape(entry.label))</title>"
                svg += "<g class=\"legend-entry\" transform=\"translate(\(n(x0)) \(n(legendTop + Self.legendRowHeight * Double(r))))\">\(tooltip)\(entry.sample)<text x=\"\(n(Self.legendSample))\" y=\"9\" class=\"tick\">\(escape(entry.shown))</text></g>"
                x0 += Self.legendSample + SVGText.width(entry.shown, size: Self.tickSize) + Self.legendGap
            }
        }
        let x0 = x(xRange.lowerBound), x1 = x(xRange.upperBound), y0 = y(yRange.lowerBound), y1 = y(yRange.upperBound)
        svg += "<line x1=\"\(n(x0))\" y1=\"\(n(y0))\" x2=\"\(n(x1))\" y2=\"\(n(y0))\" class=\"axis\"/>"
        svg += "<line x1=\"\(n(x0))\" y1=\"\(n(y0))\" x2=\"\(n(x0))\" y2=\"\(n(y1))\" class=\"axis\"/>"
        for (value, label) in xTicks where xRange.contains(value) {
            svg += "<line x1=\"\(n(x(value)))\" y1=\"\(n(y0))\" x2=\"\(n(x(value)))\" y2=\"\(n(y0 + 5))\" class=\"axis\"/>"
            svg += "<text x=\"\(n(x(value)))\" y=\"\(n(y0 + 18))\" text-anchor=\"middle\" class=\"tick\">\(escape(label))</text>"
        }
        for (value, label) in yTicks where yRange.contains(value) {
            svg += "<line x1=\"\(n(x0 - 5))\" y1=\"\(n(y(value)))\" x2=\"\(n(x1))\" y2=\"\(n(y(value)))\" class=\"grid\"/>"
            svg += "<text x=\"\(n(x0 - 8))\" y=\"\(n(y(value) + 4))\" text-anchor=\"end\" class=\"tick\">\(escape(label))</text>"
        }
        svg += "<text x=\"\(n((x0 + x1) / 2))\" y=\"\(n(height - 8))\" text-anchor=\"middle\" class=\"label\">\(escape(xLabel))</text>"
        svg += "<text transform=\"translate(14 \(n((y0 + y1) / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"label\">\(escape(yLabel))</text>"
        return svg
    }

    /// Ends a chart `open` began. Charts sit in a box of their own, which scrolls sideways on a
    /// phone rather than shrinking their text below legibility.
    static let close = "</svg></div>"

    /// A label ending at x = `right` (text-anchor end), centred on `y`: wrapped to two lines of
    /// at most `width`, shortened beyond, the full label in a tooltip when shortened.
    static func rightAlignedLabel(_ label: String, right: Double, y: Double, width: Double) -> String {
        let lines = SVGText.wrap(label, width: width, size: tickSize, lines: 2)
        let first = y + 4 - 6.5 * Double(lines.count - 1)
        let spans = lines.enumerated().map { k, line in
            "<tspan x=\"\(n(right))\" y=\"\(n(first + 13 * Double(k)))\">\(escape(line))</tspan>"
        }.joined()
        let shortened = lines.joined(separator: " ") != label
        return "<text text-anchor=\"end\" class=\"tick\">\(shortened ? "<title>\(escape(label))</title>" : "")\(spans)</text>"
    }
}

/// Widths of text as the report's font (DejaVu Sans, with Helvetica and Arial as fallbacks, all
/// narrower) sets it, per character class, rounded up: the layout errs towards room to spare.
enum SVGText {
    static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        var em = 0.0
        for c in text {
            if c == " " { em += 0.32 } else if c.isUppercase || c == "W" || c == "m" || c == "w" || c == "%" { em += 0.8 }
            else if c.isNumber { em += 0.64 } else if c.isLowercase { em += 0.62 } else if ".,:;·'|!il".contains(c) { em += 0.34 }
            else { em += 0.7 }
        }
        return em * size * (bold ? 1.1 : 1)
    }

    /// `text` in at most `lines` lines no wider than `width`, breaking at spaces (or inside a
    /// word too long for a line); the last line ends in "…" when the text does not fit.
    static func wrap(_ text: String, width: Double, size: Double, bold: Bool = false, lines maximum: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        func fits(_ s: String) -> Bool { Self.width(s, size: size, bold: bold) <= width }
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if fits(candidate) { current = candidate; continue }
            if !current.isEmpty { lines.append(current) }
            current = word
            while !fits(current) && current.count > 1 {
                var head = current
                while !fits(head) && head.count > 1 { head.removeLast() }
                lines.append(head)
                current = String(current.dropFirst(head.count))
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        guard lines.count > maximum else { return lines }
        var last = lines[maximum - 1]
        while !fits(last + "…") && !last.isEmpty { last.removeLast() }
        return Array(lines.prefix(maximum - 1)) + [last.trimmingCharacters(in: .whitespaces) + "…"]
    }
}

/// Evenly spaced "nice" tick values covering `range` (about `count` of them).
func niceTicks(_ range: ClosedRange<Double>, count: Int = 6) -> [Double] {
    let span = range.upperBound - range.lowerBound
    guard span > 0, span.isFinite else { return [range.lowerBound] }
    let raw = span / Double(count)
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
    let first = (range.lowerBound / step).rounded(.up) * step
    return stride(from: first, through: range.upperBound + step * 1e-9, by: step).map { ($0 / step).rounded() * step }
}

/// Compact number for SVG coordinates.
func n(_ x: Double) -> String { String(format: "%.1f", x) }

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// Grayscale line styles that stay distinct in print: (stroke gray, dash pattern, marker shape).
let lineStyles: [(gray: String, dash: String, marker: String)] = [
    ("#000", "", "circle"), ("#555", "6 3", "square"), ("#888", "2 2", "triangle"), ("#333", "10 3 2 3", "diamond"),
    ("#777", "1 3", "circle"), ("#222", "4 4", "square"),
]

func marker(_ shape: String, x: Double, y: Double, gray: String) -> String {
    switch shape {
    case "square": return "<rect x=\"\(n(x - 3))\" y=\"\(n(y - 3))\" width=\"6\" height=\"6\" fill=\"\(gray)\"/>"
    case "triangle": return "<path d=\"M\(n(x)) \(n(y - 4))L\(n(x + 4)) \(n(y + 3))L\(n(x - 4)) \(n(y + 3))Z\" fill=\"\(gray)\"/>"
    case "diamond": return "<path d=\"M\(n(x)) \(n(y - 4))L\(n(x + 4)) \(n(y))L\(n(x)) \(n(y + 4))L\(n(x - 4)) \(n(y))Z\" fill=\"white\" stroke=\"\(gray)\"/>"
    default: return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"3\" fill=\"\(gray)\"/>"
    }
}
