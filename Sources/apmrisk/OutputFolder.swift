import Foundation
import Locking

/// Why an output folder cannot be used, said before any trial is run.
struct OutputProblem: Error, CustomStringConvertible {
    let description: String
}

/// The run folder a run will write, checked and claimed before the simulation starts, so that a
/// read-only or full volume, a parent that is a file, or a second run to the same folder is found
/// in the first second rather than after an hour of trials.
///
/// Claiming takes an advisory lock (`.NAME.lock` beside the folder) that the kernel releases when
/// the process ends however it ends, and creates the staging folder `.NAME.partial-PID` the files
/// are written into. The staging folder is renamed into place only once every file is complete, so
/// a folder named NAME is always a finished run. Staging folders and locks of runs that are no
/// longer alive are removed by the next run that writes beside them.
final class OutputClaim: Sendable {
    let destination: URL
    let staging: URL
    private let lockPath: String
    private let lockDescriptor: Int32
    /// Whether the lock and staging folder are still ours. Taken while files are written, so a
    /// second interrupt waits for the write to finish before removing what is left.
    private let held = Locked<Bool>(true)

    /// Bytes the run folder takes beyond the scenario copy: the report, summary and tables of the
    /// largest shipped model come to under 2 MB; this leaves room for bigger ones.
    static let typicalOutputBytes = 32 << 20

    private init(destination: URL, staging: URL, lockPath: String, lockDescriptor: Int32) {
        self.destination = destination; self.staging = staging
        self.lockPath = lockPath; self.lockDescriptor = lockDescriptor
    }

    /// Checks that `destination` can be written and claims it. `neededBytes`: what the run will
    /// write. Returns the claim and the stale staging folders it removed.
    static func claim(_ destination: URL, neededBytes: Int) throws(OutputProblem) -> (OutputClaim, removed: [String]) {
        let path = destination.standardizedFileURL.path
        if exists(path) {
            throw OutputProblem(description: "\(path) already exists; choose another --output (a run never writes into an existing folder)")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try checkAncestors(of: parent, for: path)
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputProblem(description: "cannot create \(parent) for \(path): \(plainReason(error))")
        }
        let removed = removeStaleStaging(in: parent)
        let name = URL(fileURLWithPath: path).lastPathComponent
        let lockPath = parent + "/.\(name).lock"
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutputProblem(description: "cannot write in \(parent): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, isStillNamed(lockPath, by: descriptor) else {
            close(descriptor)
            throw OutputProblem(description: "another apmrisk run is already writing \(path); wait for it to finish or choose another --output")
        }
        // The lock is held: a folder that appeared meanwhile was finished by the run that held it.
        if exists(path) {
            close(descriptor)
            throw OutputProblem(description: "\(path) already exists; choose another --output (a run never writes into an existing folder)")
        }
        let staging = URL(fileURLWithPath: parent + "/.\(name).partial-\(getpid())")
        try? FileManager.default.removeItem(at: staging)
        guard mkdir(staging.path, 0o755) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(lockPath); close(descriptor)
            throw OutputProblem(description: "cannot write in \(parent): \(reason)")
        }
        let claim = OutputClaim(destination: URL(fileURLWithPath: path), staging: staging,
                                lockPath: lockPath, lockDescriptor: descriptor)
        var volume = statvfs()
        if statvfs(parent, &volume) == 0 {
            let free = Int(volume.f_bavail) * Int(volume.f_frsize)
            if free < neededBytes {
                claim.release()
                throw OutputProblem(description: String(format: "%@ has %.1f MB free; the run's files need about %.1f MB: free some space or choose another --output",
                                                        parent, Double(free) / 1e6, Double(neededBytes) / 1e6))
            }
        }
        return (claim, removed)
    }

    /// Writes the files and the manifest (last) into the staging folder and renames it into place.
    func write(files: [String: Data], manifest: Data, manifestName: String) throws {
        try held.withLock { held in
            guard held else { throw OutputProblem(description: "the claim on \(destination.path) was already given up") }
            for (name, data) in files.sorted(by: { $0.key < $1.key }) {
                try data.write(to: staging.appendingPathComponent(name))
            }
            try manifest.write(to: staging.appendingPathComponent(manifestName))
            guard rename(staging.path, destination.path) == 0 else {
                throw OutputProblem(description: "cannot move the finished files to \(destination.path): \(String(cString: strerror(errno)))")
            }
            unlock()
            held = false
        }
    }

    /// Gives the claim up, once: the staging folder (and whatever is in it) and the lock go. After
    /// a finished write there is nothing left to give up.
    func release() {
        held.withLock { held in
            guard held else { return }
            try? FileManager.default.removeItem(at: staging)
            unlock()
            held = false
        }
    }

    private func unlock() {
        unlink(lockPath)
        close(lockDescriptor)
    }

    /// Every ancestor of the output that exists must be a directory we can write in; one that is a
    /// file, or read-only, is named.
    private static func checkAncestors(of parent: String, for path: String) throws(OutputProblem) {
        var ancestor = parent
        while !ancestor.isEmpty {
            var status = stat()
            if stat(ancestor, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else {
                    throw OutputProblem(description: "cannot write \(path): \(ancestor) is a file, not a folder")
                }
                guard access(ancestor, W_OK | X_OK) == 0 else {
                    let reason = errno == EROFS ? "is on a read-only volume" : "is not writable by you"
                    throw OutputProblem(description: "cannot write \(path): \(ancestor) \(reason); choose another --output")
                }
                return
            }
            guard errno == ENOENT else {
                throw OutputProblem(description: "cannot write \(path): \(ancestor): \(String(cString: strerror(errno)))")
            }
            let up = URL(fileURLWithPath: ancestor).deletingLastPathComponent().path
            if up == ancestor { return }
            ancestor = up
        }
    }

    /// Staging folders (`.NAME.partial-PID`) whose process is gone, and lock files nobody holds.
    static func removeStaleStaging(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(".") {
            let path = folder + "/" + name
            if let dash = name.range(of: ".partial-", options: .backwards),
               let pid = Int32(name[dash.upperBound...]), pid > 0, !isAlive(pid) {
                if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
            } else if name.hasSuffix(".lock") {
                let descriptor = open(path, O_RDWR | O_CLOEXEC)
                if descriptor >= 0 {
                    if flock(descriptor, LOCK_EX | LOCK_NB) == 0, isStillNamed(path, by: descriptor) { unlink(path) }
                    close(descriptor)
                }
            }
        }
        return removed
    }

    /// Whether `path` still names the file `descriptor` has open: a finishing run unlinks its lock,
    /// and a lock taken on the unlinked file would protect nothing.
    static func isStillNamed(_ path: String, by descriptor: Int32) -> Bool {
        var named = stat(), held = stat()
        return stat(path, &named) == 0 && fstat(descriptor, &held) == 0
            && named.st_ino == held.st_ino && named.st_dev == held.st_dev
    }

    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }
}

/// A file-system error in plain words ("No space left on device"), not Foundation's dump.
func plainReason(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
    if let problem = error as? OutputProblem { return problem.description }
    return nsError.localizedDescription
}
