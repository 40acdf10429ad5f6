/// Monte Carlo precision of a run's headline figures: the tails of practice exposure per design
/// and size band over the whole program (P1, P5, P95 and P99, as shares of expected revenue) and
/// the budget's P90 appropriation per design (relative to itself). A run with `--precision` adds
/// trials until the largest standard error is at most the target.
public struct PrecisionReport: Codable, Sendable, Equatable {
    /// Largest accepted standard error: revenue share for exposure, relative for the budget.
    public var target: Double
    /// The largest standard error among the headline figures, in the same units.
    public var reached: Double
    /// Which figure that is.
    public var limitingFigure: String
    public var met: Bool
    public var trials: Int

    public init(target: Double, reached: Double, limitingFigure: String, met: Bool, trials: Int) {
        self.target = target; self.reached = reached; self.limitingFigure = limitingFigure
        self.met = met; self.trials = trials
    }

    public static let exposureLevels = [0.01, 0.05, 0.95, 0.99]
    public static let budgetLevel = 0.90

    /// The headline standard errors of `summary` against `target` (a missing error, from too few
    /// trials for batch means, counts as unmet).
    public static func of(_ summary: RunSummary, target: Double) -> PrecisionReport {
        var worst = (error: 0.0, figure: "none")
        func consider(_ error: Double?, _ figure: @autoclosure () -> String) {
            let e = error ?? .infinity
            if e > worst.error || worst.figure == "none" { worst = (e, figure()) }
        }
        for row in summary.exposure where row.year == wholeProgramLabel {
            for level in exposureLevels {
                let estimate = row.shareOfRevenue.percentile(level)
                consider(estimate?.mcse, "P\(Int((level * 100).rounded())) exposure, \(row.design), \(row.sizeBand)")
            }
        }
        for design in summary.budget.designs {
            guard let program = design.periods.first(where: { $0.period == wholeProgramLabel }),
                  let p90 = program.totalOutlay.level(budgetLevel) else { continue }
            consider(p90.mcse.map { abs($0 / p90.value) }, "P90 program outlay, \(design.design)")
        }
        return PrecisionReport(target: target, reached: worst.error, limitingFigure: worst.figure,
                               met: worst.error <= target, trials: summary.settings.trials)
    }
}
