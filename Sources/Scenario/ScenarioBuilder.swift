import Foundation
import Yams

/// Turns the top-level mapping of a scenario file into a `Scenario`, section by section, in the
/// order the sections depend on each other (years before glide paths, services before classes,
/// regions and types before practices).
struct ScenarioBuilder {
    let reader: YAMLReader
    let top: MappingCursor
    let file: String
    let baseDirectory: URL

    func build() -> Scenario? {
        let name = top.string("name")
        let description = top.string("description", default: "", allowsLineBreaks: true) ?? ""
        let sources = stringList(top.sequence("sources", allowEmpty: true))
        let simulation = top.value("simulation") == nil
            ? SimulationSettings(trials: 1000, seed: 1, programYears: 3, firstProgramYear: 1)
            : readSimulation(top.mapping("simulation"))
        // 0 = unknown because `simulation` is invalid: glide paths are then checked value by value only.
        let years = simulation?.programYears ?? 0
        let services = readServices(top.sequence("services", required: true))
        let population = readPopulation(top.mapping("population", required: true), services: services)
        let variation = readVariation(top.mapping("variation"))
        let regionItems = top.sequence("regions", required: true)
        let regions = stringList(regionItems)
        let types = readPracticeTypes(top.sequence("practice_types"), classes: population?.classes ?? [])
        let (practices, rosterPath) = readPractices(top.mapping("practices", required: true), regions: regions, types: types)
        let bands = readSizeBands(top.sequence("size_bands"))
        let quality = readQualityWorld(top.mapping("quality"))
        let feeChanges = readFeeChanges(top.sequence("fee_schedule_changes", allowEmpty: true), years: years)
        let budget = readBudget(top.mapping("budget"), classes: population?.classes.map(\.name), years: years)
        let sensitivity = readSensitivity(top.sequence("sensitivity", allowEmpty: true))
        let observed = readObserved(top.mapping("observed"), simulation: simulation, budget: budget)
        let context = DesignContext(categories: services.map(\.name), sizeBands: bands.map(\.name),
                                    practiceTypes: types.map(\.name), regions: regions,
                                    practiceIDs: Set(practices.map(\.id)),
                                    baselineYears: simulation?.baselineYears ?? 0)
        let designs = readDesigns(top.sequence("designs", required: true), years: years, context: context)
        checkPlacements(designs: designs, practices: practices, bands: bands,
                        designsNode: top.value("designs"))
        if let reference = budget?.netAgainst, !designs.contains(where: { $0.name == reference }) {
            let node = top.value("budget").flatMap { reader.mapping($0, path: "budget")?.value("net_against") }
            let hint = closest(to: reference, in: designs.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
            reader.report(node, "budget.net_against", "found '\(reference)'\(hint), expected the name of one of the designs: \(designs.map(\.name).joined(separator: ", "))")
        }
        for (k, paid) in ((observed ?? nil)?.settlementsPaid ?? []).enumerated() where !designs.contains(where: { $0.name == paid.design }) {
            reader.report(nil, "observed.settlements_paid[\(k)].design", "found '\(escapedForDisplay(paid.design))', expected the name of one of the designs: \(designs.map(\.name).joined(separator: ", "))")
        }
        checkUnique(regions.enumerated().map { ($0.element, "regions[\($0.offset)]") }, items: regionItems)
        for (index, region) in regions.enumerated() where region == "all" {
            reader.report(regionItems?[index].node, "regions[\(index)]", "found 'all', which is reserved (a group's region: all spreads practices over every region); expected another name")
        }
        top.finish()

        let rosterFile = rosterPath
        guard let name, let simulation, let population, let variation, quality != nil, let budget, !services.isEmpty,
              !regions.isEmpty, !practices.isEmpty, !designs.isEmpty, let observed else { return nil }
        return Scenario(name: name, description: description, sourceFile: file, simulation: simulation,
                        population: population, services: services, variation: variation,
                        regions: regions, practiceTypes: types, practices: practices,
                        sizeBands: bands, designs: designs, quality: quality ?? QualityWorld(),
                        feeScheduleChanges: feeChanges, budget: budget, sources: sources)
            .with(rosterFile: rosterFile, sensitivity: sensitivity, uncertain: reader.uncertain, observed: observed)
    }

    /// `sensitivity: [{key: variation.trend.sd, low: 0.01, high: 0.03}, {key: variation.regional_cv, share: 0.5}]`.
    /// Whether each key path leads through the scenario is checked when the swings are made.
    func readSensitivity(_ items: [(node: Node, path: String)]?) -> [SwingSpec] {
        var swings: [SwingSpec] = []
        for (node, path) in items ?? [] {
            guard let map = reader.mapping(node, path: path) else { continue }
            defer { map.finish() }
            guard let key = map.string("key") else { continue }
            if map.value("share") != nil {
                for other in ["low", "high"] where map.value(other) != nil {
                    reader.report(map.value(other), map.child(other), "is given with 'share'; expected either share or low and high")
                }
                if let share = map.number("share", NumberRule(expected: "a share in (0, 1]") { $0 > 0 && $0 <= 1 }) {
                    swings.append(SwingSpec(keyPath: key, share: share))
                }
                continue
            }
            let low = map.number("low", .any), high = map.number("high", .any)
            if let low, let high {
                if low > high { reader.report(map.value("high"), map.child("high"), "found \(high), below low \(low); expected high ≥ low") }
                else { swings.append(SwingSpec(keyPath: key, low: low, high: high)) }
            } else if map.value("low") == nil || map.value("high") == nil {
                reader.report(node, path, "has neither share nor both low and high; expected {key, low, high} or {key, share}")
            }
        }
        return swings
    }

    // MARK: - Simulation

    func readSimulation(_ map: MappingCursor?) -> SimulationSettings? {
        guard let map else { return nil }
        defer { map.finish() }
        let trials = map.integer("trials", default: 1000, min: 1, max: ScenarioLoader.maximumTrials)
        let seed = map.integer("seed", default: 1, min: 0, max: Int(UInt32.max) * 1024)
        let years = map.integer("program_years", default: 3, min: 1, max: 20)
        let first = map.integer("first_program_year", default: 1, min: 0, max: 9999)
        let method = map.choice("method", default: SimulationMethod.automatic)
        let library = map.integer("library_members", default: SimulationSettings.defaultLibraryMembers,
                                  min: 1 << 14, max: 1 << 24)
        let baseline = map.integer("baseline_years", default: 1, min: 1, max: 5)
        guard let trials, let seed, let years, let first, let method, let library, let baseline else { return nil }
        return SimulationSettings(trials: trials, seed: UInt64(seed), programYears: years, firstProgramYear: first,
                                  method: method, libraryMembers: library, baselineYears: baseline)
    }

    // MARK: - Members and services

    func readServices(_ items: [(node: Node, path: String)]?) -> [ServiceCategory] {
        guard let items else { return [] }
        var services: [ServiceCategory] = []
        for (node, path) in items {
            guard let map = reader.mapping(node, path: path) else { continue }
            defer { map.finish() }
            let name = map.string("name")
            let scope = map.bool("primary_care_scope", default: false)
            let rate = map.number("rate", .range(1e-6, 1000))
            let frailty = map.number("frailty_cv", default: 0, .coefficientOfVariation)
            var kind: CostDistributionKind?
            var mean: Double?
            var cv: Double?
            if let cost = map.mapping("cost", required: true) {
                let kindText = cost.string("distribution")
                kind = kindText.flatMap { CostDistributionKind(rawValue: $0) }
                if let kindText, kind == nil, let node = cost.value("distribution") {
                    reader.report(node, cost.child("distribution"),
                                  "found '\(kindText)', expected one of: gamma, lognormal")
                }
                mean = cost.number("mean", .range(1e-6, 1e8))
                cv = cost.number("cv", kind == .gamma ? .positiveCV : .coefficientOfVariation)
                cost.finish()
            }
            if let name, let rate, let frailty, let kind, let mean, let cv {
                services.append(ServiceCategory(name: name, primaryCareScope: scope, rate: rate,
                                                frailtyCV: frailty, costKind: kind, costMean: mean, costCV: cv))
            }
        }
        checkUnique(services.enumerated().map { ($0.element.name, "services[\($0.offset)].name") }, items: items)
        return services
    }

    func readPopulation(_ map: MappingCursor?, services: [ServiceCategory]) -> Population? {
        guard let map else { return nil }
        defer { map.finish() }
        let sharing = map.number("frailty_sharing", default: 0.5, .share)
        let noise = map.number("risk_score_noise_cv", default: 0.25, .coefficientOfVariation)
        var fullYear: Double? = 1
        if let churn = map.mapping("churn") {
            fullYear = churn.number("full_year_probability", default: 1, .probability)
            churn.finish()
        }
        var persistence: Persistence? = .independentYears
        if let carry = map.mapping("persistence") {
            let retention = carry.number("retention", .probability)
            let health = carry.number("health_persistence", .probability)
            let catastrophicNode = carry.value("catastrophic_persistence")
            let catastrophic = catastrophicNode.flatMap {
                reader.number($0, path: carry.child("catastrophic_persistence"), rule: .probability)
            }
            carry.finish()
            persistence = catastrophicNode != nil && catastrophic == nil ? nil : retention.flatMap { r in
                health.map { Persistence(retention: r, healthPersistence: $0, catastrophicPersistence: catastrophic) }
            }
        }
        var classes: [MemberClass] = []
        let classItems = map.sequence("classes", required: true) ?? []
        for (node, path) in classItems {
            guard let entry = reader.mapping(node, path: path) else { continue }
            defer { entry.finish() }
            let name = entry.string("name")
            let share = entry.number("panel_share", .range(1e-9, 1))
            let riskCV = entry.number("risk_cv", default: 0, .coefficientOfVariation)
            let overall = entry.number("utilization_multiplier", default: 1, .range(1e-6, 1000))
            var multipliers = Array(repeating: overall ?? 1, count: services.count)
            if let perCategory = entry.mapping("category_multipliers") {
                for (index, service) in services.enumerated() {
                    if let m = perCategory.number(service.name, default: 1, .range(1e-6, 1000)) {
                        multipliers[index] *= m
                    }
                }
                perCategory.finish()
            }
            let needP = entry.number("social_need_probability", default: 0, .probability)
            let needM = entry.number("social_need_multiplier", default: 1, .range(1e-6, 100))
            let retentionNode = entry.value("retention")
            let retention = retentionNode.flatMap { reader.number($0, path: entry.child("retention"), rule: .probability) }
            let weightNode = entry.value("risk_score_weight")
            let weight = weightNode.flatMap { reader.number($0, path: entry.child("risk_score_weight"), rule: .range(1e-6, 1e6)) }
            if let name, let share, let riskCV, let needP, let needM, retentionNode == nil || retention != nil,
               weightNode == nil || weight != nil {
                classes.append(MemberClass(name: name, panelShare: share, riskCV: riskCV,
                                           categoryMultipliers: multipliers,
                                           socialNeedProbability: needP, socialNeedMultiplier: needM,
                                           retention: retention, riskScoreWeight: weight))
            }
        }
        checkUnique(classes.enumerated().map { ($0.element.name, "population.classes[\($0.offset)].name") }, items: classItems)
        checkSumsToOne(classes.map(\.panelShare), node: map.value("classes"),
                       path: map.child("classes") + "[*].panel_share")
        guard let sharing, let noise, let fullYear, let persistence, !classes.isEmpty else { return nil }
        return Population(classes: classes, frailtySharing: sharing, riskScoreNoiseCV: noise,
                          fullYearProbability: fullYear, persistence: persistence)
    }

    func readVariation(_ map: MappingCursor?) -> Variation? {
        guard let map else {
            return Variation(assumedTrend: 0, trendMean: 0, trendSD: 0, shockProbability: 0,
                             shockMultiplier: 1, regionalCV: 0, practiceEfficiencyCV: 0)
        }
        defer { map.finish() }
        var assumed: Double? = 0, mean: Double? = 0, sd: Double? = 0
        if let trend = map.mapping("trend") {
            assumed = trend.number("assumed", default: 0, .annualTrend)
            mean = trend.number("mean", default: assumed ?? 0, .annualTrend)
            sd = trend.number("sd", default: 0, .range(0, 0.5))
            trend.finish()
        }
        var shockP: Double? = 0, shockM: Double? = 1
        if let shock = map.mapping("shock") {
            shockP = shock.number("probability", default: 0, .probability)
            shockM = shock.number("multiplier", default: 1, .range(0.1, 10))
            shock.finish()
        }
        var enrollmentMean: Double? = 0, enrollmentSD: Double? = 0
        if let enrollment = map.mapping("enrollment") {
            enrollmentMean = enrollment.number("mean", default: 0, .range(-0.5, 0.5))
            enrollmentSD = enrollment.number("sd", default: 0, .range(0, 0.5))
            enrollment.finish()
        }
        let regional = map.number("regional_cv", default: 0, .range(0, 2))
        let efficiency = map.number("practice_efficiency_cv", default: 0, .range(0, 2))
        guard let assumed, let mean, let sd, let shockP, let shockM, let regional, let efficiency,
              let enrollmentMean, let enrollmentSD else { return nil }
        var variation = Variation(assumedTrend: assumed, trendMean: mean, trendSD: sd, shockProbability: shockP,
                                  shockMultiplier: shockM, regionalCV: regional, practiceEfficiencyCV: efficiency)
        variation.enrollmentMean = enrollmentMean
        variation.enrollmentSD = enrollmentSD
        return variation
    }

    // MARK: - Practices

    func readPracticeTypes(_ items: [(node: Node, path: String)]?, classes: [MemberClass]) -> [PracticeType] {
        let defaultMix = classes.map(\.panelShare)
        guard let items else { return [PracticeType(name: "general", classMix: defaultMix)] }
        var types: [PracticeType] = []
        for (node, path) in items {
            guard let map = reader.mapping(node, path: path) else { continue }
            defer { map.finish() }
            let name = map.string("name")
            var mix = defaultMix
            if let mixMap = map.mapping("class_mix") {
                mix = classes.map { mixMap.number($0.name, default: 0, .share) ?? 0 }
                checkSumsToOne(mix, node: mixMap.node, path: mixMap.path)
                mixMap.finish()
            }
            let retentionNode = map.value("retention")
            let retention = retentionNode.flatMap { reader.number($0, path: map.child("retention"), rule: .probability) }
            if let name, retentionNode == nil || retention != nil {
                types.append(PracticeType(name: name, classMix: mix, retention: retention))
            }
        }
        checkUnique(types.enumerated().map { ($0.element.name, "practice_types[\($0.offset)].name") }, items: items)
        return types
    }

    /// The practices, and the path of the roster they were (partly) read from.
    func readPractices(_ map: MappingCursor?, regions: [String], types: [PracticeType]) -> ([Practice], String?) {
        guard let map else { return ([], nil) }
        defer { map.finish() }
        var practices: [Practice] = []
        let groups = map.sequence("groups")
        var declared = 0
        for (node, path) in groups ?? [] {
            guard let group = reader.mapping(node, path: path) else { continue }
            // Counted before any practice is made: a few lines can ask for millions of them.
            let count = group.integer("count", default: 1, min: 1, max: ScenarioLoader.maximumPractices) ?? 0
            declared += count
            if declared > ScenarioLoader.maximumPractices {
                if declared - count > ScenarioLoader.maximumPractices { continue }
                reader.report(group.node, group.child("count"), "brings the practices defined so far to \(declared), more than the \(ScenarioLoader.maximumPractices) apmrisk can simulate; split them over several scenarios")
                continue
            }
            practices += readGroup(group, count: count, startNumber: practices.count + 1, regions: regions, types: types)
        }
        var rosterFile: String?
        if let rosterNode = map.value("roster"), let name = reader.string(rosterNode, path: map.child("roster")) {
            let url = URL(fileURLWithPath: name, relativeTo: baseDirectory)
            if FileManager.default.isReadableFile(atPath: url.path) {
                rosterFile = url.path
                // Messages name the roster as the analyst would find it: next to the scenario file.
                var shown = name.hasPrefix("/") ? name : URL(fileURLWithPath: file).deletingLastPathComponent()
                    .appendingPathComponent(name).relativePath
                if shown.hasPrefix("./") { shown.removeFirst(2) }
                practices += RosterReader(file: url.path, shownAs: shown, regions: regions, types: types.map(\.name))
                    .read(into: reader)
            } else {
                reader.report(rosterNode, map.child("roster"), "names '\(name)', which cannot be read at \(url.path); expected a roster CSV (id,members,region and optionally type, track, tier, pool) relative to the scenario file")
            }
        }
        if groups == nil && map.value("roster") == nil {
            reader.report(map.node, map.path, "has neither groups nor a roster, expected at least one practice")
        }
        if practices.count > ScenarioLoader.maximumPractices {
            reader.report(map.node, map.path, "defines \(practices.count) practices, more than the \(ScenarioLoader.maximumPractices) apmrisk can simulate")
        }
        checkUnique(practices.map { ($0.id, "practices (id)") })
        return (practices, rosterFile)
    }

    private func readGroup(_ group: MappingCursor, count: Int, startNumber: Int, regions: [String],
                           types: [PracticeType]) -> [Practice] {
        defer { group.finish() }
        let prefix = group.string("id_prefix", default: "P") ?? "P"
        var sizes: (Int, Int)?
        if let membersNode = group.value("members") {
            let path = group.child("members")
            let limit = ScenarioLoader.maximumPracticeMembers
            if case let .sequence(range) = membersNode {
                if range.count == 2,
                   let low = reader.integer(range[0], path: path + "[0]", min: 1, max: limit),
                   let high = reader.integer(range[1], path: path + "[1]", min: 1, max: limit) {
                    if low <= high { sizes = (low, high) } else {
                        reader.report(membersNode, path, "found [\(low), \(high)], expected [smallest, largest] with smallest ≤ largest")
                    }
                } else if range.count != 2 {
                    reader.report(membersNode, path, "found a list of \(range.count), expected one size or [smallest, largest]")
                }
            } else if let size = reader.integer(membersNode, path: path, min: 1, max: limit) {
                sizes = (size, size)
            }
        } else {
            reader.report(group.node, group.child("members"), "is missing, expected attributed members (a whole number, or [smallest, largest])")
        }
        let regionIndices = lookupRegions(group, regions: regions)
        let typeIndex = lookup(group, key: "type", in: types.map(\.name), defaultIndex: 0)
        let track = group.value("track") != nil ? group.string("track") : nil
        let tier = group.value("tier") != nil ? group.string("tier") : nil
        let pool = group.value("pool") != nil ? group.string("pool") : nil
        var social: (Double, Double)? = (1, 1)
        if let node = group.value("social_need_scale") {
            let path = group.child("social_need_scale")
            let rule = NumberRule.range(0, 20)
            if case let .sequence(range) = node {
                social = nil
                if range.count == 2, let low = reader.number(range[0], path: path + "[0]", rule: rule),
                   let high = reader.number(range[1], path: path + "[1]", rule: rule) {
                    if low <= high { social = (low, high) } else {
                        reader.report(node, path, "found [\(format(low)), \(format(high))], expected [lowest, highest] with lowest ≤ highest")
                    }
                } else if range.count != 2 {
                    reader.report(node, path, "found a list of \(range.count), expected one scale or [lowest, highest]")
                }
            } else {
                social = reader.number(node, path: path, rule: rule).map { ($0, $0) }
            }
        }
        guard count > 0, let sizes, let regionIndices, let typeIndex, let social else { return [] }
        return (0..<count).map { i in
            Practice(id: "\(prefix)\(startNumber + i)",
                     members: spreadSize(i, of: count, between: sizes.0, and: sizes.1),
                     region: regionIndices[i % regionIndices.count], type: typeIndex,
                     track: track, tier: tier, pool: pool,
                     socialNeedScale: spreadScale(i, between: social.0, and: social.1))
        }
    }

    /// Social-need scales spread over [low, high] in an order unrelated to size (a golden-ratio
    /// sequence), rounded to 0.05 so practices share member libraries; deterministic, like sizes.
    private func spreadScale(_ i: Int, between low: Double, and high: Double) -> Double {
        guard low < high else { return low }
        let t = (Double(i) * 0.618_033_988_749_895 + 0.5).truncatingRemainder(dividingBy: 1)
        return ((low + t * (high - low)) * 20).rounded() / 20
    }

    /// Sizes evenly spaced on a log scale, so a group spanning 250–999 members has as many
    /// practices near 300 as near 900 in ratio terms; deterministic, so the roster is part of the
    /// scenario, not of the randomness.
    private func spreadSize(_ i: Int, of count: Int, between low: Int, and high: Int) -> Int {
        guard count > 1, low < high else { return low }
        let t = Double(i) / Double(count - 1)
        return Int((exp(log(Double(low)) + t * (log(Double(high)) - log(Double(low))))).rounded())
    }

    private func lookupRegions(_ group: MappingCursor, regions: [String]) -> [Int]? {
        // Without valid regions the problem is already reported at `regions`.
        guard !regions.isEmpty else { _ = group.value("region"); return nil }
        guard let node = group.value("region") else { return Array(regions.indices) }
        guard let name = reader.string(node, path: group.child("region")) else { return nil }
        if name == "all" { return Array(regions.indices) }
        guard let index = regions.firstIndex(of: name) else {
            reader.report(node, group.child("region"), "found '\(name)', expected 'all' or one of the regions: \(regions.joined(separator: ", "))")
            return nil
        }
        return [index]
    }

    private func lookup(_ map: MappingCursor, key: String, in names: [String], defaultIndex: Int) -> Int? {
        guard let node = map.value(key) else { return names.isEmpty ? nil : defaultIndex }
        guard let name = reader.string(node, path: map.child(key)) else { return nil }
        guard let index = names.firstIndex(of: name) else {
            reader.report(node, map.child(key), "found '\(name)', expected one of: \(names.joined(separator: ", "))")
            return nil
        }
        return index
    }

    func readSizeBands(_ items: [(node: Node, path: String)]?) -> [SizeBand] {
        guard let items else { return SizeBand.standard }
        var bands: [SizeBand] = []
        var lower = 0
        for (index, (node, path)) in items.enumerated() {
            guard let map = reader.mapping(node, path: path) else { continue }
            defer { map.finish() }
            let name = map.string("name")
            let isLast = index == items.count - 1
            var upper: Int?
            if isLast, let belowNode = map.value("below") {
                reader.report(belowNode, map.child("below"), "is set on the last size band; expected no 'below' there, so practices of every size have a band")
            } else if !isLast {
                upper = map.integer("below", min: lower + 1, max: ScenarioLoader.maximumPracticeMembers + 1)
            }
            if let name {
                bands.append(SizeBand(name: name, lowerBound: lower, upperBound: upper))
            }
            lower = upper ?? lower
        }
        checkUnique(bands.enumerated().map { ($0.element.name, "size_bands[\($0.offset)].name") }, items: items)
        return bands.isEmpty ? SizeBand.standard : bands
    }

    func readQualityWorld(_ map: MappingCursor?) -> QualityWorld? {
        guard let map else { return QualityWorld() }
        defer { map.finish() }
        let defaults = QualityWorld()
        let mean = map.number("mean", default: defaults.mean, .share)
        let sd = map.number("sd", default: defaults.sd, .range(0, 1))
        let noise = map.number("noise_sd", default: defaults.noiseSD, .range(0, 1))
        let reference = map.number("noise_reference_members", default: defaults.referenceMembers, .range(1, 1e7))
        guard let mean, let sd, let noise, let reference else { return nil }
        return QualityWorld(mean: mean, sd: sd, noiseSD: noise, referenceMembers: reference)
    }

    func readBudget(_ map: MappingCursor?, classes: [String]?, years: Int) -> BudgetSettings? {
        let defaults = BudgetSettings()
        guard let map else { return defaults }
        defer { map.finish() }
        let fyStart = map.integer("fiscal_year_start_month", default: defaults.fiscalYearStartMonth, min: 1, max: 12)
        let start = map.integer("program_start_month", default: defaults.programStartMonth, min: 1, max: 12)
        let lag = map.integer("settlement_lag_months", default: defaults.settlementLagMonths, min: 0, max: 60)
        var rate: Double? = defaults.recoupmentCollectionRate
        var recoupLag: Int? = defaults.recoupmentLagMonths
        if let recoupment = map.mapping("recoupment") {
            rate = recoupment.number("collection_rate", default: defaults.recoupmentCollectionRate, .probability)
            recoupLag = recoupment.integer("lag_months", default: defaults.recoupmentLagMonths, min: 0, max: 60)
            recoupment.finish()
        }
        let confidence = map.number("confidence", default: defaults.confidence,
                                    NumberRule(expected: "a confidence level in (0, 1)") { $0 > 0 && $0 < 1 })
        let netAgainst = map.value("net_against") == nil ? nil : map.string("net_against")
        let claimsLag = readClaimsLag(map)
        let match = map.mapping("federal_match").map { readFederalMatch($0, classes: classes ?? []) }
        let slip = map.mapping("settlement_slip").map(readSettlementSlip)
        if case .some(.none) = slip { return nil }
        let adminItems = map.sequence("admin_items", allowEmpty: true).map { readAdminItems($0, years: years, match: match ?? nil) }
        if case .some(.none) = match { return nil }
        if let adminItems, adminItems.contains(where: { $0 == nil }) { return nil }
        guard let fyStart, let start, let lag, let rate, let recoupLag, let confidence else { return nil }
        var settings = BudgetSettings(fiscalYearStartMonth: fyStart, programStartMonth: start, settlementLagMonths: lag,
                                      recoupmentCollectionRate: rate, recoupmentLagMonths: recoupLag, confidence: confidence)
        settings.netAgainst = netAgainst
        if let claimsLag { settings.claimsLag = claimsLag }
        settings.federalMatch = match ?? nil
        if let slip = slip ?? nil { settings.settlementSlip = slip }
        settings.adminItems = adminItems?.compactMap { $0 } ?? []
        return settings
    }

    /// `settlement_slip: {months: [0, 1, 2], probabilities: [0.6, 0.3, 0.1]}`: months past the lag a
    /// program year's settlements and recoupments land, drawn per trial and program year.
    func readSettlementSlip(_ map: MappingCursor) -> [SettlementSlip]? {
        defer { map.finish() }
        let monthItems = map.sequence("months", required: true) ?? []
        let months = monthItems.compactMap { reader.integer($0.node, path: $0.path, min: 0, max: 24) }
        let shareItems = map.sequence("probabilities", required: true) ?? []
        let shares = shareItems.compactMap { reader.number($0.node, path: $0.path, rule: .probability) }
        guard months.count == monthItems.count, shares.count == shareItems.count, !months.isEmpty else { return nil }
        guard shares.count == months.count else {
            reader.report(map.value("probabilities"), map.child("probabilities"), "has \(shares.count) values; expected one per month in months (\(months.count))")
            return nil
        }
        let before = reader.problems.count
        checkSumsToOne(shares, node: map.value("probabilities"), path: map.child("probabilities"))
        guard reader.problems.count == before else { return nil }
        return zip(months, shares).map { SettlementSlip(months: $0, probability: $1) }
    }

    /// `federal_match: {default: 0.5, classes: {expansion_adult: 0.9}, changes: [{federal_fiscal_year:
    /// 2029, class: child, rate: 0.55}], admin: 0.5}`.
    func readFederalMatch(_ map: MappingCursor, classes: [String]) -> FederalMatch? {
        defer { map.finish() }
        let fallback = map.number("default", default: 0.5, .share)
        var rates = classes.map { _ in fallback }
        var ok = fallback != nil
        if let byClass = map.mapping("classes") {
            for name in classes {
                guard byClass.value(name) != nil else { continue }
                let i = classes.firstIndex(of: name)!
                rates[i] = byClass.number(name, .share)
                ok = ok && rates[i] != nil
            }
            byClass.finish()
        }
        var changes: [FMAPChange] = []
        for item in map.sequence("changes", allowEmpty: true) ?? [] {
            guard let change = reader.mapping(item.node, path: item.path) else { ok = false; continue }
            defer { change.finish() }
            let year = change.integer("federal_fiscal_year", min: 1900, max: 2200)
            let rate = change.number("rate", .share)
            let name = change.string("class")
            let index = name.flatMap { classes.firstIndex(of: $0) }
            if let name, index == nil {
                reader.report(change.value("class"), change.child("class"), "names '\(escapedForDisplay(name))', which is not a member class; expected one of \(classes.joined(separator: ", "))")
            }
            guard let year, let rate, let index else { ok = false; continue }
            changes.append(FMAPChange(federalFiscalYear: year, classIndex: index, rate: rate))
        }
        let admin = map.number("admin", default: 0.5, .share)
        guard ok, let admin else { return nil }
        return FederalMatch(classRates: rates.map { $0 ?? 0 }, changes: changes, adminRate: admin)
    }

    /// `admin_items: [{name: operations, annual: 1200000, federal_share: 0.5, month: 1}]`; `annual` is
    /// one amount for every program year or a list with one per year (negative: a grant).
    func readAdminItems(_ items: [(node: Node, path: String)], years: Int, match: FederalMatch?) -> [AdminItem?] {
        items.map { item in
            guard let map = reader.mapping(item.node, path: item.path) else { return nil }
            defer { map.finish() }
            let name = map.string("name")
            let share = map.number("federal_share", default: match?.adminRate ?? 0, .share)
            let month = map.value("month") == nil ? nil : map.integer("month", min: 1, max: 12)
            var annual: [Double]?
            if let node = map.value("annual") {
                if case .sequence = node {
                    let entries = map.sequence("annual") ?? []
                    let values = entries.compactMap { reader.number($0.node, path: $0.path, rule: .any) }
                    if values.count == entries.count {
                        if years > 0 && values.count != years {
                            reader.report(node, map.child("annual"), "has \(values.count) amounts; expected one per program year (\(years))")
                        } else { annual = values }
                    }
                } else if let value = reader.number(node, path: map.child("annual"), rule: .any) {
                    annual = Array(repeating: value, count: max(years, 1))
                }
            } else {
                _ = map.number("annual", .any)      // reports it missing
            }
            guard let name, let share, let annual, map.value("month") == nil || month != nil else { return nil }
            return AdminItem(name: name, annual: annual, federalShare: share, month: month)
        }
    }

    /// `claims_lag: [0.6, 0.3, 0.1]`: shares of a month's claims paid 0, 1, 2, … months later.
    func readClaimsLag(_ map: MappingCursor) -> [Double]? {
        guard map.value("claims_lag") != nil else { return nil }
        guard let items = map.sequence("claims_lag") else { return nil }
        guard items.count <= 36 else {
            reader.report(map.value("claims_lag"), map.child("claims_lag"), "has \(items.count) months; expected at most 36 (three years of run-out)")
            return nil
        }
        let shares = items.compactMap { reader.number($0.node, path: $0.path, rule: .share) }
        guard shares.count == items.count else { return nil }
        let total = shares.reduce(0, +)
        guard abs(total - 1) <= 1e-6 else {
            reader.report(map.value("claims_lag"), map.child("claims_lag"), "sums to \(total); expected shares that sum to 1")
            return nil
        }
        return shares
    }

    func readFeeChanges(_ items: [(node: Node, path: String)]?, years: Int) -> [FeeScheduleChange] {
        var changes: [FeeScheduleChange] = []
        for (node, path) in items ?? [] {
            guard let map = reader.mapping(node, path: path) else { continue }
            defer { map.finish() }
            let year = map.integer("year", min: 1, max: years)
            let change = map.number("change", .range(-0.9, 10))
            var primaryOnly: Bool? = true
            if let scopeNode = map.value("scope"), let scope = reader.string(scopeNode, path: map.child("scope")) {
                switch scope {
                case "primary_care": primaryOnly = true
                case "all": primaryOnly = false
                default:
                    reader.report(scopeNode, map.child("scope"), "found '\(scope)', expected primary_care or all")
                    primaryOnly = nil
                }
            }
            if let year, let change, let primaryOnly {
                changes.append(FeeScheduleChange(year: year, change: change, primaryCareOnly: primaryOnly))
            }
        }
        return changes
    }

    // MARK: - Shared checks

    func stringList(_ items: [(node: Node, path: String)]?) -> [String] {
        (items ?? []).compactMap { reader.string($0.node, path: $0.path) }
    }

    /// Placement problems a run would otherwise meet only when it starts: a practice that fits
    /// no track or tier, a roster or group naming a track or tier no design has, and pooled
    /// accountability without any pool.
    func checkPlacements(designs: [Design], practices: [Practice], bands: [SizeBand], designsNode: Node?) {
        let designItems: [Node] = { if case let .sequence(items)? = designsNode { return Array(items) } else { return [] } }()
        let trackNames = Set(designs.flatMap { $0.tracks.map(\.name) })
        let tierNames = Set(designs.flatMap { $0.tracks.flatMap { $0.tiers.map(\.name) } })
        for name in Set(practices.compactMap(\.track)) where !trackNames.contains(name) {
            reader.report(line: nil, column: nil, "practices (track)", "'\(name)' is not a track of any design; expected one of: \(trackNames.sorted().joined(separator: ", "))")
        }
        for name in Set(practices.compactMap(\.tier)) where !tierNames.contains(name) {
            reader.report(line: nil, column: nil, "practices (tier)", "'\(name)' is not a tier of any design; expected one of: \(tierNames.sorted().joined(separator: ", "))")
        }
        let reportingBands = bands.isEmpty ? SizeBand.standard : bands
        let hasPools = practices.contains { $0.pool != nil }
        for (d, design) in designs.enumerated() {
            let node = d < designItems.count ? designItems[d] : nil
            let unplaced = practices.filter { design.place($0, sizeBand: SizeBand.index(of: $0.members, in: reportingBands)) == nil }
            if !unplaced.isEmpty {
                let shown = unplaced.prefix(3).map { "\($0.id) (\($0.members) members)" }.joined(separator: ", ")
                reader.report(node, "designs[\(d)]", "\(unplaced.count) practice(s) fit no track or tier, e.g. \(shown); expected placement rules that take every practice (a last track or tier without placement takes the rest)")
            }
            let pooled = design.tracks.contains { $0.tiers.contains { $0.terms.accountability == .pool } }
            if pooled && !hasPools {
                reader.report(node, "designs[\(d)]", "uses accountability: pool, but no practice has a pool; expected a pool key on groups or a pool column in the roster")
            }
        }
    }

    /// Reports names used twice; `items`, when it lines up with `names`, locates each entry.
    func checkUnique(_ names: [(String, String)], items: [(node: Node, path: String)]? = nil) {
        var seen: Set<String> = []
        for (index, (name, path)) in names.enumerated() where !seen.insert(name).inserted {
            let node = items.flatMap { $0.count == names.count ? $0[index].node : nil }
            reader.report(node, path, "'\(escapedForDisplay(name))' is defined twice; expected unique names")
        }
    }

    /// Shares are read from hand-edited files, so allow rounding to the nearest 0.1%.
    func checkSumsToOne(_ shares: [Double], node: Node?, path: String) {
        let total = shares.reduce(0, +)
        guard !shares.isEmpty, abs(total - 1) > 1e-3 else { return }
        reader.report(node, path, "shares sum to \(format((total * 1e6).rounded() / 1e6)), expected 1")
    }
}

extension SizeBand {
    /// The reporting bands of DOMAIN.md: <1,000 / 1,000–4,999 / 5,000–19,999 / 20,000+ members.
    public static let standard: [SizeBand] = [
        SizeBand(name: "under 1,000", lowerBound: 0, upperBound: 1_000),
        SizeBand(name: "1,000-4,999", lowerBound: 1_000, upperBound: 5_000),
        SizeBand(name: "5,000-19,999", lowerBound: 5_000, upperBound: 20_000),
        SizeBand(name: "20,000+", lowerBound: 20_000, upperBound: nil),
    ]
}

extension Scenario {
    func with(rosterFile: String?, sensitivity: [SwingSpec], uncertain: [UncertainAssumption], observed: Observed?) -> Scenario {
        var copy = self
        copy.observed = observed
        copy.rosterFile = rosterFile
        copy.sensitivity = sensitivity
        copy.uncertain = uncertain
        return copy
    }
}
