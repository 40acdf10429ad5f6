import Foundation
import Locking
import Reports

/// Progress on stderr, never mixed into stdout's tables: a redrawn bar with trials done, rate and
/// time left when stderr is a terminal; a plain line every few seconds when it is not (logs, CI);
/// nothing with --quiet.
final class Progress: Sendable {
    typealias Style = ProgressFormat.Style

    private let target: Locked<Int>
    private let style: Style
    private let start = Date()
    /// When the first trial finished: rates and time left count trials only, not the library
    /// building before them.
    private let trialsStart = Locked<Date?>(nil)
    private let lastShown = Locked<Date>(.distantPast)

    init(total: Int, style: Style) { target = Locked(total); self.style = style }

    private var total: Int { target.withLock { $0 } }

    /// A `--precision` run raises its target between rounds.
    func extend(to total: Int) { target.withLock { $0 = max($0, total) } }

    private func due(_ now: Date, final: Bool) -> Bool {
        let interval = style == .bar ? 0.2 : 5
        return lastShown.withLock { last -> Bool in
            guard now.timeIntervalSince(last) >= interval || final else { return false }
            last = now
            return true
        }
    }

    /// The fast path's member libraries, built before the first trial.
    @Sendable func libraries(_ built: Int, of total: Int) {
        guard style != .silent else { return }
        let now = Date()
        guard due(now, final: built == total) else { return }
        standardErrorRaw(ProgressFormat.renderLibraries(built: built, total: total, elapsed: now.timeIntervalSince(start), style: style))
    }

    @Sendable func update(_ done: Int) {
        guard style != .silent else { return }
        let now = Date()
        let began = trialsStart.withLock { first -> Date in
            if first == nil { first = now }
            return first!
        }
        guard due(now, final: done == total) else { return }
        standardErrorRaw(ProgressFormat.render(done: done, total: total, elapsed: now.timeIntervalSince(began), style: style))
    }

    func finish() {
        guard style != .silent else { return }
        let elapsed = Date().timeIntervalSince(start)
        standardErrorRaw((style == .bar ? "\r\u{1B}[K" : "") + String(format: "apmrisk: %d trials in %.1f s\n", total, elapsed))
    }

}

func standardErrorRaw(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
