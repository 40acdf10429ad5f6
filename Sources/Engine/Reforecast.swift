import Foundation
import Scenario
import Statistics

/// The fall re-forecast: the scenario run twice on the same seed, once as the summer forecast
/// (nothing observed) and once conditioned on `observed:`, and each remaining fiscal year's
/// appropriation from both.
public enum Reforecast {
    public enum Failure: Error, CustomStringConvertible {
        case nothingObserved
        case simulation(SimulationError)

        public var description: String {
            switch self {
            case .nothingObserved: "has no observed: section; expected what is known at the re-forecast date (as_of, and the realised trend of each program year that has ended)"
            case let .simulation(error): error.description
            }
        }
    }

    public static func run(scenario: Scenario, trials: Int, seed: UInt64, threads: Int) throws(Failure) -> ReforecastSummary {
        guard let observed = scenario.observed else { throw .nothingObserved }
        let summer = scenario.unconditional
        let budgets: [BudgetSummary]
        do {
            budgets = try [summer, scenario].map { s throws(SimulationError) in
                let results = try Simulation.run(scenario: s, trials: trials, seed: seed, threads: threads)
                return Summarizer(scenario: s, results: results).summary(seed: seed).budget
            }
        } catch { throw .simulation(error) }
        let (before, after) = (budgets[0], budgets[1])
        let designs = zip(before.designs, after.designs).map { summerDesign, fallDesign in
            DesignReforecast(design: summerDesign.design, periods: zip(summerDesign.periods, fallDesign.periods).compactMap { s, f in
                guard !s.isHalfYear, !s.isWholeProgram, !(s.isEmpty && f.isEmpty),
                      remains(s.period, asOf: observed, fiscalYearStartMonth: scenario.budget.fiscalYearStartMonth) else { return nil }
                return PeriodReforecast(period: s.period, summer: s.appropriated, fall: f.appropriated)
            })
        }
        var summary = ReforecastSummary(
            scenario: scenario.name, trials: trials, seed: seed,
            asOf: "\(observed.asOfYear)-\(String(format: "%02d", observed.asOfMonth))",
            observedTrend: observed.trend, observedShocks: observed.shocks,
            measure: after.splitsShares ? "state share of outlay" : "total outlay",
            levels: Array(Set(BudgetSummary.standardLevels + [after.confidence])).sorted(), confidence: after.confidence,
            designs: designs)
        summary.observedEnrollment = observed.enrollment
        summary.settlementsPaid = observed.settlementsPaid.map {
            "\($0.design), program year \($0.year): $\(String(format: "%.2f", $0.amount / 1e6))M"
        }
        return summary
    }

    /// Whether fiscal year `label` ("FY2029", named by the year it ends in) ends after the
    /// observation date: the year in progress and those to come.
    static func remains(_ label: String, asOf: Observed, fiscalYearStartMonth: Int) -> Bool {
        guard label.hasPrefix("FY"), let year = Int(label.dropFirst(2)) else { return true }
        let endMonth = fiscalYearStartMonth == 1 ? 12 : fiscalYearStartMonth - 1
        return (year, endMonth) > (asOf.asOfYear, asOf.asOfMonth)
    }
}
