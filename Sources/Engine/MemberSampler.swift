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

public struct CollectMembers: MemberObserver {
    public var members: [MemberDraw] = []
    public init() {}
    public mutating func observe(_ member: MemberDraw) { members.append(member) }
}
