//! The upload queue as a status line and a progress bar: what a worker in a
//! basement needs to know is that evidence is safe on the phone and waiting,
//! and when it has reached the community's server.
package org.siteproof.ui

import java.util.Locale

/** The numbers behind the queue line (the core's QueueStatus, mapped by the app). */
data class QueueFacts(
    val pendingJobs: Long,
    val pendingBytes: Long,
    val failedJobs: Long,
    val receipts: Long,
    val nextAttemptAtMs: Long?,
)

/** Queue state for the status bar. */
data class QueueView(val allSent: Boolean, val needsAttention: Boolean, val text: Bilingual)

/** The status line at `nowMs`. */
fun queueView(q: QueueFacts, nowMs: Long): QueueView {
    val parts = mutableListOf<Bilingual>()
    if (q.pendingJobs > 0) {
        val size = bytesText(q.pendingBytes)
        parts += Bilingual("待上传${q.pendingJobs}项（$size）", "${q.pendingJobs} waiting ($size)")
        val next = q.nextAttemptAtMs
        if (next != null && next > nowMs) {
            val s = span(next - nowMs)
            parts += Bilingual("${s.zh}后重试", "retry in ${s.en}")
        }
    } else {
        parts += Bilingual("全部已上传", "all sent")
    }
    if (q.failedJobs > 0) {
        parts += Bilingual("${q.failedJobs}项失败，请联系热线专干", "${q.failedJobs} failed, ask your coordinator")
    }
    parts += Bilingual("已回执${q.receipts}项", "${q.receipts} receipted")
    return QueueView(
        allSent = q.pendingJobs == 0L && q.failedJobs == 0L,
        needsAttention = q.failedJobs > 0,
        text = Bilingual(parts.joinToString("，") { it.zh }, parts.joinToString(", ") { it.en }),
    )
}

/** Sync progress as a 0..1 fraction by bytes (jobs when no bytes are known). */
fun progressFraction(jobsDone: Long, jobsTotal: Long, bytesDone: Long, bytesTotal: Long): Float = when {
    bytesTotal > 0 -> (bytesDone.toDouble() / bytesTotal).coerceIn(0.0, 1.0).toFloat()
    jobsTotal > 0 -> (jobsDone.toDouble() / jobsTotal).coerceIn(0.0, 1.0).toFloat()
    else -> 1f
}

/** 999 B, 1.5 KB, 12.3 MB, 1.2 GB (powers of 1024, as phones show storage). */
fun bytesText(bytes: Long): String {
    val units = listOf("B", "KB", "MB", "GB", "TB")
    var v = bytes.toDouble()
    var i = 0
    while (v >= 1024 && i < units.lastIndex) {
        v /= 1024
        i++
    }
    return if (i == 0) "$bytes B" else String.format(Locale.ROOT, "%.1f %s", v, units[i])
}
