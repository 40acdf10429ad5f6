import Yams

/// What is already known at the fall re-forecast: the date data runs through and, for each
/// program year that has ended by then, the realised statewide trend and whether the one-year
/// surge happened. `apmrisk reforecast` simulates the rest conditioned on it.
public struct Observed: Sendable, Equatable {
    /// Data through the end of this calendar month.
    public var asOfYear: Int
    public var asOfMonth: Int
    /// Realised statewide trend of each completed program year, from year 1.
    public var trend: [Double]
    /// Whether each completed program year had the statewide surge (`variation.shock`).
    public var shocks: [Bool]
    /// Realised annual change in enrollment of each completed program year, from year 1.
    public var enrollment: [Double] = []
    /// Settlements already paid: net amounts (shared savings and quality payments less
    /// recoupments collected) per design and program year, replacing the simulated ones.
    public var settlementsPaid: [PaidSettlement] = []

    public init(asOfYear: Int, asOfMonth: Int, trend: [Double], shocks: [Bool]) {
        self.asOfYear = asOfYear; self.asOfMonth = asOfMonth; self.trend = trend; self.shocks = shocks
    }

    /// Month of `as_of` counted from the start of program year 1 (0 = the first month).
    public func monthIndex(firstProgramYear: Int, programStartMonth: Int) -> Int {
        (asOfYear - firstProgramYear) * 12 + asOfMonth - programStartMonth
    }

    /// Program years that have ended by `as_of`.
    public func completedYears(firstProgramYear: Int, programStartMonth: Int, programYears: Int) -> Int {
        min(max((monthIndex(firstProgramYear: firstProgramYear, programStartMonth: programStartMonth) + 1) / 12, 0), programYears)
    }
}

public struct PaidSettlement: Sendable, Equatable {
    public var design: String
    public var year: Int
    public var amount: Double

    public init(design: String, year: Int, amount: Double) { self.design = design; self.year = year; self.amount = amount }
}

extension Scenario {
    /// Expected enrollment of program year `year` relative to the baseline, compounded from the
    /// observed years' realised changes when the scenario is conditioned on them.
    public func expectedEnrollmentIndex(year: Int) -> Double {
        guard let observed, !observed.enrollment.isEmpty, year > 0 else { return variation.expectedEnrollmentIndex(year: year) }
        let known = min(observed.enrollment.count, year)
        var level = 1.0
        for k in 0..<known { level *= 1 + observed.enrollment[k] }
        return level * pow1p(variation.enrollmentMean, year - known)
    }

    /// The scenario as it stood before anything was observed (the summer forecast).
    public var unconditional: Scenario {
        var copy = self
        copy.observed = nil
        return copy
    }

    /// Expected statewide cost index of program year `year` (baseline year 0 = 1): compounded from
    /// the observed years' realised trend when the scenario is conditioned on them.
    public func expectedCostIndex(year: Int) -> Double {
        guard let observed, year > 0 else { return variation.expectedCostIndex(year: year) }
        let known = min(observed.trend.count, year)
        var level = 1.0
        for k in 0..<known { level *= 1 + observed.trend[k] }
        if known == year {
            return level * (observed.shocks[year - 1] ? variation.shockMultiplier : 1)
        }
        return level * pow1p(variation.trendMean, year - known)
            * (1 + variation.shockProbability * (variation.shockMultiplier - 1))
    }
}

extension ScenarioBuilder {
    /// `observed: {as_of: 2028-09, trend: [0.041], shocks: [false]}`.
    func readObserved(_ map: MappingCursor?, simulation: SimulationSettings?, budget: BudgetSettings?) -> Observed?? {
        guard let map else { return .some(nil) }
        defer { map.finish() }
        var date: (Int, Int)?
        if let text = map.string("as_of") {
            let parts = text.split(separator: "-")
            if parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) {
                date = (year, month)
            } else {
                reader.report(map.value("as_of"), map.child("as_of"), "found '\(escapedForDisplay(text))', expected a year and month such as 2028-09")
            }
        }
        let trendItems = map.sequence("trend", allowEmpty: true) ?? []
        let trend = trendItems.compactMap { reader.number($0.node, path: $0.path, rule: .annualTrend) }
        var shocks: [Bool] = []
        let shockItems = map.sequence("shocks", allowEmpty: true)
        for item in shockItems ?? [] {
            guard case let .scalar(scalar) = item.node, ["true", "false"].contains(scalar.string) else {
                reader.report(item.node, item.path, "found \(describe(item.node)), expected true or false")
                continue
            }
            shocks.append(scalar.string == "true")
        }
        let enrollmentItems = map.sequence("enrollment", allowEmpty: true) ?? []
        let enrollment = enrollmentItems.compactMap { reader.number($0.node, path: $0.path, rule: .range(-0.5, 0.5)) }
        var paid: [PaidSettlement] = []
        let paidItems = map.sequence("settlements_paid", allowEmpty: true) ?? []
        for item in paidItems {
            guard let entry = reader.mapping(item.node, path: item.path) else { continue }
            defer { entry.finish() }
            let design = entry.string("design")
            let programYear = entry.integer("year", min: 1, max: simulation?.programYears ?? 1)
            let amount = entry.number("amount", .any)
            if let design, let programYear, let amount { paid.append(PaidSettlement(design: design, year: programYear, amount: amount)) }
        }
        guard let (year, month) = date, trend.count == trendItems.count, shocks.count == (shockItems?.count ?? 0),
              enrollment.count == enrollmentItems.count, paid.count == paidItems.count,
              let simulation, let budget else { return nil }
        if shockItems == nil { shocks = Array(repeating: false, count: trend.count) }
        var observed = Observed(asOfYear: year, asOfMonth: month, trend: trend, shocks: shocks)
        observed.enrollment = enrollment
        observed.settlementsPaid = paid
        let index = observed.monthIndex(firstProgramYear: simulation.firstProgramYear, programStartMonth: budget.programStartMonth)
        let lastMonth = 12 * simulation.programYears - 1
        guard index >= 0 && index < lastMonth else {
            reader.report(map.value("as_of"), map.child("as_of"), "is outside the program (program year 1 starts \(simulation.firstProgramYear)-\(String(format: "%02d", budget.programStartMonth)) and the last program year ends \(lastMonth + 1) months later); expected a month inside it, before its last")
            return nil
        }
        let completed = observed.completedYears(firstProgramYear: simulation.firstProgramYear,
                                                programStartMonth: budget.programStartMonth, programYears: simulation.programYears)
        guard trend.count <= completed else {
            reader.report(map.value("trend"), map.child("trend"), "has \(trend.count) years, but only \(completed) program year(s) had ended by \(year)-\(String(format: "%02d", month)); expected values only for years that have ended")
            return nil
        }
        guard enrollment.count <= completed else {
            reader.report(map.value("enrollment"), map.child("enrollment"), "has \(enrollment.count) years, but only \(completed) program year(s) had ended by \(year)-\(String(format: "%02d", month)); expected values only for years that have ended")
            return nil
        }
        for (k, settlement) in paid.enumerated() {
            let due = 12 * settlement.year - 1 + budget.settlementLagMonths
            if due > index {
                reader.report(paidItems[k].node, paidItems[k].path, "is program year \(settlement.year)'s settlement, due \(budget.settlementLagMonths) months after the year ends, after \(year)-\(String(format: "%02d", month)); expected only settlements paid by as_of")
                return nil
            }
        }
        guard shocks.count == trend.count else {
            reader.report(shockItems.map { _ in map.value("shocks")! }, map.child("shocks"), "has \(shocks.count) years; expected one per observed trend (\(trend.count))")
            return nil
        }
        return .some(observed)
    }
}
