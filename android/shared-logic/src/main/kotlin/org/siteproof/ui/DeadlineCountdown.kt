//! The deadline countdown (办理时限) on every inbox row. A worker triages by
//! it, so the urgency classes are fixed here and tested, not left to each
//! screen: overdue, due within a day, due later, or no deadline at all.
package org.siteproof.ui

/** How urgent an order's deadline is. */
enum class Urgency { OVERDUE, DUE_SOON, ON_TRACK, NO_DEADLINE }

/** A countdown to show: its urgency and its text. */
data class Countdown(val urgency: Urgency, val text: Bilingual)

/** Below this much time left an order is "due soon" (one working day). */
const val DUE_SOON_MS: Long = 24L * 60 * 60 * 1000

private const val MINUTE = 60_000L
private const val HOUR = 60 * MINUTE
private const val DAY = 24 * HOUR

/** The countdown of a deadline at `nowMs`; minutes are shown only under an hour. */
fun deadlineCountdown(deadlineMs: Long?, nowMs: Long): Countdown {
    if (deadlineMs == null) {
        return Countdown(Urgency.NO_DEADLINE, Bilingual("无时限", "no deadline"))
    }
    val left = deadlineMs - nowMs
    if (left <= 0) {
        val d = span(-left)
        return Countdown(Urgency.OVERDUE, Bilingual("已超时${d.zh}", "overdue by ${d.en}"))
    }
    val d = span(left)
    val urgency = if (left <= DUE_SOON_MS) Urgency.DUE_SOON else Urgency.ON_TRACK
    return Countdown(urgency, Bilingual("剩余${d.zh}", "${d.en} left"))
}

/** A duration as "2天3小时" / "2 d 3 h"; under an hour as minutes (at least 1). */
internal fun span(ms: Long): Bilingual {
    if (ms < HOUR) {
        val m = maxOf(1, ms / MINUTE)
        return Bilingual("${m}分钟", "$m min")
    }
    val days = ms / DAY
    val hours = (ms % DAY) / HOUR
    return when {
        days == 0L -> Bilingual("${hours}小时", "$hours h")
        hours == 0L -> Bilingual("${days}天", "$days d")
        else -> Bilingual("${days}天${hours}小时", "$days d $hours h")
    }
}
