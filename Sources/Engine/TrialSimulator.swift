import Sampling
import Scenario
import Settlement

/// Simulates one trial: the systemic path (level 1), regional shocks (level 2), each practice's
/// persistent effect and baseline year (level 3), its members in every program year (level 4),
/// then settles every design on that one world.
struct TrialSimulator: Sendable {
    let scenario: Scenario
    let members: MemberModel
    let panels: [[Int]]
    let regionalShock: Lognormal?
    let practiceEffect: Lognormal?
    /// The payer's assumed trend compounded to each program year (index 0 = baseline).
    let assumedTrendFactors: [Double]
    let seed: UInt64

    init(scenario: Scenario, seed: UInt64) throws(SamplingError) {
        self.scenario = scenario
        self.seed = seed
        members = try MemberModel(scenario: scenario)
        panels = scenario.practices.map { classCounts(members: $0.members, mix: scenario.practiceTypes[$0.type].classMix) }
        let variation = scenario.variation
        regionalShock = variation.regionalCV > 0 ? try Lognormal(mean: 1, cv: variation.regionalCV) : nil
        practiceEffect = variation.practiceEfficiencyCV > 0
            ? try Lognormal(mean: 1, cv: variation.practiceEfficiencyCV) : nil
        assumedTrendFactors = (0...scenario.simulation.programYears).map { pow1p(variation.assumedTrend, $0) }
    }

    var years: Int { scenario.simulation.programYears }

    /// Realised statewide cost index per year (index 0 = baseline year = 1).
    func systemicPath(trial: Int, rng: borrowing GSLGenerator) -> [Double] {
        rng.reseed(StreamKey.systemic.seed(run: seed, trial: trial))
        let variation = scenario.variation
        var path = [1.0]
        var trend = 1.0
        for _ in 1...years {
            trend *= 1 + variation.trendMean + variation.trendSD * rng.standardNormal()
            let shock = rng.uniform() < variation.shockProbability ? variation.shockMultiplier : 1
            path.append(max(trend, 0) * shock)
        }
        return path
    }

    /// Regional multiplier per region and year (index 0 = baseline year).
    func regionalPath(region: Int, trial: Int, rng: borrowing GSLGenerator) -> [Double] {
        guard let regionalShock else { return Array(repeating: 1, count: years + 1) }
        rng.reseed(StreamKey.region(region).seed(run: seed, trial: trial))
        return (0...years).map { _ in rng.lognormal(regionalShock) }
    }

    /// Runs trial `trial` and hands each practice-year's activity and settlements to `sink`.
    func run<Sink: TrialSink>(trial: Int, rng: borrowing GSLGenerator, sink: inout Sink) {
        let systemic = systemicPath(trial: trial, rng: rng)
        let regional = scenario.regions.indices.map { regionalPath(region: $0, trial: trial, rng: rng) }
        var ignore = IgnoreMembers()
        for (p, practice) in scenario.practices.enumerated() {
            var effect = 1.0
            if let practiceEffect {
                rng.reseed(StreamKey.practiceEffect(p).seed(run: seed, trial: trial))
                effect = rng.lognormal(practiceEffect)
            }
            func activity(year: Int) -> PracticeYearActivity {
                rng.reseed(StreamKey.members(practice: p, year: year).seed(run: seed, trial: trial))
                let multiplier = systemic[year] * regional[practice.region][year] * effect
                return members.simulateYear(classCounts: panels[p], multiplier: multiplier,
                                            rng: rng, observer: &ignore)
            }
            let baseline = PracticeBaseline(baselineYear: activity(year: 0))
            for year in 1...years {
                let world = activity(year: year)
                sink.record(practice: p, year: year, activity: world)
                for (d, design) in scenario.designs.enumerated() {
                    let settlement = SettlementCalculator.settle(
                        design: design, year: year, activity: world, baseline: baseline,
                        trendFactor: assumedTrendFactors[year])
                    sink.record(practice: p, year: year, design: d, settlement: settlement, ffs: world.inScopeFFS)
                }
            }
        }
    }
}

/// Receives what one trial produced.
protocol TrialSink {
    mutating func record(practice: Int, year: Int, activity: PracticeYearActivity)
    mutating func record(practice: Int, year: Int, design: Int, settlement: PracticeSettlement, ffs: Double)
}
