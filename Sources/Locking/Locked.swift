#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that threads share, behind a pthread mutex.
///
/// The standard library's `Synchronization.Mutex` would do the same, but on Linux it locks with
/// atomics and futex calls inside a module ThreadSanitizer does not instrument, so TSan sees no
/// ordering and reports every access under it as a race (seen in scripts/sanitize.sh; a 15-line
/// program with one `Mutex`-guarded optional reproduces it). `pthread_mutex_lock` is intercepted by
/// TSan, so with this lock the sanitizer checks what the lock protects instead of crying wolf.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while no other thread can reach it.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
