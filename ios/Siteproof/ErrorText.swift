// The core's errors carry a bilingual message meant for the worker, so an
// alert shows it as is; any other error is ours and is named plainly.
import Foundation
import SiteproofFFI

func userMessage(_ error: Error) -> String {
    guard let e = error as? SiteproofError else {
        return String(format: String(localized: "error.unexpected %@"), String(describing: error))
    }
    switch e {
    case .InvalidInput(let m), .BadMedia(let m), .NotFound(let m), .DiskFull(let m), .Storage(let m),
         .Integrity(let m), .Network(let m), .Rejected(let m), .Cancelled(let m):
        return m.isEmpty ? String(describing: e) : m
    }
}
