// When the server refuses this device (revoked, unknown), retrying cannot
// help and the worker must ask a coordinator. That happens in the background,
// so it is said in a notification carrying the core's own bilingual message.
package org.siteproof.app.sync

import android.Manifest
import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Context
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import org.siteproof.app.R
import org.siteproof.app.ui.hasPermission

object SyncNotifier {
    private const val CHANNEL_ID = "sync"
    private const val REFUSED_ID = 1

    fun createChannel(context: Context) {
        val channel = NotificationChannel(
            CHANNEL_ID,
            context.getString(R.string.notify_channel_sync),
            NotificationManager.IMPORTANCE_DEFAULT,
        )
        context.getSystemService(NotificationManager::class.java).createNotificationChannel(channel)
    }

    fun showRefused(context: Context, message: String) {
        // Without the permission (Android 13+) the queue screen still shows the failure.
        if (!context.hasPermission(Manifest.permission.POST_NOTIFICATIONS) &&
            android.os.Build.VERSION.SDK_INT >= android.os.Build.VERSION_CODES.TIRAMISU
        ) {
            return
        }
        val notification = NotificationCompat.Builder(context, CHANNEL_ID)
            .setSmallIcon(android.R.drawable.stat_notify_error)
            .setContentTitle(context.getString(R.string.notify_sync_refused))
            .setContentText(message)
            .setStyle(NotificationCompat.BigTextStyle().bigText(message))
            .setAutoCancel(true)
            .build()
        NotificationManagerCompat.from(context).notify(REFUSED_ID, notification)
    }
}
