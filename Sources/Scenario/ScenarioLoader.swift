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
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioError(problems: [ScenarioProblem(
                file: path, line: nil, column: nil, keyPath: "",
                message: "cannot be read: \(error.localizedDescription)")])
        }
        return try parse(data: data, file: path, rosterBase: rosterBase)
    }

    public static func parse(data: Data, file: String, rosterBase: URL? = nil) throws(ScenarioError) -> Scenario {
        let reader = YAMLReader(file: file)
        guard let text = decodeUTF8(data, file: file, reader: reader) else {
            throw ScenarioError(problems: reader.problems)
        }
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
            throw ScenarioError(problems: reader.problems)
        }
        let baseDirectory = rosterBase ?? URL(fileURLWithPath: file).deletingLastPathComponent()
        let scenario = ScenarioBuilder(reader: reader, top: top, file: file, baseDirectory: baseDirectory).build()
        guard reader.problems.isEmpty, let scenario else {
            throw ScenarioError(problems: reader.problems)
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

    static func syntaxProblem(_ error: YamlError, file: String, text: String) -> ScenarioProblem {
        func located(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> ScenarioProblem {
            let detail = [context?.text, problem].compactMap { $0 }.joined(separator: ": ")
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
