// The deadline countdown (办理时限) on every inbox row. This is a line-by-line
// port of android/shared-logic DeadlineCountdown.kt (tested on the JVM): the
// same urgency classes, thresholds and wording, so both phones agree. Change
// them together.
import Foundation

enum Urgency { case overdue, dueSoon, onTrack, noDeadline }

struct Countdown: Equatable {
    let urgency: Urgency
    let text: Bilingual
}

/// Below this much time left an order is "due soon" (one working day).
let dueSoonMs: Int64 = 24 * 60 * 60 * 1000

private let minuteMs: Int64 = 60_000
private let hourMs: Int64 = 60 * minuteMs
private let dayMs: Int64 = 24 * hourMs

func deadlineCountdown(deadlineMs: Int64?, nowMs: Int64) -> Countdown {
    guard let deadlineMs else { return Countdown(urgency: .noDeadline, text: Bilingual(zh: "无时限", en: "no deadline")) }
    let left = deadlineMs - nowMs
    if left <= 0 {
        let d = span(-left)
        return Countdown(urgency: .overdue, text: Bilingual(zh: "已超时\(d.zh)", en: "overdue by \(d.en)"))
    }
    let d = span(left)
    return Countdown(urgency: left <= dueSoonMs ? .dueSoon : .onTrack,
                     text: Bilingual(zh: "剩余\(d.zh)", en: "\(d.en) left"))
}

/// A duration as "2天3小时" / "2 d 3 h"; under an hour as minutes (at least 1).
func span(_ ms: Int64) -> Bilingual {
    if ms < hourMs {
        let m = max(1, ms / minuteMs)
        return Bilingual(zh: "\(m)分钟", en: "\(m) min")
    }
    let days = ms / dayMs
    let hours = (ms % dayMs) / hourMs
    if days == 0 { return Bilingual(zh: "\(hours)小时", en: "\(hours) h") }
    if hours == 0 { return Bilingual(zh: "\(days)天", en: "\(days) d") }
    return Bilingual(zh: "\(days)天\(hours)小时", en: "\(days) d \(hours) h")
}
