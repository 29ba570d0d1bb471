// The upload queue as a status line and a progress fraction. A line-by-line
// port of android/shared-logic QueueText.kt (tested on the JVM); change them
// together.
import Foundation
import SiteproofFFI

struct QueueLine {
    let allSent: Bool
    let needsAttention: Bool
    let text: Bilingual
}

func queueLine(_ q: QueueStatus, nowMs: Int64) -> QueueLine {
    var parts: [Bilingual] = []
    if q.pendingJobs > 0 {
        let size = bytesText(Int64(q.pendingBytes))
        parts.append(Bilingual(zh: "待上传\(q.pendingJobs)项（\(size)）", en: "\(q.pendingJobs) waiting (\(size))"))
        if let next = q.nextAttemptAtMs, next > nowMs {
            let s = span(next - nowMs)
            parts.append(Bilingual(zh: "\(s.zh)后重试", en: "retry in \(s.en)"))
        }
    } else {
        parts.append(Bilingual(zh: "全部已上传", en: "all sent"))
    }
    if q.failedJobs > 0 {
        parts.append(Bilingual(zh: "\(q.failedJobs)项失败，请联系热线专干", en: "\(q.failedJobs) failed, ask your coordinator"))
    }
    parts.append(Bilingual(zh: "已回执\(q.receipts)项", en: "\(q.receipts) receipted"))
    return QueueLine(
        allSent: q.pendingJobs == 0 && q.failedJobs == 0,
        needsAttention: q.failedJobs > 0,
        text: Bilingual(zh: parts.map(\.zh).joined(separator: "，"), en: parts.map(\.en).joined(separator: ", "))
    )
}

/// Sync progress as a 0...1 fraction by bytes (jobs when no bytes are known).
func progressFraction(_ p: SyncProgress) -> Double {
    if p.bytesTotal > 0 { return min(1, max(0, Double(p.bytesDone) / Double(p.bytesTotal))) }
    if p.jobsTotal > 0 { return min(1, max(0, Double(p.jobsDone) / Double(p.jobsTotal))) }
    return 1
}

/// 999 B, 1.5 KB, 12.3 MB, 1.2 GB (powers of 1024, as phones show storage).
func bytesText(_ bytes: Int64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var v = Double(bytes)
    var i = 0
    while v >= 1024 && i < units.count - 1 {
        v /= 1024
        i += 1
    }
    return i == 0 ? "\(bytes) B" : String(format: "%.1f %@", locale: Locale(identifier: "en_US_POSIX"), v, units[i])
}
