import Foundation
import Yams

/// Reads a scenario file (YAML) and the roster it may name, validating every value.
/// Throws `ScenarioError` listing every problem found, each with file, line and key path.
public enum ScenarioLoader {
    /// Largest panel the simulator accepts for one practice, and largest total: beyond these a run
    /// would not fit in memory or time on the machines this tool is built for.
    public static let maximumPracticeMembers = 5_000_000
    public static let maximumPractices = 100_000
    public static let maximumTrials = 10_000_000

    /// - Parameter rosterBase: folder a roster path is resolved against (default: the scenario's
    ///   folder); a replay reads a copied scenario against the original folder.
    public static func load(path: String, rosterBase: URL? = nil) throws(ScenarioError) -> Scenario {
        let data: Data
        do {
            data = try readRegularFile(path, expected: "a scenario file (YAML)")
        } catch {
            throw ScenarioError(problems: [ScenarioProblem(file: path, line: nil, column: nil, keyPath: "", message: error.reason)])
        }
        return try parse(data: data, file: path, rosterBase: rosterBase)
    }

    /// Largest scenario or roster file read: a statewide roster of the largest allowed practice
    /// count is a few megabytes.
    public static let maximumFileBytes = 64 << 20

    /// Why a file could not be read, in words an analyst can act on.
    public struct UnreadableFile: Error { public let reason: String }

    /// The bytes of a regular file of bounded size. Directories, FIFOs and devices are refused
    /// by name before opening (reading a FIFO would wait for a writer forever).
    public static func readRegularFile(_ path: String, expected: String) throws(UnreadableFile) -> Data {
        var status = stat()
        guard stat(path, &status) == 0 else {
            switch errno {
            case ENOENT: throw UnreadableFile(reason: "does not exist; expected \(expected)")
            case EACCES: throw UnreadableFile(reason: "cannot be read: permission denied")
            case ENOTDIR: throw UnreadableFile(reason: "does not exist (a folder on its path is a file); expected \(expected)")
            default: throw UnreadableFile(reason: "cannot be read: \(String(cString: strerror(errno)))")
            }
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw UnreadableFile(reason: "is a directory; expected \(expected)")
        default: throw UnreadableFile(reason: "is not a regular file (a pipe, socket or device); expected \(expected)")
        }
        guard Int(status.st_size) <= maximumFileBytes else {
            throw UnreadableFile(reason: "is \(Int(status.st_size) >> 20) MiB, larger than the \(maximumFileBytes >> 20) MiB a scenario or roster may be; expected \(expected)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw UnreadableFile(reason: errno == EACCES ? "cannot be read: permission denied" : "cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        do {
            return try handle.read(upToCount: maximumFileBytes + 1) ?? Data()
        } catch {
            throw UnreadableFile(reason: "cannot be read: \(String(cString: strerror(errno)))")
        }
    }

    public static func parse(data: Data, file: String, rosterBase: URL? = nil) throws(ScenarioError) -> Scenario {
        let reader = YAMLReader(file: file)
        guard let text = decodeUTF8(data, file: file, reader: reader) else {
            throw reader.error
        }
        let findings = YAMLBounds.check(text, file: file)
        guard findings.problems.isEmpty else { throw ScenarioError(problems: findings.problems) }
        reader.explicitTags = findings.explicitTags
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ScenarioError(problems: [syntaxProblem(error, file: file, text: text)])
        } catch {
            throw ScenarioError(problems: [ScenarioProblem(file: file, line: nil, column: nil,
                                                           keyPath: "", message: "is not valid YAML: \(error)")])
        }
        guard let root, let top = reader.mapping(root, path: "") else {
            if root == nil { reader.report(line: nil, column: nil, "", "is empty, expected a scenario") }
            throw reader.error
        }
        let baseDirectory = rosterBase ?? URL(fileURLWithPath: file).deletingLastPathComponent()
        let scenario = ScenarioBuilder(reader: reader, top: top, file: file, baseDirectory: baseDirectory).build()
        guard reader.problems.isEmpty, let scenario else {
            throw reader.error
        }
        return scenario
    }

    static func decodeUTF8(_ data: Data, file: String, reader: YAMLReader) -> String? {
        if var text = String(data: data, encoding: .utf8) {
            // Spreadsheet programs save "CSV UTF-8" with a byte-order mark; it is not part of the text.
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            return text
        }
        // Locate the first byte that breaks UTF-8 so the analyst can find it in an editor.
        let bytes = [UInt8](data)
        var line = 1
        var validPrefix = 0
        for end in stride(from: 1, through: bytes.count, by: 1) {
            if String(bytes: bytes[validPrefix..<end], encoding: .utf8) != nil {
                line += bytes[validPrefix..<end].filter { $0 == 0x0A }.count
                validPrefix = end
            } else if end - validPrefix >= 4 {
                break
            }
        }
        reader.report(line: line, column: nil, "",
                      "contains bytes that are not UTF-8 (first at byte offset \(validPrefix)); save the file as UTF-8")
        return nil
    }

    /// libyaml's messages, in the words of someone editing a scenario rather than a parser's.
    static func plainYAMLWording(_ text: String) -> String {
        let wording = [
            "mapping values are not allowed in this context": "a 'key: value' pair where a plain value was expected (is a colon missing a space, or should the value be quoted?)",
            "did not find expected key": "a line that is not a 'key: value' pair at this indentation",
            "did not find expected node content": "a missing value",
            "did not find expected '-' indicator": "a line that does not continue the list at this indentation",
            "did not find expected ',' or ']'": "a list in brackets that is not closed with ']'",
            "did not find expected ',' or '}'": "a mapping in braces that is not closed with '}'",
            "found character that cannot start any token": "a character that cannot begin a value (quote values that start with @, ` or %)",
            "found unexpected end of stream": "the end of the file inside an unfinished value (an unclosed quote or bracket?)",
            "control characters are not allowed": "a control character (such as a NUL byte) that YAML does not allow",
            "found undefined alias": "an alias (*name) whose anchor (&name) is not defined before it",
            "found a tab character that violates indentation": "a tab used for indentation",
            "while parsing a block mapping": "in this mapping",
            "while parsing a block collection": "in this list",
            "while parsing a flow sequence": "in this bracketed list",
            "while parsing a flow mapping": "in this braced mapping",
            "while scanning a simple key": "while reading a key",
            "while scanning a quoted scalar": "while reading quoted text",
            "while parsing a node": "while reading a value",
            "could not find expected ':'": "a key without ':' after it",
        ]
        return wording[text] ?? text
    }

    static func syntaxProblem(_ error: YamlError, file: String, text: String) -> ScenarioProblem {
        func located(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> ScenarioProblem {
            let detail = [context?.text, problem].compactMap { $0 }.map(plainYAMLWording).joined(separator: ": ")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let offending = mark.line >= 1 && mark.line <= lines.count ? lines[mark.line - 1] : ""
            let hint = offending.contains("\t")
                ? "; the line holds a tab, and YAML indents with spaces only: expected spaces"
                : "; expected YAML: 'key: value' lines indented with spaces, lists as '- item' or [a, b], mappings as {k: v}"
            return ScenarioProblem(file: file, line: mark.line, column: mark.column, keyPath: "",
                                   message: "is not valid YAML (\(detail))\(hint)")
        }
        switch error {
        case let .scanner(context, problem, mark, _): return located(context, problem, mark)
        case let .parser(context, problem, mark, _): return located(context, problem, mark)
        case let .composer(context, problem, mark, _): return located(context, problem, mark)
        case let .duplicatedKeysInMapping(duplicates, context):
            return ScenarioProblem(file: file, line: context.mark.line, column: context.mark.column,
                                   keyPath: duplicates.joined(separator: ", "),
                                   message: "appears twice in the same mapping; expected each key once")
        default:
            return ScenarioProblem(file: file, line: nil, column: nil, keyPath: "",
                                   message: "is not valid YAML (\(error))")
        }
    }
}
