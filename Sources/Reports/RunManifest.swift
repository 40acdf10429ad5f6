import Foundation

/// `manifest.json`: exactly what produced a run's numbers, enough to reproduce it (`apmrisk run
/// --replay`). Its presence, with `complete: true`, is what marks a folder as a finished run. It
/// holds nothing about when, where or on how many threads or machines the run was made (that is
/// `provenance.json`), so a run merged from shards writes the same manifest as one made at once.
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
    public var scenario: Input
    public var roster: Input?
    public var seed: UInt64
    public var trials: Int
    public var confidence: Double?
    public var generator: String
    public var complete: Bool
    /// How the member level was drawn (`aggregate` or `member`); absent in older manifests.
    public var method: String?
    /// The `--precision` target, when the run used one.
    public var precision: Double?

    public init(toolVersion: String, scenario: Input, roster: Input?, seed: UInt64, trials: Int,
                confidence: Double?, generator: String, method: String? = nil, precision: Double? = nil) {
        schemaVersion = Self.currentSchemaVersion
        tool = "apmrisk"
        self.toolVersion = toolVersion; self.scenario = scenario; self.roster = roster
        self.seed = seed; self.trials = trials; self.confidence = confidence; self.generator = generator
        complete = true
        self.method = method
        self.precision = precision
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Largest manifest read; a real one is about a kilobyte.
    static let maximumBytes = 1 << 20
    /// Most trials a manifest may name (the command line's own limit).
    public static let maximumTrials = 10_000_000

    /// The manifest of a finished run in `folder`, or an error saying why the folder is not one.
    /// Every field a replay or report relies on is checked, so an edited or corrupt manifest is
    /// refused with its key before anything runs. `methods` are the simulation methods known.
    public static func load(runFolder folder: URL, methods: [String] = ["automatic", "aggregate", "member"]) throws -> RunManifest {
        let url = folder.appendingPathComponent(fileName)
        guard let data = readRegularFile(url, limit: maximumBytes) else {
            throw RunFolderError.notARun(folder.path, "it has no readable \(fileName) (an interrupted run leaves none)")
        }
        let manifest: RunManifest
        do { manifest = try JSONDecoder().decode(RunManifest.self, from: data) } catch {
            throw RunFolderError.badManifest(url.path, Self.wholeNumberOutOfRange(data) ?? Self.plainWords(error))
        }
        if let problem = manifest.problems(methods: methods).first {
            throw RunFolderError.badManifest(url.path, problem)
        }
        guard manifest.complete else { throw RunFolderError.notARun(folder.path, "its run did not complete") }
        return manifest
    }

    /// What is wrong with the fields, as "key: found …, expected …".
    func problems(methods: [String]) -> [String] {
        var found: [String] = []
        func check(_ ok: Bool, _ key: String, _ value: String, _ expected: String) {
            if !ok { found.append("\(key): found \(value), expected \(expected)") }
        }
        check(tool == "apmrisk", "tool", "'\(tool.prefix(40))'", "'apmrisk'")
        check(schemaVersion == Self.currentSchemaVersion, "schemaVersion", String(schemaVersion),
              "\(Self.currentSchemaVersion) (a manifest written by another version of apmrisk cannot be replayed by this one)")
        check(trials >= 1 && trials <= Self.maximumTrials, "trials", String(trials), "a whole number in [1, \(Self.maximumTrials)]")
        if let confidence { check(confidence > 0 && confidence < 1, "confidence", String(confidence), "a level in (0, 1), e.g. 0.9") }
        if let precision { check(precision > 0 && precision < 1, "precision", String(precision), "a standard error in (0, 1), e.g. 0.005") }
        if let method { check(methods.contains(method), "method", "'\(method.prefix(40))'", "one of \(methods.joined(separator: ", "))") }
        for (key, input) in [("scenario", scenario)] + (roster.map { [("roster", $0)] } ?? []) {
            check(input.sha256.count == 64 && input.sha256.allSatisfy(\.isHexDigit), "\(key).sha256",
                  "'\(input.sha256.prefix(70))'", "64 hexadecimal digits")
            check(!input.path.isEmpty && !input.path.contains("\0"), "\(key).path", "'\(input.path.prefix(70))'", "a file path")
        }
        return found
    }

    /// The bytes of `url` when it is a regular file of at most `limit` bytes; nil otherwise, so a
    /// FIFO or device planted in a run folder cannot hang or exhaust the reader.
    public static func readRegularFile(_ url: URL, limit: Int) -> Data? {
        var status = stat()
        guard stat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) <= limit else { return nil }
        return FileManager.default.contents(atPath: url.path)
    }

    /// The decoder reports a whole number that does not fit its type (a negative seed) as invalid
    /// JSON without a key; this finds the key.
    static func wholeNumberOutOfRange(_ data: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        // Bounds as text too: Double(UInt64.max) rounds up to 2^64, which UInt64 cannot hold.
        let ranges: [(key: String, low: Double, high: Double, shown: String)] = [
            ("seed", 0, Double(UInt64.max), "[0, \(UInt64.max)]"),
            ("trials", 1, Double(maximumTrials), "[1, \(maximumTrials)]"),
            ("schemaVersion", 1, Double(Int32.max), "[1, \(Int32.max)]"),
        ]
        for (key, low, high, shown) in ranges {
            guard let number = object[key] as? NSNumber, !(object[key] is Bool) else { continue }
            let value = number.doubleValue
            if !(value >= low && value <= high) || value != value.rounded() {
                return "\(key): found \(number), expected a whole number in \(shown)"
            }
        }
        return nil
    }

    /// A decoding error as the key and what was wrong with it.
    public static func plainWords(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the file" : keys.joined(separator: ".")
        }
        switch error {
        case let DecodingError.keyNotFound(key, context):
            let parent = path(context)
            return "\(parent == "the file" ? "" : parent + ".")\(key.stringValue): is missing"
        case let DecodingError.typeMismatch(type, context), let DecodingError.valueNotFound(type, context):
            return "\(path(context)): found a value of the wrong kind, expected \(Self.kind(type))"
        case let DecodingError.dataCorrupted(context):
            return context.codingPath.isEmpty
                ? "the file is not valid JSON"
                : "\(path(context)): found a value that cannot be read (a number out of range or of the wrong sign?)"
        default:
            return "cannot be read"
        }
    }

    static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "text"
        case is Bool.Type: return "true or false"
        case is Int.Type, is UInt64.Type: return "a whole number"
        case is Double.Type: return "a number"
        default: return "a JSON object or list"
        }
    }
}

/// `provenance.json`: how and when a run folder was made — the command line, threads, times and,
/// for a run merged from shards, each part's folder and trial range. It is the one file of a run
/// folder that differs between two makings of the same run.
public struct RunProvenance: Codable, Sendable {
    public static let fileName = "provenance.json"

    public struct Part: Codable, Sendable {
        public var folder: String
        public var shard: Int
        public var shards: Int
        public var firstTrial: Int
        public var trialCount: Int
        public init(folder: String, shard: Int, shards: Int, firstTrial: Int, trialCount: Int) {
            self.folder = folder; self.shard = shard; self.shards = shards
            self.firstTrial = firstTrial; self.trialCount = trialCount
        }
    }

    public var arguments: [String]
    public var threads: Int
    public var host: String
    public var startedAt: String
    public var finishedAt: String
    public var durationSeconds: Double
    /// The parts a merged run was made from; absent for a run made at once.
    public var parts: [Part]?

    public init(arguments: [String], threads: Int, startedAt: Date, finishedAt: Date, parts: [Part]? = nil) {
        self.arguments = arguments; self.threads = threads
        host = ProcessInfo.processInfo.hostName
        let formatter = ISO8601DateFormatter()
        self.startedAt = formatter.string(from: startedAt)
        self.finishedAt = formatter.string(from: finishedAt)
        durationSeconds = (finishedAt.timeIntervalSince(startedAt) * 1000).rounded() / 1000
        self.parts = parts
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

public enum RunFolderError: Error, CustomStringConvertible {
    case notARun(String, String)
    /// A manifest that is there but says something impossible: its path and the key.
    case badManifest(String, String)

    public var description: String {
        switch self {
        case let .notARun(path, reason): return "\(path) is not a finished apmrisk run: \(reason)"
        case let .badManifest(path, problem): return "\(path): \(problem); the run folder was edited or damaged"
        }
    }
}
