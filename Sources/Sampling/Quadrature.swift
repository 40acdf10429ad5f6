import CGSL

/// A fixed quadrature rule from GSL as plain arrays: ∫ f ≈ Σ weights[i] · f(nodes[i]).
public struct QuadratureRule: Sendable {
    public let nodes: [Double]
    public let weights: [Double]

    public init(nodes: [Double], weights: [Double]) {
        self.nodes = nodes
        self.weights = weights
    }

    /// Gauss–Hermite for E[f(Z)], Z standard normal (weight e^(−z²/2), weights scaled to sum to
    /// 1): exact for polynomials of degree < 2 · points.
    public static func standardNormal(points: Int) throws(SamplingError) -> QuadratureRule {
        guard points >= 1, let workspace = gsl_integration_fixed_alloc(apmrisk_fixed_hermite(), points, 0, 0.5, 0, 0) else {
            throw .invalidParameter(distribution: "Gauss–Hermite rule", parameter: "points", value: Double(points),
                                    expected: "at least 1")
        }
        defer { gsl_integration_fixed_free(workspace) }
        let nodes = Array(UnsafeBufferPointer(start: gsl_integration_fixed_nodes(workspace), count: points))
        let raw = Array(UnsafeBufferPointer(start: gsl_integration_fixed_weights(workspace), count: points))
        let total = raw.reduce(0, +)
        return QuadratureRule(nodes: nodes, weights: raw.map { $0 / total })
    }

    /// Gauss–Legendre on [a, b] in `pieces` equal sub-intervals of `points` nodes each:
    /// ∫ₐᵇ f(x) dx.
    public static func legendre(points: Int, pieces: Int = 1, from a: Double, to b: Double) throws(SamplingError) -> QuadratureRule {
        guard points >= 1, pieces >= 1, a.isFinite, b.isFinite, let table = gsl_integration_glfixed_table_alloc(points) else {
            throw .invalidParameter(distribution: "Gauss–Legendre rule", parameter: "points", value: Double(points),
                                    expected: "at least 1 point and piece on a finite interval")
        }
        defer { gsl_integration_glfixed_table_free(table) }
        var nodes: [Double] = [], weights: [Double] = []
        let width = (b - a) / Double(pieces)
        for piece in 0..<pieces {
            let low = a + Double(piece) * width
            for i in 0..<points {
                var x = 0.0, w = 0.0
                gsl_integration_glfixed_point(low, low + width, i, &x, &w, table)
                nodes.append(x); weights.append(w)
            }
        }
        return QuadratureRule(nodes: nodes, weights: weights)
    }
}
