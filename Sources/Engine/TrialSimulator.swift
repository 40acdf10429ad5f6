import Sampling
import Scenario
import Settlement

/// Simulates one trial in two phases. The world: the systemic path (level 1), regional shocks
/// (level 2), each practice's persistent effect, quality and baseline year (level 3) and its
/// members in every year (level 4). Then the settlement: every design on that one world.
struct TrialSimulator: Sendable {
    let plan: RunPlan
    let members: MemberModel
    /// Each practice's panel: members per class and how the panel carries over.
    let panels: [PanelDynamics]
    /// The world-level parameters as the scenario writes them (uncertain assumptions at their means).
    let written: WorldParameters
    let seed: UInt64
    /// The fast path's libraries; nil when the run draws member by member.
    private(set) var aggregate: AggregateModel?

    init(plan: RunPlan, seed: UInt64) throws(SamplingError) {
        self.plan = plan
        self.seed = seed
        let scenario = plan.scenario
        members = try MemberModel(scenario: scenario)
        aggregate = scenario.simulation.method != .member
            ? AggregateModel(members: members, recording: plan.recording, primaryCareScope: plan.primaryCareScope,
                             libraryMembers: scenario.simulation.libraryMembers, seed: seed)
            : nil
        let memberModel = members
        panels = scenario.practices.map { memberModel.dynamics(of: $0, in: scenario) }
        written = try WorldParameters(variation: scenario.variation, quality: scenario.quality)
    }

    /// Trial `trial`'s world-level parameters: the scenario's, with any uncertain assumption drawn.
    func parameters(trial: Int, rng: borrowing GSLGenerator) throws(SamplingError) -> WorldParameters {
        guard !scenario.uncertain.isEmpty else { return written }
        return try .drawn(scenario, values: WorldParameters.assumptionValues(scenario, run: seed, trial: trial, rng: rng))
    }

    var scenario: Scenario { plan.scenario }
    var years: Int { scenario.simulation.programYears }
    /// Simulated years before program year 1 besides year 0 (the baseline years' history).
    var history: Int { scenario.simulation.baselineYears - 1 }

    /// One trial's world. Years run from the oldest baseline year (`1 - baseline_years`) through
    /// the last program year; year 0 is the most recent baseline year.
    struct World {
        /// activity[practice][year - firstYear]
        var activity: [[PracticeYearActivity]]
        /// Measured quality scores[practice][year] (index 0 unused).
        var quality: [[Double]]
        let firstYear: Int

        func activity(practice p: Int, year: Int) -> PracticeYearActivity { activity[p][year - firstYear] }
    }

    /// Realised statewide cost index per year, oldest baseline year first (year 0 = 1). Program
    /// years compound the realised trend forward from year 0; earlier baseline years discount it
    /// backward, from a stream of their own (so one baseline year reproduces earlier runs).
    func systemicPath(trial: Int, variation: Variation, rng: borrowing GSLGenerator) -> [Double] {
        rng.reseed(StreamKey.systemic.seed(run: seed, trial: trial))
        var path = [1.0]
        var trend = 1.0
        let observed = scenario.observed
        for year in 1...years {
            // Draws are made for observed years too, so later years use the same numbers as the
            // unconditional (summer) run: the fall re-forecast differs from it only by what is known.
            let rate = variation.trendMean + variation.trendSD * rng.standardNormal()
            let surge = rng.uniform() < variation.shockProbability
            if let observed, year <= observed.trend.count {
                trend *= 1 + observed.trend[year - 1]
                path.append(trend * (observed.shocks[year - 1] ? variation.shockMultiplier : 1))
            } else {
                trend *= 1 + rate
                path.append(max(trend, 0) * (surge ? variation.shockMultiplier : 1))
            }
        }
        guard history > 0 else { return path }
        rng.reseed(StreamKey.systemicHistory.seed(run: seed, trial: trial))
        var past: [Double] = []
        trend = 1
        for _ in 0..<history {
            trend /= max(1 + variation.trendMean + variation.trendSD * rng.standardNormal(), 1e-6)
            let shock = rng.uniform() < variation.shockProbability ? variation.shockMultiplier : 1
            past.append(trend * shock)
        }
        return past.reversed() + path
    }

    /// Statewide enrollment of each program year relative to the baseline (index = year; index 0
    /// is 1), compounded from annual changes drawn from a stream of its own; nil when enrollment
    /// does not move. Panels keep their members' experience and scale in size.
    func enrollmentPath(trial: Int, variation: Variation, rng: borrowing GSLGenerator) -> [Double]? {
        let observed = scenario.observed?.enrollment ?? []
        guard variation.enrollmentMean != 0 || variation.enrollmentSD != 0 || !observed.isEmpty else { return nil }
        rng.reseed(StreamKey.enrollment.seed(run: seed, trial: trial))
        var level = 1.0
        return [1] + (1...years).map { year in
            // Drawn for observed years too, so later years keep the summer run's draws.
            let change = variation.enrollmentMean + variation.enrollmentSD * rng.standardNormal()
            level *= max(1 + (year <= observed.count ? observed[year - 1] : change), 0)
            return level
        }
    }

    /// Regional multiplier per region and year, oldest baseline year first.
    func regionalPath(region: Int, trial: Int, regionalShock: Lognormal?, rng: borrowing GSLGenerator) -> [Double] {
        guard let regionalShock else { return Array(repeating: 1, count: history + years + 1) }
        rng.reseed(StreamKey.region(region).seed(run: seed, trial: trial))
        let current = (0...years).map { _ in rng.lognormal(regionalShock) }
        guard history > 0 else { return current }
        rng.reseed(StreamKey.regionHistory(region).seed(run: seed, trial: trial))
        let past = (0..<history).map { _ in rng.lognormal(regionalShock) }
        return past.reversed() + current
    }

    /// Each practice's utilization multiplier per year, oldest baseline year first: systemic ×
    /// regional × the practice's persistent effect.
    func multipliers(trial: Int, parameters: WorldParameters, rng: borrowing GSLGenerator) -> [[Double]] {
        let systemic = systemicPath(trial: trial, variation: parameters.variation, rng: rng)
        let regional = scenario.regions.indices.map {
            regionalPath(region: $0, trial: trial, regionalShock: parameters.regionalShock, rng: rng)
        }
        return scenario.practices.indices.map { p in
            rng.reseed(StreamKey.practiceEffect(p).seed(run: seed, trial: trial))
            let effect = parameters.practiceEffect.map { rng.lognormal($0) } ?? 1
            let region = scenario.practices[p].region
            return systemic.indices.map { systemic[$0] * regional[region][$0] * effect }
        }
    }

    /// Builds, in parallel, the member libraries that trials `trials` will use, or, when building
    /// them would cost more member draws than a third of the run's member-years (a small run, or
    /// multipliers spread over many grid points), switches the run to member-by-member draws:
    /// the libraries must pay for themselves.
    ///
    /// A shard of a run (`building`, a part of `trials`) decides as the whole run does, from all
    /// of its trials, and builds only the libraries its own trials draw from: a library depends
    /// only on its class, grid point and set, so every shard's trials see the same libraries as
    /// the single run's.
    mutating func prepareLibraries(trials: Range<Int>, building: Range<Int>? = nil, threads: Int,
                                   progress: (@Sendable (Int, Int) -> Void)? = nil) throws(SamplingError) {
        guard let aggregate else { return }
        let (needed, classes) = try libraryNeeds(trials: trials)
        let grid = AggregateModel.gridPoints(for: needed)
        let groups = aggregate.groups(ofClasses: classes)
        let perTrial = needed.count / max(trials.count, 1)
        let built = building.map {
            AggregateModel.gridPoints(for: Array(needed[(($0.lowerBound - trials.lowerBound) * perTrial)..<(($0.upperBound - trials.lowerBound) * perTrial)]))
        } ?? grid
        let libraryDraws = Double(grid.count * groups.count * AggregateModel.librarySets * aggregate.membersPerLibrary)
        let memberYears = Double(trials.count * (history + years + 1) * scenario.practices.reduce(0) { $0 + $1.members })
        guard scenario.simulation.method == .aggregate
                || AggregateModel.librariesPayOff(libraryDraws: libraryDraws, memberYears: memberYears) else {
            self.aggregate = nil
            return
        }
        try aggregate.prepare(groups: groups, grid: built, threads: threads, progress: progress)
    }

    /// Every practice-year multiplier of trials `trials`, and the member classes in use.
    private func libraryNeeds(trials: Range<Int>) throws(SamplingError) -> (multipliers: [Double], classes: Set<Int>) {
        let rng = try GSLGenerator(seed: seed)
        var needed: [Double] = []
        for trial in trials {
            for perYear in multipliers(trial: trial, parameters: try parameters(trial: trial, rng: rng), rng: rng) {
                needed.append(contentsOf: perYear)
            }
        }
        var classes = Set<Int>()
        for panel in panels { for (c, k) in panel.classCounts.enumerated() where k > 0 { classes.insert(c) } }
        return (needed, classes)
    }

    /// Builds the libraries later trials need (after the first round of a run, whose method stays).
    func prepareMoreLibraries(trials: Range<Int>, threads: Int) throws(SamplingError) {
        guard let aggregate else { return }
        let (needed, classes) = try libraryNeeds(trials: trials)
        try aggregate.prepare(groups: aggregate.groups(ofClasses: classes), grid: AggregateModel.gridPoints(for: needed),
                              threads: threads)
    }

    /// How the member level is being drawn in this run.
    var method: SimulationMethod { aggregate == nil ? .member : .aggregate }

    func simulateWorld(trial: Int, rng: borrowing GSLGenerator, cache: inout LibraryCache) throws(SamplingError) -> World {
        cache.begin(trial: trial)
        let parameters = try parameters(trial: trial, rng: rng)
        let multiplier = multipliers(trial: trial, parameters: parameters, rng: rng)
        let qualityWorld = parameters.quality
        let firstYear = scenario.simulation.firstYear
        var world = World(activity: [], quality: [], firstYear: firstYear)
        let enrollment = enrollmentPath(trial: trial, variation: parameters.variation, rng: rng)
        for (p, practice) in scenario.practices.enumerated() {
            var activities = try simulatePractice(p, multipliers: multiplier[p], trial: trial, rng: rng, cache: &cache)
            if let enrollment {
                for year in 1...years { activities[year - firstYear] = activities[year - firstYear].scaled(by: enrollment[year]) }
            }
            rng.reseed(StreamKey.quality(p).seed(run: seed, trial: trial))
            let trueQuality = clampUnit(qualityWorld.mean + qualityWorld.sd * rng.standardNormal())
            let noise = qualityWorld.noiseSD(members: practice.members)
            let scores = [0] + (1...years).map { _ in clampUnit(trueQuality + noise * rng.standardNormal()) }
            world.activity.append(activities)
            world.quality.append(scores)
        }
        return world
    }

    /// Every simulated year of practice `p`'s panel, oldest baseline year first. With persistent
    /// panels the members carry over: each year's stream first moves the panel on a year (or
    /// draws it, in the first year), then draws the year's members.
    func simulatePractice(_ p: Int, multipliers: [Double], trial: Int, rng: borrowing GSLGenerator,
                          cache: inout LibraryCache) throws(SamplingError) -> [PracticeYearActivity] {
        let firstYear = scenario.simulation.firstYear
        var path = PanelPath(panels[p], members: members, aggregate: aggregate, recording: plan.recording)
        var activities: [PracticeYearActivity] = []
        activities.reserveCapacity(multipliers.count)
        for year in scenario.simulation.allYears {
            rng.reseed(StreamKey.members(practice: p, year: year).seed(run: seed, trial: trial))
            activities.append(try path.nextYear(multiplier: multipliers[year - firstYear], priceFactors: plan.fees(year: year),
                                                yearIndex: year - firstYear, rng: rng, cache: &cache))
        }
        return activities
    }

    /// Intervention effects drawn for this trial: effects[track][tier][intervention].
    func interventionEffects(design d: Int, trial: Int, rng: borrowing GSLGenerator) -> [[[Double]]] {
        rng.reseed(StreamKey.interventions(design: d).seed(run: seed, trial: trial))
        return plan.designs[d].tiers.map { track in
            track.map { tier in tier.terms.interventions.map { $0.effect + $0.sd * rng.standardNormal() } }
        }
    }

    /// Which practices join voluntary design `d` in trial `trial` (nil: the design is not
    /// voluntary). The trial's joining rate is drawn first, then each practice's choice, from the
    /// design's own stream: independent of the practice's simulated future.
    func joined(design d: Int, trial: Int, rng: borrowing GSLGenerator) -> [Bool]? {
        guard let participation = scenario.designs[d].participation else { return nil }
        rng.reseed(StreamKey.participation(design: d).seed(run: seed, trial: trial))
        let deviation = participation.sd * rng.standardNormal()
        return scenario.practices.map { practice in
            let rate = clampUnit(participation.share(band: scenario.sizeBandIndex(members: practice.members)) + deviation)
            return rng.uniform() < rate
        }
    }

    /// Runs trial `trial` and hands the world and every design's settlements to `sink`.
    func run<Sink: TrialSink>(trial: Int, rng: borrowing GSLGenerator, cache: inout LibraryCache,
                              sink: inout Sink) throws(SamplingError) {
        let world = try simulateWorld(trial: trial, rng: rng, cache: &cache)
        for p in scenario.practices.indices {
            for year in 1...years { sink.recordWorld(practice: p, year: year, activity: world.activity(practice: p, year: year)) }
        }
        var counterfactual = Array(repeating: PayerOutlay(), count: years + 1)
        for p in scenario.practices.indices {
            for year in 1...years {
                counterfactual[year].addPureFFS(world.activity(practice: p, year: year))
            }
        }
        for year in 1...years { sink.recordOutlay(design: nil, year: year, outlay: counterfactual[year]) }
        for d in plan.designs.indices {
            let effects = interventionEffects(design: d, trial: trial, rng: rng)
            DesignSettler(plan: plan, design: d, world: world, effects: effects,
                          joined: joined(design: d, trial: trial, rng: rng)).settle(into: &sink)
        }
    }
}

@inline(__always) func clampUnit(_ x: Double) -> Double { min(max(x, 0), 1) }

/// Receives what one trial produced.
protocol TrialSink {
    mutating func recordWorld(practice: Int, year: Int, activity: PracticeYearActivity)
    mutating func recordSettlement(design: Int, practice: Int, year: Int, components: PaymentComponents,
                                   counterfactualFFS: Double)
    /// `design` nil = the FFS counterfactual.
    mutating func recordOutlay(design: Int?, year: Int, outlay: PayerOutlay)
}
