/// A design parameter that may change by program year along a glide path: one value for every
/// year, or one value per program year.
public struct Glide: Sendable, Equatable {
    public let values: [Double]

    public init(_ constant: Double) { values = [constant] }
    public init(perYear: [Double]) { values = perYear }

    /// Value in program year `year` (1-based).
    public func value(year: Int) -> Double {
        values.count == 1 ? values[0] : values[year - 1]
    }

    public var isConstant: Bool { values.count == 1 }
    public var maximum: Double { values.max() ?? 0 }
    public var minimum: Double { values.min() ?? 0 }
}
