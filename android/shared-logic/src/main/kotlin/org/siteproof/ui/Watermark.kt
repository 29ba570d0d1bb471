//! The visible stamp drawn over the capture preview (time, place, order
//! number), as watermark cameras do. It is drawn on the screen and on shared
//! copies only: the original file handed to the core is never touched, so
//! the signed hash stays the camera's. The text is built here so Android and
//! the JVM tests produce the same lines.
package org.siteproof.ui

import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.util.Locale

/** What the stamp shows; a missing fix or order simply drops that line's part. */
data class WatermarkInput(
    val timeMs: Long,
    val utcOffsetMin: Int,
    /** True when the time is anchored to the server (shown as 已校时 / server time). */
    val anchored: Boolean,
    val lat: Double?,
    val lon: Double?,
    val accuracyM: Double?,
    val isMock: Boolean,
    val address: String?,
    val orderNumber: String?,
)

private val TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)

/** The stamp's lines, top to bottom, in one language. */
fun watermarkLines(w: WatermarkInput, lang: Lang): List<String> {
    val offset = ZoneOffset.ofTotalSeconds(w.utcOffsetMin * 60)
    val time = TIME.format(Instant.ofEpochMilli(w.timeMs).atOffset(offset)) + " " + utcLabel(w.utcOffsetMin)
    val lines = mutableListOf<String>()
    lines += time + if (w.anchored) Bilingual(" 已校时", " server time").get(lang) else ""
    if (w.lat != null && w.lon != null) {
        val acc = w.accuracyM?.let { " ±${Math.round(it)}m" } ?: ""
        val mock = if (w.isMock) Bilingual(" 模拟定位", " MOCK LOCATION").get(lang) else ""
        lines += String.format(Locale.ROOT, "%.5f, %.5f", w.lat, w.lon) + acc + mock
    } else {
        lines += Bilingual("无定位", "no location").get(lang)
    }
    w.address?.takeIf { it.isNotBlank() }?.let { lines += it.trim() }
    w.orderNumber?.let { lines += Bilingual("工单 $it", "Order $it").get(lang) }
    return lines
}

/** "UTC+08:00", "UTC-03:30". */
internal fun utcLabel(offsetMin: Int): String {
    val sign = if (offsetMin < 0) "-" else "+"
    val a = Math.abs(offsetMin)
    return String.format(Locale.ROOT, "UTC%s%02d:%02d", sign, a / 60, a % 60)
}
