import Foundation

/// How run progress is written to stderr: a redrawn bar on a terminal, plain periodic lines
/// elsewhere (logs, CI), nothing when quiet.
public enum ProgressFormat {
    public enum Style: Sendable, Equatable { case bar, lines, silent }

    public static func style(quiet: Bool, terminal: Bool) -> Style { quiet ? .silent : terminal ? .bar : .lines }

    /// One progress report; `elapsed` counts from the first trial. The time left appears once it
    /// can be estimated: a second of trials and at least 1% of them done.
    public static func render(done: Int, total: Int, elapsed: Double, style: Style) -> String {
        let rate = Double(done) / max(elapsed, 1e-9)
        let known = elapsed >= 1 && done * 100 >= total && rate > 0
        let remaining = known ? Double(total - done) / rate : nil
        switch style {
        case .silent:
            return ""
        case .lines:
            return String(format: "apmrisk: %d/%d trials, %.1f trials/s", done, total, rate)
                + (remaining.map { String(format: ", about %.0f s left", $0) } ?? "") + "\n"
        case .bar:
            return "\r\u{1B}[K\(bar(done, total)) \(done)/\(total) trials  " + String(format: "%.1f/s", rate)
                + "  ETA \(remaining.map(clock) ?? "…")"
        }
    }

    /// Progress of the member libraries the fast path builds before its first trial.
    public static func renderLibraries(built: Int, total: Int, elapsed: Double, style: Style) -> String {
        switch style {
        case .silent: return ""
        case .lines: return String(format: "apmrisk: building member libraries, %d/%d after %.0f s\n", built, total, elapsed)
        case .bar: return "\r\u{1B}[K\(bar(built, total)) building member libraries \(built)/\(total)"
        }
    }

    static func bar(_ done: Int, _ total: Int) -> String {
        let width = 30
        let filled = total > 0 ? min(width * done / total, width) : width
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }

    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
