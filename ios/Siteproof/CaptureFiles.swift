// Camera and recorder files are written to the app's private temporary
// folder, handed to the core (which copies them into its store), then
// deleted: the core's copy is the evidence.
import Foundation

enum CaptureFiles {
    static func newFile(extension ext: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capture", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("\(Int64(Date().timeIntervalSince1970 * 1000))-\(UUID().uuidString).\(ext)")
    }
}

/// Where a capture is filed: an order and, during a visit, the visit; both nil for unfiled evidence.
struct CaptureTarget: Hashable {
    var orderNumber: String?
    var visitId: String?
}
