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

    public init(settings: BudgetSettings, programYears: Int, firstCalendarYear: Int) {
        self.settings = settings
        self.programYears = programYears
        self.firstCalendarYear = firstCalendarYear
        let lastMonth = 12 * programYears - 1
            + max(settings.settlementLagMonths, settings.recoupmentLagMonths, settings.claimsLag.count - 1)
        var years: [String] = [], halves: [String] = []
        var yearOf: [Int] = [], halfOf: [Int] = []
        for month in 0...lastMonth {
            let (fiscalYear, half) = Self.fiscalYear(month: month, settings: settings, firstCalendarYear: firstCalendarYear)
            let yearLabel = "FY\(fiscalYear)", halfLabel = "FY\(fiscalYear) H\(half)"
            if years.last != yearLabel { years.append(yearLabel) }
            if halves.last != halfLabel { halves.append(halfLabel) }
            yearOf.append(years.count - 1)
            halfOf.append(halves.count - 1)
        }
        let serviceMonths = 12 * programYears
        func months(_ index: Int, of owner: [Int]) -> Int { owner.prefix(serviceMonths).filter { $0 == index }.count }
        periods = years.indices.map { Period(label: years[$0], isHalfYear: false, serviceMonths: months($0, of: yearOf)) }
            + halves.indices.map { Period(label: halves[$0], isHalfYear: true, serviceMonths: months($0, of: halfOf)) }
        fiscalYearOfMonth = yearOf
        halfYearOfMonth = halfOf.map { $0 + years.count }
    }

    /// Fiscal year (named by the calendar year it ends in) and half (1 or 2) of month `month`
    /// counted from the start of program year 1.
    public static func fiscalYear(month: Int, settings: BudgetSettings, firstCalendarYear: Int) -> (year: Int, half: Int) {
        let absolute = settings.programStartMonth - 1 + month          // months since January of the first year
        let calendarYear = firstCalendarYear + absolute / 12
        let calendarMonth = absolute % 12 + 1
        let fiscalYear = settings.fiscalYearStartMonth > 1 && calendarMonth >= settings.fiscalYearStartMonth
            ? calendarYear + 1 : calendarYear
        let monthsIntoFiscalYear = (calendarMonth - settings.fiscalYearStartMonth + 12) % 12
        return (fiscalYear, monthsIntoFiscalYear < 6 ? 1 : 2)
    }

    /// Month (from program start) in which a settlement of program year `year` is paid.
    public func settlementMonth(year: Int, recoupment: Bool) -> Int {
        12 * year - 1 + (recoupment ? settings.recoupmentLagMonths : settings.settlementLagMonths)
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
    public func distribute(_ component: PayerOutlay.Component, amount owed: Double, year: Int, into totals: inout [Double],
                           incurred: Bool = false) {
        let amount = paidInAll(component, owed: owed)
        guard amount != 0 else { return }
        if component.isSettlement {
            let month = settlementMonth(year: year, recoupment: component == .sharedLossesRecouped)
            totals[fiscalYearOfMonth[month]] += amount
            totals[halfYearOfMonth[month]] += amount
        } else {
            let monthly = amount / 12
            // Claims are paid over the run-out pattern; every other monthly payment when due.
            let lag = component.isClaims && !incurred ? settings.claimsLag : [1]
            for service in (12 * (year - 1))..<(12 * year) {
                for (k, share) in lag.enumerated() where share > 0 {
                    totals[fiscalYearOfMonth[service + k]] += monthly * share
                    totals[halfYearOfMonth[service + k]] += monthly * share
                }
            }
        }
    }

}
