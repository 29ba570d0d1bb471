// The worker's inbox: every work order, nearest deadline first (the core's
// order), each with its countdown and the four-colour tags. Rows, urgency and
// the summary come from shared-logic's inboxState; labels from the core.
package org.siteproof.app.inbox

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.CloudUpload
import androidx.compose.material.icons.filled.Link
import androidx.compose.material.icons.filled.PhotoCamera
import androidx.compose.material3.Card
import androidx.compose.material3.FloatingActionButton
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.SuggestionChip
import androidx.compose.material3.SuggestionChipDefaults
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableLongStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.delay
import org.siteproof.app.R
import org.siteproof.app.siteproof
import org.siteproof.app.toFacts
import org.siteproof.app.ui.ScreenScaffold
import org.siteproof.app.ui.local
import org.siteproof.app.ui.tagColor
import org.siteproof.app.ui.urgencyColor
import org.siteproof.app.ui.userMessage
import org.siteproof.core.WorkOrder
import org.siteproof.ui.InboxRow
import org.siteproof.ui.inboxState

@Composable
fun InboxScreen(
    onOpenOrder: (String) -> Unit,
    onCaptureUnfiled: () -> Unit,
    onOpenQueue: () -> Unit,
    onEnroll: () -> Unit,
) {
    val context = LocalContext.current
    val app = context.siteproof
    var orders by remember { mutableStateOf<List<WorkOrder>>(emptyList()) }
    var enrolled by remember { mutableStateOf(true) }
    var error by remember { mutableStateOf<String?>(null) }
    var nowMs by remember { mutableLongStateOf(System.currentTimeMillis()) }

    // Reloaded each time the inbox is shown (after a sync pulled orders, after an edit).
    LaunchedEffect(Unit) {
        try {
            orders = app.device.call { it.listOrders() }
            enrolled = app.device.call { it.info() }.serverUrl != null
        } catch (e: Exception) {
            error = e.userMessage(context)
        }
    }
    // Countdowns move while the list is open.
    LaunchedEffect(Unit) {
        while (true) {
            delay(COUNTDOWN_TICK_MS)
            nowMs = System.currentTimeMillis()
        }
    }
    val state = remember(orders, nowMs) { inboxState(orders.map { it.toFacts() }, nowMs, app.labels) }

    ScreenScaffold(
        title = stringResource(R.string.inbox_title),
        onBack = null,
        error = error,
        onDismissError = { error = null },
        actions = {
            IconButton(onClick = onOpenQueue) { Icon(Icons.Filled.CloudUpload, stringResource(R.string.queue_title)) }
            IconButton(onClick = onEnroll) { Icon(Icons.Filled.Link, stringResource(R.string.enroll_title)) }
        },
        floatingActionButton = {
            FloatingActionButton(onClick = onCaptureUnfiled) {
                Icon(Icons.Filled.PhotoCamera, stringResource(R.string.inbox_capture_unfiled))
            }
        },
    ) { padding ->
        LazyColumn(Modifier.fillMaxSize().padding(padding)) {
            if (!enrolled) {
                item {
                    Card(Modifier.fillMaxWidth().padding(12.dp)) {
                        Column(Modifier.padding(12.dp)) {
                            Text(stringResource(R.string.inbox_not_enrolled))
                            TextButton(onClick = onEnroll) { Text(stringResource(R.string.enroll_title)) }
                        }
                    }
                }
            }
            item {
                Text(
                    state.summary.local(),
                    style = MaterialTheme.typography.labelLarge,
                    modifier = Modifier.padding(horizontal = 16.dp, vertical = 8.dp),
                )
            }
            if (state.rows.isEmpty()) {
                item { Text(stringResource(R.string.inbox_empty), Modifier.padding(16.dp)) }
            }
            items(state.rows, key = { it.number }) { row ->
                InboxRowItem(row, onClick = { onOpenOrder(row.number) })
                HorizontalDivider()
            }
        }
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun InboxRowItem(row: InboxRow, onClick: () -> Unit) {
    Column(
        Modifier.fillMaxWidth().clickable(onClick = onClick).padding(horizontal = 16.dp, vertical = 10.dp),
        verticalArrangement = Arrangement.spacedBy(4.dp),
    ) {
        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
            Text(row.title.local(), style = MaterialTheme.typography.titleMedium)
            Text(row.countdown.text.local(), color = urgencyColor(row.countdown.urgency), style = MaterialTheme.typography.labelLarge)
        }
        Text(row.address, style = MaterialTheme.typography.bodyMedium)
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Text(row.number, style = MaterialTheme.typography.bodySmall)
            Text(row.status.local(), style = MaterialTheme.typography.bodySmall)
            if (row.unsynced) {
                Text(stringResource(R.string.inbox_unsynced), style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.tertiary)
            }
        }
        if (row.chips.isNotEmpty()) {
            FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                row.chips.forEach { chip ->
                    SuggestionChip(
                        onClick = onClick,
                        label = { Text(chip.text.local()) },
                        colors = SuggestionChipDefaults.suggestionChipColors(
                            containerColor = tagColor(chip.axis).copy(alpha = 0.15f),
                            labelColor = tagColor(chip.axis),
                        ),
                    )
                }
            }
        }
    }
}

private const val COUNTDOWN_TICK_MS = 30_000L
