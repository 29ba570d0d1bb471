// Joining the community's server: a coordinator makes a one-time code for
// this worker; the worker types the server address and the code, or scans
// them. The core registers the device key and keeps the server's key to
// check every receipt and time token afterwards.
package org.siteproof.app.enroll

import android.os.Build
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.QrCodeScanner
import androidx.compose.material3.Button
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import com.google.mlkit.vision.barcode.common.Barcode
import com.google.mlkit.vision.codescanner.GmsBarcodeScannerOptions
import com.google.mlkit.vision.codescanner.GmsBarcodeScanning
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.launch
import kotlinx.coroutines.tasks.await
import org.siteproof.app.R
import org.siteproof.app.siteproof
import org.siteproof.app.sync.SyncScheduler
import org.siteproof.app.ui.ScreenScaffold
import org.siteproof.app.ui.userMessage
import org.siteproof.core.DeviceInfo

@Composable
fun EnrollScreen(onBack: () -> Unit) {
    val context = LocalContext.current
    val app = context.siteproof
    val scope = rememberCoroutineScope()
    var serverUrl by rememberSaveable { mutableStateOf("") }
    var code by rememberSaveable { mutableStateOf("") }
    var deviceName by rememberSaveable { mutableStateOf(Build.MODEL ?: "Android") }
    var info by remember { mutableStateOf<DeviceInfo?>(null) }
    var busy by remember { mutableStateOf(false) }
    var error by remember { mutableStateOf<String?>(null) }

    LaunchedEffect(Unit) {
        info = runCatching { app.device.call { it.info() } }.getOrNull()
        info?.serverUrl?.let { if (serverUrl.isEmpty()) serverUrl = it }
    }

    fun scan() {
        scope.launch {
            try {
                val options = GmsBarcodeScannerOptions.Builder().setBarcodeFormats(Barcode.FORMAT_QR_CODE).build()
                val text = GmsBarcodeScanning.getClient(context, options).startScan().await().rawValue?.trim().orEmpty()
                // A coordinator may show the server address or the code as a QR code; each fills its own field.
                if (text.startsWith("http://") || text.startsWith("https://")) serverUrl = text else code = text
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                error = e.userMessage(context)
            }
        }
    }

    fun enroll() {
        busy = true
        scope.launch {
            try {
                info = app.device.call { it.enroll(serverUrl.trim(), code.trim(), deviceName.trim()) }
                code = ""
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

    ScreenScaffold(stringResource(R.string.enroll_title), onBack, error, { error = null }) { padding ->
        Column(
            Modifier.fillMaxSize().padding(padding).padding(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            info?.let { i ->
                Text(stringResource(R.string.enroll_device_id, i.deviceId), style = MaterialTheme.typography.bodySmall)
                Text(
                    i.serverUrl?.let { stringResource(R.string.enroll_enrolled_to, it) } ?: stringResource(R.string.enroll_not_yet),
                    style = MaterialTheme.typography.bodyMedium,
                )
            }
            OutlinedTextField(
                value = serverUrl,
                onValueChange = { serverUrl = it },
                label = { Text(stringResource(R.string.enroll_server_url)) },
                singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
                modifier = Modifier.fillMaxWidth(),
            )
            OutlinedTextField(
                value = code,
                onValueChange = { code = it },
                label = { Text(stringResource(R.string.enroll_code)) },
                singleLine = true,
                keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters),
                trailingIcon = {
                    IconButton(onClick = { scan() }) {
                        Icon(Icons.Filled.QrCodeScanner, stringResource(R.string.enroll_scan))
                    }
                },
                modifier = Modifier.fillMaxWidth(),
            )
            OutlinedTextField(
                value = deviceName,
                onValueChange = { deviceName = it },
                label = { Text(stringResource(R.string.enroll_device_name)) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
            Button(
                onClick = { enroll() },
                enabled = !busy && serverUrl.isNotBlank() && code.isNotBlank(),
                modifier = Modifier.fillMaxWidth(),
            ) { Text(stringResource(R.string.enroll_submit)) }
        }
    }
}
