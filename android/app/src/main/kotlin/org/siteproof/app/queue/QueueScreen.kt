// The upload queue: what a worker in a basement needs to know is that the
// evidence is safe on the phone and waiting, and when the community's server
// has it. The status line is shared-logic's queueView; progress is the
// running sync worker's; failed jobs show the core's reason.
package org.siteproof.app.queue

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
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
import androidx.work.WorkInfo
import androidx.work.WorkManager
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.launch
import org.siteproof.app.R
import org.siteproof.app.siteproof
import org.siteproof.app.sync.SyncProgressData
import org.siteproof.app.sync.SyncScheduler
import org.siteproof.app.toFacts
import org.siteproof.app.ui.ScreenScaffold
import org.siteproof.app.ui.local
import org.siteproof.app.ui.userMessage
import org.siteproof.core.OutboxJob
import org.siteproof.core.QueueStatus
import org.siteproof.ui.bytesText
import org.siteproof.ui.progressFraction
import org.siteproof.ui.queueView

@Composable
fun QueueScreen(onBack: () -> Unit) {
    val context = LocalContext.current
    val app = context.siteproof
    val scope = rememberCoroutineScope()
    var status by remember { mutableStateOf<QueueStatus?>(null) }
    var jobs by remember { mutableStateOf<List<OutboxJob>>(emptyList()) }
    var error by remember { mutableStateOf<String?>(null) }
    var reload by remember { mutableIntStateOf(0) }

    val workManager = remember { WorkManager.getInstance(context) }
    val running by remember {
        combine(
            workManager.getWorkInfosForUniqueWorkFlow(SyncScheduler.ONE_TIME_WORK),
            workManager.getWorkInfosForUniqueWorkFlow(SyncScheduler.PERIODIC_WORK),
        ) { a, b -> (a + b).firstOrNull { it.state == WorkInfo.State.RUNNING } }
    }.collectAsState(initial = null)

    // Refreshed while shown: every few seconds during a sync, else each time the screen opens.
    LaunchedEffect(reload, running != null) {
        while (true) {
            try {
                status = app.device.call { it.queueStatus() }
                jobs = app.device.call { it.queueJobs() }
            } catch (e: Exception) {
                error = e.userMessage(context)
            }
            if (running == null) break
            delay(REFRESH_DURING_SYNC_MS)
        }
    }

    ScreenScaffold(stringResource(R.string.queue_title), onBack, error, { error = null }) { padding ->
        LazyColumn(Modifier.fillMaxSize().padding(padding)) {
            item {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
                    status?.let { s ->
                        val view = queueView(s.toFacts(), System.currentTimeMillis())
                        Text(
                            view.text.local(),
                            style = MaterialTheme.typography.titleMedium,
                            color = if (view.needsAttention) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                        )
                    }
                    running?.let { info ->
                        val p = info.progress
                        val fraction = progressFraction(
                            p.getLong(SyncProgressData.JOBS_DONE, 0),
                            p.getLong(SyncProgressData.JOBS_TOTAL, 0),
                            p.getLong(SyncProgressData.BYTES_DONE, 0),
                            p.getLong(SyncProgressData.BYTES_TOTAL, 0),
                        )
                        Text(stringResource(R.string.queue_syncing))
                        LinearProgressIndicator(progress = { fraction }, modifier = Modifier.fillMaxWidth())
                        p.getString(SyncProgressData.CURRENT)?.takeIf { it.isNotBlank() }?.let {
                            Text(it, style = MaterialTheme.typography.bodySmall)
                        }
                    }
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        Button(onClick = { SyncScheduler.syncNow(context) }, enabled = running == null) {
                            Text(stringResource(R.string.queue_sync_now))
                        }
                        if ((status?.failedJobs ?: 0uL) > 0uL) {
                            OutboxRetryButton {
                                scope.launch {
                                    try {
                                        app.device.call { it.retryFailedJobs() }
                                        SyncScheduler.syncNow(context)
                                        reload++
                                    } catch (e: Exception) {
                                        error = e.userMessage(context)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            items(jobs, key = { it.id }) { job ->
                JobRow(job)
                HorizontalDivider()
            }
        }
    }
}

@Composable
private fun OutboxRetryButton(onClick: () -> Unit) {
    OutlinedButton(onClick = onClick) { Text(stringResource(R.string.queue_retry_failed)) }
}

@Composable
private fun JobRow(job: OutboxJob) {
    Column(Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 8.dp)) {
        Text("${partLabel(job.part)} · ${bytesText(job.bytes.toLong())}", style = MaterialTheme.typography.bodyMedium)
        Text(stateLabel(job.state), style = MaterialTheme.typography.labelMedium)
        job.lastError?.let { Text(it, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodySmall) }
    }
}

@Composable
private fun partLabel(part: String): String = when (part) {
    "thumbnail" -> stringResource(R.string.job_part_thumbnail)
    "original" -> stringResource(R.string.job_part_original)
    "manifest" -> stringResource(R.string.job_part_manifest)
    else -> part
}

@Composable
private fun stateLabel(state: String): String = when (state) {
    "pending" -> stringResource(R.string.job_state_pending)
    "done" -> stringResource(R.string.job_state_done)
    "failed" -> stringResource(R.string.job_state_failed)
    else -> state
}

private const val REFRESH_DURING_SYNC_MS = 2_000L
