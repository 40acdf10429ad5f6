import Scenario
import Settlement

/// What a run will need, known before it starts: memory for the per-trial results it keeps, and
/// the member-years it will simulate (which sets its time).
public struct ResourceEstimate: Sendable {
    public let bytes: Double
    public let memberYears: Double

    /// Member-years one core simulates per second on the default model (measured with
    /// scripts/bench.sh on a 2-core machine of this project's kind; a conservative round figure).
    public static let memberYearsPerSecondPerCore = 1.2e6

    public init(scenario: Scenario, trials: Int) {
        let t = Double(trials), d = Double(scenario.designs.count), p = Double(scenario.practices.count)
        let y = Double(scenario.simulation.programYears)
        let kept = 2 * t * d * p * y + 2 * t * p * y + t * (d + 1) * y * Double(PayerOutlay.Component.allCases.count)
        // Summaries gather one group's observations at a time (values, shares, flags, a sorted
        // copy) on top of what is kept; a factor of 2 covers that with room.
        bytes = kept * 8 * 2
        memberYears = t * Double(scenario.practices.reduce(0) { $0 + $1.members }) * (y + 1)
    }

    public func seconds(threads: Int) -> Double {
        memberYears / (Self.memberYearsPerSecondPerCore * Double(max(threads, 1)))
    }

    /// The largest number of trials whose results fit in `bytes`.
    public func trialsFitting(bytes available: Double, trials: Int) -> Int {
        max(1, Int(Double(trials) * available / max(bytes, 1)))
    }
}
