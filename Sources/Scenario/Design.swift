/// A candidate payment design: the components money flows through, in that order.
/// Every numeric term is a `Glide` and may change by program year.
public struct Design: Sendable, Equatable {
    public var name: String
    /// Share of in-scope FFS replaced by a prospective (capitated) primary-care payment.
    public var prospectiveShare: Glide
    public var addOns: [AddOn]
    /// Total-cost-of-care reconciliation; nil when the design has none.
    public var reconciliation: Reconciliation?

    public init(name: String, prospectiveShare: Glide, addOns: [AddOn], reconciliation: Reconciliation?) {
        self.name = name; self.prospectiveShare = prospectiveShare
        self.addOns = addOns; self.reconciliation = reconciliation
    }
}

/// A flat per-member-per-month payment (care coordination, flexible funds, CHW support, ...).
public struct AddOn: Sendable, Equatable {
    public var name: String
    /// Dollars per member-month.
    public var pmpm: Glide

    public init(name: String, pmpm: Glide) { self.name = name; self.pmpm = pmpm }
}

/// Whether shared savings/losses start at the first dollar once the threshold is crossed,
/// or only count the part beyond the threshold.
public enum SharingBasis: String, Sendable, Equatable, CaseIterable {
    case firstDollar = "first_dollar"
    case netOfThreshold = "net_of_threshold"
}

/// A cap on shared savings or losses. When both limits are set, the lesser applies.
public struct Cap: Sendable, Equatable {
    /// Share of the benchmark (total-cost-of-care dollars).
    public var benchmarkShare: Glide?
    /// Share of the practice's revenue from the payer in the year, before settlement.
    public var revenueShare: Glide?

    public init(benchmarkShare: Glide? = nil, revenueShare: Glide? = nil) {
        self.benchmarkShare = benchmarkShare; self.revenueShare = revenueShare
    }

    public static let none = Cap()
}

/// Two-sided total-cost-of-care reconciliation against a benchmark, at practice level.
public struct Reconciliation: Sendable, Equatable {
    public var minimumSavingsRate: Glide
    public var minimumLossRate: Glide
    public var sharingBasis: SharingBasis
    public var upsideRate: Glide
    public var downsideRate: Glide
    public var savingsCap: Cap
    public var lossCap: Cap

    public init(minimumSavingsRate: Glide, minimumLossRate: Glide, sharingBasis: SharingBasis,
                upsideRate: Glide, downsideRate: Glide, savingsCap: Cap, lossCap: Cap) {
        self.minimumSavingsRate = minimumSavingsRate; self.minimumLossRate = minimumLossRate
        self.sharingBasis = sharingBasis; self.upsideRate = upsideRate
        self.downsideRate = downsideRate; self.savingsCap = savingsCap; self.lossCap = lossCap
    }
}
