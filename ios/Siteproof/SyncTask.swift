// Sync in the background: a BGProcessingTask that requires a network runs
// the sync and hands the task's expiration to the core as cancellation; a
// BGAppRefreshTask gives extra short chances. Each run schedules the next, so
// the queue keeps draining without the app being opened.
import BackgroundTasks
import Foundation
import SiteproofFFI

enum SyncTask {
    static let processingIdentifier = "org.siteproof.sync"
    static let refreshIdentifier = "org.siteproof.refresh"

    /// Must run before the app finishes launching.
    static func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: processingIdentifier, using: nil) { handle($0) }
        BGTaskScheduler.shared.register(forTaskWithIdentifier: refreshIdentifier, using: nil) { handle($0) }
    }

    /// Schedules the next background runs (processing with network, and a refresh).
    static func schedule(after delay: TimeInterval = 15 * 60) {
        let processing = BGProcessingTaskRequest(identifier: processingIdentifier)
        processing.requiresNetworkConnectivity = true
        processing.requiresExternalPower = false
        processing.earliestBeginDate = Date(timeIntervalSinceNow: delay)
        try? BGTaskScheduler.shared.submit(processing)

        let refresh = BGAppRefreshTaskRequest(identifier: refreshIdentifier)
        refresh.earliestBeginDate = Date(timeIntervalSinceNow: delay)
        try? BGTaskScheduler.shared.submit(refresh)
    }

    /// After a capture: let the system run a sync soon even if the app is closed now.
    static func scheduleSoon() { schedule(after: 60) }

    private static func handle(_ task: BGTask) {
        schedule()
        let listener = CancellableSyncListener { p in Task { @MainActor in SyncRunner.shared.publish(p) } }
        task.expirationHandler = { listener.cancel() }
        Task { @MainActor in
            let ok = await SyncRunner.shared.run(listener: listener)
            task.setTaskCompleted(success: ok)
        }
    }
}
