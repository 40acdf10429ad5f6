@testable import Engine
import Foundation
import Sampling
import Scenario
import Testing

/// The exact stop-loss excess E[(Y − a)⁺] per member that the fast path's truncated means are
/// corrected to (`ExactExcess`), against the two independent answers there are: the FFT
/// reference where members are identical, and the member model's own draws everywhere else.
struct ExactExcessTests {
    /// Every part of a member that the excess averages over: true risk within health strata,
    /// partial years, social need, shared and idiosyncratic frailty, gamma and lognormal costs.
    static let everyMemberLevel = """
    name: every member level
    population:
      frailty_sharing: 0.5
      churn: {full_year_probability: 0.8}
      persistence: {retention: 0.8, health_persistence: 0.95}
      classes:
        - {name: adult, panel_share: 1, risk_cv: 1.2, social_need_probability: 0.25, social_need_multiplier: 1.3}
    \(Fixture.services)
    regions: [statewide]
    practices: {groups: [{count: 1, members: 1000}]}
    designs: [{name: FFS}]
    """

    /// With identical members the FFT reference gives the capped member mean on its own lattice.
    /// The excess is the small difference of two means there, each good to about 10⁻⁴ of the
    /// member's mean (measured: the reference moves by that much with its lattice), so that is
    /// the tolerance; the lattice test below holds this method to much less.
    @Test(arguments: [5_000.0, 25_000.0, 50_000.0])
    func matchesTheFFTReferenceForIdenticalMembers(attachment: Double) throws {
        let scenario = try Fixture.scenario(FastPathTests.peerModel)
        let model = try MemberModel(scenario: scenario)
        // Capped per member, a panel's mean is the members' sum; a panel of 10 gives the
        // reference a lattice long enough that almost no member's cost wraps around it (one
        // member's would, by 0.2% of the excess at 25,000: 30 SD is short for these tails) and
        // fine enough that rounding the attachment to it costs under 10⁻⁴.
        let panel = 10
        let reference = try ExactPanelCost(scenario: scenario, members: panel, cap: attachment)
        let curve = try #require(try ExactExcess.curves(
            model: model, rates: model.classes[0].rates, priceFactors: scenario.services.map { _ in 1 },
            inScope: scenario.services.map { _ in true }, attachments: [attachment]).first)
        let excess = try model.meanExcess(curve, classIndex: 0, stratum: nil, multiplier: 1)
        let mean = zip(model.classes[0].rates, model.categories).reduce(0.0) { $0 + $1.0 * $1.1.severity.mean }
        let expected = mean - reference.mean / Double(panel)
        #expect(expected > 0)
        #expect(abs(excess - expected) <= 1e-4 * mean, "excess over \(attachment): \(excess), FFT reference \(expected)")
    }

    /// The lattice, the curve's spacing and the frailty rule are fine enough: four times the
    /// lattice points, a spacing 2.5 times closer and 24 frailty points move the excess by less
    /// than 10⁻³ of itself (measured: up to 4.4·10⁻⁴ at the highest attachment, where costs
    /// under $400 share one lattice step), a few 10⁻⁵ of a capped mean: a fraction of its Monte
    /// Carlo error at any trial count apmrisk runs.
    @Test func latticeAndSpacingAreFineEnough() throws {
        let scenario = try Fixture.scenario(Self.everyMemberLevel)
        let model = try MemberModel(scenario: scenario)
        let fees = [1.1, 1.0, 0.95, 1.2, 1.05], all = [true, true, true, true, true]
        let attachments = [10_000.0, 25_000, 150_000]
        let standard = try ExactExcess.curves(model: model, rates: model.classes[0].rates, priceFactors: fees, inScope: all,
                                              attachments: attachments)
        let fine = try ExactExcess.curves(model: model, rates: model.classes[0].rates, priceFactors: fees, inScope: all,
                                          attachments: attachments, latticePoints: 8192, logStep: 0.1,
                                          frailtyPoints: 24)
        for (a, b) in zip(standard, fine) {
            for stratum in [0, 3, 5] {
                let x = try model.meanExcess(a, classIndex: 0, stratum: stratum, multiplier: 1.2)
                let y = try model.meanExcess(b, classIndex: 0, stratum: stratum, multiplier: 1.2)
                #expect(abs(x - y) <= 1e-3 * y, "attachment \(a.attachment), stratum \(stratum): \(x) vs finer \(y)")
            }
        }
    }

    /// Against 400,000 member draws per case, within 4 standard errors (eight cases): strata at
    /// the bottom, middle and top of health, members drawn by class, uneven fees, an attachment
    /// few members reach and one many do, and a scope that leaves two categories out.
    @Test func matchesMemberDrawsAtEveryLevel() throws {
        let scenario = try Fixture.scenario(Self.everyMemberLevel)
        let model = try MemberModel(scenario: scenario)
        let strata = try #require(model.strata)
        let fees = [1.1, 1.0, 0.95, 1.2, 1.05]
        let draws = 400_000
        struct Case { let stratum: Int?; let multiplier: Double; let attachment: Double; let inScope: [Bool] }
        let everything = [true, true, true, true, true]
        let noLabOrSpecialist = [true, false, true, true, false]
        let cases = [
            Case(stratum: nil, multiplier: 1, attachment: 25_000, inScope: everything),
            Case(stratum: nil, multiplier: 0.7, attachment: 100_000, inScope: everything),
            Case(stratum: 0, multiplier: 1.3, attachment: 10_000, inScope: everything),
            Case(stratum: 3, multiplier: 1, attachment: 25_000, inScope: everything),
            Case(stratum: strata.count - 1, multiplier: 1, attachment: 25_000, inScope: everything),
            Case(stratum: strata.count - 1, multiplier: 2, attachment: 250_000, inScope: everything),
            Case(stratum: strata.count - 2, multiplier: 1, attachment: 25_000, inScope: noLabOrSpecialist),
            Case(stratum: nil, multiplier: 1.1, attachment: 50_000, inScope: noLabOrSpecialist),
        ]
        for (index, test) in cases.enumerated() {
            let curve = try #require(try ExactExcess.curves(model: model, rates: model.classes[0].rates, priceFactors: fees,
                                                            inScope: test.inScope, attachments: [test.attachment]).first)
            let exact = try model.meanExcess(curve, classIndex: 0, stratum: test.stratum, multiplier: test.multiplier)
            let rng = try GSLGenerator(seed: 7_000 + UInt64(index))
            var sum = 0.0, squares = 0.0
            for _ in 0..<draws {
                var inScope = 0.0
                _ = model.drawMember(classIndex: 0, stratum: test.stratum, multiplier: test.multiplier, priceFactors: fees,
                                     rng: rng) { c, cost, _ in if test.inScope[c] { inScope += cost } }
                let excess = max(inScope - test.attachment, 0)
                sum += excess; squares += excess * excess
            }
            let mean = sum / Double(draws)
            let error = ((squares / Double(draws) - mean * mean) / Double(draws - 1)).squareRoot()
            #expect(exact > 0 && abs(mean - exact) <= 4 * error,
                    "case \(index): drawn \(mean) ± \(error), exact \(exact), z \((mean - exact) / error)")
        }
    }
}
