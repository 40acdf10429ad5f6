import Foundation

/// How run progress is written to stderr: a redrawn bar on a terminal, plain periodic lines
/// elsewhere (logs, CI), nothing when quiet.
public enum ProgressFormat {
    public enum Style: Sendable, Equatable { case bar, lines, silent }

    public static func style(quiet: Bool, terminal: Bool) -> Style { quiet ? .silent : terminal ? .bar : .lines }

    /// One progress report.
    public static func render(done: Int, total: Int, elapsed: Double, style: Style) -> String {
        let rate = Double(done) / max(elapsed, 1e-9)
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        switch style {
        case .silent:
            return ""
        case .lines:
            return String(format: "apmrisk: %d/%d trials, %.1f trials/s, about %.0f s left\n", done, total, rate, remaining)
        case .bar:
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            return "\r\u{1B}[K\(bar) \(done)/\(total) trials  " + String(format: "%.1f/s", rate) + "  ETA \(clock(remaining))"
        }
    }

    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
