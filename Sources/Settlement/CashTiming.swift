import Scenario

/// Places each program year's payments in the fiscal periods they are paid in: payments made
/// month by month (FFS, prospective, add-ons, withholds, other claims) spread evenly over the
/// program year's 12 months; quality payments and shared savings land `settlementLagMonths`
/// after the program year ends; recoupments `recoupmentLagMonths` after, at the collection rate.
public struct CashTiming: Sendable {
    public struct Period: Sendable, Equatable {
        public let label: String
        public let isHalfYear: Bool
        /// Months of program service in the period (12 in a whole fiscal year of the program, 6 in
        /// a half; fewer where the program starts or ends; 0 where only settlements are paid).
        public let serviceMonths: Int
    }

    public let settings: BudgetSettings
    public let programYears: Int
    /// Calendar year in which program year 1 starts.
    public let firstCalendarYear: Int
    public let periods: [Period]
    /// Index in `periods` of the fiscal year, and of the half year, of each month from program start.
    private let fiscalYearOfMonth: [Int]
    private let halfYearOfMonth: [Int]
    /// Share of service spending the state pays in each month from program start: 1 − the FMAP
    /// of the federal fiscal year the month is paid in, blended over member classes; nil without
    /// `budget.federal_match`.
    public let stateShareOfMonth: [Double]?

    /// First and last month (from program start) any payment can fall in: a month before the
    /// program when a design pays PMPMs in advance, one after the last payment when in arrears.
    public let earliestMonth: Int
    public let lastMonth: Int

    /// - Parameters:
    ///   - classWeights: each member class's share of the program's service spending, which
    ///     blends the classes' FMAPs (needed for the state share).
    ///   - pmpmTimings: how the designs pay PMPMs, so the months their payments fall in exist.
    public init(settings: BudgetSettings, programYears: Int, firstCalendarYear: Int, classWeights: [Double]? = nil,
                pmpmTimings: [PMPMTiming] = []) {
        self.settings = settings
        self.programYears = programYears
        self.firstCalendarYear = firstCalendarYear
        let earliestMonth = min(0, pmpmTimings.map(\.monthShift).min() ?? 0)
        let lastMonth = 12 * programYears - 1
            + max(max(settings.settlementLagMonths, settings.recoupmentLagMonths) + settings.longestSlip, settings.claimsLag.count - 1,
                  pmpmTimings.map(\.monthShift).max() ?? 0)
        self.earliestMonth = earliestMonth
        self.lastMonth = lastMonth
        var years: [String] = [], halves: [String] = []
        var yearOf: [Int] = [], halfOf: [Int] = []
        for month in earliestMonth...lastMonth {
            let (fiscalYear, half) = Self.fiscalYear(month: month, settings: settings, firstCalendarYear: firstCalendarYear)
            let yearLabel = "FY\(fiscalYear)", halfLabel = "FY\(fiscalYear) H\(half)"
            if years.last != yearLabel { years.append(yearLabel) }
            if halves.last != halfLabel { halves.append(halfLabel) }
            yearOf.append(years.count - 1)
            halfOf.append(halves.count - 1)
        }
        let serviceMonths = 12 * programYears
        func months(_ index: Int, of owner: [Int]) -> Int {
            owner[(-earliestMonth)..<(serviceMonths - earliestMonth)].filter { $0 == index }.count
        }
        periods = years.indices.map { Period(label: years[$0], isHalfYear: false, serviceMonths: months($0, of: yearOf)) }
            + halves.indices.map { Period(label: halves[$0], isHalfYear: true, serviceMonths: months($0, of: halfOf)) }
        fiscalYearOfMonth = yearOf
        halfYearOfMonth = halfOf.map { $0 + years.count }
        if let match = settings.federalMatch, let classWeights {
            stateShareOfMonth = (earliestMonth...lastMonth).map { month in
                let year = Self.federalFiscalYear(month: month, settings: settings, firstCalendarYear: firstCalendarYear)
                let federal = classWeights.indices.reduce(0.0) { $0 + classWeights[$1] * match.rate(classIndex: $1, federalFiscalYear: year) }
                return 1 - federal
            }
        } else {
            stateShareOfMonth = nil
        }
    }

    /// The federal fiscal year (October to September, named by the year it ends in) of month
    /// `month` from program start.
    public static func federalFiscalYear(month: Int, settings: BudgetSettings, firstCalendarYear: Int) -> Int {
        let (calendarYear, calendarMonth) = calendarDate(month: month, settings: settings, firstCalendarYear: firstCalendarYear)
        return calendarYear + (calendarMonth >= 10 ? 1 : 0)
    }

    /// Calendar year and month (1–12) of month `month` from program start (negative: before it).
    static func calendarDate(month: Int, settings: BudgetSettings, firstCalendarYear: Int) -> (year: Int, month: Int) {
        let absolute = settings.programStartMonth - 1 + month          // months since January of the first year
        let years = absolute >= 0 ? absolute / 12 : -((-absolute + 11) / 12)
        return (firstCalendarYear + years, absolute - 12 * years + 1)
    }

    /// Whose money a distributed amount counts: everyone's, or the state's share only.
    public enum Payer: Sendable { case total, state }

    /// Adds administrative item `item`'s amount for program year `year` into `totals`: evenly over
    /// the year's months or all in its month, the state paying what the federal match does not.
    public func distribute(_ item: AdminItem, year: Int, into totals: inout [Double], payer: Payer = .total) {
        let amount = item.annual[min(year, item.annual.count) - 1] * (payer == .state ? 1 - item.federalShare : 1)
        guard amount != 0 else { return }
        let months = item.month.map { [12 * (year - 1) + $0 - 1] } ?? Array((12 * (year - 1))..<(12 * year))
        for month in months {
            totals[fiscalYearOfMonth[month - earliestMonth]] += amount / Double(months.count)
            totals[halfYearOfMonth[month - earliestMonth]] += amount / Double(months.count)
        }
    }

    /// Fiscal year (named by the calendar year it ends in) and half (1 or 2) of month `month`
    /// counted from the start of program year 1.
    public static func fiscalYear(month: Int, settings: BudgetSettings, firstCalendarYear: Int) -> (year: Int, half: Int) {
        let (calendarYear, calendarMonth) = calendarDate(month: month, settings: settings, firstCalendarYear: firstCalendarYear)
        let fiscalYear = settings.fiscalYearStartMonth > 1 && calendarMonth >= settings.fiscalYearStartMonth
            ? calendarYear + 1 : calendarYear
        let monthsIntoFiscalYear = (calendarMonth - settings.fiscalYearStartMonth + 12) % 12
        return (fiscalYear, monthsIntoFiscalYear < 6 ? 1 : 2)
    }

    /// Month (from program start) in which a settlement of program year `year` is paid.
    public func settlementMonth(year: Int, recoupment: Bool, slip: Int = 0) -> Int {
        12 * year - 1 + (recoupment ? settings.recoupmentLagMonths : settings.settlementLagMonths) + slip
    }

    /// Index in `periods` of the fiscal year month `month` falls in.
    public func fiscalYearIndex(month: Int) -> Int { fiscalYearOfMonth[month - earliestMonth] }

    /// Fiscal years (indices in `periods`) whose settlements depend on when they land: for each
    /// program year and kind of settlement whose possible months (`budget.settlement_slip`) span
    /// two or more fiscal years, each of those fiscal years.
    public func timingSensitiveFiscalYears(year: Int, recoupment: Bool) -> [Int] {
        let years = Set(settings.settlementSlip.filter { $0.probability > 0 }.map {
            fiscalYearIndex(month: settlementMonth(year: year, recoupment: recoupment, slip: $0.months))
        })
        return years.count > 1 ? years.sorted() : []
    }

    /// What the payer pays in all for one component of one program year (as owed, ≥ 0): signed,
    /// recoupments at the collection rate. Every payment lands inside `periods`, so this is also
    /// what `distribute` spreads over them.
    public func paidInAll(_ component: PayerOutlay.Component, owed: Double) -> Double {
        owed * component.sign * (component == .sharedLossesRecouped ? settings.recoupmentCollectionRate : 1)
    }

    /// Adds one program year's outlay, as paid, into `totals` (indexed like `periods`).
    public func distribute(_ outlay: [Double], year: Int, into totals: inout [Double]) {
        for component in PayerOutlay.Component.allCases {
            distribute(component, amount: outlay[component.rawValue], year: year, into: &totals)
        }
    }

    /// Adds one component of one program year (as owed, ≥ 0), signed and as paid, into `totals`.
    /// - Parameter incurred: place claims in the month of service rather than when paid (the
    ///   incurred view; the same periods, so the two views line up).
    /// - Parameter payer: `.state` counts only the state's share, month by month (with
    ///   `stateShareOfMonth`; the total without it).
    ///   - pmpm: when the design pays prospective payments and add-ons (not in the incurred view,
    ///     which counts them in their month of service).
    ///   - slip: months this program year's settlements land after their lag (`budget.settlement_slip`).
    public func distribute(_ component: PayerOutlay.Component, amount owed: Double, year: Int, into totals: inout [Double],
                           incurred: Bool = false, payer: Payer = .total, pmpm: PMPMTiming = .inMonth, slip: Int = 0) {
        let amount = paidInAll(component, owed: owed)
        guard amount != 0 else { return }
        let shares = payer == .state ? stateShareOfMonth : nil
        let shift = component.isPerMemberMonth && !incurred ? pmpm.monthShift : 0
        place(component, amount: amount, year: year, incurred: incurred, slip: slip) { serviceMonth, x in
            let month = serviceMonth + shift
            let part = shares.map { x * $0[month - earliestMonth] } ?? x
            totals[fiscalYearOfMonth[month - earliestMonth]] += part
            totals[halfYearOfMonth[month - earliestMonth]] += part
        }
    }

    /// Hands each month's part of one component of one program year (signed, as paid) to `add`.
    private func place(_ component: PayerOutlay.Component, amount: Double, year: Int, incurred: Bool, slip: Int,
                       _ add: (Int, Double) -> Void) {
        if component.isSettlement {
            add(settlementMonth(year: year, recoupment: component == .sharedLossesRecouped, slip: slip), amount)
        } else {
            let monthly = amount / 12
            // Claims are paid over the run-out pattern; every other monthly payment when due.
            let lag = component.isClaims && !incurred ? settings.claimsLag : [1]
            for service in (12 * (year - 1))..<(12 * year) {
                for (k, share) in lag.enumerated() where share > 0 { add(service + k, monthly * share) }
            }
        }
    }

}
