import Foundation
import Scenario
import Settlement

/// Which contiguous part of a run's trials a shard computes: shard `index` of `count` takes
/// trials ⌊index·N/count⌋ ..< ⌊(index+1)·N/count⌋, so the shards cover every trial exactly once.
public struct ShardSpec: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) { self.index = index; self.count = count }

    /// "K/S" with 0 ≤ K < S.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let s = Int(parts[1]), s >= 1, s <= 100_000, k >= 0, k < s else { return nil }
        self.init(index: k, count: s)
    }

    /// The variables array-job engines set to each task's index: Slurm (whose indices start
    /// wherever `--array` does, so the first is subtracted), Kubernetes Indexed Jobs, AWS Batch.
    public static let indexVariables = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"]

    /// The index an array job gives this task, and the variable it came from; nil when none is set.
    public static func arrayIndex(in environment: [String: String]) -> (index: Int?, variable: String)? {
        for variable in indexVariables {
            guard let text = environment[variable] else { continue }
            guard var index = Int(text.trimmingCharacters(in: .whitespaces)) else { return (nil, variable) }
            if variable == "SLURM_ARRAY_TASK_ID", let first = environment["SLURM_ARRAY_TASK_MIN"].flatMap({ Int($0) }) {
                index -= first
            }
            return (index, variable)
        }
        return nil
    }

    public func trials(of total: Int) -> Range<Int> { (index * total / count)..<((index + 1) * total / count) }

    /// The name of the shard's folder inside the shared parts folder; zero-padded so a listing
    /// sorts in trial order.
    public var folderName: String {
        let width = String(count - 1).count
        func padded(_ n: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        return "part-\(padded(index))-of-\(count)"
    }
}

/// `part.json`: what a shard computed and everything a merge must agree on. Two parts belong to
/// one run when every field but the shard's own (index, trial range, data size, checksum) is equal.
public struct PartManifest: Codable, Sendable, Equatable {
    public static let fileName = "part.json"
    public static let dataFileName = "results.part"
    public static let currentFormatVersion = 1

    public struct Input: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
        public init(path: String, sha256: String) { self.path = path; self.sha256 = sha256 }
    }

    public var format = "apmrisk partial run"
    public var formatVersion = Self.currentFormatVersion
    public var toolVersion: String
    public var scenario: Input
    public var roster: Input?
    public var seed: UInt64
    /// Trials of the whole run.
    public var trials: Int
    public var confidence: Double?
    public var generator: String
    /// How the member level is drawn, decided from the whole run's trials.
    public var method: String
    public var libraryMembers: Int
    public var designs: Int
    public var practices: Int
    public var years: Int
    public var recordsQuality: Bool
    public var outlayComponents: Int
    public var shard: Int
    public var shards: Int
    public var firstTrial: Int
    public var trialCount: Int
    /// Size and checksum of `results.part`, to find a truncated or damaged copy before merging.
    public var dataBytes: Int
    public var checksum: String

    public init(toolVersion: String, scenario: Input, roster: Input?, seed: UInt64, trials: Int, confidence: Double?,
                generator: String, method: String, libraryMembers: Int, layout: PartLayout, shard: ShardSpec,
                firstTrial: Int, dataBytes: Int, checksum: String) {
        self.toolVersion = toolVersion; self.scenario = scenario; self.roster = roster; self.seed = seed
        self.trials = trials; self.confidence = confidence; self.generator = generator; self.method = method
        self.libraryMembers = libraryMembers
        designs = layout.designs; practices = layout.practices; years = layout.years
        recordsQuality = layout.recordsQuality; outlayComponents = layout.outlayComponents
        self.shard = shard.index; shards = shard.count
        self.firstTrial = firstTrial; trialCount = layout.trials
        self.dataBytes = dataBytes; self.checksum = checksum
    }

    public var trialRange: Range<Int> { firstTrial..<(firstTrial + trialCount) }

    var layout: PartLayout {
        PartLayout(trials: trialCount, designs: designs, practices: practices, years: years,
                   recordsQuality: recordsQuality, outlayComponents: outlayComponents)
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// Where each value sits in `results.part`: an 8-byte magic, then little-endian doubles.
/// Practice-level values are stored column by column, [design][practice][year][trial], so a merge
/// reads one practice-year's trials with one read per part; the payer's outlay, small, is stored
/// trial by trial as a run holds it.
public struct PartLayout: Sendable, Equatable {
    public static let magic = Array("APMPART1".utf8)
    public let trials, designs, practices, years: Int
    public let recordsQuality: Bool
    public let outlayComponents: Int

    public init(trials: Int, designs: Int, practices: Int, years: Int, recordsQuality: Bool,
                outlayComponents: Int = PayerOutlay.componentNames.count) {
        self.trials = trials; self.designs = designs; self.practices = practices; self.years = years
        self.recordsQuality = recordsQuality; self.outlayComponents = outlayComponents
    }

    var settledQuantities: [SettledQuantity] { recordsQuality ? SettledQuantity.allCases : [.exposure, .reconciliation] }
    var settledCount: Int { designs * practices * years * trials }
    var worldCount: Int { practices * years * trials }
    public var outlayCount: Int { trials * (designs + 1) * years * outlayComponents }

    /// Total size of the file in bytes.
    public var bytes: Int {
        8 * (Self.magic.count / 8 + settledQuantities.count * settledCount + WorldQuantity.allCases.count * worldCount + outlayCount)
    }

    /// Byte offset of the first trial of one practice-year's column.
    func offset(_ quantity: SettledQuantity, design: Int, practice: Int, year: Int) -> Int {
        let section = settledQuantities.firstIndex(of: quantity)! * settledCount
        return Self.magic.count + 8 * (section + ((design * practices + practice) * years + year - 1) * trials)
    }

    func offset(_ quantity: WorldQuantity, practice: Int, year: Int) -> Int {
        let section = settledQuantities.count * settledCount + quantity.rawValue * worldCount
        return Self.magic.count + 8 * (section + (practice * years + year - 1) * trials)
    }

    var outlayOffset: Int {
        Self.magic.count + 8 * (settledQuantities.count * settledCount + WorldQuantity.allCases.count * worldCount)
    }
}

/// A 64-bit checksum of a part's bytes, taken eight at a time while it is written and again when
/// a merge reads it: it finds truncation, a damaged copy or a file swapped between runs, not a
/// forgery (the manifests are plain JSON anyway).
struct PartChecksum {
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var length: UInt64 = 0

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count % 8 == 0, "part files hold whole 8-byte values")
        for k in 0..<(bytes.count / 8) {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))
            state = (state ^ (word &* 0xBF58_476D_1CE4_E5B9)).rotated(by: 27) &* 0x94D0_49BB_1331_11EB
        }
        length &+= UInt64(bytes.count)
    }

    var hex: String {
        var x = state ^ length
        x = (x ^ (x >> 31)) &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 29
        let digits = String(x, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension UInt64 {
    fileprivate func rotated(by k: UInt64) -> UInt64 { (self << k) | (self >> (64 - k)) }
}

/// Writes `results.part`, buffered, keeping the checksum as it goes.
public struct PartWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var checksum = PartChecksum()
    private(set) var written = 0
    private static let flushBytes = 8 << 20

    /// Writes a part with the values `settled`, `world` and `outlay` give, in the layout's order.
    /// The results of a shard go through `write(_:to:)`; the benchmark hands synthetic columns.
    public static func write(layout: PartLayout, to url: URL,
                             settled: (SettledQuantity, _ design: Int, _ practice: Int, _ year: Int) -> [Double],
                             world: (WorldQuantity, _ practice: Int, _ year: Int) -> [Double],
                             outlay: [Double]) throws -> (bytes: Int, checksum: String) {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        var writer = PartWriter(handle: try FileHandle(forWritingTo: url))
        defer { try? writer.handle.close() }
        writer.buffer.reserveCapacity(Self.flushBytes + 8 * layout.trials)
        try writer.append(bytes: PartLayout.magic)
        for quantity in layout.settledQuantities {
            for d in 0..<layout.designs {
                for p in 0..<layout.practices {
                    for year in 1...layout.years { try writer.append(settled(quantity, d, p, year)) }
                }
            }
        }
        for quantity in WorldQuantity.allCases {
            for p in 0..<layout.practices {
                for year in 1...layout.years { try writer.append(world(quantity, p, year)) }
            }
        }
        try writer.append(outlay)
        try writer.flush()
        try writer.handle.synchronize()
        precondition(writer.written == layout.bytes, "part layout and writer disagree")
        return (writer.written, writer.checksum.hex)
    }

    /// Writes the results of a shard.
    public static func write(_ results: SimulationResults, to url: URL) throws -> (bytes: Int, checksum: String) {
        try write(layout: results.partLayout, to: url,
                  settled: { results.column($0, design: $1, practice: $2, year: $3) },
                  world: { results.column($0, practice: $1, year: $2) },
                  outlay: results.outlay)
    }

    private init(handle: FileHandle) { self.handle = handle }

    private mutating func append(_ values: [Double]) throws {
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer.append(contentsOf: $0) } }
        if buffer.count >= Self.flushBytes { try flush() }
    }

    private mutating func append(bytes: [UInt8]) throws { buffer.append(contentsOf: bytes) }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { checksum.add($0) }
        try handle.write(contentsOf: buffer)
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}

extension SimulationResults {
    public var partLayout: PartLayout {
        PartLayout(trials: trials, designs: designs, practices: practices, years: years, recordsQuality: recordsQuality)
    }
}
