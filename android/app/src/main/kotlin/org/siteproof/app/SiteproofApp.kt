// The process-wide owner of the evidence store. The store allows one opener
// per process (it holds a file lock), so it is opened exactly once, here, on
// a background thread as the app starts; screens and the sync worker share it.
package org.siteproof.app

import android.app.Application
import android.content.Context
import java.io.File
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.Dispatchers
import org.siteproof.app.sync.SyncNotifier
import org.siteproof.app.sync.SyncScheduler
import org.siteproof.core.SiteproofDevice

class SiteproofApp : Application() {
    /** Outlives screens: work that must finish after the worker leaves one (thumbnails after a capture). */
    val appScope: CoroutineScope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    lateinit var device: DeviceHolder
        private set

    /** Labels from the core's vocabulary, shared by every screen. */
    val labels: CoreLabels by lazy { CoreLabels() }

    override fun onCreate() {
        super.onCreate()
        val storeDir = File(filesDir, "store")
        device = DeviceHolder(appScope) {
            SiteproofDevice.open(storeDir.absolutePath, SecretStore(this).loadOrCreate())
        }
        SyncNotifier.createChannel(this)
        SyncScheduler.schedulePeriodic(this)
    }
}

/** The application object from any context (activity, worker, composable's LocalContext). */
val Context.siteproof: SiteproofApp get() = applicationContext as SiteproofApp
