// The app's screens and how they reach each other. Capture routes carry the
// order and visit a capture is filed under, so the capture screens need no
// other state.
package org.siteproof.app

import android.net.Uri
import androidx.compose.runtime.Composable
import androidx.navigation.NavHostController
import androidx.navigation.NavType
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import androidx.navigation.navArgument
import org.siteproof.app.capture.CameraScreen
import org.siteproof.app.capture.CaptureTarget
import org.siteproof.app.capture.NoteScreen
import org.siteproof.app.capture.VoiceScreen
import org.siteproof.app.enroll.EnrollScreen
import org.siteproof.app.inbox.InboxScreen
import org.siteproof.app.order.OrderScreen
import org.siteproof.app.queue.QueueScreen

private object Routes {
    const val INBOX = "inbox"
    const val ORDER = "order/{number}"
    const val QUEUE = "queue"
    const val ENROLL = "enroll"
    const val CAMERA = "camera"
    const val VOICE = "voice"
    const val NOTE = "note"
    const val TARGET_ARGS = "?order={order}&visit={visit}"

    fun order(number: String) = "order/${Uri.encode(number)}"

    fun capture(base: String, t: CaptureTarget): String {
        val args = buildList {
            t.orderNumber?.let { add("order=${Uri.encode(it)}") }
            t.visitId?.let { add("visit=${Uri.encode(it)}") }
        }
        return if (args.isEmpty()) base else base + "?" + args.joinToString("&")
    }
}

private val targetArguments = listOf(
    navArgument("order") { type = NavType.StringType; nullable = true; defaultValue = null },
    navArgument("visit") { type = NavType.StringType; nullable = true; defaultValue = null },
)

@Composable
fun SiteproofNavHost(nav: NavHostController = rememberNavController()) {
    NavHost(nav, startDestination = Routes.INBOX) {
        composable(Routes.INBOX) {
            InboxScreen(
                onOpenOrder = { nav.navigate(Routes.order(it)) },
                onCaptureUnfiled = { nav.navigate(Routes.capture(Routes.CAMERA, CaptureTarget(null, null))) },
                onOpenQueue = { nav.navigate(Routes.QUEUE) },
                onEnroll = { nav.navigate(Routes.ENROLL) },
            )
        }
        composable(Routes.ORDER, listOf(navArgument("number") { type = NavType.StringType })) { entry ->
            OrderScreen(
                number = entry.arguments?.getString("number").orEmpty(),
                onBack = { nav.popBackStack() },
                onPhoto = { nav.navigate(Routes.capture(Routes.CAMERA, it)) },
                onVoice = { nav.navigate(Routes.capture(Routes.VOICE, it)) },
                onNote = { nav.navigate(Routes.capture(Routes.NOTE, it)) },
            )
        }
        composable(Routes.CAMERA + Routes.TARGET_ARGS, targetArguments) { entry ->
            CameraScreen(entry.target(), onBack = { nav.popBackStack() })
        }
        composable(Routes.VOICE + Routes.TARGET_ARGS, targetArguments) { entry ->
            VoiceScreen(entry.target(), onBack = { nav.popBackStack() })
        }
        composable(Routes.NOTE + Routes.TARGET_ARGS, targetArguments) { entry ->
            NoteScreen(entry.target(), onBack = { nav.popBackStack() })
        }
        composable(Routes.QUEUE) { QueueScreen(onBack = { nav.popBackStack() }) }
        composable(Routes.ENROLL) { EnrollScreen(onBack = { nav.popBackStack() }) }
    }
}

private fun androidx.navigation.NavBackStackEntry.target() =
    CaptureTarget(arguments?.getString("order"), arguments?.getString("visit"))
