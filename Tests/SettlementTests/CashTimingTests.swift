import Scenario
import Settlement
import Testing

/// Cash timing by hand: program year 1 is calendar 2027 (January start), fiscal years start in
/// July and are named by the year they end in (FY2028 = July 2027 – June 2028).
struct CashTimingTests {
    func timing(settlementLag: Int = 6, recoupmentLag: Int = 9, collection: Double = 1) -> CashTiming {
        CashTiming(settings: BudgetSettings(fiscalYearStartMonth: 7, programStartMonth: 1, settlementLagMonths: settlementLag,
                                            recoupmentCollectionRate: collection, recoupmentLagMonths: recoupmentLag),
                   programYears: 2, firstCalendarYear: 2027)
    }

    func paid(_ component: PayerOutlay.Component, _ amount: Double, year: Int, in timing: CashTiming) -> [String: Double] {
        var totals = [Double](repeating: 0, count: timing.periods.count)
        timing.distribute(component, amount: amount, year: year, into: &totals)
        var byLabel: [String: Double] = [:]
        for (k, period) in timing.periods.enumerated() where totals[k] != 0 { byLabel[period.label] = totals[k] }
        return byLabel
    }

    /// Claims of program year 1 (calendar 2027), $1,200 at $100 a month, paid half in the month of
    /// service and half the month after: FY2027 (January–June) pays $50 + 5 × $100 = $550, FY2028
    /// (July 2027 – June 2028) $650: $600 in its first half, the last $50 in January 2028. Incurred, each fiscal year has
    /// $600, so $50 of claims are unpaid at the end of FY2027 and none at the end of FY2028.
    /// Prospective payments are not claims: no run-out.
    @Test func aClaimsRunOutMovesAKnownAmountAcrossTheFiscalYearBoundary() {
        var settings = BudgetSettings(fiscalYearStartMonth: 7, programStartMonth: 1)
        settings.claimsLag = [0.5, 0.5]
        let timing = CashTiming(settings: settings, programYears: 1, firstCalendarYear: 2027)
        #expect(paid(.ffs, 1200, year: 1, in: timing) == ["FY2027": 550, "FY2028": 650, "FY2027 H2": 550, "FY2028 H1": 600, "FY2028 H2": 50])
        #expect(paid(.otherClaims, 1200, year: 1, in: timing)["FY2027"] == 550)
        #expect(paid(.prospective, 1200, year: 1, in: timing) == ["FY2027": 600, "FY2028": 600, "FY2027 H2": 600, "FY2028 H1": 600])
        var incurred = [Double](repeating: 0, count: timing.periods.count)
        timing.distribute(.ffs, amount: 1200, year: 1, into: &incurred, incurred: true)
        let fy2027 = timing.periods.firstIndex { $0.label == "FY2027" }!, fy2028 = timing.periods.firstIndex { $0.label == "FY2028" }!
        #expect(incurred[fy2027] == 600 && incurred[fy2028] == 600)
    }

    @Test func fiscalYearsAreNamedByTheYearTheyEndIn() {
        let settings = BudgetSettings(fiscalYearStartMonth: 7, programStartMonth: 1)
        #expect(CashTiming.fiscalYear(month: 0, settings: settings, firstCalendarYear: 2027) == (2027, 2))  // Jan 2027
        #expect(CashTiming.fiscalYear(month: 5, settings: settings, firstCalendarYear: 2027) == (2027, 2))  // Jun 2027
        #expect(CashTiming.fiscalYear(month: 6, settings: settings, firstCalendarYear: 2027) == (2028, 1))  // Jul 2027
        #expect(CashTiming.fiscalYear(month: 12, settings: settings, firstCalendarYear: 2027) == (2028, 2)) // Jan 2028
        let calendar = BudgetSettings(fiscalYearStartMonth: 1, programStartMonth: 1)
        #expect(CashTiming.fiscalYear(month: 11, settings: calendar, firstCalendarYear: 2027) == (2027, 2))
    }

    /// Two program years from January 2027 with a July fiscal year: FY2027 holds 6 months of
    /// service, FY2028 12, FY2029 the last 6, and FY2030 only the recoupments 9 months on.
    @Test func periodsCountTheirMonthsOfService() {
        let months = Dictionary(uniqueKeysWithValues: timing().periods.map { ($0.label, $0.serviceMonths) })
        #expect(months["FY2027"] == 6 && months["FY2028"] == 12 && months["FY2029"] == 6 && months["FY2030"] == 0)
        #expect(months["FY2027 H2"] == 6 && months["FY2028 H1"] == 6 && months["FY2029 H2"] == 0)
        #expect(timing().periods.filter { !$0.isHalfYear }.reduce(0) { $0 + $1.serviceMonths } == 24)
    }

    @Test func settlementSixMonthsAfterTheYearLandsInTheNextFiscalYear() {
        // Program year 1 ends December 2027; + 6 months = June 2028, the last month of FY2028.
        #expect(paid(.sharedSavings, 1_000, year: 1, in: timing(settlementLag: 6)) == ["FY2028": 1_000, "FY2028 H2": 1_000])
        // + 7 months = July 2028: FY2029.
        #expect(paid(.sharedSavings, 1_000, year: 1, in: timing(settlementLag: 7)) == ["FY2029": 1_000, "FY2029 H1": 1_000])
    }

    @Test func recoupmentsReduceOutlayAtTheCollectionRateAndTheirOwnLag() {
        // Program year 2 ends December 2028; + 9 months = September 2029: FY2030, first half.
        let result = paid(.sharedLossesRecouped, 1_000, year: 2, in: timing(recoupmentLag: 9, collection: 0.8))
        #expect(result == ["FY2030": -800, "FY2030 H1": -800])
    }

    @Test func monthlyPaymentsSplitAcrossTheFiscalYearsTheyFallIn() {
        // Program year 1 = January–December 2027: six months in FY2027, six in FY2028.
        let result = paid(.addOns, 1_200, year: 1, in: timing())
        #expect(result == ["FY2027": 600, "FY2027 H2": 600, "FY2028": 600, "FY2028 H1": 600])
        #expect(paid(.qualityWithheld, 1_200, year: 1, in: timing())["FY2027"] == -600)
    }

    /// FFS of $1,200 for calendar 2027 with claims paid half in the month of service and half the
    /// month after: FY2027 (to June 2027) pays $550. The same $1,200 as a prospective payment in
    /// advance is paid December 2026 to November 2027: FY2027 pays 7 × $100 = $700. Moving from
    /// FFS to prospective payment in advance pulls $150 (a month and a half) into the first fiscal
    /// year, once: the incurred view, by month of service, is the same $600 in each. In arrears
    /// the payments run February 2027 to January 2028.
    @Test func prospectivePaymentInAdvanceAcceleratesCashOnce() {
        var settings = BudgetSettings(fiscalYearStartMonth: 7, programStartMonth: 1)
        settings.claimsLag = [0.5, 0.5]
        let timing = CashTiming(settings: settings, programYears: 1, firstCalendarYear: 2027, pmpmTimings: [.advance, .arrears])
        #expect(timing.earliestMonth == -1)
        func fiscalYears(_ component: PayerOutlay.Component, _ pmpm: PMPMTiming, incurred: Bool = false) -> [String: Double] {
            var totals = [Double](repeating: 0, count: timing.periods.count)
            timing.distribute(component, amount: 1200, year: 1, into: &totals, incurred: incurred, pmpm: pmpm)
            var out: [String: Double] = [:]
            for (k, period) in timing.periods.enumerated() where !period.isHalfYear && totals[k] != 0 { out[period.label] = totals[k] }
            return out
        }
        #expect(fiscalYears(.ffs, .advance) == ["FY2027": 550, "FY2028": 650], "claims are not PMPMs: no shift")
        #expect(fiscalYears(.prospective, .advance) == ["FY2027": 700, "FY2028": 500])
        #expect(fiscalYears(.addOns, .arrears) == ["FY2027": 500, "FY2028": 700])
        #expect(fiscalYears(.prospective, .advance, incurred: true) == ["FY2027": 600, "FY2028": 600])
        // The month before the program is December 2026: still FY2027, in its first half.
        #expect(timing.periods.contains { $0.label == "FY2027 H1" && $0.serviceMonths == 0 })
    }

    /// Program year 1 (2027) settles six months after it ends, in June 2028: the last month of
    /// FY2028. A one-month slip moves it to July 2028, FY2029: both fiscal years depend on the
    /// timing. Recoupments, nine months after (September 2028), stay in FY2029 either way.
    @Test func aSlipAcrossAFiscalYearBoundaryIsFlagged() {
        var settings = BudgetSettings(fiscalYearStartMonth: 7, programStartMonth: 1, settlementLagMonths: 6, recoupmentLagMonths: 9)
        settings.settlementSlip = [SettlementSlip(months: 0, probability: 0.7), SettlementSlip(months: 1, probability: 0.3)]
        let timing = CashTiming(settings: settings, programYears: 1, firstCalendarYear: 2027)
        let labels = timing.timingSensitiveFiscalYears(year: 1, recoupment: false).map { timing.periods[$0].label }
        #expect(labels == ["FY2028", "FY2029"])
        #expect(timing.timingSensitiveFiscalYears(year: 1, recoupment: true).isEmpty)
        func paid(slip: Int) -> [String: Double] {
            var totals = [Double](repeating: 0, count: timing.periods.count)
            timing.distribute(.sharedSavings, amount: 1000, year: 1, into: &totals, slip: slip)
            var out: [String: Double] = [:]
            for (k, period) in timing.periods.enumerated() where !period.isHalfYear && totals[k] != 0 { out[period.label] = totals[k] }
            return out
        }
        #expect(paid(slip: 0) == ["FY2028": 1000] && paid(slip: 1) == ["FY2029": 1000])
    }
}
