// One work order: what the city asked, its deadline, the worker's status and
// tags, the visits, and every piece of evidence under it with its receipt
// state. Capture buttons file new evidence under this order and, during a
// visit, under that visit.
package org.siteproof.app.order

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.EditNote
import androidx.compose.material.icons.filled.Mic
import androidx.compose.material.icons.filled.PhotoCamera
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.launch
import org.siteproof.app.R
import org.siteproof.app.capture.CaptureTarget
import org.siteproof.app.location.FixProvider
import org.siteproof.app.siteproof
import org.siteproof.app.sync.SyncScheduler
import org.siteproof.app.ui.ScreenScaffold
import org.siteproof.app.ui.local
import org.siteproof.app.ui.urgencyColor
import org.siteproof.app.ui.userMessage
import org.siteproof.core.EvidenceItem
import org.siteproof.core.Visit
import org.siteproof.core.VocabKind
import org.siteproof.core.WorkOrder
import org.siteproof.ui.deadlineCountdown

@Composable
fun OrderScreen(
    number: String,
    onBack: () -> Unit,
    onPhoto: (CaptureTarget) -> Unit,
    onVoice: (CaptureTarget) -> Unit,
    onNote: (CaptureTarget) -> Unit,
) {
    val context = LocalContext.current
    val app = context.siteproof
    val scope = rememberCoroutineScope()
    val fixProvider = remember { FixProvider(context) }
    var order by remember { mutableStateOf<WorkOrder?>(null) }
    var visits by remember { mutableStateOf<List<Visit>>(emptyList()) }
    var items by remember { mutableStateOf<List<EvidenceItem>>(emptyList()) }
    var busy by remember { mutableStateOf(false) }
    var error by remember { mutableStateOf<String?>(null) }
    var reload by remember { mutableIntStateOf(0) }

    LaunchedEffect(number, reload) {
        try {
            order = app.device.call { it.getOrder(number) }
            visits = app.device.call { it.listVisits(number) }
            items = app.device.call { it.listItems(number, false) }
        } catch (e: Exception) {
            error = e.userMessage(context)
        }
    }

    /** Runs a core change, then reloads the screen from the store. */
    fun change(action: suspend () -> Unit) {
        busy = true
        scope.launch {
            try {
                action()
                reload++
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                error = e.userMessage(context)
            } finally {
                busy = false
            }
        }
    }

    val activeVisitId = visits.firstOrNull { it.endedAtMs == null }?.id
    val target = CaptureTarget(number, activeVisitId)

    ScreenScaffold(number, onBack, error, { error = null }) { padding ->
        val o = order ?: return@ScreenScaffold
        LazyColumn(Modifier.fillMaxSize().padding(padding)) {
            item { OrderHeader(o) }
            item {
                Row(
                    Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 8.dp),
                    horizontalArrangement = Arrangement.spacedBy(8.dp),
                ) {
                    FilledTonalButton(onClick = { onPhoto(target) }, modifier = Modifier.weight(1f)) {
                        Icon(Icons.Filled.PhotoCamera, stringResource(R.string.camera_title))
                    }
                    FilledTonalButton(onClick = { onVoice(target) }, modifier = Modifier.weight(1f)) {
                        Icon(Icons.Filled.Mic, stringResource(R.string.voice_title))
                    }
                    FilledTonalButton(onClick = { onNote(target) }, modifier = Modifier.weight(1f)) {
                        Icon(Icons.Filled.EditNote, stringResource(R.string.note_title))
                    }
                }
            }
            item {
                Section(stringResource(R.string.visits_title)) {
                    VisitSection(
                        visits = visits,
                        busy = busy,
                        onStart = { purpose ->
                            change {
                                val fix = fixProvider.currentFix()
                                app.device.call { it.startVisit(number, purpose, fix) }
                            }
                        },
                        onEnd = { visitId ->
                            change {
                                val fix = fixProvider.currentFix()
                                app.device.call { it.endVisit(visitId, fix) }
                            }
                        },
                    )
                }
            }
            item {
                Section(stringResource(R.string.evidence_title, items.size)) {}
            }
            items(items, key = { it.itemId }) { item ->
                EvidenceRow(item)
                HorizontalDivider()
            }
            item {
                Section(stringResource(R.string.order_edit_title)) {
                    OrderEditor(o, busy) { update ->
                        change {
                            app.device.call { it.updateOrder(number, update) }
                            SyncScheduler.syncNow(context)
                        }
                    }
                }
            }
        }
    }
}

@Composable
private fun OrderHeader(o: WorkOrder) {
    val labels = LocalContext.current.siteproof.labels
    val countdown = deadlineCountdown(o.deadlineMs, System.currentTimeMillis())
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Text(
            labels.label(VocabKind.ORDER_KIND, o.kind).local() + " · " + o.category,
            style = MaterialTheme.typography.titleLarge,
        )
        Text(o.address, style = MaterialTheme.typography.bodyLarge)
        Text(countdown.text.local(), color = urgencyColor(countdown.urgency))
        Text(labels.label(VocabKind.ORDER_STATUS, o.status).local(), style = MaterialTheme.typography.labelLarge)
        if (o.content.isNotBlank()) Text(o.content, style = MaterialTheme.typography.bodyMedium)
        if (o.dirty) Text(stringResource(R.string.inbox_unsynced), color = MaterialTheme.colorScheme.tertiary)
    }
}

@Composable
private fun Section(title: String, content: @Composable () -> Unit) {
    Column(Modifier.padding(horizontal = 16.dp, vertical = 8.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(title, style = MaterialTheme.typography.titleMedium)
        content()
    }
}
