import Scenario
import Settlement
import Statistics

/// The budget view of a run: payer outlay per trial placed in fiscal periods by `CashTiming`,
/// appropriations at chosen confidence levels, and paired differences between designs.
struct BudgetSummarizer {
    let scenario: Scenario
    let results: SimulationResults
    let confidence: Double

    func summary() -> BudgetSummary {
        let timing = CashTiming(settings: scenario.budget, programYears: results.years,
                                firstCalendarYear: scenario.simulation.firstProgramYear)
        let periodCount = timing.periods.count
        let fiscalYears = timing.periods.indices.filter { !timing.periods[$0].isHalfYear }
        let labels = timing.periods.map(\.label) + [wholeProgramLabel]
        let designCount = results.designs + 1          // the FFS counterfactual last
        let componentCount = PayerOutlay.Component.allCases.count

        // totals[design][period][trial]; the last period is the whole program.
        var totals = Array(repeating: Array(repeating: [Double](repeating: 0, count: results.trials), count: labels.count),
                           count: designCount)
        var componentSums = Array(repeating: Array(repeating: [Double](repeating: 0, count: labels.count), count: componentCount),
                                  count: designCount)
        var periodTotals = [Double](repeating: 0, count: periodCount)
        var componentTotals = [Double](repeating: 0, count: periodCount)
        // The incurred view, only when claims are paid on a run-out pattern: sums over trials of
        // incurred outlay, and of claims incurred less claims paid, per period.
        let tracksIncurred = scenario.budget.claimsLag != [1]
        var incurredSums = Array(repeating: [Double](repeating: 0, count: periodCount + 1), count: designCount)
        var unpaidSums = Array(repeating: [Double](repeating: 0, count: periodCount), count: designCount)
        var incurredTotals = [Double](repeating: 0, count: periodCount)
        for t in 0..<results.trials {
            for d in 0..<designCount {
                for k in periodTotals.indices { periodTotals[k] = 0 }
                for year in 1...results.years {
                    let start = results.outlayIndex(trial: t, design: d, year: year)
                    for component in PayerOutlay.Component.allCases {
                        for k in componentTotals.indices { componentTotals[k] = 0 }
                        timing.distribute(component, amount: results.outlay[start + component.rawValue], year: year,
                                          into: &componentTotals)
                        for k in 0..<periodCount {
                            periodTotals[k] += componentTotals[k]
                            componentSums[d][component.rawValue][k] += componentTotals[k]
                        }
                        componentSums[d][component.rawValue][periodCount] += fiscalYears.reduce(0) { $0 + componentTotals[$1] }
                        guard tracksIncurred else { continue }
                        for k in incurredTotals.indices { incurredTotals[k] = 0 }
                        timing.distribute(component, amount: results.outlay[start + component.rawValue], year: year,
                                          into: &incurredTotals, incurred: true)
                        for k in 0..<periodCount { incurredSums[d][k] += incurredTotals[k] }
                        incurredSums[d][periodCount] += fiscalYears.reduce(0) { $0 + incurredTotals[$1] }
                        if component.isClaims {
                            for k in 0..<periodCount { unpaidSums[d][k] += incurredTotals[k] - componentTotals[k] }
                        }
                    }
                }
                for k in 0..<periodCount { totals[d][k][t] = periodTotals[k] }
                totals[d][periodCount][t] = fiscalYears.reduce(0) { $0 + periodTotals[$1] }
            }
        }

        let levels = Array(Set(BudgetSummary.standardLevels + BudgetSummary.fanLevels + [confidence])).sorted()
        let names = scenario.designs.map(\.name) + [counterfactualLabel]
        let counterfactual = results.designs
        // Net cost is measured against pure FFS, or against a named design (the status quo).
        let reference = scenario.budget.netAgainst.flatMap { name in scenario.designs.firstIndex { $0.name == name } }
            ?? counterfactual
        let trials = Double(results.trials)
        let designs = (0..<designCount).map { d in
            // Claims incurred but unpaid at the end of a period: everything incurred less paid so
            // far, period by period in order (fiscal years and half years each in their own run).
            var unpaidByPeriod = [Double](repeating: 0, count: periodCount)
            var carried = (year: 0.0, half: 0.0)
            for k in 0..<periodCount {
                if timing.periods[k].isHalfYear { carried.half += unpaidSums[d][k]; unpaidByPeriod[k] = carried.half }
                else { carried.year += unpaidSums[d][k]; unpaidByPeriod[k] = carried.year }
            }
            return DesignBudget(design: names[d], periods: labels.indices.map { k in
                var period = PeriodBudget(
                    period: labels[k],
                    totalOutlay: Appropriation(perTrial: totals[d][k], levels: levels),
                    netCost: d == reference ? nil
                        : Appropriation(perTrial: zip(totals[d][k], totals[reference][k]).map { $0 - $1 }, levels: levels),
                    componentMeans: PayerOutlay.Component.allCases.map {
                        ComponentMean(component: $0.name, mean: componentSums[d][$0.rawValue][k] / trials)
                    },
                    serviceMonths: k < periodCount ? timing.periods[k].serviceMonths : nil)
                if tracksIncurred {
                    period.incurredMean = incurredSums[d][k] / trials
                    period.unpaidClaimsAtEnd = k < periodCount ? unpaidByPeriod[k] / trials : nil
                }
                return period
            })
        }
        var comparisons: [PairedComparison] = []
        for i in 0..<results.designs {
            for j in (i + 1)..<results.designs {
                for k in labels.indices where k >= periodCount || !timing.periods[k].isHalfYear {
                    let difference = zip(totals[j][k], totals[i][k]).map { $0 - $1 }
                    comparisons.append(PairedComparison(design: names[j], baseline: names[i], period: labels[k],
                                                        difference: Appropriation(perTrial: difference, levels: [0.05, 0.5, 0.95])))
                }
            }
        }
        let settings = scenario.budget
        var summary = BudgetSummary(fiscalYearStartMonth: settings.fiscalYearStartMonth,
                                    settlementLagMonths: settings.settlementLagMonths,
                                    recoupmentLagMonths: settings.recoupmentLagMonths,
                                    recoupmentCollectionRate: settings.recoupmentCollectionRate,
                                    confidence: confidence, periods: labels, designs: designs, comparisons: comparisons)
        summary.netAgainst = reference == counterfactual ? nil : scenario.designs[reference].name
        return summary
    }
}
