import Foundation
import Locking
import Scenario

/// Why parts cannot be merged, naming the part and what is missing, duplicated or mismatched.
public struct MergeProblem: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The parts of one run, checked: one identity, every trial exactly once, every file whole.
public struct PartSet: Sendable {
    /// Each part's folder and manifest, in trial order.
    public let parts: [(folder: URL, manifest: PartManifest)]
    public var first: PartManifest { parts[0].manifest }

    /// Largest `part.json` read; a real one is under a kilobyte.
    static let maximumManifestBytes = 1 << 20

    /// Reads the manifests in `folders` (each a part folder, or a folder of part folders, as a
    /// shared parts folder is) and checks that they are one run's parts, covering each trial once.
    public static func open(_ folders: [URL]) throws(MergeProblem) -> PartSet {
        var found: [(folder: URL, manifest: PartManifest)] = []
        for folder in folders {
            let direct = folder.appendingPathComponent(PartManifest.fileName)
            if FileManager.default.fileExists(atPath: direct.path) {
                found.append((folder, try manifest(at: direct)))
                continue
            }
            let children = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { !$0.hasPrefix(".") }.sorted()
                .map { folder.appendingPathComponent($0) }
                .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent(PartManifest.fileName).path) }
            guard !children.isEmpty else {
                throw MergeProblem("\(folder.path) is neither a part (it has no \(PartManifest.fileName)) nor a folder of parts; give the folder the shards wrote into (their --output) or the part folders themselves")
            }
            for child in children { found.append((child, try manifest(at: child.appendingPathComponent(PartManifest.fileName)))) }
        }
        guard !found.isEmpty else { throw MergeProblem("no parts given") }
        try checkOneRun(found)
        let ordered = found.sorted { ($0.manifest.firstTrial, $0.folder.path) < ($1.manifest.firstTrial, $1.folder.path) }
        try checkCoverage(ordered)
        return PartSet(parts: ordered)
    }

    static func manifest(at url: URL) throws(MergeProblem) -> PartManifest {
        var status = stat()
        guard stat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) <= maximumManifestBytes,
              let data = FileManager.default.contents(atPath: url.path) else {
            throw MergeProblem("\(url.path): not a readable part manifest (a regular file of at most 1 MiB)")
        }
        let manifest: PartManifest
        do { manifest = try JSONDecoder().decode(PartManifest.self, from: data) } catch {
            throw MergeProblem("\(url.path): not a part manifest apmrisk can read (\(error))")
        }
        guard manifest.format == "apmrisk partial run", manifest.formatVersion == PartManifest.currentFormatVersion else {
            throw MergeProblem("\(url.path): formatVersion is \(manifest.formatVersion), expected \(PartManifest.currentFormatVersion): the part was written by another version of apmrisk")
        }
        let shape = [manifest.trials, manifest.designs, manifest.practices, manifest.years, manifest.outlayComponents]
        guard manifest.trialCount >= 1, manifest.firstTrial >= 0, manifest.trials <= ScenarioLoader.maximumTrials,
              manifest.firstTrial + manifest.trialCount <= manifest.trials, shape.allSatisfy({ $0 >= 1 && $0 <= 10_000_000 }),
              manifest.shards >= 1, manifest.shard >= 0, manifest.shard < manifest.shards else {
            throw MergeProblem("\(url.path): its trial range \(manifest.firstTrial)..<\(manifest.firstTrial + manifest.trialCount) of \(manifest.trials) trials (shard \(manifest.shard) of \(manifest.shards)) is not possible; the manifest was edited or damaged")
        }
        return manifest
    }

    /// Every field but the shard's own must agree with the first part's.
    static func checkOneRun(_ parts: [(folder: URL, manifest: PartManifest)]) throws(MergeProblem) {
        let reference = parts[0]
        func shared(_ m: PartManifest) -> [(String, String)] {
            [("toolVersion", m.toolVersion), ("scenario.sha256", m.scenario.sha256),
             ("roster.sha256", m.roster?.sha256 ?? "none"), ("seed", String(m.seed)), ("trials", String(m.trials)),
             ("confidence", m.confidence.map { String($0) } ?? "the scenario's"), ("generator", m.generator),
             ("method", m.method), ("libraryMembers", String(m.libraryMembers)),
             ("designs", String(m.designs)), ("practices", String(m.practices)), ("years", String(m.years)),
             ("recordsQuality", String(m.recordsQuality)), ("outlayComponents", String(m.outlayComponents))]
        }
        let expected = shared(reference.manifest)
        for part in parts.dropFirst() {
            for ((key, want), (_, got)) in zip(expected, shared(part.manifest)) where want != got {
                throw MergeProblem("\(part.folder.path)/\(PartManifest.fileName): \(key) is \(got), but \(reference.folder.path) has \(want): the parts are not from one run (same apmrisk, scenario, roster, seed, trials and settings)")
            }
        }
    }

    static func checkCoverage(_ ordered: [(folder: URL, manifest: PartManifest)]) throws(MergeProblem) {
        let total = ordered[0].manifest.trials
        var next = 0
        var previous: URL?
        for part in ordered {
            let range = part.manifest.trialRange
            if range.lowerBound > next {
                throw MergeProblem("trials \(next)..<\(range.lowerBound) of \(total) are in no part\(missingShards(ordered)); run the missing shards, then merge again")
            }
            if range.lowerBound < next, let previous {
                throw MergeProblem("trials \(range.lowerBound)..<\(min(next, range.upperBound)) are in both \(previous.path) and \(part.folder.path); give each shard once")
            }
            next = range.upperBound
            previous = part.folder
        }
        if next < total {
            throw MergeProblem("trials \(next)..<\(total) of \(total) are in no part\(missingShards(ordered)); run the missing shards, then merge again")
        }
    }

    /// ": shards 2, 5 of 8 are missing", when the parts come from one split.
    static func missingShards(_ parts: [(folder: URL, manifest: PartManifest)]) -> String {
        let count = parts[0].manifest.shards
        guard parts.allSatisfy({ $0.manifest.shards == count }) else { return "" }
        let present = Set(parts.map(\.manifest.shard))
        let missing = (0..<count).filter { !present.contains($0) }
        guard !missing.isEmpty else { return "" }
        return " (shard\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) of \(count) \(missing.count == 1 ? "is" : "are") missing)"
    }

    /// Reads every part once, checking its size and checksum, so a damaged or truncated copy is
    /// refused before any summary is made.
    public func verify() throws(MergeProblem) {
        for part in parts {
            let url = part.folder.appendingPathComponent(PartManifest.dataFileName)
            guard let handle = FileHandle(forReadingAtPath: url.path) else {
                throw MergeProblem("\(url.path): missing or unreadable")
            }
            defer { try? handle.close() }
            var checksum = PartChecksum()
            var read = 0
            var magic: [UInt8] = []
            while true {
                let chunk: Data
                do { chunk = try handle.read(upToCount: 8 << 20) ?? Data() } catch {
                    throw MergeProblem("\(url.path): cannot be read (\(error.localizedDescription))")
                }
                if chunk.isEmpty { break }
                if magic.count < 8 { magic += chunk.prefix(8 - magic.count) }
                guard chunk.count % 8 == 0 else { read += chunk.count; break }
                chunk.withUnsafeBytes { checksum.add($0) }
                read += chunk.count
            }
            guard magic == PartLayout.magic, read == part.manifest.dataBytes, read == part.manifest.layout.bytes,
                  checksum.hex == part.manifest.checksum else {
                throw MergeProblem("\(url.path): \(read) bytes with checksum \(read % 8 == 0 ? checksum.hex : "—"), but \(PartManifest.fileName) says \(part.manifest.dataBytes) bytes with checksum \(part.manifest.checksum): the part is truncated or damaged; run shard \(part.manifest.shard) of \(part.manifest.shards) again")
            }
        }
    }

    /// The whole run's results, read from the parts as the summaries need them; the payer's
    /// outlay (small) is read into memory now.
    public func results(scenario: Scenario) throws(MergeProblem) -> SimulationResults {
        let m = first
        let plan: RunPlan
        do { plan = try RunPlan(scenario: scenario) } catch { throw MergeProblem("\(scenario.sourceFile): \(error)") }
        let placement = plan.designs.map { $0.placement.map { SimulationResults.PracticePlace(track: $0.track, tier: $0.tier) } }
        var results = SimulationResults(trials: m.trials, designs: m.designs, practices: m.practices, years: m.years,
                                        placement: placement, recordsQuality: m.recordsQuality, allocate: false)
        let columns = try PartColumns(parts)
        results.outlay = try columns.outlay()
        results.stored = columns
        results.method = SimulationMethod(rawValue: m.method) ?? .member
        return results
    }
}

/// The practice-level columns of a merged run, read from the parts with positioned reads (safe
/// from several summary threads at once).
final class PartColumns: StoredColumns, @unchecked Sendable {
    private let descriptors: [Int32]
    private let paths: [String]
    private let layouts: [PartLayout]
    private let firstTrials: [Int]
    let trials: Int
    /// The first read that failed after the parts were verified (a disk error mid-merge); the
    /// merge checks it before writing anything.
    let failure = Locked<String?>(nil)

    init(_ parts: [(folder: URL, manifest: PartManifest)]) throws(MergeProblem) {
        var descriptors: [Int32] = []
        for part in parts {
            let path = part.folder.appendingPathComponent(PartManifest.dataFileName).path
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                descriptors.forEach { close($0) }
                throw MergeProblem("\(path): cannot be opened (\(String(cString: strerror(errno))))")
            }
            descriptors.append(fd)
        }
        self.descriptors = descriptors
        paths = parts.map { $0.folder.appendingPathComponent(PartManifest.dataFileName).path }
        layouts = parts.map(\.manifest.layout)
        firstTrials = parts.map(\.manifest.firstTrial)
        trials = parts[0].manifest.trials
    }

    deinit { descriptors.forEach { close($0) } }

    func settled(_ quantity: SettledQuantity, design: Int, practice: Int, year: Int) -> [Double] {
        column { $0.offset(quantity, design: design, practice: practice, year: year) }
    }

    func world(_ quantity: WorldQuantity, practice: Int, year: Int) -> [Double] {
        column { $0.offset(quantity, practice: practice, year: year) }
    }

    private func column(at offset: (PartLayout) -> Int) -> [Double] {
        var values = [Double](repeating: 0, count: trials)
        values.withUnsafeMutableBytes { buffer in
            for k in descriptors.indices {
                let destination = UnsafeMutableRawBufferPointer(rebasing: buffer[(8 * firstTrials[k])..<(8 * (firstTrials[k] + layouts[k].trials))])
                if !read(k, into: destination, at: offset(layouts[k])) { return }
            }
        }
        return Self.fromLittleEndian(values)
    }

    /// Part files are little-endian; on a little-endian machine (every one apmrisk runs on today)
    /// the values read are already right, and no copy is made on the merge's hottest path.
    static func fromLittleEndian(_ values: [Double]) -> [Double] {
        #if _endian(big)
        return values.map { Double(bitPattern: UInt64(littleEndian: $0.bitPattern)) }
        #else
        return values
        #endif
    }

    private func read(_ part: Int, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptors[part], buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            let reason = n == 0 ? "the file ended early" : String(cString: strerror(errno))
            failure.withLock { $0 = $0 ?? "\(paths[part]): read failed (\(reason))" }
            return false
        }
        return true
    }

    func outlay() throws(MergeProblem) -> [Double] {
        var all: [Double] = []
        for k in descriptors.indices {
            let layout = layouts[k]
            var values = [Double](repeating: 0, count: layout.outlayCount)
            let ok = values.withUnsafeMutableBytes { read(k, into: $0, at: layout.outlayOffset) }
            guard ok else { throw MergeProblem(failure.withLock { $0 } ?? "\(paths[k]): read failed") }
            all += Self.fromLittleEndian(values)
        }
        return all
    }
}

extension SimulationResults {
    /// Why reading a merged run's parts failed while summarising, if it did: the summary made
    /// from it is then incomplete and must not be written.
    public var storageFailure: String? { (stored as? PartColumns)?.failure.withLock { $0 } }
}
