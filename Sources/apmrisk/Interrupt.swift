import Dispatch
import Foundation
import Locking
import Synchronization

/// Set once the user asks the run to stop.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Sets the flag; returns whether it was already set.
    func set() -> Bool { value.exchange(true, ordering: .relaxed) }

    @Sendable func isSet() -> Bool { value.load(ordering: .relaxed) }
}

/// Turns SIGINT and SIGTERM into a request to stop: workers finish the trial they are on and the
/// run ends without writing anything, instead of dying half-way through writing a result. A
/// second signal quits at once, after the cleanup registered with `onQuit` (which waits for a
/// write in progress, so no partial folder is left). Exit codes follow the shell's 128 + signal:
/// 130 for Ctrl-C, 143 for SIGTERM.
final class Interrupt: Sendable {
    /// The state the signal handlers share; a class because `Atomic` cannot be copied
    /// into an escaping closure.
    private final class Received: Sendable {
        let flag = StopFlag()
        let signalNumber = Atomic<Int32>(0)
        let cleanup = Locked<(@Sendable () -> Void)?>(nil)
    }

    private let received = Received()
    // Kept only so the sources stay alive; never touched after init.
    nonisolated(unsafe) private let sources: [any DispatchSourceSignal]

    var flag: StopFlag { received.flag }

    init() {
        let received = received
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                _ = received.signalNumber.compareExchange(expected: 0, desired: signalNumber, ordering: .relaxed)
                if received.flag.set() {
                    received.cleanup.withLock { $0 }?()
                    // _exit, not exit: workers are still running, and exit's atexit handlers and
                    // destructors (LeakSanitizer's check among them) would run under their feet.
                    _exit(128 + signalNumber)
                }
                standardError("\napmrisk: interrupted; stopping after the trials in progress (interrupt again to quit at once)")
            }
            source.resume()
            return source
        }
    }

    func isRequested() -> Bool { received.flag.isSet() }

    /// 128 + the first signal received.
    var exitCode: Int32 { 128 + max(received.signalNumber.load(ordering: .relaxed), SIGINT) }

    func onQuit(_ action: @escaping @Sendable () -> Void) { received.cleanup.withLock { $0 = action } }
}
