// A capture carries the phone's best location fix with its accuracy, time,
// provider and mock flag as the phone reports them. Whether that fix is good
// enough (stale, coarse, mocked) is the core's decision, recorded as flags,
// so this only asks the fused provider for a fresh high-accuracy fix and
// falls back to the last known one rather than to nothing.
package org.siteproof.app.location

import android.Manifest
import android.annotation.SuppressLint
import android.content.Context
import android.location.Location
import android.os.Build
import com.google.android.gms.location.CurrentLocationRequest
import com.google.android.gms.location.LocationServices
import com.google.android.gms.location.Priority
import com.google.android.gms.tasks.CancellationTokenSource
import kotlinx.coroutines.tasks.await
import kotlinx.coroutines.withTimeoutOrNull
import org.siteproof.app.ui.hasPermission
import org.siteproof.core.LocationFix

class FixProvider(private val context: Context) {
    private val client = LocationServices.getFusedLocationProviderClient(context)

    /** A fix now, or null without permission or any known location (the core then flags "no fix"). */
    @SuppressLint("MissingPermission") // checked just below
    suspend fun currentFix(timeoutMs: Long = FIX_TIMEOUT_MS): LocationFix? {
        if (!context.hasPermission(Manifest.permission.ACCESS_FINE_LOCATION) &&
            !context.hasPermission(Manifest.permission.ACCESS_COARSE_LOCATION)
        ) {
            return null
        }
        val request = CurrentLocationRequest.Builder()
            .setPriority(Priority.PRIORITY_HIGH_ACCURACY)
            .setMaxUpdateAgeMillis(MAX_CACHED_AGE_MS)
            .setDurationMillis(timeoutMs)
            .build()
        val cancel = CancellationTokenSource()
        val fresh = try {
            withTimeoutOrNull(timeoutMs) { client.getCurrentLocation(request, cancel.token).await() }
        } finally {
            cancel.cancel()
        }
        // In a basement a fresh fix may never come; an older one is still evidence, and the core marks its age.
        val location = fresh ?: client.lastLocation.await()
        return location?.toFix()
    }

    private fun Location.toFix(): LocationFix = LocationFix(
        lat = latitude,
        lon = longitude,
        accuracyM = if (hasAccuracy()) accuracy.toDouble() else UNKNOWN_ACCURACY_M,
        altitudeM = if (hasAltitude()) altitude else null,
        provider = provider ?: "fused",
        isMock = if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) isMock else @Suppress("DEPRECATION") isFromMockProvider,
        fixTimeMs = time,
    )

    private companion object {
        const val FIX_TIMEOUT_MS = 15_000L
        /** A fix this recent is as good as a new one and spares the battery between shots. */
        const val MAX_CACHED_AGE_MS = 10_000L
        /** Without an accuracy the phone promised nothing: say so with a value the core will flag as coarse. */
        const val UNKNOWN_ACCURACY_M = 10_000.0
    }
}
