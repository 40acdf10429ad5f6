import Dispatch
import Foundation
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
/// second signal quits at once.
final class Interrupt {
    let flag = StopFlag()
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            let flag = self.flag
            source.setEventHandler {
                if flag.set() { exit(130) }
                standardError("\napmrisk: interrupted; stopping after the trials in progress (interrupt again to quit at once)")
            }
            source.resume()
            sources.append(source)
        }
    }

    func isRequested() -> Bool { flag.isSet() }
}
