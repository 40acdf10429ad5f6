@testable import Engine
import Reports
import Foundation
import Scenario
import Settlement
import Statistics
import Testing

struct BudgetTests {
    static func scenario() throws -> Scenario {
        var scenario = try Fixture.scenario()
        var twin = scenario.designs[1]
        twin.name = "Two-sided (twin)"
        scenario.designs.append(twin)
        return scenario
    }

    @Test func appropriationIsThePercentileOfPerTrialProgramOutlay() throws {
        let scenario = try Self.scenario()
        let results = try Simulation.run(scenario: scenario, trials: 60, seed: 12, threads: 2)
        let budget = Summarizer(scenario: scenario, results: results).summary(seed: 12, confidence: 0.975).budget
        for d in 0...results.designs {
            // Per-trial program outlay straight from the raw results (collection rate 1: every
            // component is paid within the horizon, at its sign).
            let perTrial = (0..<results.trials).map { t in
                (1...results.years).reduce(0.0) { total, year in
                    var outlay = PayerOutlay()
                    let start = results.outlayIndex(trial: t, design: d, year: year)
                    outlay.amounts = Array(results.outlay[start..<(start + PayerOutlay.Component.allCases.count)])
                    return total + outlay.total
                }
            }.sorted()
            let program = try #require(budget.designs[d].periods.first { $0.period == wholeProgramLabel })
            for level in [0.5, 0.8, 0.9, 0.95, 0.975] {
                let expected = Quantile.of(sorted: perTrial, level)
                let reported = try #require(program.totalOutlay.level(level)).value
                // Equal up to the order of floating-point additions (months vs years).
                #expect(abs(reported - expected) <= 1e-9 * abs(expected), "level \(level)")
            }
        }
    }

    @Test func pairedDifferenceOfADesignWithItsTwinIsExactlyZero() throws {
        let scenario = try Self.scenario()
        let results = try Simulation.run(scenario: scenario, trials: 30, seed: 4, threads: 2)
        let budget = Summarizer(scenario: scenario, results: results).summary(seed: 4).budget
        let twins = budget.comparisons.filter { $0.design == "Two-sided (twin)" && $0.baseline == "Two-sided" }
        #expect(!twins.isEmpty)
        for comparison in twins {
            #expect(comparison.difference.mean.value == 0)
            #expect(comparison.difference.sd == 0)
            #expect(comparison.difference.levels.allSatisfy { $0.value == 0 })
        }
        let other = budget.comparisons.first { $0.design == "Two-sided" && $0.baseline == "PMPM" && $0.period == wholeProgramLabel }
        #expect(other.map { $0.difference.sd > 0 } == true)
    }

    @Test func netCostOfTheCounterfactualAgainstItselfIsAbsentAndDesignsNetIsPaired() throws {
        let scenario = try Self.scenario()
        let results = try Simulation.run(scenario: scenario, trials: 20, seed: 9, threads: 1)
        let budget = Summarizer(scenario: scenario, results: results).summary(seed: 9).budget
        let counterfactual = try #require(budget.designs.last)
        #expect(counterfactual.design == counterfactualLabel)
        #expect(counterfactual.periods.allSatisfy { $0.netCost == nil })
        #expect(budget.periods.first == "FY2027" && budget.periods.last == wholeProgramLabel)
    }
}

/// `budget.net_against`: net cost measured against a named design (the status quo) rather than
/// pure FFS. Differences of the same per-trial totals, so the arithmetic is exact.
struct StatusQuoTests {
    @Test func netCostAgainstADesignIsTheDifferenceOfTheTwoOutlaysTrialByTrial() throws {
        let plain = try Fixture.scenario()
        var againstPMPM = plain
        againstPMPM.budget.netAgainst = "PMPM"
        let results = try Simulation.run(scenario: plain, trials: 40, seed: 6, threads: 2)
        let ffsBased = Summarizer(scenario: plain, results: results).summary(seed: 6).budget
        let quoBased = Summarizer(scenario: againstPMPM, results: results).summary(seed: 6).budget
        #expect(ffsBased.netAgainst == nil && quoBased.netAgainst == "PMPM" && quoBased.netReference == "PMPM")
        func whole(_ budget: BudgetSummary, _ design: String) -> PeriodBudget? {
            budget.designs.first { $0.design == design }?.periods.first { $0.isWholeProgram }
        }
        // The reference design has no net cost; FFS now has one, the negative of PMPM's against FFS.
        #expect(whole(quoBased, "PMPM")?.netCost == nil)
        let ffsAgainstPMPM = try #require(whole(quoBased, counterfactualLabel)?.netCost?.mean.value)
        let pmpmAgainstFFS = try #require(whole(ffsBased, "PMPM")?.netCost?.mean.value)
        #expect(abs(ffsAgainstPMPM + pmpmAgainstFFS) <= 1e-9 * abs(pmpmAgainstFFS))
        // Two-sided against PMPM is the paired comparison Two-sided − PMPM, level by level.
        let net = try #require(whole(quoBased, "Two-sided")?.netCost)
        let comparison = try #require(quoBased.comparisons.first { $0.period == wholeProgramLabel && $0.design == "Two-sided" && $0.baseline == "PMPM" })
        #expect(abs(net.mean.value - comparison.difference.mean.value) <= 1e-6)
    }

    /// With a claims run-out, each design's whole-program incurred outlay equals its paid outlay
    /// (every claim is paid within the horizon), and the unpaid claims at the end of the last
    /// fiscal year are zero; at the end of the first they are the run-out of its last month.
    @Test func incurredAndPaidAgreeOverTheProgramAndTheLiabilityRunsOff() throws {
        var scenario = try Fixture.scenario()
        scenario.budget.claimsLag = [0.5, 0.3, 0.2]
        let results = try Simulation.run(scenario: scenario, trials: 30, seed: 6, threads: 2)
        let budget = Summarizer(scenario: scenario, results: results).summary(seed: 6).budget
        for design in budget.designs {
            let whole = try #require(design.periods.first { $0.isWholeProgram })
            let incurred = try #require(whole.incurredMean)
            #expect(abs(incurred - whole.totalOutlay.mean.value) <= 1e-9 * abs(incurred), "\(design.design)")
            let years = design.periods.filter { !$0.isHalfYear && !$0.isWholeProgram }
            #expect(abs(years.last?.unpaidClaimsAtEnd ?? 1) <= 1e-6 * abs(incurred))
            #expect((years.first?.unpaidClaimsAtEnd ?? 0) > 0)
        }
        // Without a run-out there is nothing to report.
        let plain = Summarizer(scenario: try Fixture.scenario(), results: results).summary(seed: 6).budget
        #expect(plain.designs.allSatisfy { $0.periods.allSatisfy { $0.incurredMean == nil && $0.unpaidClaimsAtEnd == nil } })
        // A pattern that does not sum to 1 is refused where it is written.
        let bad = Fixture.world + "\nbudget: {claims_lag: [0.5, 0.3]}\n"
        do {
            _ = try ScenarioLoader.parse(data: Data(bad.utf8), file: "fixture.yaml")
            Issue.record("accepted a lag pattern summing to 0.8")
        } catch {
            #expect(error.description.contains("budget.claims_lag: sums to 0.8"), "\(error.description)")
        }
    }

    @Test func anUnknownStatusQuoIsALocatedError() throws {
        let text = Fixture.world + "\nbudget: {net_against: PMPN}\n"
        do {
            _ = try ScenarioLoader.parse(data: Data(text.utf8), file: "fixture.yaml")
            Issue.record("accepted an unknown design")
        } catch {
            #expect(error.description.contains("budget.net_against: found 'PMPN' (did you mean 'PMPM'?), expected the name of one of the designs"),
                    "\(error.description)")
        }
        let good = Fixture.world + "\nbudget: {net_against: PMPM}\n"
        #expect(try ScenarioLoader.parse(data: Data(good.utf8), file: "fixture.yaml").budget.netAgainst == "PMPM")
    }

    /// With every class matched at 50% and no administrative items, the state pays exactly half of
    /// every trial's outlay, period by period; the federal share is the other half. An
    /// administrative line is paid under every design (not under FFS) and shows as its own
    /// component; its state share follows its own match rate.
    @Test func stateAndFederalSharesAddUpToTheTotalTrialByTrial() throws {
        let halves = try Fixture.scenario(Fixture.world + "\nbudget: {federal_match: {default: 0.5}}\n")
        let results = try Simulation.run(scenario: halves, trials: 40, seed: 8, threads: 2)
        let budget = Summarizer(scenario: halves, results: results).summary(seed: 8).budget
        #expect(budget.splitsShares)
        for design in budget.designs {
            for period in design.periods where !period.isEmpty {
                let state = try #require(period.stateOutlay), federal = try #require(period.federalOutlay)
                let total = period.totalOutlay.mean.value
                #expect(abs(state.mean.value - total / 2) <= 1e-9 * abs(total), "\(design.design) \(period.period)")
                #expect(abs(state.mean.value + federal.mean.value - total) <= 1e-9 * abs(total))
                #expect(period.appropriated == state)
            }
        }
        #expect(!budget.comparisons.isEmpty)
        for comparison in budget.comparisons {
            let state = try #require(comparison.stateDifference), total = comparison.difference.mean.value
            #expect(abs(state.mean.value - total / 2) <= 1e-9 * max(abs(total), 1), "\(comparison.design) \(comparison.period)")
        }
        let withAdmin = try Fixture.scenario(Fixture.world + """

            budget:
              federal_match: {default: 0.5, classes: {adult: 0.9}, admin: 0.75}
              admin_items: [{name: operations, annual: [1000000, 2000000, 3000000]}]
            """)
        #expect(withAdmin.budget.federalMatch?.classRates == [0.5, 0.9])
        let adminBudget = Summarizer(scenario: withAdmin, results: results).summary(seed: 8).budget
        let plainBudget = Summarizer(scenario: try Fixture.scenario(), results: results).summary(seed: 8).budget
        for (design, plain) in zip(adminBudget.designs, plainBudget.designs) {
            let whole = try #require(design.periods.first { $0.isWholeProgram }), plainWhole = try #require(plain.periods.first { $0.isWholeProgram })
            let added = design.design == counterfactualLabel ? 0.0 : 6_000_000
            #expect(abs(whole.totalOutlay.mean.value - plainWhole.totalOutlay.mean.value - added) < 1e-3, "\(design.design)")
            #expect(whole.componentMeans.contains { $0.component == "admin: operations" } == (design.design != counterfactualLabel))
        }
        for (text, message) in [("{federal_match: {default: 1.5}}", "budget.federal_match.default: found 1.5, expected a share in [0, 1]"),
                                ("{federal_match: {changes: [{federal_fiscal_year: 2028, class: kids, rate: 0.6}]}}",
                                 "budget.federal_match.changes[0].class: names 'kids', which is not a member class"),
                                ("{admin_items: [{name: ops, annual: [1, 2]}]}", "budget.admin_items[0].annual: has 2 amounts; expected one per program year (3)")] {
            do {
                _ = try ScenarioLoader.parse(data: Data((Fixture.world + "\nbudget: \(text)\n").utf8), file: "fixture.yaml")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    @Test func aDesignSaysWhenItPaysPMPMs() throws {
        let text = Fixture.world.replacingOccurrences(of: "  - name: PMPM\n", with: "  - name: PMPM\n    pmpm_timing: advance\n")
        let scenario = try Fixture.scenario(text)
        #expect(scenario.designs.map(\.pmpmTiming) == [.advance, .inMonth])
        let results = try Simulation.run(scenario: scenario, trials: 20, seed: 4, threads: 2)
        let plain = try Fixture.scenario()
        let advance = Summarizer(scenario: scenario, results: results).summary(seed: 4).budget
        let inMonth = Summarizer(scenario: plain, results: results).summary(seed: 4).budget
        // The add-ons move a month earlier: more in the first fiscal year, the same over the program.
        func fy(_ budget: BudgetSummary, _ k: Int) -> Double { budget.designs[0].periods.filter { !$0.isHalfYear }[k].totalOutlay.mean.value }
        #expect(fy(advance, 0) > fy(inMonth, 0))
        let whole = { (b: BudgetSummary) in b.designs[0].periods.first { $0.isWholeProgram }!.totalOutlay.mean.value }
        #expect(abs(whole(advance) - whole(inMonth)) <= 1e-9 * whole(inMonth))
        let bad = Fixture.world.replacingOccurrences(of: "  - name: PMPM\n", with: "  - name: PMPM\n    pmpm_timing: early\n")
        do {
            _ = try ScenarioLoader.parse(data: Data(bad.utf8), file: "fixture.yaml")
            Issue.record("accepted pmpm_timing: early")
        } catch {
            #expect(error.description.contains("designs[0].pmpm_timing: found 'early', expected one of in_month, advance, arrears"), "\(error.description)")
        }
    }

    /// A slip moves settlements between fiscal years, never in or out of the program: every
    /// trial's whole-program outlay is what it is without slips, to the cent. The share of trials
    /// whose year-1 settlement slips matches its probability within the binomial error.
    @Test func settlementSlipsMoveMoneyBetweenFiscalYearsOnly() throws {
        let onTime = try Fixture.scenario()
        var slipping = onTime
        slipping.budget.settlementSlip = [SettlementSlip(months: 0, probability: 0.7), SettlementSlip(months: 3, probability: 0.3)]
        let results = try Simulation.run(scenario: onTime, trials: 200, seed: 3, threads: 2)
        let a = Summarizer(scenario: onTime, results: results).summary(seed: 3).budget
        let b = Summarizer(scenario: slipping, results: results).summary(seed: 3).budget
        for (x, y) in zip(a.designs, b.designs) {
            let wx = x.periods.first { $0.isWholeProgram }!, wy = y.periods.first { $0.isWholeProgram }!
            #expect(abs(wx.totalOutlay.mean.value - wy.totalOutlay.mean.value) <= 1e-9 * abs(wx.totalOutlay.mean.value))
        }
        let two = try #require(b.designs.first { $0.design == "Two-sided" })
        #expect(two.periods.contains { $0.settlementsAtStake != nil }, "a 3-month slip of a June settlement crosses into July")
        #expect(BudgetTable.timingNote(two)?.hasPrefix("Depends on settlement timing: FY2028") == true)
        let summarizer = BudgetSummarizer(scenario: slipping, results: results, seed: 3, confidence: 0.9)
        let slipped = Double((0..<2000).filter { summarizer.slip(trial: $0, year: 1) == 3 }.count) / 2000
        #expect(abs(slipped - 0.3) < 4 * (0.3 * 0.7 / 2000).squareRoot(), "\(slipped)")
    }
}
