// Every core call blocks (file I/O, fsync, SQLite, network during sync), so
// no screen may call the device on the main thread. This holder owns the one
// SiteproofDevice and is the only way to reach it: callers suspend while the
// call runs on Dispatchers.IO, and wait for the store to finish opening.
package org.siteproof.app

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.withContext
import org.siteproof.core.SiteproofDevice

class DeviceHolder(scope: CoroutineScope, open: () -> SiteproofDevice) {
    /** Started at once; a failure to open is kept and rethrown to every caller, who shows it. */
    private val device: Deferred<SiteproofDevice> = scope.async(Dispatchers.IO) { open() }

    /** Runs a blocking core call off the main thread. */
    suspend fun <T> call(block: (SiteproofDevice) -> T): T {
        val d = device.await()
        return withContext(Dispatchers.IO) { block(d) }
    }
}
