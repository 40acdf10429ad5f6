import ArgumentParser
import Foundation

/// `apmrisk init`: a scenario of one's own, started from a shipped one, so a new user edits a
/// complete, commented, calibrated file rather than writing YAML from nothing.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a scenario of your own: copy a shipped scenario (every number commented with its source) to a new file, renamed, with a guide to what to edit first.",
        discussion: """
        Then edit the new file (docs/scenario-reference.md explains every key), check it with \
        'apmrisk validate FILE' and run it with 'apmrisk run FILE'. Never overwrites a file.
        """)

    @Argument(help: "The new scenario file to write, e.g. Models/my-program.yaml.")
    var file: String

    @Option(help: "The scenario to start from.")
    var from: String = "Models/default.yaml"

    @Option(help: "The new scenario's name (shown on every output).")
    var name: String?

    func run() throws {
        let source = URL(fileURLWithPath: from)
        guard let text = try? String(contentsOf: source, encoding: .utf8) else {
            standardError("apmrisk: cannot read \(from) (the scenario to start from); run from the repository root, or pass --from with a scenario file")
            throw ExitCode.badInput
        }
        let destination = URL(fileURLWithPath: file)
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            standardError("apmrisk: \(file) already exists; init never overwrites a file (choose another name)")
            throw ExitCode.badInput
        }
        let title = name ?? "My scenario, from \(source.lastPathComponent)"
        let written = Self.guide(from: source.lastPathComponent)
            + Self.rewritten(text, name: title, source: source)
        do {
            try written.write(to: destination, atomically: true, encoding: .utf8)
        } catch {
            standardError("apmrisk: cannot write \(file): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        // What was written must be a valid scenario: say so, or say what is wrong with it.
        _ = try loadScenario(destination.path)
        print("Wrote \(file), a copy of \(from) named \"\(title)\". Edit it (docs/scenario-reference.md explains every key), then:")
        print("  apmrisk validate \(file)")
        print("  apmrisk run \(file)")
    }

    static func guide(from source: String) -> String {
        """
        # Started with `apmrisk init` from \(source). What to edit first:
        #   1. name and description: what this scenario represents (shown on every output).
        #   2. practices: your practices, as size groups or a roster CSV (id,members,region), and regions.
        #   3. designs: the payment designs to compare (tracks, tiers, PMPMs, sharing, caps).
        #   4. simulation: program_years, first_program_year, trials (more trials, smaller Monte Carlo error).
        # The population, services and variation below are calibrated; each number says its source.
        # Every key, its unit and default: docs/scenario-reference.md. Check: apmrisk validate FILE.

        """
    }

    /// The source with its top-level `name` replaced and a relative roster path re-anchored at the
    /// new file's folder (a roster stays where it is; the copy points at it).
    static func rewritten(_ text: String, name: String, source: URL) -> String {
        var renamed = false
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if !renamed && line.hasPrefix("name:") {
                renamed = true
                return "name: \"\(name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
            }
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("roster:") else { return String(line) }
            let value = trimmed.dropFirst("roster:".count).trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty, !value.hasPrefix("/"), !value.hasPrefix("#") else { return String(line) }
            let path = value.split(separator: "#").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? value
            let unquoted = path.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            let absolute = source.deletingLastPathComponent().appendingPathComponent(unquoted).standardizedFileURL.path
            let indent = String(line.prefix { $0 == " " })
            return "\(indent)roster: \"\(absolute)\"   # the roster of the scenario this was copied from"
        }
        return lines.joined(separator: "\n")
    }
}
