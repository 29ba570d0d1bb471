// Once the core holds an original, two things follow that must not hold up
// the next shot: thumbnails (so the order screen can show the photo) and a
// sync attempt (so the evidence leaves the phone as soon as there is signal).
// Both run in the app's scope, surviving the capture screen closing.
package org.siteproof.app.capture

import kotlinx.coroutines.launch
import org.siteproof.app.SiteproofApp
import org.siteproof.app.sync.SyncScheduler

fun SiteproofApp.afterCapture() {
    appScope.launch {
        // A failure here only delays thumbnails; the next sync makes them again.
        runCatching { device.call { it.makePendingDerivatives() } }
    }
    SyncScheduler.syncNow(this)
}
