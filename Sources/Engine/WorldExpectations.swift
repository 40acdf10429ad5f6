import Scenario

/// Closed-form means of the simulated world: each is a compound (Poisson–gamma–severity) mean,
/// so it is exact, and the summary shows it beside the simulated value.
public struct WorldExpectations: Sendable {
    let scenario: Scenario

    public init(scenario: Scenario) { self.scenario = scenario }

    /// Expected cost per member-month of each category for class mix `mix`, at cost index 1 and
    /// baseline fees. Months only scale utilization, so the per-month mean does not depend on churn.
    /// `socialNeedScale` is a practice's social-need prevalence relative to the class rates.
    public func costPerMemberMonthByCategory(mix: [Double], socialNeedScale: Double = 1) -> [Double] {
        scenario.services.enumerated().map { c, service in
            scenario.population.classes.enumerated().reduce(0.0) { total, entry in
                let (k, memberClass) = entry
                return total + mix[k] * service.rate * memberClass.categoryMultipliers[c] * service.costMean
                    * memberClass.meanSocialNeedFactor(scale: socialNeedScale)
            } / 12
        }
    }

    /// Each member class's weight in the observed risk score: the payer's demographic/eligibility
    /// model, by default right on average (the class's expected cost per member-month, social
    /// need included), or the scenario's `risk_score_weight`; normalised so the scenario's
    /// members average 1 (by the practices' class counts, or the panel shares without practices).
    /// A member's score is this weight × its within-class clinical score × measurement noise.
    public func riskScoreWeights() -> [Double] {
        let classes = scenario.population.classes
        let raw = classes.enumerated().map { k, memberClass in
            memberClass.riskScoreWeight ?? scenario.services.enumerated().reduce(0.0) { total, entry in
                total + entry.element.rate * memberClass.categoryMultipliers[entry.offset] * entry.element.costMean
            } * memberClass.meanSocialNeedFactor
        }
        var members = [Double](repeating: 0, count: classes.count)
        for practice in scenario.practices {
            for (k, count) in classCounts(members: practice.members, mix: mix(of: practice)).enumerated() {
                members[k] += Double(count)
            }
        }
        if members.allSatisfy({ $0 == 0 }) { members = classes.map(\.panelShare) }
        let average = zip(raw, members).reduce(0) { $0 + $1.0 * $1.1 } / members.reduce(0, +)
        return raw.map { average > 0 ? $0 / average : 1 }
    }

    /// Expected cost per member-month in program year `year` (0 = baseline), with the year's
    /// fee schedule and expected cost index.
    public func costPerMemberMonth(mix: [Double], socialNeedScale: Double = 1, inScopeOnly: Bool, year: Int) -> Double {
        let fees = scenario.feeIndex(year: year)
        let perCategory = costPerMemberMonthByCategory(mix: mix, socialNeedScale: socialNeedScale)
        var total = 0.0
        for (c, service) in scenario.services.enumerated() where service.primaryCareScope || !inScopeOnly {
            total += perCategory[c] * fees[c]
        }
        return total * scenario.expectedCostIndex(year: year)
    }

    public func mix(of practice: Practice) -> [Double] {
        scenario.practiceTypes[practice.type].classMix
    }

    /// Expected member-months of a practice in a year at baseline enrollment.
    public func memberMonths(of practice: Practice) -> Double {
        Double(practice.members) * scenario.population.expectedMonths
    }

    /// Expected member-months of a practice in program year `year`, with expected enrollment.
    public func memberMonths(of practice: Practice, year: Int) -> Double {
        memberMonths(of: practice) * scenario.expectedEnrollmentIndex(year: year)
    }

    /// Expected pure-FFS revenue of a practice in program year `year`: the denominator of
    /// exposure as a share of revenue.
    /// Expected FFS revenue of a practice summed over program years `years`.
    public func expectedRevenue(of practice: Practice, years: ClosedRange<Int>) -> Double {
        years.reduce(0.0) { $0 + expectedRevenue(of: practice, year: $1) }
    }

    public func expectedRevenue(of practice: Practice, year: Int) -> Double {
        memberMonths(of: practice, year: year) * costPerMemberMonth(mix: mix(of: practice), socialNeedScale: practice.socialNeedScale,
                                                        inScopeOnly: true, year: year)
    }

    /// Expected total cost of care of a practice in program year `year`.
    public func expectedTotalCost(of practice: Practice, year: Int) -> Double {
        memberMonths(of: practice, year: year) * costPerMemberMonth(mix: mix(of: practice), socialNeedScale: practice.socialNeedScale,
                                                        inScopeOnly: false, year: year)
    }
}

/// Members of each class in a panel of `members`, by largest remainder, so the panel's mix is
/// a property of the practice and not a source of noise.
func classCounts(members: Int, mix: [Double]) -> [Int] {
    let exact = mix.map { $0 * Double(members) }
    var counts = exact.map { Int($0.rounded(.down)) }
    let remainders = exact.enumerated().map { ($0.offset, $0.element - Double(counts[$0.offset])) }
        .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    for (index, _) in remainders.prefix(max(0, members - counts.reduce(0, +))) { counts[index] += 1 }
    return counts
}

extension WorldExpectations {
    /// Each member class's share of the program's expected total cost of care (program year 1,
    /// closed form): the weights that blend the classes' FMAPs into the federal share of the
    /// program's service spending. Payments are not tracked by class, so a state budget office's
    /// usual allocation, by expected cost per eligibility group, is what splits them.
    public func classCostWeights() -> [Double] {
        let classes = scenario.population.classes.indices
        var cost = [Double](repeating: 0, count: classes.count)
        for practice in scenario.practices {
            let mix = mix(of: practice)
            for c in classes where mix[c] > 0 {
                var unit = [Double](repeating: 0, count: classes.count)
                unit[c] = 1
                cost[c] += mix[c] * memberMonths(of: practice) * costPerMemberMonth(mix: unit, socialNeedScale: practice.socialNeedScale,
                                                                                   inScopeOnly: false, year: 1)
            }
        }
        let total = cost.reduce(0, +)
        return total > 0 ? cost.map { $0 / total } : cost
    }
}
