import Yams

/// A rule a number must satisfy, with the words an analyst reads when it does not.
struct NumberRule: Sendable {
    let expected: String
    let accepts: @Sendable (Double) -> Bool

    static let any = NumberRule(expected: "a number") { _ in true }
    static let positive = NumberRule(expected: "a number > 0") { $0 > 0 }
    static let nonNegative = NumberRule(expected: "a number ≥ 0") { $0 >= 0 }
    static let probability = NumberRule(expected: "a probability in [0, 1]") { $0 >= 0 && $0 <= 1 }
    static let share = NumberRule(expected: "a share in [0, 1]") { $0 >= 0 && $0 <= 1 }
    static let belowOne = NumberRule(expected: "a rate in [0, 1)") { $0 >= 0 && $0 < 1 }
    static let coefficientOfVariation = NumberRule(expected: "a CV in [0, 10]") { $0 >= 0 && $0 <= 10 }
    static let positiveCV = NumberRule(expected: "a CV in (0, 10]") { $0 > 0 && $0 <= 10 }
    static let annualTrend = NumberRule(expected: "an annual rate in [-0.5, 1]") { $0 >= -0.5 && $0 <= 1 }

    static func range(_ low: Double, _ high: Double) -> NumberRule {
        NumberRule(expected: "a number in [\(format(low)), \(format(high))]") { $0 >= low && $0 <= high }
    }
}

/// Largest magnitude any scenario number may have: beyond it, sums of dollars over a statewide
/// run lose integer precision, so the number is rejected rather than simulated wrongly.
let largestSimulableNumber = 1e12

func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
}

/// Walks a composed YAML tree and records every problem with its file, line and key path. Readers
/// return a placeholder after a problem so reading goes on and all problems surface together.
final class YAMLReader {
    let file: String
    private(set) var problems: [ScenarioProblem] = []

    init(file: String) { self.file = file }

    /// Records a problem. A value inherited by several tiers of a design is read once per tier;
    /// it is reported once, at its first key path.
    func report(_ node: Node?, _ path: String, _ message: String) {
        let mark = node?.mark
        if let mark, problems.contains(where: { $0.line == mark.line && $0.column == mark.column && $0.message == message }) {
            return
        }
        problems.append(ScenarioProblem(file: file, line: mark?.line, column: mark?.column,
                                        keyPath: path, message: message))
    }

    func report(line: Int?, column: Int?, _ path: String, _ message: String) {
        problems.append(ScenarioProblem(file: file, line: line, column: column,
                                        keyPath: path, message: message))
    }

    func appendProblem(_ problem: ScenarioProblem) { problems.append(problem) }

    /// A mapping at `path`, or nil (with a problem) when the node is something else.
    func mapping(_ node: Node, path: String) -> MappingCursor? {
        guard case let .mapping(mapping) = node else {
            report(node, path, "found \(describe(node)), expected a mapping of keys to values")
            return nil
        }
        return MappingCursor(reader: self, node: node, mapping: mapping, path: path)
    }

    func string(_ node: Node, path: String) -> String? {
        guard case let .scalar(scalar) = node, !scalar.string.isEmpty else {
            report(node, path, "found \(describe(node)), expected text")
            return nil
        }
        return scalar.string
    }

    func number(_ node: Node, path: String, rule: NumberRule) -> Double? {
        guard case let .scalar(scalar) = node, scalar.style == .plain || scalar.style == .any else {
            report(node, path, "found \(describe(node)), expected \(rule.expected)")
            return nil
        }
        let text = scalar.string.replacingOccurrences(of: "_", with: "")
        guard let value = Double(text) ?? yamlSpecialNumber(text) else {
            report(node, path, "found \(describe(node)), expected \(rule.expected)")
            return nil
        }
        guard value.isFinite else {
            report(node, path, "found \(scalar.string), expected a finite number (NaN and infinity cannot be simulated)")
            return nil
        }
        guard abs(value) <= largestSimulableNumber else {
            report(node, path, "found \(scalar.string), which is too large to simulate; expected \(rule.expected)")
            return nil
        }
        guard rule.accepts(value) else {
            report(node, path, "found \(scalar.string), expected \(rule.expected)")
            return nil
        }
        return value
    }

    func integer(_ node: Node, path: String, min: Int, max: Int) -> Int? {
        let rule = NumberRule(expected: "a whole number in [\(min), \(max)]") { $0 >= Double(min) && $0 <= Double(max) }
        guard let value = number(node, path: path, rule: rule) else { return nil }
        guard value == value.rounded() else {
            report(node, path, "found \(format(value)), expected a whole number in [\(min), \(max)]")
            return nil
        }
        return Int(value)
    }

    /// A glide path: one number for every program year, or a list with one number per year.
    func glide(_ node: Node, path: String, rule: NumberRule, years: Int) -> Glide? {
        if case let .sequence(sequence) = node {
            // years == 0: the program length itself is invalid (already reported); check values only.
            guard sequence.count == years || years == 0 else {
                report(node, path, "found a glide path of \(sequence.count) values, expected one value per program year (\(years)) or a single value")
                return nil
            }
            var values: [Double] = []
            for (index, item) in sequence.enumerated() {
                if let value = number(item, path: "\(path)[\(index)]", rule: rule) { values.append(value) }
            }
            return values.count == sequence.count ? Glide(perYear: values) : nil
        }
        return number(node, path: path, rule: rule).map { Glide($0) }
    }

    func sequence(_ node: Node, path: String, allowEmpty: Bool = false) -> [Node]? {
        guard case let .sequence(sequence) = node else {
            report(node, path, "found \(describe(node)), expected a list")
            return nil
        }
        if sequence.isEmpty && !allowEmpty {
            report(node, path, "found an empty list, expected at least one entry")
            return nil
        }
        return Array(sequence)
    }

    private func yamlSpecialNumber(_ text: String) -> Double? {
        switch text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: return nil
        }
    }
}

func describe(_ node: Node) -> String {
    switch node {
    case let .scalar(scalar):
        if scalar.string.isEmpty { return "an empty value" }
        let text = scalar.string.count > 40 ? String(scalar.string.prefix(40)) + "…" : scalar.string
        return "'\(text)'"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
}

/// Reads the keys of one mapping; `finish()` reports the keys nobody asked for, with a
/// suggestion when one is close to a known key.
final class MappingCursor {
    let reader: YAMLReader
    let node: Node
    let path: String
    private let pairs: [(key: String, keyNode: Node, value: Node)]
    private var known: [String] = []

    init(reader: YAMLReader, node: Node, mapping: Node.Mapping, path: String) {
        self.reader = reader; self.node = node; self.path = path
        var pairs: [(String, Node, Node)] = []
        var seen: Set<String> = []
        for (key, value) in mapping {
            guard case let .scalar(scalar) = key else {
                reader.report(key, path, "found \(describe(key)) as a key, expected a plain name")
                continue
            }
            if !seen.insert(scalar.string).inserted {
                let keyPath = path.isEmpty ? scalar.string : "\(path).\(scalar.string)"
                reader.report(key, keyPath, "appears twice in the same mapping")
                continue
            }
            pairs.append((scalar.string, key, value))
        }
        self.pairs = pairs
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func value(_ key: String) -> Node? {
        known.append(key)
        return pairs.first { $0.key == key }?.value
    }

    private func missing(_ key: String, expected: String) {
        reader.report(node, child(key), "is missing, expected \(expected)")
    }

    func string(_ key: String, default defaultValue: String? = nil) -> String? {
        guard let node = value(key) else {
            if defaultValue == nil { missing(key, expected: "text") }
            return defaultValue
        }
        return reader.string(node, path: child(key))
    }

    func number(_ key: String, default defaultValue: Double? = nil, _ rule: NumberRule) -> Double? {
        guard let node = value(key) else {
            if defaultValue == nil { missing(key, expected: rule.expected) }
            return defaultValue
        }
        return reader.number(node, path: child(key), rule: rule)
    }

    func integer(_ key: String, default defaultValue: Int? = nil, min: Int, max: Int) -> Int? {
        guard let node = value(key) else {
            if defaultValue == nil { missing(key, expected: "a whole number in [\(min), \(max)]") }
            return defaultValue
        }
        return reader.integer(node, path: child(key), min: min, max: max)
    }

    /// One of an enumeration's raw values; nil (reported) for any other text.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default defaultValue: Choice) -> Choice?
    where Choice.RawValue == String {
        guard let node = value(key) else { return defaultValue }
        guard let text = reader.string(node, path: child(key)) else { return nil }
        if let chosen = Choice(rawValue: text) { return chosen }
        let allowed = Choice.allCases.map(\.rawValue)
        let hint = closest(to: text, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
        reader.report(node, child(key), "found '\(text)'\(hint), expected one of: \(allowed.joined(separator: ", "))")
        return nil
    }

    func bool(_ key: String, default defaultValue: Bool) -> Bool {
        guard let node = value(key) else { return defaultValue }
        if case let .scalar(scalar) = node {
            switch scalar.string.lowercased() {
            case "true", "yes": return true
            case "false", "no": return false
            default: break
            }
        }
        reader.report(node, child(key), "found \(describe(node)), expected true or false")
        return defaultValue
    }

    func glide(_ key: String, default defaultValue: Double? = nil, _ rule: NumberRule, years: Int) -> Glide? {
        guard let node = value(key) else {
            if defaultValue == nil { missing(key, expected: rule.expected + " or a list of one per program year") }
            return defaultValue.map { Glide($0) }
        }
        return reader.glide(node, path: child(key), rule: rule, years: years)
    }

    func mapping(_ key: String, required: Bool = false) -> MappingCursor? {
        guard let node = value(key) else {
            if required { missing(key, expected: "a mapping") }
            return nil
        }
        return reader.mapping(node, path: child(key))
    }

    func sequence(_ key: String, required: Bool = false, allowEmpty: Bool = false) -> [(node: Node, path: String)]? {
        guard let node = value(key) else {
            if required { missing(key, expected: "a list") }
            return nil
        }
        return reader.sequence(node, path: child(key), allowEmpty: allowEmpty)?
            .enumerated().map { ($0.element, "\(child(key))[\($0.offset)]") }
    }

    /// Reports every key that no reader asked for.
    func finish() {
        let knownKeys = Array(Set(known)).sorted()
        for pair in pairs where !knownKeys.contains(pair.key) {
            let hint = closest(to: pair.key, in: knownKeys).map { " (did you mean '\($0)'?)" } ?? ""
            let allowed = knownKeys.joined(separator: ", ")
            reader.report(pair.keyNode, child(pair.key), "is not a known key\(hint); expected one of: \(allowed)")
        }
    }
}

/// The known key within edit distance 2 of `word`, if any.
func closest(to word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1,
                                 previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
    let target = Array(word.lowercased())
    // A truncated key ('fiscal_year_start' for 'fiscal_year_start_month') is a near miss too.
    if word.count >= 4, let extended = candidates.first(where: { $0.lowercased().hasPrefix(word.lowercased()) }) {
        return extended
    }
    return candidates
        .map { ($0, distance(target, Array($0.lowercased()))) }
        .filter { $0.1 <= 2 }
        .min { $0.1 < $1.1 }?.0
}
