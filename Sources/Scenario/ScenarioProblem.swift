/// One thing wrong with a scenario or roster file, located so that an analyst can fix it.
public struct ScenarioProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let column: Int?
    /// Dotted path to the offending key, e.g. `designs[1].reconciliation.upside_rate`.
    public let keyPath: String
    public let message: String

    public init(file: String, line: Int?, column: Int?, keyPath: String, message: String) {
        self.file = file; self.line = line; self.column = column
        self.keyPath = keyPath; self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}

/// Every problem found in a scenario and the files it names, reported together.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public let problems: [ScenarioProblem]
    /// Problems found beyond those listed (a file can hold millions).
    public let omitted: Int

    public init(problems: [ScenarioProblem], omitted: Int = 0) { self.problems = problems; self.omitted = omitted }

    public var description: String {
        let total = problems.count + omitted
        let count = total == 1 ? "1 problem" : "\(total) problems"
        let more = omitted > 0 ? ["  … and \(omitted) more, not listed: fix these and validate again"] : []
        return (["\(count) found:"] + problems.map { "  " + $0.description } + more).joined(separator: "\n")
    }
}
