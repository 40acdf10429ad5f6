/// A design's terms as readers need them beside its results (the term sheet): per track and tier,
/// where practices are placed and each money term in words, with caps also stated as a share of a
/// typical practice's primary-care revenue. Written by the engine from the scenario; renderers
/// only print it.
public struct DesignTerms: Codable, Sendable, Equatable {
    public var design: String
    public var tracks: [TrackTerms]

    public init(design: String, tracks: [TrackTerms]) { self.design = design; self.tracks = tracks }
}

public struct TrackTerms: Codable, Sendable, Equatable {
    public var name: String
    /// Which practices the track takes, in words.
    public var placement: String
    public var tiers: [TierTerms]

    public init(name: String, placement: String, tiers: [TierTerms]) {
        self.name = name; self.placement = placement; self.tiers = tiers
    }
}

public struct TierTerms: Codable, Sendable, Equatable {
    public var name: String
    public var placement: String
    /// One line per term that applies, in the order money flows.
    public var terms: [TermLine]

    public init(name: String, placement: String, terms: [TermLine]) {
        self.name = name; self.placement = placement; self.terms = terms
    }
}

public struct TermLine: Codable, Sendable, Equatable {
    public var term: String
    public var value: String

    public init(_ term: String, _ value: String) { self.term = term; self.value = value }
}
