import Settlement

/// The additive quantities of one member-year as one vector: everything a practice-year sums
/// over its members, costs valued at fee index 1. The last risk bin is not stored: it is the
/// member-months left over, which keeps the vector's covariance free of that exact dependence.
struct PanelLayout: Sendable {
    static let months = 0
    static let riskMonths = 1
    static let socialRiskMonths = 2
    static let socialNeedMonths = 3
    static let inScopeServices = 4
    static let firstCost = 5

    let categories: Int
    let riskBins: RiskBins
    let primaryCareScope: [Bool]

    var firstBin: Int { Self.firstCost + categories }
    var storedBins: Int { riskBins.count - 1 }
    var width: Int { firstBin + storedBins }

    /// Writes one member's vector; `costs` and `inScopeServices` are the member's own.
    func write(_ member: MemberDraw, costs: UnsafeMutableBufferPointer<Double>, inScopeServices: Double,
               into vector: UnsafeMutableBufferPointer<Double>) {
        let months = Double(member.months)
        vector[Self.months] = months
        vector[Self.riskMonths] = member.observedRisk * months
        vector[Self.socialRiskMonths] = member.socialNeed ? member.observedRisk * months : 0
        vector[Self.socialNeedMonths] = member.socialNeed ? months : 0
        vector[Self.inScopeServices] = inScopeServices
        for c in 0..<categories { vector[Self.firstCost + c] = costs[c] }
        let bin = riskBins.bin(of: member.observedRisk)
        for b in 0..<storedBins { vector[firstBin + b] = b == bin ? months : 0 }
    }

    /// What truncation `k` counts of a member vector whose cost at `priceFactors` is `total`:
    /// the total less the categories that truncation carves out.
    @inline(__always)
    func costInScope<Vector: RandomAccessCollection>(_ vector: Vector, total: Double, truncation k: Int,
                                                     priceFactors: [Double], recording: WorldRecording) -> Double
    where Vector.Element: BinaryFloatingPoint, Vector.Index == Int {
        guard let set = recording.truncationScope[k] else { return total }
        var cost = total
        let carved = recording.carveOutSets[set], start = vector.startIndex
        for c in 0..<categories where carved[c] { cost -= Double(vector[start + Self.firstCost + c]) * priceFactors[c] }
        return cost
    }

    /// Adds a member vector, or a sum of them (costs at fee index 1), to a practice-year's
    /// activity, valuing costs at `priceFactors`. Stop-loss attachments truncate the total of one
    /// member (`oneMember`), less its carved-out categories where the truncation has any; a sum
    /// is added untruncated, which the caller guarantees is right (every member in it lies below
    /// every attachment).
    @inline(__always)
    func add<Vector: RandomAccessCollection>(_ vector: Vector, priceFactors: [Double], oneMember: Bool,
                                             attachments: [Double], recording: WorldRecording,
                                             to totals: inout PracticeYearActivity)
    where Vector.Element: BinaryFloatingPoint, Vector.Index == Int {
        let start = vector.startIndex
        @inline(__always) func value(_ i: Int) -> Double { Double(vector[start + i]) }
        let months = value(Self.months)
        totals.memberMonths += months
        totals.riskMonths += value(Self.riskMonths)
        totals.socialRiskMonths += value(Self.socialRiskMonths)
        totals.socialNeedMonths += value(Self.socialNeedMonths)
        totals.inScopeServices += value(Self.inScopeServices)
        var total = 0.0
        for c in 0..<categories {
            let cost = value(Self.firstCost + c) * priceFactors[c]
            totals.costByCategory[c] += cost
            total += cost
            if primaryCareScope[c] { totals.inScopeFFS += cost }
        }
        totals.totalCost += total
        for k in 0..<attachments.count {
            let cost = costInScope(vector, total: total, truncation: k, priceFactors: priceFactors, recording: recording)
            totals.truncatedCost[k] += oneMember ? min(max(cost, 0), attachments[k]) : cost
        }
        var binned = 0.0
        for b in 0..<storedBins {
            let binMonths = value(firstBin + b)
            totals.riskBinMonths[b] += binMonths
            binned += binMonths
        }
        totals.riskBinMonths[storedBins] += max(months - binned, 0)
    }
}
