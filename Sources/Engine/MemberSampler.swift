import Sampling
import Scenario
import Settlement

/// The member level on its own: the member-years of one panel, for calibration checks (MEPS
/// concentration), diagnostics and the benchmark. Uses exactly the engine's member model.
public struct MemberSampler: Sendable {
    let model: MemberModel

    public init(scenario: Scenario) throws(SamplingError) {
        model = try MemberModel(scenario: scenario)
    }

    /// Simulates a panel of `members` with class mix `mix`, all factors above the member at 1
    /// unless `multiplier` says otherwise, and hands each member to `observer`.
    public func simulate<Observer: MemberObserver>(members: Int, mix: [Double], multiplier: Double = 1,
                                                   seed: UInt64, observer: inout Observer) throws(SamplingError) {
        let rng = try GSLGenerator(seed: seed)
        _ = model.simulateYear(classCounts: classCounts(members: members, mix: mix), multiplier: multiplier,
                               priceFactors: Array(repeating: 1, count: model.categories.count),
                               recording: WorldRecording(attachments: [], riskBins: RiskBins(bounds: [])),
                               rng: rng, observer: &observer)
    }

    /// Member costs of a panel, in simulation order.
    public func memberCosts(members: Int, mix: [Double], seed: UInt64) throws(SamplingError) -> [MemberDraw] {
        var collector = CollectMembers()
        collector.members.reserveCapacity(members)
        try simulate(members: members, mix: mix, seed: seed, observer: &collector)
        return collector.members
    }
}

extension MemberSampler {
    /// Annual costs of `members` members of class mix `mix` at cost index `multiplier` and fees
    /// `priceFactors`, leaving out the categories `carved` marks: the pilot a percentile
    /// attachment and a confidence threshold are taken from. The same seed draws the same
    /// members whatever the multiplier, so one year's pilot differs from another's only by the year.
    func pilotCosts(members: Int, mix: [Double], multiplier: Double, priceFactors: [Double], carved: [Bool]?,
                    seed: UInt64) throws(SamplingError) -> [Double] {
        let rng = try GSLGenerator(seed: seed)
        var costs: [Double] = []
        costs.reserveCapacity(members)
        for (classIndex, count) in classCounts(members: members, mix: mix).enumerated() {
            for _ in 0..<count {
                var carvedCost = 0.0
                let member = model.drawMember(classIndex: classIndex, multiplier: multiplier, priceFactors: priceFactors,
                                              rng: rng) { c, cost, _ in if carved?[c] == true { carvedCost += cost } }
                costs.append(carved == nil ? member.cost : max(member.cost - carvedCost, 0))
            }
        }
        return costs
    }
}

public struct CollectMembers: MemberObserver {
    public var members: [MemberDraw] = []
    public init() {}
    public mutating func observe(_ member: MemberDraw) { members.append(member) }
}
