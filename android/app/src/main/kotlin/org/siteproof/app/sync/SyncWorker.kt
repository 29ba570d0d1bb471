// One background sync: time anchor, orders, then the outbox, all inside the
// core. WorkManager decides when (network up) and retries when the network
// failed; the core decides everything about what is sent. Stopping (the OS
// ends background time) is passed to the core between chunks through the
// listener, and the queue stays intact for the next run.
package org.siteproof.app.sync

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import org.siteproof.app.siteproof
import org.siteproof.core.SiteproofException
import org.siteproof.core.SyncListener
import org.siteproof.core.SyncProgress
import org.siteproof.core.defaultSyncOptions

class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {

    override suspend fun doWork(): Result {
        val device = applicationContext.siteproof.device
        val listener = object : SyncListener {
            override fun onProgress(progress: SyncProgress) {
                setProgressAsync(SyncProgressData.of(progress))
            }

            override fun isCancelled(): Boolean = isStopped
        }
        return try {
            // The periodic and the one-time job may overlap; one sync at a time per store.
            syncLock.withLock {
                if (device.call { it.info() }.serverUrl == null) {
                    return@withLock Result.success() // not enrolled yet: nothing to talk to
                }
                val report = device.call { it.sync(defaultSyncOptions(), listener) }
                Result.success(
                    workDataOf(
                        "receipts" to report.receipts.toLong(),
                        "jobsRemaining" to report.jobsRemaining.toLong(),
                        "jobsFailed" to report.jobsFailed.toLong(),
                    ),
                )
            }
        } catch (e: SiteproofException.Network) {
            Result.retry()
        } catch (e: SiteproofException.Cancelled) {
            Result.retry()
        } catch (e: SiteproofException.Rejected) {
            SyncNotifier.showRefused(applicationContext, e.message.orEmpty())
            Result.failure(workDataOf("error" to e.message))
        } catch (e: SiteproofException) {
            Result.failure(workDataOf("error" to e.message))
        }
    }

    private companion object {
        val syncLock = Mutex()
    }
}
