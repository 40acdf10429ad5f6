import Sampling

/// Where each random stream of a trial comes from. A stream's seed is a hash of the run seed and
/// these coordinates only, so the world of trial t is the same whatever the number of trials,
/// threads or chunks, and every design of a run sees exactly the same world.
enum StreamKey {
    case systemic
    case region(Int)
    case practiceEffect(Int)
    case members(practice: Int, year: Int)
    case quality(Int)
    case interventions(design: Int)
    /// Baseline years before year 0 (only with more than one baseline year).
    case systemicHistory
    case regionHistory(Int)
    /// The value of the scenario's uncertain assumption number k in a trial.
    case assumption(Int)
    /// The statewide enrollment path of a trial.
    case enrollment
    /// Which practices join voluntary design `design` in a trial.
    case participation(design: Int)

    func seed(run: UInt64, trial: Int) -> UInt64 {
        let t = UInt64(trial)
        switch self {
        case .systemic: return StreamSeed.derive(run, t, 0)
        case let .region(r): return StreamSeed.derive(run, t, 1, UInt64(r))
        case let .practiceEffect(p): return StreamSeed.derive(run, t, 2, UInt64(p))
        case let .members(p, y): return StreamSeed.derive(run, t, 3, UInt64(p), UInt64(bitPattern: Int64(y)))
        case let .quality(p): return StreamSeed.derive(run, t, 4, UInt64(p))
        case let .interventions(d): return StreamSeed.derive(run, t, 5, UInt64(d))
        case .systemicHistory: return StreamSeed.derive(run, t, 6)
        case let .regionHistory(r): return StreamSeed.derive(run, t, 7, UInt64(r))
        case let .assumption(k): return StreamSeed.derive(run, t, 8, UInt64(k))
        case .enrollment: return StreamSeed.derive(run, t, 10)
        case let .participation(d): return StreamSeed.derive(run, t, 11, UInt64(d))
        }
    }
}
