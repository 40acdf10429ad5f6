/// Quantiles of a sample, by linear interpolation between order statistics (Hyndman & Fan
/// type 7, numpy's default), so figures can be checked against numpy on the same data.
public enum Quantile {
    /// - Precondition: `sorted` is in ascending order and not empty.
    public static func of(sorted: UnsafeBufferPointer<Double>, _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let weight = position - Double(lower)
        return sorted[lower] + weight * (sorted[upper] - sorted[lower])
    }

    public static func of(sorted: [Double], _ p: Double) -> Double {
        sorted.withUnsafeBufferPointer { of(sorted: $0, p) }
    }

    /// Mean of the lowest `tail` share of the sample (expected shortfall of a loss expressed as a
    /// negative number); at least one value is averaged.
    public static func lowerTailMean(sorted: [Double], tail: Double) -> Double {
        let count = max(1, Int((tail * Double(sorted.count)).rounded(.down)))
        return sorted.prefix(count).reduce(0, +) / Double(count)
    }
}
