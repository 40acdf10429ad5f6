import Engine
import Foundation
import Scenario
import Statistics
import Testing

struct WorldTests {
    /// The simulated total cost of care per member-month agrees with its closed form (a compound
    /// Poisson–gamma–severity mean with trend and shock expectations) within 4.5 batch-means
    /// standard errors, in every band and year.
    @Test func simulatedMeanCostMatchesTheClosedForm() throws {
        let scenario = try Fixture.scenario()
        let results = try Simulation.run(scenario: scenario, trials: 400, seed: 21, threads: 2)
        let summary = Summarizer(scenario: scenario, results: results).summary(seed: 21)
        #expect(summary.worldChecks.count == 2 * 3)
        for check in summary.worldChecks {
            let se = try #require(check.simulated.mcse)
            #expect(abs(check.simulated.value - check.analytic) <= 4.5 * se,
                    "\(check.sizeBand) \(check.year): \(check.simulated.value) vs \(check.analytic) ± \(se)")
        }
    }

    /// Counts per member are negative binomial: mean λ, variance λ + λ²·cv² for frailty CV cv.
    /// Checked on one category with no risk spread, churn or other variation.
    @Test func categoryCountsAreGammaMixedPoisson() throws {
        let yaml = """
        name: frailty
        population:
          frailty_sharing: 0.6
          classes: [{name: all, panel_share: 1}]
        services:
          - {name: ed, primary_care_scope: true, rate: 0.9, frailty_cv: 1.5, cost: {distribution: gamma, mean: 1, cv: 0.000001}}
        regions: [r]
        practices: {groups: [{count: 1, members: 10}]}
        designs: [{name: FFS}]
        simulation: {}
        """
        let scenario = try Fixture.scenario(yaml)
        let members = try MemberSampler(scenario: scenario).memberCosts(members: 400_000, mix: [1], seed: 4)
        // With cost per service ≈ 1, a member's in-scope cost is its count to within 1e-6.
        let counts = members.map { $0.inScopeCost.rounded() }
        let n = Double(counts.count)
        let mean = counts.reduce(0, +) / n
        let variance = counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let lambda = 0.9, cv = 1.5
        let expectedVariance = lambda + lambda * lambda * cv * cv
        #expect(abs(mean - lambda) <= 4.5 * (expectedVariance / n).squareRoot())
        // The variance of a heavy-tailed count converges slowly; 5% is about 4 standard errors here.
        #expect(abs(variance / expectedVariance - 1) < 0.05, "variance \(variance) vs \(expectedVariance)")
    }

    @Test func frailtyIsSharedAcrossCategoriesWhenAsked() throws {
        func correlation(sharing: Double) throws -> Double {
            let yaml = """
            name: sharing
            population:
              frailty_sharing: \(sharing)
              classes: [{name: all, panel_share: 1}]
            services:
              - {name: a, primary_care_scope: true, rate: 2, frailty_cv: 1, cost: {distribution: gamma, mean: 1, cv: 0.000001}}
              - {name: b, rate: 2, frailty_cv: 1, cost: {distribution: gamma, mean: 1, cv: 0.000001}}
            regions: [r]
            practices: {groups: [{count: 1, members: 10}]}
            designs: [{name: FFS}]
            simulation: {}
            """
            let members = try MemberSampler(scenario: Fixture.scenario(yaml)).memberCosts(members: 100_000, mix: [1], seed: 6)
            let a = members.map(\.inScopeCost), b = members.map { $0.cost - $0.inScopeCost }
            let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
            var sab = 0.0, saa = 0.0, sbb = 0.0
            for i in a.indices { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb) }
            return sab / (saa * sbb).squareRoot()
        }
        // SE of a correlation near 0 with n = 100,000 is about 0.003.
        #expect(abs(try correlation(sharing: 0)) < 0.015)
        #expect(try correlation(sharing: 1) > 0.3)
    }

    @Test func panelsHaveExactClassCounts() throws {
        let scenario = try Fixture.scenario()
        let members = try MemberSampler(scenario: scenario).memberCosts(members: 1001, mix: [0.4, 0.6], seed: 1)
        #expect(members.filter { $0.classIndex == 0 }.count == 400)
        #expect(members.filter { $0.classIndex == 1 }.count == 601)
        #expect(members.allSatisfy { (1...12).contains($0.months) && $0.cost.isFinite && $0.cost >= 0 })
    }
}
