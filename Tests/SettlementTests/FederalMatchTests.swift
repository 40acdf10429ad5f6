import Scenario
import Settlement
import Testing

/// The state's and the federal government's shares by hand. Program year 1 is calendar 2027,
/// state fiscal years start in July, the federal fiscal year on October 1 (FFY2028 = October
/// 2027 – September 2028). Two member classes carry 75% and 25% of the spending; the first is
/// matched at 50% until FFY2028, when its rate becomes 60%; the second at 90% throughout.
struct FederalMatchTests {
    static func timing(items: [AdminItem] = []) -> CashTiming {
        var settings = BudgetSettings(fiscalYearStartMonth: 7, programStartMonth: 1)
        settings.federalMatch = FederalMatch(classRates: [0.5, 0.9],
                                             changes: [FMAPChange(federalFiscalYear: 2028, classIndex: 0, rate: 0.6)],
                                             adminRate: 0.5)
        settings.adminItems = items
        return CashTiming(settings: settings, programYears: 1, firstCalendarYear: 2027, classWeights: [0.75, 0.25])
    }

    static func byLabel(_ totals: [Double], _ timing: CashTiming) -> [String: Double] {
        var out: [String: Double] = [:]
        for (k, period) in timing.periods.enumerated() where !period.isHalfYear && totals[k] != 0 { out[period.label] = totals[k] }
        return out
    }

    /// $100 a month of prospective payment in 2027. January–September 2027 (FFY2027): federal
    /// 0.75 × 0.5 + 0.25 × 0.9 = 0.6, the state pays $40 a month. October–December (FFY2028):
    /// federal 0.75 × 0.6 + 0.25 × 0.9 = 0.675, the state pays $32.50. State FY2027 (January–June)
    /// = 6 × 40 = 240; FY2028 = 3 × 40 + 3 × 32.50 = 217.50.
    @Test func theStateShareFollowsClassesAndTheOctoberFirstChange() {
        let timing = Self.timing()
        var state = [Double](repeating: 0, count: timing.periods.count)
        timing.distribute(.prospective, amount: 1200, year: 1, into: &state, payer: .state)
        let shares = Self.byLabel(state, timing)
        #expect(abs(shares["FY2027"]! - 240) < 1e-9 && abs(shares["FY2028"]! - 217.5) < 1e-9, "\(shares)")
        #expect(abs(timing.stateShareOfMonth![8] - 0.4) < 1e-15 && abs(timing.stateShareOfMonth![9] - 0.325) < 1e-15)
        // A settlement paid six months after the year ends, June 2028 (state FY2028, FFY2028), is
        // matched at the new rate.
        var settlement = [Double](repeating: 0, count: timing.periods.count)
        timing.distribute(.sharedSavings, amount: 1000, year: 1, into: &settlement, payer: .state)
        #expect(Self.byLabel(settlement, timing).mapValues { ($0 * 1e6).rounded() / 1e6 } == ["FY2028": 325])
    }

    /// An operations line of $1,200 a year at the 50% administrative match costs the state $600,
    /// spread evenly ($300 in each state fiscal year the calendar year touches); a one-time item
    /// paid in month 7 (July 2027) lands whole in FY2028, and a grant (negative, no match) offsets
    /// the state's cost dollar for dollar.
    @Test func administrativeItemsAreMatchedAtTheirOwnRateAndPaidWhenDue() {
        let operations = AdminItem(name: "operations", annual: [1200], federalShare: 0.5)
        let analytics = AdminItem(name: "analytics", annual: [2100], federalShare: 0.5, month: 7)
        let grant = AdminItem(name: "grant", annual: [-2100], federalShare: 0, month: 7)
        let timing = Self.timing(items: [operations, analytics, grant])
        func paid(_ item: AdminItem, _ payer: CashTiming.Payer) -> [String: Double] {
            var totals = [Double](repeating: 0, count: timing.periods.count)
            timing.distribute(item, year: 1, into: &totals, payer: payer)
            return Self.byLabel(totals, timing)
        }
        #expect(paid(operations, .state) == ["FY2027": 300, "FY2028": 300])
        #expect(paid(operations, .total) == ["FY2027": 600, "FY2028": 600])
        #expect(paid(analytics, .state) == ["FY2028": 1050] && paid(grant, .state) == ["FY2028": -2100])
    }

    @Test func theFederalFiscalYearStartsOnOctoberFirst() {
        let settings = BudgetSettings(fiscalYearStartMonth: 7, programStartMonth: 1)
        #expect(CashTiming.federalFiscalYear(month: 8, settings: settings, firstCalendarYear: 2027) == 2027)   // September 2027
        #expect(CashTiming.federalFiscalYear(month: 9, settings: settings, firstCalendarYear: 2027) == 2028)   // October 2027
        #expect(CashTiming.federalFiscalYear(month: 21, settings: settings, firstCalendarYear: 2027) == 2029)  // October 2028
    }
}
