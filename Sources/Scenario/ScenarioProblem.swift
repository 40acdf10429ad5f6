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
    public init(problems: [ScenarioProblem]) { self.problems = problems }

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return (["\(count) found:"] + problems.map { "  " + $0.description }).joined(separator: "\n")
    }
}
