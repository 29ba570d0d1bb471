// One piece of evidence under an order: what it is, when (anchored server
// time when the core had it), the core's flags in words, and whether the
// community's server has signed a receipt for it, with the receipt itself on
// request, re-checked by the core against the enrolled server key.
package org.siteproof.app.order

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import org.siteproof.app.R
import org.siteproof.app.siteproof
import org.siteproof.app.ui.localDateTime
import org.siteproof.app.ui.local
import org.siteproof.app.ui.userMessage
import org.siteproof.core.EvidenceItem
import org.siteproof.core.EntryKind
import org.siteproof.core.describeFlag
import org.siteproof.ui.Bilingual

@Composable
fun EvidenceRow(item: EvidenceItem) {
    val context = LocalContext.current
    val app = context.siteproof
    val scope = rememberCoroutineScope()
    var receiptText by remember { mutableStateOf<String?>(null) }

    fun showReceipt() {
        scope.launch {
            receiptText = try {
                val r = app.device.call { it.receipt(item.itemId) }
                if (r == null) {
                    context.getString(R.string.receipt_none)
                } else {
                    context.getString(R.string.receipt_detail, localDateTime(r.receivedAtMs), r.logIndex.toLong(), r.manifestHash)
                }
            } catch (e: Exception) {
                e.userMessage(context)
            }
        }
    }

    Row(
        Modifier.fillMaxWidth().clickable { showReceipt() }.padding(horizontal = 16.dp, vertical = 8.dp),
        horizontalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        if (item.mediaType?.startsWith("image/") == true) {
            Thumbnail(item.itemId, stringResource(R.string.evidence_photo))
        }
        Column(Modifier.weight(1f), verticalArrangement = Arrangement.spacedBy(2.dp)) {
            Text(kindLabel(item), style = MaterialTheme.typography.titleSmall)
            val anchored = item.anchoredUtcMs
            Text(
                if (anchored != null) stringResource(R.string.evidence_time_anchored, localDateTime(anchored))
                else stringResource(R.string.evidence_time_phone, localDateTime(item.deviceTimeMs)),
                style = MaterialTheme.typography.bodySmall,
            )
            item.text?.let { Text(it, style = MaterialTheme.typography.bodyMedium, maxLines = 3) }
            item.flags.forEach { flag ->
                val t = describeFlag(flag)
                Text("⚠ " + Bilingual(t.zh, t.en).local(), color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodySmall)
            }
            Text(
                stringResource(if (item.hasReceipt) R.string.evidence_receipted else R.string.evidence_waiting),
                color = if (item.hasReceipt) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.onSurfaceVariant,
                style = MaterialTheme.typography.labelMedium,
            )
        }
    }
    receiptText?.let { text ->
        AlertDialog(
            onDismissRequest = { receiptText = null },
            confirmButton = { TextButton(onClick = { receiptText = null }) { Text(stringResource(R.string.ok)) } },
            title = { Text(stringResource(R.string.receipt_title)) },
            text = { Text(text) },
        )
    }
}

@Composable
private fun kindLabel(item: EvidenceItem): String = when (item.kind) {
    EntryKind.PHOTO -> stringResource(R.string.evidence_photo)
    EntryKind.VOICE -> item.durationMs?.let { stringResource(R.string.evidence_voice_duration, it.toLong() / 1000) }
        ?: stringResource(R.string.evidence_voice)
    EntryKind.VIDEO -> stringResource(R.string.evidence_video)
    EntryKind.RECEIVED -> stringResource(R.string.evidence_received, item.receivedFrom ?: "")
    EntryKind.NOTE -> stringResource(R.string.evidence_note)
    EntryKind.ATTACH -> stringResource(R.string.evidence_attach)
}
