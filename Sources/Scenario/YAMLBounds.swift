// libyaml is Yams's own C target; importing it directly lets this pass read the event stream
// before Yams builds a tree, which is the only point where aliases can still be counted cheaply.
import CYaml

/// Limits on the shape of a scenario's YAML, checked on libyaml's event stream before any tree is
/// built. Aliases are what make YAML dangerous: each one copies a whole subtree, so a few kilobytes
/// can expand to billions of nodes ("billion laughs") or, re-anchoring the same name, to a chain
/// tens of thousands of levels deep that a recursive tree cannot even be freed from. Nesting and
/// expansion are therefore measured as the tree *would* be, aliases expanded, in one linear pass.
enum YAMLBounds {
    /// Deepest nesting allowed, aliases expanded. The deepest real scenario path (a corridor inside
    /// a tier inside a track inside a design) is about a dozen levels.
    static let maximumDepth = 64
    /// Most nodes aliases may add to the tree. Anchors exist to share a reconciliation block or a
    /// tier between designs; that copies hundreds of nodes, not millions.
    static let maximumAliasExpansion = 1_000_000
    /// Most nodes the file may write out itself. The largest shipped scenario has a few thousand;
    /// a tree of a million takes Yams about half a gigabyte, and a 64 MiB file of empty list items
    /// (13 million nodes) took 7.6 GB and 72 s before this limit.
    static let maximumWrittenNodes = 1_000_000
    /// Most duplicate keys listed before the pass stops looking.
    static let maximumReported = 100

    /// What the pass learns: problems that must stop reading before a tree is built (nesting or
    /// alias expansion over the limits, collections or aliases of collections used as mapping keys,
    /// duplicate keys with their full key path), and the explicit tag of every node that has one.
    /// Syntax errors are left for the composer, which reports them located.
    struct Findings {
        var problems: [ScenarioProblem] = []
        /// Explicit tags by the position of their node (Yams resolves a node's tag from its text,
        /// so after composing, `!!str 30` and a plain `30` cannot otherwise be told apart).
        var explicitTags: [Position: String] = [:]
    }

    struct Position: Hashable {
        let line: Int, column: Int
    }

    static func check(_ text: String, file: String) -> Findings {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return Findings() }
        return bytes.withUnsafeMutableBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return Findings() }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var walk = Walk(file: file)
            var event = yaml_event_t()
            while walk.problems.count < maximumReported, !walk.stopped {
                guard yaml_parser_parse(&parser, &event) == 1 else { break }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                walk.take(event)
            }
            return Findings(problems: walk.problems, explicitTags: walk.explicitTags)
        }
    }

    /// A node as the tree would hold it after alias expansion.
    private struct Shape {
        var depth: Int
        var nodes: Int
        /// The text of a scalar, which is what a mapping key compares by.
        var scalar: String?
    }

    private struct Frame {
        let isMapping: Bool
        let anchor: String?
        let line: Int
        let column: Int
        /// The key (or `[index]`) this collection sits under in its parent.
        let component: String
        var childDepth = 0
        var nodes = 1
        var children = 0
        var pendingKey: String?
        var keys: Set<String> = []
    }

    private struct Walk {
        let file: String
        var problems: [ScenarioProblem] = []
        var stopped = false
        var anchors: [String: Shape] = [:]
        var frames: [Frame] = []
        var aliasNodes = 0
        var writtenNodes = 0
        var explicitTags: [Position: String] = [:]

        init(file: String) { self.file = file }

        mutating func take(_ event: yaml_event_t) {
            let line = Int(event.start_mark.line) + 1
            let column = Int(event.start_mark.column) + 1
            let tag: UnsafeMutablePointer<UInt8>? = switch event.type {
            case YAML_SCALAR_EVENT: event.data.scalar.tag
            case YAML_SEQUENCE_START_EVENT: event.data.sequence_start.tag
            case YAML_MAPPING_START_EVENT: event.data.mapping_start.tag
            default: nil
            }
            if let tag = name(tag) { explicitTags[Position(line: line, column: column)] = tag }
            if [YAML_SCALAR_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT].contains(event.type) {
                writtenNodes += 1
                if writtenNodes > maximumWrittenNodes {
                    fail(line, column, "the file holds more than \(maximumWrittenNodes.formatted()) values; expected a scenario of a few thousand (list many practices in a roster CSV: practices.roster)")
                    return
                }
            }
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let value = text(scalar.value, length: scalar.length)
                let shape = Shape(depth: 1, nodes: 1, scalar: value)
                if let anchor = name(scalar.anchor) { anchors[anchor] = shape }
                attach(shape, line: line, column: column)
            case YAML_ALIAS_EVENT:
                // An undefined alias is the composer's to report; it locates it the same way.
                guard let anchor = name(event.data.alias.anchor), let shape = anchors[anchor] else {
                    stopped = true
                    return
                }
                aliasNodes += shape.nodes
                if aliasNodes > maximumAliasExpansion {
                    fail(line, column, "aliases here expand the file to more than \(maximumAliasExpansion.formatted()) nodes; expected anchors that share small blocks (a tier, a reconciliation) a few times")
                    return
                }
                attach(shape, line: line, column: column, alias: anchor)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = name(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
                if let parent = frames.last, parent.isMapping, parent.pendingKey == nil {
                    fail(line, column, "found a \(isMapping ? "mapping" : "list") as a key, expected a plain name")
                    return
                }
                if frames.count + 1 > maximumDepth {
                    fail(line, column, "nests deeper than \(maximumDepth) levels; expected a scenario a dozen levels deep at most")
                    return
                }
                frames.append(Frame(isMapping: isMapping, anchor: anchor, line: line, column: column,
                                    component: nextComponent()))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = frames.popLast() else { return }
                let shape = Shape(depth: frame.childDepth + 1, nodes: frame.nodes, scalar: nil)
                if let anchor = frame.anchor { anchors[anchor] = shape }
                attach(shape, line: frame.line, column: frame.column, closing: true)
            default:
                break
            }
        }

        /// Adds a finished node to the collection it belongs to.
        mutating func attach(_ shape: Shape, line: Int, column: Int, alias: String? = nil, closing: Bool = false) {
            guard !frames.isEmpty else { return }
            if !closing, frames.count + shape.depth > maximumDepth {
                fail(line, column, "the alias *\(alias ?? "") nests deeper than \(maximumDepth) levels once expanded; expected anchors that are not built from themselves")
                return
            }
            // Changed in place: a copy of the frame would copy its key set on every insert.
            let top = frames.count - 1
            frames[top].childDepth = max(frames[top].childDepth, shape.depth)
            frames[top].nodes = min(frames[top].nodes + shape.nodes, Int.max / 2)
            if frames[top].isMapping {
                if frames[top].pendingKey != nil {
                    frames[top].pendingKey = nil
                } else if let key = shape.scalar {
                    if !frames[top].keys.insert(key).inserted {
                        report(line, column, keyPath(appending: visible(key)), "appears twice in the same mapping; expected each key once")
                    }
                    frames[top].pendingKey = key
                } else {
                    fail(line, column, "found the alias *\(alias ?? "") of a \(shape.depth > 1 ? "list or mapping" : "value") as a key, expected a plain name")
                    return
                }
            }
            frames[top].children += 1
        }

        /// The key path component the next node of the innermost collection sits under.
        func nextComponent() -> String {
            guard let parent = frames.last else { return "" }
            if parent.isMapping { return parent.pendingKey.map(visible) ?? "" }
            return "[\(parent.children)]"
        }

        func keyPath(appending last: String? = nil) -> String {
            var path = ""
            for component in frames.dropFirst().map(\.component) + (last.map { [$0] } ?? []) {
                path += component.hasPrefix("[") || path.isEmpty ? component : "." + component
            }
            return path
        }

        mutating func report(_ line: Int, _ column: Int, _ path: String, _ message: String) {
            problems.append(ScenarioProblem(file: file, line: line, column: column, keyPath: path, message: message))
        }

        /// A problem after which the rest of the stream cannot be measured meaningfully.
        mutating func fail(_ line: Int, _ column: Int, _ message: String) {
            report(line, column, keyPath(), message)
            stopped = true
        }

        func text(_ pointer: UnsafeMutablePointer<UInt8>?, length: Int) -> String {
            guard let pointer else { return "" }
            return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
        }

        func name(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
            guard let pointer else { return nil }
            return String(cString: pointer)
        }
    }
}

/// A key as a reader sees it in a message: an empty key would otherwise vanish from the key path.
func visible(_ key: String) -> String {
    key.isEmpty ? "(empty key)" : escapedForDisplay(key)
}

/// Text from an input file made safe to print: control characters (terminal escape sequences
/// among them) are shown as escapes, and long values are cut.
public func escapedForDisplay(_ text: String, limit: Int = 60) -> String {
    var shown = ""
    var count = 0
    for scalar in text.unicodeScalars {
        if count >= limit { shown += "…"; break }
        // Bidirectional overrides are invisible yet reorder what follows them on screen.
        if scalar.properties.generalCategory == .control || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value) {
            shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        } else {
            shown.unicodeScalars.append(scalar)
        }
        count += 1
    }
    return shown
}
