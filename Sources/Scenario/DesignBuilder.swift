import Yams

/// Reads `designs:`. Terms may be written at design, track and tier level; a tier's terms are the
/// three levels merged key by key (innermost wins), so a track can say only what differs.
extension ScenarioBuilder {
    static let termKeys = ["prospective_share", "prospective_pricing", "social_risk_adjustment", "risk_scores", "add_ons",
                           "investment_pmpm", "interventions", "quality", "benchmark", "accountability", "stop_loss",
                           "reconciliation"]

    func readDesigns(_ items: [(node: Node, path: String)]?, years: Int, context: DesignContext) -> [Design] {
        var designs: [Design] = []
        for (node, path) in items ?? [] {
            guard let map = reader.mapping(node, path: path) else { continue }
            let name = map.string("name")
            checkStructure(map, allowed: ["name", "tracks", "pmpm_timing", "participation"] + Self.termKeys)
            let participation = map.mapping("participation").map { readParticipation($0, bands: context.sizeBands) }
            var timing = PMPMTiming.inMonth
            if map.value("pmpm_timing") != nil, let text = map.string("pmpm_timing") {
                if let parsed = PMPMTiming(rawValue: text) { timing = parsed } else {
                    reader.report(map.value("pmpm_timing"), map.child("pmpm_timing"),
                                  "found '\(escapedForDisplay(text))', expected one of \(PMPMTiming.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            let designTerms = termsNode(map.node)
            var tracks: [Track] = []
            if let trackItems = map.sequence("tracks") {
                for (trackNode, trackPath) in trackItems {
                    if let track = readTrack(trackNode, path: trackPath, inherited: designTerms, years: years, context: context) {
                        tracks.append(track)
                    }
                }
                checkUnique(tracks.enumerated().map { ($0.element.name, "\(path).tracks[\($0.offset)].name") }, items: trackItems)
            } else if let terms = readTerms(designTerms, path: path, years: years, context: context) {
                tracks = [Track(name: "all", placement: .everyone,
                                tiers: [Tier(name: "all", placement: .everyone, terms: terms)])]
            }
            if let name, !tracks.isEmpty {
                var design = Design(name: name, tracks: tracks, pmpmTiming: timing)
                design.participation = participation ?? nil
                designs.append(design)
            }
        }
        checkUnique(designs.enumerated().map { ($0.element.name, "designs[\($0.offset)].name") }, items: items)
        return designs
    }

    /// `participation: {share: 0.6, sd: 0.1, by_size_band: {"under 1,000": 0.4}}`.
    func readParticipation(_ map: MappingCursor, bands: [String]) -> Participation? {
        defer { map.finish() }
        let share = map.number("share", .share)
        let sd = map.number("sd", default: 0, .range(0, 0.5))
        var bandShares: [Int: Double] = [:]
        var ok = true
        if let byBand = map.mapping("by_size_band") {
            for name in bands where byBand.value(name) != nil {
                if let value = byBand.number(name, .share) { bandShares[bands.firstIndex(of: name)!] = value } else { ok = false }
            }
            byBand.finish()
        }
        guard let share, let sd, ok else { return nil }
        return Participation(share: share, sd: sd, bandShares: bandShares)
    }

    private func readTrack(_ node: Node, path: String, inherited: Node, years: Int, context: DesignContext) -> Track? {
        guard let map = reader.mapping(node, path: path) else { return nil }
        checkStructure(map, allowed: ["name", "placement", "tiers"] + Self.termKeys)
        let name = map.string("name")
        let placement = readPlacement(map.mapping("placement"), context: context)
        let trackTerms = merge(inherited, termsNode(map.node))
        var tiers: [Tier] = []
        if let tierItems = map.sequence("tiers") {
            for (tierNode, tierPath) in tierItems {
                guard let tierMap = reader.mapping(tierNode, path: tierPath) else { continue }
                checkStructure(tierMap, allowed: ["name", "placement"] + Self.termKeys)
                let tierName = tierMap.string("name")
                let tierPlacement = readPlacement(tierMap.mapping("placement"), context: context)
                let terms = readTerms(merge(trackTerms, termsNode(tierMap.node)), path: tierPath, years: years, context: context)
                if let tierName, let tierPlacement, let terms {
                    tiers.append(Tier(name: tierName, placement: tierPlacement, terms: terms))
                }
            }
            checkUnique(tiers.enumerated().map { ($0.element.name, "\(path).tiers[\($0.offset)].name") }, items: tierItems)
        } else if let terms = readTerms(trackTerms, path: path, years: years, context: context) {
            tiers = [Tier(name: "all", placement: .everyone, terms: terms)]
        }
        guard let name, let placement, !tiers.isEmpty else { return nil }
        return Track(name: name, placement: placement, tiers: tiers)
    }

    /// Reports keys that are neither structure nor payment terms at this level.
    private func checkStructure(_ map: MappingCursor, allowed: [String]) {
        for key in allowed { _ = map.value(key) }
        map.finish()
    }

    private func termsNode(_ node: Node) -> Node {
        guard case let .mapping(mapping) = node else { return node }
        let pairs = mapping.filter { pair in
            guard case let .scalar(key) = pair.key else { return false }
            return Self.termKeys.contains(key.string)
        }.map { ($0.key, $0.value) }
        return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
    }

    /// `over` on top of `base`, mapping by mapping; lists and scalars are replaced whole.
    func merge(_ base: Node, _ over: Node) -> Node {
        guard case let .mapping(baseMap) = base, case let .mapping(overMap) = over else { return over }
        var pairs: [(Node, Node)] = []
        for (key, value) in baseMap {
            pairs.append((key, overMap[key].map { merge(value, $0) } ?? value))
        }
        for (key, value) in overMap where baseMap[key] == nil { pairs.append((key, value)) }
        return .mapping(Node.Mapping(pairs, overMap.tag, overMap.style, overMap.mark ?? baseMap.mark))
    }

    private func readPlacement(_ map: MappingCursor?, context: DesignContext) -> Placement? {
        guard let map else { return .everyone }
        defer { map.finish() }
        func names(_ key: String, in known: [String]) -> [Int]? {
            guard let items = map.sequence(key) else { return nil }
            var indices: [Int] = []
            for (node, path) in items {
                guard let name = reader.string(node, path: path) else { continue }
                if let index = known.firstIndex(of: name) { indices.append(index) } else {
                    reader.report(node, path, "found '\(name)', expected one of: \(known.joined(separator: ", "))")
                }
            }
            return indices
        }
        let bands = names("size_bands", in: context.sizeBands)
        let types = names("practice_types", in: context.practiceTypes)
        let regions = names("regions", in: context.regions)
        let ids = map.sequence("practices").map { stringList($0) }
        for (index, id) in (ids ?? []).enumerated() where !context.practiceIDs.contains(id) {
            let node = map.sequence("practices")?[index].node
            reader.report(node, map.child("practices") + "[\(index)]", "found '\(id)', expected the id of a practice in the scenario (e.g. \(context.practiceIDs.sorted().prefix(3).joined(separator: ", ")))")
        }
        return Placement(sizeBands: bands, practiceTypes: types, regions: regions, practiceIDs: ids)
    }

    // MARK: - Terms

    func readTerms(_ node: Node, path: String, years: Int, context: DesignContext) -> PaymentTerms? {
        guard let map = reader.mapping(node, path: path) else { return nil }
        defer { map.finish() }
        let prospective = map.glide("prospective_share", default: 0, .share, years: years)
        let social = map.number("social_risk_adjustment", default: 1, .range(0.1, 10))
        let addOns = readAddOns(map.sequence("add_ons", allowEmpty: true) ?? [], years: years)
        let investment = map.glide("investment_pmpm", default: 0, .range(0, 10_000), years: years)
        let interventions = readInterventions(map.sequence("interventions", allowEmpty: true) ?? [],
                                              years: years, categories: context.categories)
        let quality = map.mapping("quality").map { readQuality($0, years: years) }
        let benchmark = readBenchmark(map.mapping("benchmark"), years: years, baselineYears: context.baselineYears)
        let pricing = readProspectivePricing(map.mapping("prospective_pricing"), years: years)
        let riskScores = readRiskScores(map.mapping("risk_scores"))
        var accountability: Accountability? = .practice
        if let node = map.value("accountability"), let text = reader.string(node, path: map.child("accountability")) {
            accountability = Accountability(rawValue: text)
            if accountability == nil {
                reader.report(node, map.child("accountability"), "found '\(text)', expected practice, region or pool")
            }
        }
        let stopLoss = map.mapping("stop_loss").map(readStopLoss)
        let reconciliation = map.mapping("reconciliation").map { readReconciliation($0, years: years, categories: context.categories) }
        guard let prospective, let social, let addOns, let investment, let interventions, let benchmark,
              let pricing, let riskScores, let accountability else { return nil }
        if case .some(nil) = quality { return nil }
        if case .some(nil) = stopLoss { return nil }
        if case .some(nil) = reconciliation { return nil }
        return PaymentTerms(prospectiveShare: prospective, socialRiskAdjustment: social, addOns: addOns,
                            investmentPMPM: investment, interventions: interventions, quality: quality ?? nil,
                            prospectivePricing: pricing, riskScores: riskScores, benchmark: benchmark, accountability: accountability, stopLoss: stopLoss ?? nil,
                            reconciliation: reconciliation ?? nil)
    }

    private func readAddOns(_ items: [(node: Node, path: String)], years: Int) -> [AddOn]? {
        var addOns: [AddOn] = []
        var ok = true
        for (node, path) in items {
            guard let map = reader.mapping(node, path: path) else { ok = false; continue }
            defer { map.finish() }
            let name = map.string("name")
            let pmpm = map.glide("pmpm", default: 0, .range(0, 10_000), years: years)
            let social = map.glide("social_need_pmpm", default: 0, .range(0, 10_000), years: years)
            var tiers: [RiskTierPayment] = []
            let tierItems = map.sequence("risk_tiers") ?? []
            var previous = 0.0
            for (index, (tierNode, tierPath)) in tierItems.enumerated() {
                guard let tier = reader.mapping(tierNode, path: tierPath) else { ok = false; continue }
                let last = index == tierItems.count - 1
                let below = (!last || tier.value("below") != nil) ? tier.number("below", .range(1e-6, 1000)) : nil
                if let below, below <= previous {
                    reader.report(tierNode, tier.child("below"), "found \(format(below)), expected a bound above the previous tier's (\(format(previous)))")
                    ok = false
                }
                if let tierPMPM = tier.glide("pmpm", .range(0, 10_000), years: years) {
                    tiers.append(RiskTierPayment(below: below, pmpm: tierPMPM))
                } else { ok = false }
                previous = below ?? previous
                tier.finish()
            }
            if let name, let pmpm, let social {
                addOns.append(AddOn(name: name, pmpm: pmpm, socialNeedPMPM: social, riskTiers: tiers))
            } else { ok = false }
        }
        return ok ? addOns : nil
    }

    private func readInterventions(_ items: [(node: Node, path: String)], years: Int, categories: [String]) -> [Intervention]? {
        var result: [Intervention] = []
        var ok = true
        for (node, path) in items {
            guard let map = reader.mapping(node, path: path) else { ok = false; continue }
            defer { map.finish() }
            var category: Int?
            if let categoryNode = map.value("category"), let name = reader.string(categoryNode, path: map.child("category")) {
                category = categories.firstIndex(of: name)
                if category == nil {
                    reader.report(categoryNode, map.child("category"), "found '\(name)', expected one of the services: \(categories.joined(separator: ", "))")
                }
            } else if map.value("category") == nil {
                reader.report(node, map.child("category"), "is missing, expected a service category name")
            }
            let effect = map.number("effect", .range(-1, 10))
            let sd = map.number("sd", default: 0, .range(0, 5))
            let phase = map.glide("phase_in", default: 1, .share, years: years)
            if let category, let effect, let sd, let phase {
                result.append(Intervention(category: category, effect: effect, sd: sd, phaseIn: phase))
            } else { ok = false }
        }
        return ok ? result : nil
    }

    private func readQuality(_ map: MappingCursor, years: Int) -> QualityTerms? {
        defer { map.finish() }
        let bonusPMPM = map.glide("bonus_pmpm", default: 0, .range(0, 10_000), years: years)
        let bonusShare = map.glide("bonus_share", default: 0, .range(0, 10), years: years)
        let withhold = map.glide("withhold_share", default: 0, .share, years: years)
        let floor = map.number("floor", default: 0, .share)
        let gate = map.value("gate") != nil ? map.number("gate", .share) : nil
        if map.value("gate") != nil && gate == nil { return nil }
        guard let bonusPMPM, let bonusShare, let withhold, let floor else { return nil }
        return QualityTerms(bonusPMPM: bonusPMPM, bonusShare: bonusShare, withholdShare: withhold, floor: floor, gate: gate)
    }

    private func readReferencePopulation(_ map: MappingCursor, key: String) -> ReferencePopulation? {
        guard let node = map.value(key) else { return .region }
        guard let text = reader.string(node, path: map.child(key)) else { return nil }
        guard let population = ReferencePopulation(rawValue: text) else {
            reader.report(node, map.child(key), "found '\(text)', expected region or statewide")
            return nil
        }
        return population
    }

    private func readProspectivePricing(_ map: MappingCursor?, years: Int) -> BaseRate? {
        guard let map else { return .ownBaseline }
        defer { map.finish() }
        let weight = map.glide("base_rate_weight", default: 1, .share, years: years)
        let population = readReferencePopulation(map, key: "base_rate_population")
        guard let weight, let population else { return nil }
        return BaseRate(weight: weight, population: population)
    }

    private func readRiskScores(_ map: MappingCursor?) -> RiskScoreTerms? {
        guard let map else { return RiskScoreTerms() }
        defer { map.finish() }
        let growth = map.number("coding_growth", default: 0, .range(-0.2, 0.2))
        let cap: Double?? = map.value("growth_cap") == nil ? .some(nil)
            : map.number("growth_cap", NumberRule(expected: "a share in [0, 1)") { $0 >= 0 && $0 < 1 }).map { .some($0) }
        guard let growth, let cap else { return nil }
        return RiskScoreTerms(codingGrowth: growth, growthCap: cap)
    }

    private func readBenchmark(_ map: MappingCursor?, years: Int, baselineYears: Int) -> BenchmarkTerms? {
        guard let map else { return BenchmarkTerms() }
        defer { map.finish() }
        let blend = map.glide("regional_blend", default: 0, .share, years: years)
        let basePopulation = readReferencePopulation(map, key: "base_rate_population")
        let adjust = map.bool("adjust_for_fee_changes", default: true)
        let weights: [Double]? = map.value("baseline_weights") == nil ? [1]
            : readWeights(map, key: "baseline_weights", limit: baselineYears,
                          limitText: "simulation.baseline_years (\(baselineYears))")
        var rebase: Rebase?? = .some(nil)
        if let rebaseMap = map.mapping("rebase") {
            let every = rebaseMap.integer("every", min: 1, max: 20)
            // Rebased years may reach back through the first agreement period into the baseline.
            let reach = (every ?? 0) + baselineYears
            let rebaseWeights = rebaseMap.value("weights") == nil ? [1]
                : readWeights(rebaseMap, key: "weights", limit: every == nil || baselineYears == 0 ? 0 : reach,
                              limitText: "rebase.every + simulation.baseline_years (\(reach))")
            rebaseMap.finish()
            rebase = every.flatMap { n in rebaseWeights.map { Rebase(agreementYears: n, weights: $0) } }.map { .some($0) }
            if let n = every, years > 0, n >= years, let node = rebaseMap.value("every") {
                reader.report(node, rebaseMap.child("every"), "is \(n) program years, but the program has \(years); expected an agreement period shorter than the program (or no rebase)")
                rebase = nil
            }
        }
        var update: TrendUpdate? = .prospective
        if let updateMap = map.mapping("trend_update") {
            let realised = updateMap.number("realised_weight", default: 1, .share)
            let regional = updateMap.number("regional_weight", default: 0, .share)
            let guardrail: Double?? = updateMap.value("guardrail") == nil ? .some(nil)
                : updateMap.number("guardrail", NumberRule(expected: "a share in (0, 1]") { $0 > 0 && $0 <= 1 }).map { .some($0) }
            updateMap.finish()
            if let realised, let regional, let guardrail {
                update = TrendUpdate(realisedWeight: realised, regionalWeight: regional, guardrail: guardrail)
            } else { update = nil }
        }
        guard let blend, let basePopulation, let weights, let rebase, let update else { return nil }
        return BenchmarkTerms(regionalBlend: blend, basePopulation: basePopulation, adjustForFeeChanges: adjust, baselineWeights: weights, rebase: rebase,
                              trendUpdate: update)
    }

    /// A list of non-negative weights, oldest year first, summing to 1, at most `limit` long
    /// (0 = the limit is unknown).
    private func readWeights(_ map: MappingCursor, key: String, limit: Int, limitText: String) -> [Double]? {
        guard let items = map.sequence(key) else { return nil }
        let path = map.child(key)
        let values = items.compactMap { reader.number($0.node, path: $0.path, rule: .share) }
        guard values.count == items.count else { return nil }
        if limit > 0, values.count > limit {
            reader.report(map.value(key), path, "has \(values.count) weights, but only \(limit) years can be used; expected at most \(limitText) weights")
            return nil
        }
        let total = values.reduce(0, +)
        guard abs(total - 1) <= 1e-3 else {
            reader.report(map.value(key), path, "weights sum to \(format((total * 1e6).rounded() / 1e6)), expected 1 (one weight per year, oldest first)")
            return nil
        }
        return values.map { $0 / total }
    }

    private func readStopLoss(_ map: MappingCursor) -> StopLoss? {
        defer { map.finish() }
        let hasAttachment = map.value("attachment") != nil, hasPercentile = map.value("percentile") != nil
        guard hasAttachment != hasPercentile else {
            reader.report(map.node, map.path, "expected exactly one of attachment (dollars per member-year) or percentile (e.g. 0.99)")
            return nil
        }
        let indexed: Bool? = map.value("indexed") == nil ? nil : map.bool("indexed", default: hasPercentile)
        let point: StopLoss.Point? = hasAttachment
            ? map.number("attachment", .range(1, 1e9)).map { .attachment($0) }
            : map.number("percentile", NumberRule(expected: "a percentile in (0.5, 1)") { $0 > 0.5 && $0 < 1 }).map { .percentile($0) }
        return point.map { StopLoss($0, indexed: indexed) }
    }

    private func readThreshold(_ map: MappingCursor, key: String, years: Int) -> ThresholdRule? {
        guard let node = map.value(key) else { return .fixed(Glide(0)) }
        let path = map.child(key)
        switch node {
        case let .scalar(scalar) where scalar.string == "mssp":
            return .msspTable
        case .mapping:
            guard let rule = reader.mapping(node, path: path) else { return nil }
            defer { rule.finish() }
            return rule.number("confidence", NumberRule(expected: "a confidence level in (0.5, 1)") { $0 > 0.5 && $0 < 1 })
                .map { .confidence($0) }
        default:
            let rule = NumberRule(expected: "a rate in [0, 1), mssp, or {confidence: level}") { $0 >= 0 && $0 < 1 }
            return reader.glide(node, path: path, rule: rule, years: years).map { .fixed($0) }
        }
    }

    func readReconciliation(_ map: MappingCursor, years: Int, categories: [String]) -> Reconciliation? {
        defer { map.finish() }
        var carveOuts: [Int]? = []
        for (node, path) in map.sequence("carve_outs", allowEmpty: true) ?? [] {
            guard let name = reader.string(node, path: path) else { carveOuts = nil; continue }
            guard let index = categories.firstIndex(of: name) else {
                reader.report(node, path, "found '\(name)', expected one of the services: \(categories.joined(separator: ", "))")
                carveOuts = nil
                continue
            }
            carveOuts?.append(index)
        }
        var inScopeActual: InScopeActual? = .shadowFFS
        if let node = map.value("actual_in_scope"), let text = reader.string(node, path: map.child("actual_in_scope")) {
            inScopeActual = InScopeActual(rawValue: text)
            if inScopeActual == nil {
                reader.report(node, map.child("actual_in_scope"), "found '\(text)', expected shadow_ffs or payments")
            }
        }
        let msr = readThreshold(map, key: "minimum_savings_rate", years: years)
        let mlr = readThreshold(map, key: "minimum_loss_rate", years: years)
        var basis: SharingBasis? = .firstDollar
        if let node = map.value("sharing_basis"), let text = reader.string(node, path: map.child("sharing_basis")) {
            basis = SharingBasis(rawValue: text)
            if basis == nil {
                reader.report(node, map.child("sharing_basis"), "found '\(text)', expected first_dollar or net_of_threshold")
            }
        }
        let hasRates = map.value("upside_rate") != nil || map.value("downside_rate") != nil
        let upside = map.glide("upside_rate", default: 0, .share, years: years)
        let downside = map.glide("downside_rate", default: 0, .share, years: years)
        var corridors: [Corridor]??
        if let items = map.sequence("corridors") {
            corridors = readCorridors(items, years: years)
            if hasRates, let node = map.value("corridors") {
                reader.report(node, map.child("corridors"), "replace upside_rate and downside_rate; expected one or the other, not both")
            }
        }
        let savingsCap = readCap(map.mapping("savings_cap"), years: years)
        let lossCap = readCap(map.mapping("loss_cap"), years: years)
        // Under first-dollar sharing a cap below the threshold is a legitimate design (a result
        // past the threshold settles at the cap). Net of the threshold it stays an error: sharing
        // would start beyond a margin the cap has already cut short, which reads as a typo.
        let netOfThreshold = basis == .netOfThreshold
        if netOfThreshold, case let .fixed(msrGlide)? = msr, let cap = savingsCap?.benchmarkShare, let node = map.value("savings_cap"),
           let year = (1...max(years, 1)).first(where: { cap.value(year: $0) < msrGlide.value(year: $0) }) {
            reader.report(node, map.child("savings_cap.benchmark"), "is \(format(cap.value(year: year))) in program year \(year), below the minimum savings rate \(format(msrGlide.value(year: year))) with net_of_threshold sharing; expected a cap at or above the threshold (or first_dollar sharing)")
        }
        let downsideUsed = (downside?.maximum ?? 0) > 0 || corridors != nil
        if netOfThreshold, case let .fixed(mlrGlide)? = mlr, let cap = lossCap?.benchmarkShare, let node = map.value("loss_cap"), downsideUsed,
           let year = (1...max(years, 1)).first(where: { cap.value(year: $0) < mlrGlide.value(year: $0) }) {
            reader.report(node, map.child("loss_cap.benchmark"), "is \(format(cap.value(year: year))) in program year \(year), below the minimum loss rate \(format(mlrGlide.value(year: year))) with net_of_threshold sharing; expected a cap at or above the threshold (or first_dollar sharing)")
        }
        if case .some(nil) = corridors { return nil }
        guard let msr, let mlr, let basis, let upside, let downside, let savingsCap, let lossCap, let carveOuts,
              let inScopeActual else { return nil }
        return Reconciliation(minimumSavingsRate: msr, minimumLossRate: mlr, sharingBasis: basis, upsideRate: upside,
                              downsideRate: downside, corridors: corridors ?? nil, savingsCap: savingsCap, lossCap: lossCap,
                              carveOuts: Array(Set(carveOuts)).sorted(), inScopeActual: inScopeActual)
    }

    /// Corridors must tile [0, ∞) or [0, last) without gaps or overlaps, in order.
    private func readCorridors(_ items: [(node: Node, path: String)], years: Int) -> [Corridor]? {
        var corridors: [Corridor] = []
        var expectedFrom = 0.0
        var ok = true
        for (index, (node, path)) in items.enumerated() {
            guard let map = reader.mapping(node, path: path) else { ok = false; continue }
            defer { map.finish() }
            let from = map.number("from", .share)
            let last = index == items.count - 1
            if last, let toNode = map.value("to") {
                reader.report(toNode, map.child("to"), "is set on the last corridor, leaving larger deviations unshared; expected no 'to' on the last corridor")
                ok = false
            }
            let to = last ? nil : map.number("to", .share)
            let share = map.glide("share", .share, years: years)
            if let from, abs(from - expectedFrom) > 1e-12 {
                let problem = from > expectedFrom ? "leaves a gap" : "overlaps the previous corridor"
                reader.report(map.value("from"), map.child("from"), "found \(format(from)), which \(problem); expected \(format(expectedFrom)) (the previous corridor's 'to')")
                ok = false
            }
            if let from, let to, to <= from {
                reader.report(map.value("to"), map.child("to"), "found \(format(to)), expected a bound above 'from' (\(format(from)))")
                ok = false
            }
            guard let from, let share else { ok = false; continue }
            corridors.append(Corridor(lower: from, upper: to, share: share))
            expectedFrom = to ?? expectedFrom
        }
        return ok ? corridors : nil
    }

    func readCap(_ map: MappingCursor?, years: Int) -> Cap? {
        guard let map else { return Cap.none }
        defer { map.finish() }
        let benchmark = map.value("benchmark") != nil ? map.glide("benchmark", .share, years: years) : nil
        let revenue = map.value("revenue") != nil ? map.glide("revenue", .range(0, 10), years: years) : nil
        if map.value("benchmark") != nil && benchmark == nil { return nil }
        if map.value("revenue") != nil && revenue == nil { return nil }
        return Cap(benchmarkShare: benchmark, revenueShare: revenue)
    }
}

/// Names a design may refer to, read before the designs.
struct DesignContext {
    let categories: [String]
    let sizeBands: [String]
    let practiceTypes: [String]
    let regions: [String]
    let practiceIDs: Set<String>
    /// Baseline years simulated (0 = unknown: `simulation` is invalid).
    let baselineYears: Int
}
