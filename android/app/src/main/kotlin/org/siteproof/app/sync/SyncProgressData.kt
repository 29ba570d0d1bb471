// Sync progress crosses from the worker to the queue screen through
// WorkManager's progress Data; the keys live in one place so both sides agree.
package org.siteproof.app.sync

import androidx.work.Data
import androidx.work.workDataOf
import org.siteproof.core.SyncProgress

object SyncProgressData {
    const val JOBS_DONE = "jobsDone"
    const val JOBS_TOTAL = "jobsTotal"
    const val BYTES_DONE = "bytesDone"
    const val BYTES_TOTAL = "bytesTotal"
    const val CURRENT = "current"

    fun of(p: SyncProgress): Data = workDataOf(
        JOBS_DONE to p.jobsDone.toLong(),
        JOBS_TOTAL to p.jobsTotal.toLong(),
        BYTES_DONE to p.bytesDone.toLong(),
        BYTES_TOTAL to p.bytesTotal.toLong(),
        CURRENT to p.current,
    )
}
