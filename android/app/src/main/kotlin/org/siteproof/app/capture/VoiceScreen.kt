// The voice-note screen: record, watch the level and time, stop. The capture
// context is taken when recording starts (the moment being documented); the
// finished .m4a goes to the core unaltered.
package org.siteproof.app.capture

import android.Manifest
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Mic
import androidx.compose.material.icons.filled.Stop
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.FilledIconButton
import androidx.compose.material3.Icon
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
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
import java.util.Locale
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.siteproof.app.R
import org.siteproof.app.location.FixProvider
import org.siteproof.app.siteproof
import org.siteproof.app.ui.ScreenScaffold
import org.siteproof.app.ui.rememberGrantedPermissions
import org.siteproof.app.ui.userMessage
import org.siteproof.core.CaptureContext
import org.siteproof.core.EvidenceItem
import org.siteproof.core.captureContextNow

@Composable
fun VoiceScreen(target: CaptureTarget, onBack: () -> Unit) {
    val context = LocalContext.current
    val app = context.siteproof
    val scope = rememberCoroutineScope()
    val granted = rememberGrantedPermissions(
        listOf(Manifest.permission.RECORD_AUDIO, Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION),
    )
    val recorder = remember { VoiceRecorder(context) }
    val fixProvider = remember { FixProvider(context) }
    var error by remember { mutableStateOf<String?>(null) }
    var recording by remember { mutableStateOf(false) }
    var busy by remember { mutableStateOf(false) }
    var startedAtMs by remember { mutableLongStateOf(0L) }
    var elapsedMs by remember { mutableLongStateOf(0L) }
    var level by remember { mutableFloatStateOf(0f) }
    var startContext by remember { mutableStateOf<CaptureContext?>(null) }
    var saved by remember { mutableStateOf<EvidenceItem?>(null) }

    DisposableEffect(Unit) { onDispose { recorder.discard() } }
    LaunchedEffect(recording) {
        while (recording) {
            elapsedMs = System.currentTimeMillis() - startedAtMs
            level = recorder.amplitude() / MAX_AMPLITUDE
            delay(METER_INTERVAL_MS)
        }
    }

    fun start() {
        busy = true
        scope.launch {
            try {
                // The fix may take a few seconds; start recording first so nothing is missed.
                recorder.start()
                startedAtMs = System.currentTimeMillis()
                recording = true
                val fix = fixProvider.currentFix()
                startContext = withContext(Dispatchers.IO) { captureContextNow(fix, target.orderNumber, target.visitId) }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                recorder.discard()
                recording = false
                error = e.userMessage(context)
            } finally {
                busy = false
            }
        }
    }

    fun stop() {
        busy = true
        scope.launch {
            try {
                recording = false
                val file = recorder.stop()
                try {
                    val captureContext = startContext
                        ?: withContext(Dispatchers.IO) { captureContextNow(null, target.orderNumber, target.visitId) }
                    saved = app.device.call { it.captureVoice(file.absolutePath, captureContext) }
                    app.afterCapture()
                } finally {
                    file.delete()
                }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                error = e.userMessage(context)
            } finally {
                startContext = null
                busy = false
            }
        }
    }

    ScreenScaffold(stringResource(R.string.voice_title), onBack, error, { error = null }) { padding ->
        if (Manifest.permission.RECORD_AUDIO !in granted) {
            PermissionNeeded(stringResource(R.string.voice_permission_needed))
            return@ScreenScaffold
        }
        Column(
            Modifier.fillMaxSize().padding(padding).padding(24.dp),
            verticalArrangement = Arrangement.spacedBy(20.dp, Alignment.CenterVertically),
            horizontalAlignment = Alignment.CenterHorizontally,
        ) {
            Text(clockText(elapsedMs), style = MaterialTheme.typography.displayMedium)
            LinearProgressIndicator(progress = { level }, modifier = Modifier.fillMaxWidth())
            Text(stringResource(if (recording) R.string.voice_recording else R.string.voice_ready))
            when {
                busy -> CircularProgressIndicator(Modifier.size(72.dp))
                recording -> FilledIconButton(onClick = { stop() }, modifier = Modifier.size(72.dp)) {
                    Icon(Icons.Filled.Stop, contentDescription = stringResource(R.string.voice_stop))
                }
                else -> FilledIconButton(onClick = { start() }, modifier = Modifier.size(72.dp)) {
                    Icon(Icons.Filled.Mic, contentDescription = stringResource(R.string.voice_start))
                }
            }
            saved?.let { SavedItemCard(it, emptyList(), Modifier.fillMaxWidth()) }
        }
    }
}

private fun clockText(ms: Long): String {
    val s = ms / 1000
    return String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60)
}

private const val MAX_AMPLITUDE = 32_767f
private const val METER_INTERVAL_MS = 200L
