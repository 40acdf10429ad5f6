import Foundation
import Locking
import Sampling

/// The exact mean of what a stop-loss removes: E[(Y − a)⁺] per member-year, Y the member's cost in
/// the truncation's scope at the year's fees and a the attachment, for one panel group (class,
/// health stratum) at one utilization multiplier. The fast path's libraries are corrected to it
/// (`AggregateModel.truncationCorrections`), as their untruncated means are corrected to
/// `MemberModel.exactMean`, so no library's sampling error reaches a capped mean.
///
/// Given its intensity s (true risk × social-need multiplier × months/12 × multiplier) and its
/// shared frailty normal z, a member's categories are independent compound sums with negative
/// binomial (or Poisson) counts, so Y's distribution on a lattice is one inverse FFT of the
/// product of their generating functions (as `ExactPanelCost` does for a whole panel). Only the
/// part below a is needed, since E[(Y − a)⁺] = E[Y] − a + E[(a − Y)⁺] and E[Y] is known in closed
/// form; a damping e^(−θy) keeps the mass above the lattice from wrapping onto it. The result,
/// averaged over z by Gauss–Hermite, is tabulated over log s (`ExcessCurve`) once per member
/// class, fee vector and attachments; each library's group then averages it over its own
/// intensities: months, social need, and true risk by Gauss–Legendre within its stratum.
///
/// What is approximate, and how much (`ExactExcessTests`): severities are split between lattice
/// points with their means kept (`LatticeSeverity`), the lattice has 512 points below the
/// top of the attachment's band, the curve is interpolated between points 1/4 apart in log s, and the shared
/// frailty takes 10 Gauss–Hermite points; four times the lattice, 2.5 times closer spacing and
/// 24 frailty points move the excess by under 10⁻³ of itself, a few 10⁻⁵ of a capped mean, far
/// below any run's Monte Carlo error.
enum ExactExcess {
    /// θ · (lattice length): mass wrapping around the lattice is damped by e^(−20).
    static let damping = 20.0
    /// Gauss–Hermite points for the shared frailty normal.
    static let frailtyPoints = 10
    /// Attachments share a lattice within bands [1.5^k, 1.5^(k+1)): one attachment indexed over
    /// the years of a run needs one or two lattices, and the lowest of a band still has 2/3 of
    /// the points below it.
    static let bandRatio = 1.5

    /// FFT size (a quarter of it below a band's top) and spacing of a curve's points in log
    /// intensity, as `ExactExcessTests` checks them.
    static let latticePoints = 2048
    static let logStep = 0.25

    /// The top of the lattice band of attachment `a`.
    static func bandTop(_ a: Double) -> Double { pow(bandRatio, (log(a) / log(bandRatio)).rounded(.down) + 1) }

    /// One curve per attachment, for members of rates `rates` (services per member-year at
    /// intensity 1) whose categories `inScope` count toward Y, valued at `priceFactors`.
    /// - Parameters:
    ///   - latticePoints: FFT size; a quarter of it lies below the top of an attachment's band.
    ///   - logStep: spacing of the curve's points in log intensity.
    static func curves(model: MemberModel, rates: [Double], priceFactors: [Double], inScope: [Bool], attachments: [Double],
                       latticePoints: Int = latticePoints, logStep: Double = logStep,
                       frailtyPoints: Int = frailtyPoints) throws(SamplingError) -> [ExcessCurve] {
        var lattices: [Double: ExcessLattice] = [:]
        return try attachments.map { (a: Double) throws(SamplingError) in
            let top = bandTop(a)
            if lattices[top] == nil {
                lattices[top] = try ExcessLattice(model: model, rates: rates, priceFactors: priceFactors, inScope: inScope, top: top,
                                                  latticePoints: latticePoints, logStep: logStep, frailtyPoints: frailtyPoints)
            }
            return lattices[top]!.curve(attachment: a)
        }
    }
}

/// The distribution of a member's cost Y below `top` on a lattice, averaged over the shared
/// frailty, at intensities s on a uniform grid in log s: enough for E[(a − Y)⁺ | s], hence the
/// excess curve, of any attachment a up to `top`.
struct ExcessLattice: Sendable {
    let top: Double
    let step: Double
    /// E[Y | s] / s.
    let meanPerIntensity: Double
    /// log s of the first grid point, and the spacing.
    let start: Double
    let logStep: Double
    /// P(Y = k · step | s) for k · step ≤ top, row by row for each s of the grid; empty when
    /// nothing is in scope.
    let probabilities: [[Double]]

    init(model: MemberModel, rates: [Double], priceFactors: [Double], inScope: [Bool], top: Double,
         latticePoints: Int = ExactExcess.latticePoints, logStep: Double = ExactExcess.logStep,
         frailtyPoints: Int = ExactExcess.frailtyPoints) throws(SamplingError) {
        let categories = model.categories.indices.filter { inScope[$0] && rates[$0] > 0 && priceFactors[$0] > 0 }
        self.top = top
        self.logStep = logStep
        meanPerIntensity = categories.reduce(0.0) { $0 + rates[$1] * priceFactors[$1] * model.categories[$1].severity.mean }
        let n = latticePoints, below = latticePoints / 4, h = top / Double(below)
        step = h
        // From intensities with 1 service in 10⁴ member-years up.
        start = log(1e-4 / max(categories.reduce(0.0) { $0 + rates[$1] }, .leastNormalMagnitude))
        guard !categories.isEmpty, top > 0 else { probabilities = []; return }
        let theta = ExactExcess.damping / (Double(n) * h)
        let half = n / 2

        // 1 − φ_c at frequencies 0 … n/2, φ_c the damped lattice severity's transform.
        var oneMinus: [[Double]] = []
        for c in categories {
            let lattice = LatticeSeverity.probabilities(model.categories[c].severity, step: h / priceFactors[c], points: n)
            var grid = try FourierGrid(real: lattice.enumerated().map { $0.element * exp(-theta * Double($0.offset) * h) })
            try grid.forward()
            var row = [Double](repeating: 0, count: 2 * (half + 1))
            grid.withUnsafeMutableValues { v in
                for j in 0...half { row[2 * j] = 1 - v[2 * j]; row[2 * j + 1] = -v[2 * j + 1] }
            }
            oneMinus.append(row)
        }
        let shapes = categories.map { model.categories[$0].idiosyncraticShape }
        let shared = categories.contains { model.categories[$0].sharedSigma > 0 }
        let frailty = shared ? try QuadratureRule.standardNormal(points: frailtyPoints)
            : QuadratureRule(nodes: [0], weights: [1])
        // Services per unit intensity of each category at each frailty point.
        let perIntensity: [[Double]] = frailty.nodes.map { z in
            categories.map { c in
                let category = model.categories[c]
                return rates[c] * exp(category.sharedSigma * z - category.sharedHalfVariance)
            }
        }
        let undamp = (0...below).map { exp(theta * Double($0) * h) }

        // Up the grid until (top − Y)⁺, hence (a − Y)⁺ for every a ≤ top, has no mass left.
        var rows: [[Double]] = []
        var grid = try FourierGrid(real: [Double](repeating: 0, count: n))
        let maximumPoints = Int(100 / logStep)   // 100 units of log intensity
        for i in 0..<maximumPoints {
            let s = exp(start + Double(i) * logStep)
            var row = [Double](repeating: 0, count: below + 1)
            for (node, weight) in frailty.weights.enumerated() {
                let lambdas = perIntensity[node].map { $0 * s }
                grid.withUnsafeMutableValues { v in
                    for j in 0...half {
                        var re = 0.0, im = 0.0
                        for k in 0..<categories.count {
                            let x = oneMinus[k][2 * j], y = oneMinus[k][2 * j + 1]
                            if shapes[k] > 0 {
                                let b = lambdas[k] / shapes[k]
                                let wr = 1 + b * x, wi = b * y
                                re -= shapes[k] * 0.5 * log(wr * wr + wi * wi)
                                im -= shapes[k] * atan2(wi, wr)
                            } else {
                                re -= lambdas[k] * x
                                im -= lambdas[k] * y
                            }
                        }
                        let magnitude = exp(re)
                        v[2 * j] = magnitude * cos(im); v[2 * j + 1] = magnitude * sin(im)
                        if j > 0 && j < half { v[2 * (n - j)] = v[2 * j]; v[2 * (n - j) + 1] = -v[2 * j + 1] }
                    }
                }
                try grid.inverse()
                grid.withUnsafeMutableValues { v in
                    for k in 0...below { row[k] += weight * v[2 * k] * undamp[k] }
                }
            }
            rows.append(row)
            if i >= 3 && Self.shortfall(row, below: top, step: h) < 1e-12 * top {
                probabilities = rows
                return
            }
        }
        throw .invalidParameter(distribution: "exact stop-loss excess", parameter: "attachment", value: top,
                                expected: "a cost members reach below \(maximumPoints) grid points")
    }

    /// E[(a − Y)⁺] of a lattice distribution.
    static func shortfall(_ row: [Double], below a: Double, step h: Double) -> Double {
        var total = 0.0, k = 0
        while k < row.count && Double(k) * h < a {
            total += (a - Double(k) * h) * row[k]
            k += 1
        }
        return total
    }

    /// The excess curve of attachment `a` ≤ `top`.
    func curve(attachment a: Double) -> ExcessCurve {
        let logExcess = probabilities.enumerated().map { i, row in
            let s = exp(start + Double(i) * logStep)
            return log(max(s * meanPerIntensity - a + Self.shortfall(row, below: a, step: step), a * 1e-280))
        }
        return ExcessCurve(attachment: a, meanPerIntensity: meanPerIntensity, start: start, step: logStep, logExcess: logExcess)
    }
}

/// E[(Y − a)⁺ | s] for one attachment, as a function of a member's intensity s, from points on a
/// uniform grid in log s: cubic (Catmull–Rom) in log excess between them, proportional to s
/// below them (one service at most, at such small intensities), and E[Y | s] − a above them
/// (where Y lies above the attachment with certainty).
struct ExcessCurve: Sendable {
    let attachment: Double
    /// E[Y | s] / s.
    let meanPerIntensity: Double
    let start: Double
    let step: Double
    /// log E[(Y − a)⁺ | s] at log s = start + i · step; empty when nothing is in scope.
    let logExcess: [Double]

    func excess(logIntensity u: Double) -> Double {
        guard let first = logExcess.first else { return 0 }
        let x = (u - start) / step
        if x <= 0 { return exp(first + (u - start)) }
        let last = logExcess.count - 1
        if x >= Double(last) { return max(exp(u) * meanPerIntensity - attachment, 0) }
        let i = Int(x), t = x - Double(i)
        let p1 = logExcess[i], p2 = logExcess[i + 1]
        let p0 = i > 0 ? logExcess[i - 1] : 2 * p1 - p2
        let p3 = i + 2 <= last ? logExcess[i + 2] : 2 * p2 - p1
        let value = p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)))
        return exp(value)
    }
}

extension MemberModel {
    /// E[(Y − a)⁺] for one member-year of class `classIndex` (in health stratum `stratum`, or over
    /// the class) at utilization multiplier `multiplier`: `curve` averaged over the member's
    /// months, social need and true risk.
    func meanExcess(_ curve: ExcessCurve, classIndex: Int, stratum: Int?, multiplier: Double) throws(SamplingError) -> Double {
        let memberClass = classes[classIndex]
        var offsets: [(logIntensity: Double, weight: Double)] = []
        let socialStates = [(1.0, 1 - memberClass.socialNeedProbability),
                            (memberClass.socialNeedMultiplier, memberClass.socialNeedProbability)].filter { $0.1 > 0 }
        for (socialMultiplier, socialWeight) in socialStates {
            offsets.append((log(multiplier * socialMultiplier), socialWeight * fullYearProbability))
            guard fullYearProbability < 1 else { continue }
            for months in 1...11 {
                offsets.append((log(multiplier * socialMultiplier * Double(months) / 12),
                                socialWeight * (1 - fullYearProbability) / 11))
            }
        }
        var risk: [(logRisk: Double, weight: Double)] = [(0, 1)]
        if let lognormal = memberClass.risk {
            // z beyond ±8.5 has probability below 10⁻¹⁶.
            var low = -8.5, high = 8.5
            if let stratum, let strata { low = max(strata.lowerZ[stratum], low); high = min(strata.upperZ[stratum], high) }
            let rule = try QuadratureRule.legendre(points: 8, pieces: max(1, Int((high - low).rounded(.up))), from: low, to: high)
            let density = zip(rule.nodes, rule.weights).map { $1 * exp(-0.5 * $0 * $0) }
            let total = density.reduce(0, +)
            risk = zip(rule.nodes, density).map { (lognormal.mu + lognormal.sigma * $0, $1 / total) }
        }
        var mean = 0.0
        for (offset, weight) in offsets {
            var conditional = 0.0
            for (logRisk, riskWeight) in risk { conditional += riskWeight * curve.excess(logIntensity: offset + logRisk) }
            mean += weight * conditional
        }
        return mean
    }
}

/// The excess lattices of a run, shared by its workers: built on first use, once per member
/// class, relative fee vector, scope and attachment band (fees scaled by a common index share
/// one, and so does an attachment indexed over the years), each under its own lock so that
/// different ones build in parallel.
final class ExcessTables: Sendable {
    private struct Key: Hashable {
        let scenarioClass: Int
        let relativeFees: [Double]
        let scope: Int?
        let bandTop: Double
    }
    private final class Slot: Sendable { let lattice = Locked<ExcessLattice?>(nil) }
    private let slots = Locked<[Key: Slot]>([:])

    /// E[(Y_t − a_t)⁺] per member of panel group (`classIndex`, `stratum`) at `multiplier`, for
    /// each truncation t of `recording` at `attachments` and fees `priceFactors`.
    func meanExcess(model: MemberModel, recording: WorldRecording, classIndex: Int, stratum: Int?, multiplier: Double,
                    priceFactors: [Double], attachments: [Double]) throws(SamplingError) -> [Double] {
        let scale = priceFactors.max() ?? 1
        guard scale > 0 else { return attachments.map { _ in 0 } }
        let relativeFees = priceFactors.map { $0 / scale }
        return try attachments.enumerated().map { (t: Int, attachment: Double) throws(SamplingError) in
            let a = attachment / scale
            let scope = recording.truncationScope[t]
            let key = Key(scenarioClass: classIndex % model.scenarioClasses, relativeFees: relativeFees, scope: scope,
                          bandTop: ExactExcess.bandTop(a))
            let slot = slots.withLock { table in
                if let slot = table[key] { return slot }
                let slot = Slot()
                table[key] = slot
                return slot
            }
            let built: Result<ExcessLattice, SamplingError> = slot.lattice.withLock { stored in
                if let stored { return .success(stored) }
                do throws(SamplingError) {
                    let inScope = model.categories.indices.map { c in scope.map { !recording.carveOutSets[$0][c] } ?? true }
                    let lattice = try ExcessLattice(model: model, rates: model.classes[classIndex].rates, priceFactors: relativeFees,
                                                    inScope: inScope, top: key.bandTop)
                    stored = lattice
                    return .success(lattice)
                } catch { return .failure(error) }
            }
            let curve = try built.get().curve(attachment: a)
            return scale * (try model.meanExcess(curve, classIndex: classIndex, stratum: stratum, multiplier: multiplier))
        }
    }
}
