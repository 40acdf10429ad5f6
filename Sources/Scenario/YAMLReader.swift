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
/// Smallest non-zero magnitude any scenario number may have; see `YAMLReader.number`.
let smallestSimulableNumber = 1e-9

/// A number as YAML 1.2's core schema writes one: decimal or scientific (`12`, `-0.5`, `1e6`),
/// `0x`/`0o` integers, `.inf`, `.nan`. Anything else is text, including what Swift's parser would
/// also take (`0x1p3` hex floats, `infinity`, `1_000`).
func coreSchemaNumber(_ text: String) -> Double? {
    switch text {
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
    case "-.inf", "-.Inf", "-.INF": return -.infinity
    case ".nan", ".NaN", ".NAN": return .nan
    default: break
    }
    let bytes = Array(text.utf8)
    func digits(_ from: Int, _ accepts: (UInt8) -> Bool) -> Bool { from < bytes.count && bytes[from...].allSatisfy(accepts) }
    if bytes.starts(with: Array("0x".utf8)) {
        return digits(2) { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }
            ? UInt64(text.dropFirst(2), radix: 16).map { Double($0) } : nil
    }
    if bytes.starts(with: Array("0o".utf8)) {
        return digits(2) { $0 >= 48 && $0 <= 55 } ? UInt64(text.dropFirst(2), radix: 8).map { Double($0) } : nil
    }
    // [-+]? ( . digits | digits ( . digits? )? ) ( [eE] [-+]? digits )?
    var index = 0
    func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 48 && bytes[i] <= 57 }
    func skipDigits() -> Int { let start = index; while isDigit(index) { index += 1 }; return index - start }
    if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 { index += 1 }
    let whole = skipDigits()
    var fraction = 0
    if index < bytes.count, bytes[index] == 46 { index += 1; fraction = skipDigits() }
    guard whole > 0 || fraction > 0 else { return nil }
    if index < bytes.count, bytes[index] | 0x20 == 101 {
        index += 1
        if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 { index += 1 }
        guard skipDigits() > 0 else { return nil }
    }
    return index == bytes.count ? Double(text) : nil
}

func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
}

/// Walks a composed YAML tree and records every problem with its file, line and key path. Readers
/// return a placeholder after a problem so reading goes on and all problems surface together.
final class YAMLReader {
    let file: String
    private(set) var problems: [ScenarioProblem] = []

    /// Numbers written as distributions, in the order read (`UncertainAssumption`).
    var uncertain: [UncertainAssumption] = []

    /// Explicit YAML tags by node position, from `YAMLBounds`.
    var explicitTags: [YAMLBounds.Position: String] = [:]

    init(file: String) { self.file = file }

    func explicitTag(_ node: Node) -> String? {
        guard let mark = node.mark else { return nil }
        return explicitTags[YAMLBounds.Position(line: mark.line, column: mark.column)]
    }

    /// Most problems listed; past it they are counted, so a file of a million bad lines is
    /// read in linear time and answered with a screenful, not a million lines.
    static let maximumListed = 200
    private(set) var omitted = 0
    private var reported: Set<ProblemKey> = []

    private struct ProblemKey: Hashable {
        let line: Int?, column: Int?, message: String
    }

    /// Every problem recorded, as one error.
    var error: ScenarioError { ScenarioError(problems: problems, omitted: omitted) }

    /// Records a problem. A value inherited by several tiers of a design is read once per tier;
    /// it is reported once, at its first key path.
    func report(_ node: Node?, _ path: String, _ message: String) {
        let mark = node?.mark
        if let mark, !reported.insert(ProblemKey(line: mark.line, column: mark.column, message: message)).inserted {
            return
        }
        appendProblem(ScenarioProblem(file: file, line: mark?.line, column: mark?.column,
                                      keyPath: path, message: message))
    }

    func report(line: Int?, column: Int?, _ path: String, _ message: String) {
        appendProblem(ScenarioProblem(file: file, line: line, column: column, keyPath: path, message: message))
    }

    func appendProblem(_ problem: ScenarioProblem) {
        if problems.count < Self.maximumListed { problems.append(problem) } else { omitted += 1 }
    }

    /// Takes over the problems another reader found (a roster's, reported under its own name).
    func absorb(_ other: YAMLReader) {
        for problem in other.problems { appendProblem(problem) }
        omitted += other.omitted
    }

    /// A mapping at `path`, or nil (with a problem) when the node is something else.
    func mapping(_ node: Node, path: String) -> MappingCursor? {
        guard case let .mapping(mapping) = node, acceptsTag(node, path: path, standard: "map") else {
            if case .mapping = node { return nil }
            report(node, path, "found \(describe(node)), expected a mapping of keys to values")
            return nil
        }
        return MappingCursor(reader: self, node: node, mapping: mapping, path: path)
    }

    /// Text at `path`. Names end up in file names, CSV cells and terminal lines, so control
    /// characters are refused; prose (`allowsLineBreaks`) may also hold line breaks and tabs.
    func string(_ node: Node, path: String, allowsLineBreaks: Bool = false) -> String? {
        guard case let .scalar(scalar) = node, !scalar.string.isEmpty else {
            report(node, path, "found \(describe(node)), expected text")
            return nil
        }
        guard acceptsTag(node, path: path, standard: "str") else { return nil }
        let allowed: Set<Unicode.Scalar> = allowsLineBreaks ? ["\n", "\t"] : []
        if scalar.string.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) {
            let what = allowsLineBreaks ? "terminal or other control codes" : "control characters (a line break, tab or terminal code)"
            report(node, path, "found \(describe(node)), which holds \(what); expected plain text")
            return nil
        }
        return scalar.string
    }

    func number(_ node: Node, path: String, rule: NumberRule) -> Double? {
        if case .mapping = node { return uncertainNumber(node, path: path, rule: rule) }
        guard case let .scalar(scalar) = node, scalar.style == .plain || scalar.style == .any else {
            report(node, path, "found \(describe(node)), expected \(rule.expected)")
            return nil
        }
        if let tag = explicitTag(node), tag == Tag.Name.str.rawValue || tag == "!" {
            report(node, path, "found \(describe(node)) marked as text (!!str), expected \(rule.expected)")
            return nil
        }
        guard acceptsTag(node, path: path, standard: "int", "float") else { return nil }
        guard let value = coreSchemaNumber(scalar.string) else {
            let hint = scalar.string.contains("_") ? " (write digits without separators, e.g. 1000000)" : ""
            report(node, path, "found \(describe(node)), expected \(rule.expected)\(hint)")
            return nil
        }
        let shown = escapedForDisplay(scalar.string)
        guard value.isFinite else {
            report(node, path, "found \(shown), expected a finite number (NaN and infinity cannot be simulated)")
            return nil
        }
        guard abs(value) <= largestSimulableNumber else {
            report(node, path, "found \(shown), which is too large to simulate; expected \(rule.expected)")
            return nil
        }
        // Subnormal and near-subnormal values pass range checks yet overflow once squared or
        // inverted (a CV of 5e-324 gives a gamma shape of infinity).
        guard value == 0 || abs(value) >= smallestSimulableNumber else {
            report(node, path, "found \(shown), which is too close to zero to simulate (below \(smallestSimulableNumber)); expected 0 or \(rule.expected) of at least \(smallestSimulableNumber)")
            return nil
        }
        guard rule.accepts(value) else {
            report(node, path, "found \(shown), expected \(rule.expected)")
            return nil
        }
        return value
    }

    /// Whether a node's explicit YAML tag, if any, is one of the standard tags of what is read
    /// here (`!!int`, `!!float` for a number); any other tag is reported rather than ignored.
    func acceptsTag(_ node: Node, path: String, standard: String...) -> Bool {
        guard let tag = explicitTag(node), tag != "!" else { return true }
        if standard.contains(where: { tag == "tag:yaml.org,2002:" + $0 }) { return true }
        let shownTag = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        report(node, path, "found \(describe(node)) with the YAML tag \(escapedForDisplay(String(shownTag))), expected no tag (scenario values take their type from their key)")
        return false
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
        guard acceptsTag(node, path: path, standard: "seq") else { return nil }
        if sequence.isEmpty && !allowEmpty {
            report(node, path, "found an empty list, expected at least one entry")
            return nil
        }
        return Array(sequence)
    }
}

func describe(_ node: Node) -> String {
    switch node {
    case let .scalar(scalar):
        if scalar.string.isEmpty { return "an empty value" }
        return "'\(escapedForDisplay(scalar.string, limit: 40))'"
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
                let keyPath = path.isEmpty ? visible(scalar.string) : "\(path).\(visible(scalar.string))"
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

    func string(_ key: String, default defaultValue: String? = nil, allowsLineBreaks: Bool = false) -> String? {
        guard let node = value(key) else {
            if defaultValue == nil { missing(key, expected: "text") }
            return defaultValue
        }
        return reader.string(node, path: child(key), allowsLineBreaks: allowsLineBreaks)
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
            reader.report(pair.keyNode, child(visible(pair.key)), "is not a known key\(hint); expected one of: \(allowed)")
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
