import Sampling
import Scenario
import Statistics

extension Summarizer {
    /// How much of each design's headline spreads (each size band's whole-program result as a
    /// share of revenue, and the program's net cost) each uncertain assumption explains; nil when
    /// the scenario has none.
    func uncertainty(seed: UInt64) -> UncertaintySummary? {
        guard !scenario.uncertain.isEmpty, let rng = try? GSLGenerator(seed: seed) else { return nil }
        var inputs = Array(repeating: [Double](repeating: 0, count: results.trials), count: scenario.uncertain.count)
        for t in 0..<results.trials {
            for (i, value) in WorldParameters.assumptionValues(scenario, run: seed, trial: t, rng: rng).enumerated() {
                inputs[i][t] = value
            }
        }
        let samplers = bands.indices.filter { !bands[$0].isEmpty }.map { FigureSampler(scenario: scenario, band: $0, results: results) }
        // One job per design and figure: a size band's results (sampler index) or net cost (nil).
        var jobs: [(design: Int, band: Int?)] = []
        for d in scenario.designs.indices {
            jobs += samplers.indices.map { (d, $0) }
            if !samplers.isEmpty { jobs.append((d, nil)) }
        }
        let jobList = jobs, inputList = inputs
        let largestBand = bands.map(\.count).max() ?? 0
        let figures = Self.parallelMap(jobList.count, workers: Self.workers(values: results.trials * largestBand)) { j in
            let (d, band) = jobList[j]
            let split: VarianceShares.Decomposition
            let figure: String
            if let band {
                let sampler = samplers[band]
                figure = "result as share of revenue, \(sampler.bandName)"
                split = VarianceShares.decompose(values: sampler.practiceObservations(design: d).shares,
                                                 perTrial: sampler.practices.count, inputs: inputList)
            } else {
                figure = "program net cost vs \(samplers[0].referenceName)"
                split = VarianceShares.decompose(values: samplers[0].netCost(design: d), perTrial: 1, inputs: inputList)
            }
            return (VarianceFigure(design: scenario.designs[d].name, figure: figure, shares: split.shares, world: split.remainder),
                    split.bins)
        }
        let bins = figures.first?.1 ?? 0
        return UncertaintySummary(
            estimator: "first-order (Sobol') shares by the binned correlation ratio: trials sorted by each assumption and cut into \(bins) bins of equal count, the spread of bin means less their own noise, over the figure's variance; ± is the bootstrap SD over \(VarianceShares.resamples) resamples of trials",
            bins: bins, resamples: VarianceShares.resamples,
            assumptions: scenario.uncertain.map { a in
                let range = a.distribution.range
                return UncertainAssumptionInfo(keyPath: a.keyPath, distribution: a.distribution.description,
                                               mean: a.distribution.mean, low: range.low, high: range.high)
            },
            figures: figures.map(\.0))
    }
}
