import Foundation

/// Small SVG building blocks for the HTML report: a plotting frame with linear axes, ticks and
/// labels. Styling is grayscale and uses dashes and markers so charts survive black-and-white print.
struct SVGFrame {
    let width: Double
    let height: Double
    let left: Double, right: Double, top: Double, bottom: Double
    let xRange: ClosedRange<Double>
    let yRange: ClosedRange<Double>

    init(width: Double = 640, height: Double = 300, left: Double = 70, right: Double = 20, top: Double = 58,
         bottom: Double = 50, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.width = width; self.height = height
        self.left = left; self.right = right; self.top = top; self.bottom = bottom
        xRange = x.lowerBound < x.upperBound ? x : (x.lowerBound - 1)...(x.upperBound + 1)
        yRange = y.lowerBound < y.upperBound ? y : (y.lowerBound - 1)...(y.upperBound + 1)
    }

    func x(_ value: Double) -> Double {
        left + (value - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * (width - left - right)
    }

    func y(_ value: Double) -> Double {
        height - bottom - (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * (height - top - bottom)
    }

    /// Opening tag, title, axes with ticks and axis labels.
    func open(title: String, xLabel: String, yLabel: String, xTicks: [(Double, String)], yTicks: [(Double, String)]) -> String {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<title>\(escape(title))</title>"
        svg += "<text x=\"\(n(width / 2))\" y=\"18\" class=\"title\" text-anchor=\"middle\">\(escape(title))</text>"
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

    /// A legend in one row under the title, clear of the plot: (label, sample SVG drawn in a
    /// 24×10 box at the origin).
    func legend(_ entries: [(String, String)]) -> String {
        var svg = ""
        var x0 = left
        for entry in entries {
            svg += "<g transform=\"translate(\(n(x0)) 30)\">\(entry.1)<text x=\"30\" y=\"9\" class=\"tick\">\(escape(entry.0))</text></g>"
            x0 += 40 + Double(entry.0.count) * 6.2
        }
        return svg
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
