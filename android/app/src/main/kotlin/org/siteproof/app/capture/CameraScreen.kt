// The evidence camera. The shutter moment fixes the capture context (clocks,
// location fix, order, visit); CameraX writes the camera's JPEG to a private
// file, which goes to the core unaltered. The watermark is an overlay on the
// preview only; the worker sees the saved stamp and any flags right after.
package org.siteproof.app.capture

import android.Manifest
import androidx.camera.core.ImageCapture
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.PhotoCamera
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.FilledIconButton
import androidx.compose.material3.Icon
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableLongStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.lifecycle.compose.LocalLifecycleOwner
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.siteproof.app.R
import org.siteproof.app.location.FixProvider
import org.siteproof.app.siteproof
import org.siteproof.app.SiteproofApp
import org.siteproof.app.ui.ScreenScaffold
import org.siteproof.app.ui.rememberGrantedPermissions
import org.siteproof.app.ui.userMessage
import org.siteproof.core.EvidenceItem
import org.siteproof.core.LocationFix
import org.siteproof.core.captureContextNow

@Composable
fun CameraScreen(target: CaptureTarget, onBack: () -> Unit) {
    val context = LocalContext.current
    val app = context.siteproof
    val granted = rememberGrantedPermissions(
        listOf(Manifest.permission.CAMERA, Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION),
    )
    var error by remember { mutableStateOf<String?>(null) }
    ScreenScaffold(stringResource(R.string.camera_title), onBack, error, { error = null }) { padding ->
        if (Manifest.permission.CAMERA !in granted) {
            PermissionNeeded(stringResource(R.string.camera_permission_needed))
            return@ScreenScaffold
        }
        Box(Modifier.fillMaxSize().padding(padding)) {
            CameraViewfinder(
                target,
                locationGranted = Manifest.permission.ACCESS_FINE_LOCATION in granted ||
                    Manifest.permission.ACCESS_COARSE_LOCATION in granted,
                onError = { error = it.userMessage(context) },
                app = app,
            )
        }
    }
}

@Composable
private fun CameraViewfinder(
    target: CaptureTarget,
    locationGranted: Boolean,
    onError: (Throwable) -> Unit,
    app: SiteproofApp,
) {
    val context = LocalContext.current
    val lifecycleOwner = LocalLifecycleOwner.current
    val scope = rememberCoroutineScope()
    val fixProvider = remember { FixProvider(context) }
    val previewView = remember { PreviewView(context) }
    val imageCapture = remember {
        ImageCapture.Builder().setCaptureMode(ImageCapture.CAPTURE_MODE_MAXIMIZE_QUALITY).build()
    }
    var fix by remember { mutableStateOf<LocationFix?>(null) }
    var address by remember { mutableStateOf<String?>(null) }
    var nowMs by remember { mutableLongStateOf(System.currentTimeMillis()) }
    var busy by remember { mutableStateOf(false) }
    var saved by remember { mutableStateOf<Pair<EvidenceItem, LocationFix?>?>(null) }

    // Bound to the navigation entry's lifecycle: CameraX closes the camera when the screen stops.
    LaunchedEffect(Unit) {
        runCatching { cameraProvider(context).bindBackCamera(lifecycleOwner, previewView, imageCapture) }
            .onFailure(onError)
    }
    LaunchedEffect(Unit) {
        while (true) {
            nowMs = System.currentTimeMillis()
            delay(1_000)
        }
    }
    // Keep a recent fix ready, so the shutter never waits for GPS.
    LaunchedEffect(locationGranted) {
        while (true) {
            fix = fixProvider.currentFix() ?: fix
            delay(FIX_REFRESH_MS)
        }
    }
    LaunchedEffect(target.orderNumber) {
        val number = target.orderNumber ?: return@LaunchedEffect
        address = runCatching { app.device.call { it.getOrder(number) }.address }.getOrNull()
    }

    fun shoot() {
        busy = true
        scope.launch {
            try {
                val shotFix = fix
                val captureContext = withContext(Dispatchers.IO) {
                    captureContextNow(shotFix, target.orderNumber, target.visitId)
                }
                val file = newCaptureFile(context, "jpg")
                try {
                    imageCapture.takeJpeg(context, file)
                    val item = app.device.call { it.capturePhoto(file.absolutePath, captureContext) }
                    saved = item to shotFix
                    app.afterCapture()
                } finally {
                    // The core has its own copy (or refused the file, and a retake is the way on site).
                    file.delete()
                }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                onError(e)
            } finally {
                busy = false
            }
        }
    }

    Box(Modifier.fillMaxSize()) {
        AndroidView(factory = { previewView }, modifier = Modifier.fillMaxSize())
        Column(
            Modifier.align(Alignment.BottomCenter).fillMaxWidth().padding(12.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            WatermarkOverlay(liveWatermark(nowMs, fix, address, target.orderNumber))
            saved?.let { (item, itemFix) -> SavedItemCard(item, savedWatermark(item, itemFix, address), Modifier.fillMaxWidth()) }
            Box(Modifier.fillMaxWidth(), contentAlignment = Alignment.Center) {
                if (busy) {
                    CircularProgressIndicator(Modifier.size(72.dp))
                } else {
                    FilledIconButton(onClick = { shoot() }, modifier = Modifier.size(72.dp)) {
                        Icon(Icons.Filled.PhotoCamera, contentDescription = stringResource(R.string.camera_shutter))
                    }
                }
            }
        }
    }
}

private const val FIX_REFRESH_MS = 15_000L
