import Foundation
import Yams

/// Changes one number of a scenario's YAML at a key path such as `variation.trend.sd` or
/// `designs[1].reconciliation.downside_rate`, for sensitivity swings: the edited text goes through
/// `ScenarioLoader` like any scenario, so a swing outside a key's valid range gets the loader's
/// located error.
public enum ScenarioEdit {
    public struct EditError: Error, CustomStringConvertible {
        public let keyPath: String
        public let reason: String
        public var description: String { "\(keyPath): \(reason)" }
        public init(keyPath: String, reason: String) { self.keyPath = keyPath; self.reason = reason }
    }

    enum Step: Equatable { case key(String), index(Int) }

    /// `a.b[2].c` → [a, b, 2, c].
    static func steps(_ keyPath: String) throws(EditError) -> [Step] {
        var steps: [Step] = []
        for part in keyPath.split(separator: ".", omittingEmptySubsequences: false) {
            var name = Substring(part)
            var indices: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]), index >= 0 else {
                    throw EditError(keyPath: keyPath, reason: "expected a list index such as [0] in \"\(part)\"")
                }
                indices.insert(index, at: 0)
                name = name[..<open]
            }
            guard !name.isEmpty else { throw EditError(keyPath: keyPath, reason: "expected a key name before \"\(part)\"") }
            steps.append(.key(String(name)))
            steps += indices.map(Step.index)
        }
        return steps
    }

    static func root(_ yaml: String, keyPath: String) throws(EditError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw EditError(keyPath: keyPath, reason: "the scenario is empty") }
            return node
        } catch let error as EditError {
            throw error
        } catch {
            throw EditError(keyPath: keyPath, reason: "the scenario is not valid YAML")
        }
    }

    /// The number at `keyPath`, or nil when the key is absent; an error when it is there but is not
    /// one number (a list, a keyword such as `mssp`, a mapping).
    public static func number(at keyPath: String, in yaml: String) throws(EditError) -> Double? {
        guard let node = try node(at: try steps(keyPath), in: try root(yaml, keyPath: keyPath), keyPath: keyPath) else { return nil }
        guard case let .scalar(scalar) = node, let value = Double(scalar.string) else {
            throw EditError(keyPath: keyPath, reason: "is not a single number (a swing needs one; found \(describe(node)))")
        }
        return value
    }

    /// Fails with a located reason when `keyPath` does not lead through the scenario (a key under
    /// a number, an index beyond a list); a key that is simply absent, or a list or keyword at the
    /// end, passes: setting a number there replaces it.
    public static func checkPath(_ keyPath: String, in yaml: String) throws(EditError) {
        _ = try node(at: try steps(keyPath), in: try root(yaml, keyPath: keyPath), keyPath: keyPath)
    }

    /// `yaml` with the number at `keyPath` set to `value` (the key is added if its mapping exists).
    public static func setting(_ keyPath: String, to value: Double, in yaml: String) throws(EditError) -> String {
        var root = try root(yaml, keyPath: keyPath)
        try set(&root, at: try steps(keyPath)[...], to: Node(format(value)), keyPath: keyPath)
        return try emit(root, keyPath: keyPath)
    }

    /// `yaml` with a copy of design `index` appended, named `name`, its number at `relativePath`
    /// (below the design, e.g. `reconciliation.loss_cap.benchmark`) set to `value`: one more design
    /// settled on the same simulated world.
    public static func addingVariant(ofDesign index: Int, setting relativePath: String, to value: Double, name: String,
                                     in yaml: String) throws(EditError) -> String {
        let keyPath = "designs[\(index)].\(relativePath)"
        var root = try root(yaml, keyPath: keyPath)
        guard case var .mapping(top) = root, let designsNode = top["designs"], case var .sequence(designs) = designsNode,
              index < designs.count else {
            throw EditError(keyPath: keyPath, reason: "the scenario has no design \(index)")
        }
        var variant = designs[designs.index(designs.startIndex, offsetBy: index)]
        try set(&variant, at: try steps(relativePath)[...], to: Node(format(value)), keyPath: keyPath)
        try set(&variant, at: [.key("name")], to: Node(name, .implicit, .doubleQuoted), keyPath: keyPath)
        designs.append(variant)
        top["designs"] = .sequence(designs)
        root = .mapping(top)
        return try emit(root, keyPath: keyPath)
    }

    static func node(at steps: [Step], in root: Node, keyPath: String) throws(EditError) -> Node? {
        var current = root
        for step in steps {
            switch (step, current) {
            case let (.key(key), .mapping(mapping)):
                guard let next = mapping[key] else { return nil }
                current = next
            case let (.index(i), .sequence(sequence)):
                guard i < sequence.count else { throw EditError(keyPath: keyPath, reason: "index \(i) is beyond the list's \(sequence.count) items") }
                current = sequence[sequence.index(sequence.startIndex, offsetBy: i)]
            default:
                throw EditError(keyPath: keyPath, reason: "does not lead through the scenario (at \(step), found \(describe(current)))")
            }
        }
        return current
    }

    static func set(_ node: inout Node, at steps: ArraySlice<Step>, to value: Node, keyPath: String) throws(EditError) {
        guard let step = steps.first else { node = value; return }
        switch (step, node) {
        case let (.key(key), .mapping(mapping)):
            var mapping = mapping
            var child = mapping[key] ?? (steps.count == 1 ? value : .mapping([:]))
            try set(&child, at: steps.dropFirst(), to: value, keyPath: keyPath)
            mapping[key] = child
            node = .mapping(mapping)
        case let (.index(i), .sequence(sequence)):
            guard i < sequence.count else { throw EditError(keyPath: keyPath, reason: "index \(i) is beyond the list's \(sequence.count) items") }
            var sequence = sequence
            let position = sequence.index(sequence.startIndex, offsetBy: i)
            var child = sequence[position]
            try set(&child, at: steps.dropFirst(), to: value, keyPath: keyPath)
            sequence[position] = child
            node = .sequence(sequence)
        default:
            throw EditError(keyPath: keyPath, reason: "does not lead through the scenario (at \(step), found \(describe(node)))")
        }
    }

    static func emit(_ root: Node, keyPath: String) throws(EditError) -> String {
        do { return try Yams.serialize(node: root) } catch {
            throw EditError(keyPath: keyPath, reason: "the edited scenario could not be written as YAML")
        }
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar): "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// A number as YAML reads it back exactly (shortest round-trip form).
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
