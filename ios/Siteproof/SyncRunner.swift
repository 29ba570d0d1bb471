// One sync at a time, whoever asks (the background task, "sync now", a new
// capture): time anchor, orders, then the outbox, all inside the core. It
// publishes progress for the queue screen and passes cancellation (the OS
// ending background time) to the core between chunks; the queue stays intact.
import Foundation
import SiteproofFFI

/// The listener the core polls: progress out, cancellation in. Thread-safe (called on the syncing thread).
final class CancellableSyncListener: SyncListener, @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private let progress: @Sendable (SyncProgress) -> Void

    init(progress: @escaping @Sendable (SyncProgress) -> Void) { self.progress = progress }

    func cancel() {
        lock.lock(); defer { lock.unlock() }
        cancelled = true
    }

    func onProgress(progress: SyncProgress) { self.progress(progress) }

    func isCancelled() -> Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }
}

@MainActor
final class SyncRunner: ObservableObject {
    static let shared = SyncRunner()

    @Published private(set) var running = false
    @Published private(set) var progress: SyncProgress?
    @Published private(set) var lastError: String?
    @Published private(set) var lastReport: SyncReport?

    private var current: CancellableSyncListener?

    /// Runs a sync now unless one is running; returns whether the run finished without error.
    @discardableResult
    func runNow() async -> Bool {
        guard !running else { return true }
        let listener = CancellableSyncListener { p in Task { @MainActor in SyncRunner.shared.publish(p) } }
        return await run(listener: listener)
    }

    func publish(_ p: SyncProgress) { progress = p }

    /// Cancels a running sync (the core stops between chunks).
    func cancel() { current?.cancel() }

    func run(listener: CancellableSyncListener) async -> Bool {
        guard !running else { return true }
        running = true
        current = listener
        defer { running = false; current = nil; progress = nil }
        do {
            guard try await DeviceHolder.shared.call({ try $0.info() }).serverUrl != nil else { return true } // not enrolled yet
            lastReport = try await DeviceHolder.shared.call { try $0.sync(options: defaultSyncOptions(), listener: listener) }
            lastError = nil
            return true
        } catch SiteproofError.Network, SiteproofError.Cancelled {
            return false // retried by the next scheduled run
        } catch {
            lastError = userMessage(error) // Rejected and others: the worker must ask a coordinator
            return false
        }
    }
}
