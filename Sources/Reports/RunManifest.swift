import Foundation

/// `manifest.json`: exactly what produced a run, enough to reproduce it (`apmrisk run --replay`).
/// Its presence, with `complete: true`, is what marks a folder as a finished run.
public struct RunManifest: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public static let fileName = "manifest.json"
    /// Name of the byte-for-byte copy of the scenario kept in the run folder.
    public static let scenarioCopy = "scenario.yaml"

    public struct Input: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String

        public init(path: String, sha256: String) { self.path = path; self.sha256 = sha256 }
    }

    public var schemaVersion: Int
    public var tool: String
    public var toolVersion: String
    public var arguments: [String]
    public var scenario: Input
    public var roster: Input?
    public var seed: UInt64
    public var trials: Int
    public var confidence: Double?
    public var generator: String
    public var threads: Int
    public var startedAt: String
    public var finishedAt: String
    public var durationSeconds: Double
    public var complete: Bool
    /// How the member level was drawn (`aggregate` or `member`); absent in older manifests.
    public var method: String?
    /// The `--precision` target, when the run used one.
    public var precision: Double?

    public init(toolVersion: String, arguments: [String], scenario: Input, roster: Input?, seed: UInt64, trials: Int,
                confidence: Double?, generator: String, threads: Int, startedAt: Date, finishedAt: Date,
                method: String? = nil, precision: Double? = nil) {
        schemaVersion = Self.currentSchemaVersion
        tool = "apmrisk"
        self.toolVersion = toolVersion; self.arguments = arguments; self.scenario = scenario; self.roster = roster
        self.seed = seed; self.trials = trials; self.confidence = confidence; self.generator = generator
        self.threads = threads
        let formatter = ISO8601DateFormatter()
        self.startedAt = formatter.string(from: startedAt)
        self.finishedAt = formatter.string(from: finishedAt)
        durationSeconds = (finishedAt.timeIntervalSince(startedAt) * 1000).rounded() / 1000
        complete = true
        self.method = method
        self.precision = precision
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The manifest of a finished run in `folder`, or an error saying why the folder is not one.
    public static func load(runFolder folder: URL) throws -> RunManifest {
        let url = folder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw RunFolderError.notARun(folder.path, "it has no \(fileName) (an interrupted run leaves none)")
        }
        let manifest: RunManifest
        do { manifest = try JSONDecoder().decode(RunManifest.self, from: data) } catch {
            throw RunFolderError.notARun(folder.path, "its \(fileName) cannot be read (\(error))")
        }
        guard manifest.complete else { throw RunFolderError.notARun(folder.path, "its run did not complete") }
        return manifest
    }
}

public enum RunFolderError: Error, CustomStringConvertible {
    case notARun(String, String)

    public var description: String {
        switch self {
        case let .notARun(path, reason): return "\(path) is not a finished apmrisk run: \(reason)"
        }
    }
}
