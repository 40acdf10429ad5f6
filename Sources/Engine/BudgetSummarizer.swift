import Sampling
import Scenario
import Settlement
import Statistics

/// The budget view of a run: payer outlay per trial placed in fiscal periods by `CashTiming`,
/// appropriations at chosen confidence levels, and paired differences between designs.
struct BudgetSummarizer {
    let scenario: Scenario
    let results: SimulationResults
    /// The run's seed: settlement slips are drawn from streams of their own under it.
    let seed: UInt64
    let confidence: Double

    /// How many months program year `year`'s settlements slip in trial `trial`.
    func slip(trial: Int, year: Int) -> Int {
        let slips = scenario.budget.settlementSlip
        guard slips.count > 1 else { return slips.first?.months ?? 0 }
        var generator = Xoshiro256StarStar(seed: StreamSeed.derive(seed, UInt64(trial), 9, UInt64(year)))
        var u = generator.nextDouble()
        for slip in slips.dropLast() {
            if u < slip.probability { return slip.months }
            u -= slip.probability
        }
        return slips.last!.months
    }

    func summary() -> BudgetSummary {
        let timing = CashTiming(settings: scenario.budget, programYears: results.years,
                                firstCalendarYear: scenario.simulation.firstProgramYear,
                                classWeights: scenario.budget.federalMatch == nil ? nil
                                    : WorldExpectations(scenario: scenario).classCostWeights(),
                                pmpmTimings: scenario.designs.map(\.pmpmTiming))
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
        // The state's share, with `budget.federal_match`: per design, period and trial.
        let splits = timing.stateShareOfMonth != nil
        var stateTotals = splits ? totals : []
        var statePeriod = [Double](repeating: 0, count: periodCount)
        // Administrative items: the same in every trial, paid under every design (not under FFS).
        let admin = AdminLines(timing: timing, items: scenario.budget.adminItems, years: results.years, periodCount: periodCount)
        // Settlements that may land in either of two fiscal years: per design and fiscal year, the
        // sum over trials of what is paid in settlements whose fiscal year depends on the slip.
        let straddling = (1...results.years).map { year in
            (settlement: timing.timingSensitiveFiscalYears(year: year, recoupment: false),
             recoupment: timing.timingSensitiveFiscalYears(year: year, recoupment: true))
        }
        let timingMatters = straddling.contains { !$0.settlement.isEmpty || !$0.recoupment.isEmpty }
        var atStakeSums = Array(repeating: [Double](repeating: 0, count: periodCount), count: designCount)
        // Settlements observed as paid (a fall re-forecast): paid[design][program year].
        var paid = Array(repeating: [Int: Double](), count: designCount)
        for settlement in scenario.observed?.settlementsPaid ?? [] {
            if let d = scenario.designs.firstIndex(where: { $0.name == settlement.design }) { paid[d][settlement.year] = settlement.amount }
        }
        for t in 0..<results.trials {
            for d in 0..<designCount {
                let pmpm = d < results.designs ? scenario.designs[d].pmpmTiming : .inMonth
                for k in periodTotals.indices { periodTotals[k] = 0; statePeriod[k] = 0 }
                if d < results.designs {
                    for k in 0..<periodCount { periodTotals[k] += admin.total[k]; statePeriod[k] += admin.state[k] }
                }
                for year in 1...results.years {
                    let start = results.outlayIndex(trial: t, design: d, year: year)
                    var owed = Array(results.outlay[start..<(start + componentCount)])
                    var slip = slip(trial: t, year: year)
                    if let actual = paid[d][year] {
                        // Already paid (observed): the actual net amount, on time, in every trial.
                        owed[PayerOutlay.Component.qualityPaid.rawValue] = 0
                        owed[PayerOutlay.Component.sharedSavings.rawValue] = max(actual, 0)
                        let rate = scenario.budget.recoupmentCollectionRate
                        owed[PayerOutlay.Component.sharedLossesRecouped.rawValue] = rate > 0 ? max(-actual, 0) / rate : 0
                        slip = 0
                    }
                    if timingMatters {
                        for component in PayerOutlay.Component.allCases where component.isSettlement {
                            let paid = timing.paidInAll(component, owed: owed[component.rawValue])
                            let years = component == .sharedLossesRecouped ? straddling[year - 1].recoupment : straddling[year - 1].settlement
                            for k in years { atStakeSums[d][k] += paid }
                        }
                    }
                    for component in PayerOutlay.Component.allCases {
                        for k in componentTotals.indices { componentTotals[k] = 0 }
                        timing.distribute(component, amount: owed[component.rawValue], year: year,
                                          into: &componentTotals, pmpm: pmpm, slip: slip)
                        for k in 0..<periodCount {
                            periodTotals[k] += componentTotals[k]
                            componentSums[d][component.rawValue][k] += componentTotals[k]
                        }
                        componentSums[d][component.rawValue][periodCount] += fiscalYears.reduce(0) { $0 + componentTotals[$1] }
                        if splits {
                            timing.distribute(component, amount: owed[component.rawValue], year: year,
                                              into: &statePeriod, payer: .state, pmpm: pmpm, slip: slip)
                        }
                        guard tracksIncurred else { continue }
                        for k in incurredTotals.indices { incurredTotals[k] = 0 }
                        timing.distribute(component, amount: owed[component.rawValue], year: year,
                                          into: &incurredTotals, incurred: true, slip: slip)
                        for k in 0..<periodCount { incurredSums[d][k] += incurredTotals[k] }
                        incurredSums[d][periodCount] += fiscalYears.reduce(0) { $0 + incurredTotals[$1] }
                        if component.isClaims {
                            for k in 0..<periodCount { unpaidSums[d][k] += incurredTotals[k] - componentTotals[k] }
                        }
                    }
                }
                for k in 0..<periodCount { totals[d][k][t] = periodTotals[k] }
                totals[d][periodCount][t] = fiscalYears.reduce(0) { $0 + periodTotals[$1] }
                if splits {
                    for k in 0..<periodCount { stateTotals[d][k][t] = statePeriod[k] }
                    stateTotals[d][periodCount][t] = fiscalYears.reduce(0) { $0 + statePeriod[$1] }
                }
                if tracksIncurred && d < results.designs {
                    for k in 0..<periodCount { incurredSums[d][k] += admin.total[k] }
                    incurredSums[d][periodCount] += fiscalYears.reduce(0) { $0 + admin.total[$1] }
                }
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
                    } + (d < results.designs ? admin.componentMeans(period: k, fiscalYears: fiscalYears) : []),
                    serviceMonths: k < periodCount ? timing.periods[k].serviceMonths : nil)
                if splits {
                    let state = stateTotals[d][k], stateReference = stateTotals[reference][k]
                    let federal = zip(totals[d][k], state).map { $0 - $1 }
                    period.stateOutlay = Appropriation(perTrial: state, levels: levels)
                    period.federalOutlay = Appropriation(perTrial: federal, levels: levels)
                    if d != reference {
                        period.stateNetCost = Appropriation(perTrial: zip(state, stateReference).map { $0 - $1 }, levels: levels)
                        let federalReference = zip(totals[reference][k], stateReference).map { $0 - $1 }
                        period.federalNetCost = Appropriation(perTrial: zip(federal, federalReference).map { $0 - $1 }, levels: levels)
                    }
                }
                if timingMatters, k < periodCount, !timing.periods[k].isHalfYear, atStakeSums[d][k] != 0 {
                    period.settlementsAtStake = atStakeSums[d][k] / trials
                }
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
                    var comparison = PairedComparison(design: names[j], baseline: names[i], period: labels[k],
                                                      difference: Appropriation(perTrial: difference, levels: [0.05, 0.5, 0.95]))
                    if splits {
                        comparison.stateDifference = Appropriation(perTrial: zip(stateTotals[j][k], stateTotals[i][k]).map { $0 - $1 },
                                                                   levels: [0.05, 0.5, 0.95])
                    }
                    comparisons.append(comparison)
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

/// The administrative items' amounts per fiscal period: in all and the state's share, and each
/// item's own line (a component of its own in the budget view).
struct AdminLines {
    let items: [AdminItem]
    let total: [Double]
    let state: [Double]
    /// perItem[i][k]: item i's amount in period k.
    let perItem: [[Double]]

    init(timing: CashTiming, items: [AdminItem], years: Int, periodCount: Int) {
        self.items = items
        var perItem: [[Double]] = [], total = [Double](repeating: 0, count: periodCount), state = total
        for item in items {
            var amounts = [Double](repeating: 0, count: periodCount)
            for year in 1...years {
                timing.distribute(item, year: year, into: &amounts)
                timing.distribute(item, year: year, into: &state, payer: .state)
            }
            for k in 0..<periodCount { total[k] += amounts[k] }
            perItem.append(amounts)
        }
        self.total = total; self.state = state; self.perItem = perItem
    }

    /// Period `k`'s line per item (`periodCount` = the whole program: its fiscal years summed).
    func componentMeans(period k: Int, fiscalYears: [Int]) -> [ComponentMean] {
        items.indices.map { i in
            ComponentMean(component: "admin: \(items[i].name)",
                          mean: k < perItem[i].count ? perItem[i][k] : fiscalYears.reduce(0) { $0 + perItem[i][$1] })
        }
    }
}
