// A text note written on site ("the text written after checking on site"):
// signed and chained like a photo, with the same clocks and fix, so a note
// proves where and when it was written.
package org.siteproof.app.capture

import android.Manifest
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.siteproof.app.R
import org.siteproof.app.location.FixProvider
import org.siteproof.app.siteproof
import org.siteproof.app.sync.SyncScheduler
import org.siteproof.app.ui.ScreenScaffold
import org.siteproof.app.ui.rememberGrantedPermissions
import org.siteproof.app.ui.userMessage
import org.siteproof.core.EvidenceItem
import org.siteproof.core.captureContextNow

@Composable
fun NoteScreen(target: CaptureTarget, onBack: () -> Unit) {
    val context = LocalContext.current
    val app = context.siteproof
    val scope = rememberCoroutineScope()
    rememberGrantedPermissions(listOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION))
    val fixProvider = remember { FixProvider(context) }
    var text by rememberSaveable { mutableStateOf("") }
    var busy by remember { mutableStateOf(false) }
    var error by remember { mutableStateOf<String?>(null) }
    var saved by remember { mutableStateOf<EvidenceItem?>(null) }

    fun save() {
        busy = true
        scope.launch {
            try {
                val fix = fixProvider.currentFix()
                val captureContext = withContext(Dispatchers.IO) { captureContextNow(fix, target.orderNumber, target.visitId) }
                // The core checks the text (an empty note is refused with its own message).
                saved = app.device.call { it.addNote(text, captureContext) }
                text = ""
                SyncScheduler.syncNow(context)
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                error = e.userMessage(context)
            } finally {
                busy = false
            }
        }
    }

    ScreenScaffold(stringResource(R.string.note_title), onBack, error, { error = null }) { padding ->
        Column(
            Modifier.fillMaxSize().padding(padding).padding(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            OutlinedTextField(
                value = text,
                onValueChange = { text = it },
                label = { Text(stringResource(R.string.note_hint)) },
                modifier = Modifier.fillMaxWidth().heightIn(min = 160.dp),
            )
            Button(onClick = { save() }, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(R.string.note_save))
            }
            saved?.let { SavedItemCard(it, listOfNotNull(it.text), Modifier.fillMaxWidth()) }
        }
    }
}
