/// The per-practice values a run keeps for each design: what a practice-year came to against FFS,
/// its shared savings or losses, and its net quality money.
public enum SettledQuantity: Int, CaseIterable, Sendable {
    case exposure, reconciliation, quality
}

/// The per-practice values of the simulated world.
public enum WorldQuantity: Int, CaseIterable, Sendable {
    case totalCost, memberMonths
}

/// Practice-level values kept outside memory (the part files of a merged run), handed out one
/// practice-year at a time with every trial in order. The summaries read a group's columns, use
/// them and let them go, so what is held at once grows with one group, not with the whole run.
protocol StoredColumns: Sendable {
    func settled(_ quantity: SettledQuantity, design: Int, practice: Int, year: Int) -> [Double]
    func world(_ quantity: WorldQuantity, practice: Int, year: Int) -> [Double]
}
