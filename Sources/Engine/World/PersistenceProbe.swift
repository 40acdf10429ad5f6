import Sampling
import Scenario
import Settlement
import Statistics

/// Measures how member cost persists in a scenario's world, the way the published figures were
/// measured: a cohort of members present in every year (stayers, attributed all year, so the
/// retention and churn that the figures condition away are set aside), at the statewide class
/// mix, multiplier 1 and baseline fees, followed for up to six years.
public enum PersistenceProbe {
    public static let cohort = 200_000

    /// Nil when the scenario's panels do not persist.
    public static func checks(scenario: Scenario, seed: UInt64) throws(SamplingError) -> [PersistenceCheck]? {
        guard scenario.population.isPersistent(types: scenario.practiceTypes) else { return nil }
        let spanned = scenario.simulation.baselineYears + scenario.simulation.programYears
        let years = min(6, spanned)
        let costs = try cohortCosts(scenario: scenario, years: years, seed: seed)
        var checks = [
            PersistenceCheck(statistic: "top 1% of members by cost still in the top 1% one year later", target: "14-20%",
                             source: "MEPS Statistical Briefs #309, #354, #481 (all payers)",
                             simulated: stayShare(costs[0], costs[1], top: 0.01)),
            PersistenceCheck(statistic: "top 10% still in the top 10% one year later", target: "43.4%",
                             source: "Hirth et al., Med Care Res Rev 2015 (privately insured, under 65)",
                             simulated: stayShare(costs[0], costs[1], top: 0.10)),
        ]
        if years >= 6 {
            checks.append(PersistenceCheck(statistic: "top 10% still in the top 10% five years later", target: "34.4%",
                                           source: "Hirth et al., Med Care Res Rev 2015 (privately insured, under 65)",
                                           simulated: stayShare(costs[0], costs[5], top: 0.10)))
        }
        checks.append(PersistenceCheck(statistic: "bottom 50% still in the bottom 50% one year later", target: "about 75%",
                                       source: "MEPS Statistical Briefs #309, #354, #481",
                                       simulated: stayShare(costs[0], costs[1], top: 0.5, bottom: true)))
        return checks
    }

    /// costs[year][member] of the stayer cohort.
    static func cohortCosts(scenario: Scenario, years: Int, seed: UInt64) throws(SamplingError) -> [[Double]] {
        var stayers = scenario
        stayers.population.fullYearProbability = 1
        let model = try MemberModel(scenario: stayers)
        guard let strata = model.strata else { return [] }
        let counts = classCounts(members: cohort, mix: scenario.population.classes.map(\.panelShare))
        let dynamics = PanelDynamics(classCounts: counts, retention: counts.map { _ in 1 })
        let rng = try GSLGenerator(seed: StreamSeed.derive(seed, 0x9E25_1575))
        let fees = [Double](repeating: 1, count: model.categories.count)
        let recording = WorldRecording(attachments: [], riskBins: RiskBins(bounds: []))
        var panel = MemberPanel(dynamics, strata: strata, rng: rng)
        var costs: [[Double]] = []
        for year in 0..<years {
            if year > 0 { panel.advance(dynamics, strata: strata, rng: rng) }
            var collector = CollectMembers()
            collector.members.reserveCapacity(cohort)
            _ = model.simulateYear(panel: panel, dynamics: dynamics, multiplier: 1, priceFactors: fees,
                                   recording: recording, yearIndex: 0, rng: rng, observer: &collector)
            costs.append(collector.members.map(\.cost))
        }
        return costs
    }

    /// Share of the members in the top (or bottom) `top` share of `first` who are there again in
    /// `later`, with its binomial standard error (members are independent).
    static func stayShare(_ first: [Double], _ later: [Double], top share: Double, bottom: Bool = false) -> Estimate {
        func members(_ costs: [Double]) -> Set<Int> {
            let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
            let k = Int((Double(costs.count) * share).rounded())
            return Set(bottom ? order.suffix(k) : order.prefix(k))
        }
        let before = members(first), after = members(later)
        let n = Double(before.count)
        let p = Double(before.intersection(after).count) / n
        return Estimate(value: p, mcse: (p * (1 - p) / n).squareRoot())
    }
}
