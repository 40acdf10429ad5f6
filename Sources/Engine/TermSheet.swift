import Foundation
import Scenario
import Statistics

/// Each design's terms in words (`DesignTerms`), for the report, `summary.json` and `apmrisk
/// validate`: what the subcommittee must see beside a design's results to know what it is. A cap
/// on total cost of care is also stated as a share of a typical practice's primary-care revenue
/// (the statewide member mix in program year 1, closed form), since 4% of total cost is most of a
/// primary-care practice's revenue.
public enum TermSheet {
    public static func terms(of scenario: Scenario) -> [DesignTerms] {
        let world = WorldExpectations(scenario: scenario)
        let mix = scenario.population.classes.map(\.panelShare)
        let primaryCare = world.costPerMemberMonth(mix: mix, inScopeOnly: true, year: 1)
        let total = world.costPerMemberMonth(mix: mix, inScopeOnly: false, year: 1)
        let writer = Writer(scenario: scenario, totalPerPrimaryCare: primaryCare > 0 ? total / primaryCare : nil)
        return scenario.designs.map { design in
            DesignTerms(design: design.name, tracks: design.tracks.map { track in
                TrackTerms(name: track.name, placement: writer.placement(track.placement), tiers: track.tiers.map { tier in
                    TierTerms(name: tier.name, placement: writer.placement(tier.placement), terms: writer.lines(tier.terms))
                })
            })
        }
    }

    /// Modelling slips `apmrisk validate` warns about (the scenario is still valid): add-ons paid
    /// with no cost to the practice, and losses a practice could not bear.
    public static func warnings(of scenario: Scenario) -> [String] {
        let world = WorldExpectations(scenario: scenario)
        let mix = scenario.population.classes.map(\.panelShare)
        let primaryCare = world.costPerMemberMonth(mix: mix, inScopeOnly: true, year: 1)
        let ratio = primaryCare > 0 ? world.costPerMemberMonth(mix: mix, inScopeOnly: false, year: 1) / primaryCare : nil
        var warnings: [String] = []
        for design in scenario.designs {
            for track in design.tracks {
                for tier in track.tiers {
                    let name = design.tracks.count == 1 && track.tiers.count == 1 ? "design \"\(design.name)\""
                        : "design \"\(design.name)\", track \"\(track.name)\", tier \"\(tier.name)\""
                    let t = tier.terms
                    let paysAddOns = t.addOns.contains { a in
                        a.pmpm.maximum > 0 || a.socialNeedPMPM.maximum > 0 || a.riskTiers.contains { $0.pmpm.maximum > 0 }
                    }
                    if paysAddOns && t.investmentPMPM.maximum == 0 {
                        warnings.append("\(name): add-ons are paid with no investment_pmpm, so every add-on dollar counts as the practice's gain; if they pay for staff (care managers, community health workers), set investment_pmpm to that cost")
                    }
                    guard let r = t.reconciliation, r.downsideRate.maximum > 0 || r.corridors != nil else { continue }
                    if r.lossCap.benchmarkShare == nil && r.lossCap.revenueShare == nil {
                        warnings.append("\(name): losses are shared with no loss_cap, so a practice's repayment has no limit")
                    } else if let share = r.lossCap.benchmarkShare, let ratio,
                              share.maximum * ratio > 1, (r.lossCap.revenueShare?.maximum ?? .infinity) > 1 {
                        warnings.append("\(name): a loss cap of \(percent(share.maximum)) of benchmark is about \(Int((share.maximum * ratio * 100).rounded()))% of a typical practice's yearly primary-care revenue: more than a year of it")
                    }
                }
            }
        }
        return warnings
    }

    struct Writer {
        let scenario: Scenario
        /// A typical practice's total cost of care per dollar of its primary-care revenue: a cap
        /// of 4% of the benchmark is 4% × this of that revenue.
        let totalPerPrimaryCare: Double?

        func placement(_ placement: Placement) -> String {
            var parts: [String] = []
            if let bands = placement.sizeBands {
                parts.append("size band " + bands.map { scenario.sizeBands[$0].name }.joined(separator: ", "))
            }
            if let types = placement.practiceTypes {
                parts.append("practice type " + types.map { scenario.practiceTypes[$0].name }.joined(separator: ", "))
            }
            if let regions = placement.regions {
                parts.append("region " + regions.map { scenario.regions[$0] }.joined(separator: ", "))
            }
            if let ids = placement.practiceIDs { parts.append("\(ids.count) named practice\(ids.count == 1 ? "" : "s")") }
            return parts.isEmpty ? "every practice not placed before it" : parts.joined(separator: "; ")
        }

        func lines(_ t: PaymentTerms) -> [TermLine] {
            var lines: [TermLine] = []
            if t.prospectiveShare.maximum > 0 {
                var text = "\(glide(t.prospectiveShare, percent)) of in-scope FFS paid in advance per member-month"
                if t.prospectivePricing.weight.maximum > 0 {
                    text += ", priced \(glide(t.prospectivePricing.weight, percent)) on the \(t.prospectivePricing.population.rawValue) base rate"
                }
                lines.append(TermLine("Prospective payment", text))
            } else {
                lines.append(TermLine("Prospective payment", "none: in-scope services paid fee-for-service"))
            }
            for addOn in t.addOns {
                var parts: [String] = []
                if addOn.pmpm.maximum > 0 { parts.append("\(glide(addOn.pmpm, dollars)) PMPM") }
                if addOn.socialNeedPMPM.maximum > 0 { parts.append("\(glide(addOn.socialNeedPMPM, dollars)) PMPM more for members with social need") }
                if !addOn.riskTiers.isEmpty {
                    parts.append("by risk score: " + addOn.riskTiers.map { tier in
                        "\(tier.below.map { "below \(number($0))" } ?? "the rest") \(glide(tier.pmpm, dollars))"
                    }.joined(separator: ", "))
                }
                lines.append(TermLine("Add-on: \(addOn.name)", parts.isEmpty ? "none" : parts.joined(separator: "; ") + " (guaranteed)"))
            }
            if t.investmentPMPM.maximum > 0 {
                lines.append(TermLine("Practice's own investment", "\(glide(t.investmentPMPM, dollars)) PMPM, counted against the practice"))
            }
            if t.socialRiskAdjustment != 1 {
                lines.append(TermLine("Social risk adjustment", "risk scores × \(number(t.socialRiskAdjustment)) for members with social need"))
            }
            for intervention in t.interventions {
                lines.append(TermLine("Intervention", "\(scenario.services[intervention.category].name): use \(signed(intervention.effect)) (SD \(percent(intervention.sd)))"))
            }
            if let quality = t.quality {
                var parts: [String] = []
                if quality.bonusPMPM.maximum > 0 { parts.append("bonus up to \(glide(quality.bonusPMPM, dollars)) PMPM") }
                if quality.bonusShare.maximum > 0 { parts.append("bonus up to \(glide(quality.bonusShare, percent)) of revenue") }
                if quality.withholdShare.maximum > 0 { parts.append("\(glide(quality.withholdShare, percent)) withheld, returned by score") }
                parts.append(quality.floor > 0 ? "paid in proportion to the score above \(number(quality.floor))" : "paid in proportion to the score")
                if let gate = quality.gate { parts.append("shared savings only at a score of \(number(gate)) or more") }
                lines.append(TermLine("Quality", parts.joined(separator: "; ")))
            }
            guard let r = t.reconciliation else {
                lines.append(TermLine("Total cost of care", "not reconciled: no shared savings or losses"))
                return lines
            }
            lines.append(TermLine("Benchmark", benchmark(t.benchmark)))
            let accountability = switch t.accountability {
            case .practice: "the practice's own total cost of care"
            case .region: "the region's practices in this tier, reconciled together"
            case .pool: "all practices of this tier, reconciled together"
            }
            lines.append(TermLine("Accountability", accountability))
            if let stopLoss = t.stopLoss {
                let point = switch stopLoss.point {
                case let .attachment(a):
                    "member cost above \(dollars(a)) a year left out\(stopLoss.indexed ? " (in baseline dollars, moved with trend and fees)" : " (fixed dollars)")"
                case let .percentile(p):
                    "member cost above the \(number(p * 100))th percentile of \(stopLoss.indexed ? "each year's" : "the baseline") member costs left out"
                }
                lines.append(TermLine("Stop-loss", point))
            }
            lines.append(TermLine("Minimum savings rate", threshold(r.minimumSavingsRate)))
            let sharesLosses = r.downsideRate.maximum > 0 || r.corridors != nil
            if sharesLosses { lines.append(TermLine("Minimum loss rate", threshold(r.minimumLossRate))) }
            if let corridors = r.corridors {
                lines.append(TermLine("Risk corridors", corridors.map { c in
                    "\(percent(c.lower))–\(c.upper.map(percent) ?? "beyond") of benchmark shared at \(glide(c.share, percent))"
                }.joined(separator: "; ")))
            } else {
                let upside = glide(r.upsideRate, percent)
                let downside = r.downsideRate.maximum > 0 ? "losses at \(glide(r.downsideRate, percent))" : "no losses shared (upside only)"
                let basis = r.sharingBasis == .firstDollar ? "from the first dollar once past the threshold" : "beyond the threshold only"
                lines.append(TermLine("Sharing", "savings at \(upside), \(downside), \(basis)"))
            }
            lines.append(TermLine("Savings cap", cap(r.savingsCap)))
            if sharesLosses { lines.append(TermLine("Loss cap", cap(r.lossCap))) }
            if !r.carveOuts.isEmpty {
                lines.append(TermLine("Carved out", r.carveOuts.map { scenario.services[$0].name }.joined(separator: ", ")))
            }
            if t.riskScores.codingGrowth != 0 || t.riskScores.growthCap != nil {
                var text = "coding growth \(percent(t.riskScores.codingGrowth)) a year"
                if let cap = t.riskScores.growthCap { text += ", score growth capped at ±\(percent(cap))" }
                lines.append(TermLine("Risk scores", text))
            }
            return lines
        }

        func benchmark(_ b: BenchmarkTerms) -> String {
            var parts: [String] = []
            parts.append(b.baselineWeights.count == 1 ? "one baseline year"
                         : "\(b.baselineWeights.count) baseline years weighted \(b.baselineWeights.map { number($0 * 100) }.joined(separator: "/"))")
            if b.regionalBlend.maximum > 0 {
                parts.append("\(glide(b.regionalBlend, percent)) \(b.basePopulation.rawValue) base rate")
            }
            parts.append(b.trendUpdate.realisedWeight > 0
                         ? "trended \(percent(b.trendUpdate.realisedWeight)) by realised growth" : "trended by the assumed trend")
            parts.append(b.adjustForFeeChanges ? "follows fee changes" : "frozen at baseline fees")
            if let rebase = b.rebase { parts.append("rebased every \(rebase.agreementYears) years") }
            return parts.joined(separator: "; ")
        }

        func threshold(_ rule: ThresholdRule) -> String {
            switch rule {
            case let .fixed(g): glide(g, percent) + " of benchmark"
            case .msspTable: "MSSP table by attributed members (about 2% to 3.9% of benchmark)"
            case let .confidence(z): "\(number(z)) standard errors of the practice's per-member cost"
            }
        }

        func cap(_ cap: Cap) -> String {
            var parts: [String] = []
            if let share = cap.benchmarkShare {
                var text = "\(glide(share, percent)) of benchmark"
                if let ratio = totalPerPrimaryCare {
                    let revenue = share.values.map { "\(Int(($0 * ratio * 100).rounded()))%" }.joined(separator: " → ")
                    text += ", about \(revenue) of a typical practice's primary-care revenue"
                }
                parts.append(text)
            }
            if let share = cap.revenueShare { parts.append("\(glide(share, percent)) of the practice's revenue") }
            return parts.isEmpty ? "none" : parts.joined(separator: " or ") + (parts.count > 1 ? ", whichever is less" : "")
        }

        func glide(_ g: Glide, _ format: (Double) -> String) -> String {
            g.isConstant ? format(g.values[0]) : g.values.map(format).joined(separator: " → ") + " (years 1–\(g.values.count))"
        }
    }

    static func percent(_ x: Double) -> String { number(x * 100) + "%" }
    static func signed(_ x: Double) -> String { (x > 0 ? "+" : x < 0 ? "−" : "") + percent(abs(x)) }
    static func dollars(_ x: Double) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US")
        formatter.numberStyle = .decimal
        formatter.minimumFractionDigits = x == x.rounded() ? 0 : 2
        formatter.maximumFractionDigits = formatter.minimumFractionDigits
        return "$" + (formatter.string(from: NSNumber(value: x)) ?? String(x))
    }
    static func number(_ x: Double) -> String {
        let rounded = (x * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}

private func percent(_ x: Double) -> String { TermSheet.percent(x) }
private func dollars(_ x: Double) -> String { TermSheet.dollars(x) }
private func number(_ x: Double) -> String { TermSheet.number(x) }
private func signed(_ x: Double) -> String { TermSheet.signed(x) }
