// Once the core holds an original, thumbnails and a sync attempt follow
// without holding up the next shot: detached, surviving the screen closing.
import Foundation

enum AfterCapture {
    static func run() {
        Task.detached(priority: .utility) {
            _ = try? await DeviceHolder.shared.call { try $0.makePendingDerivatives() }
        }
        SyncTask.scheduleSoon()
        Task { await SyncRunner.shared.runNow() }
    }
}
