// Site visits (现场核实, 整改, 跟进观察, 权属取证) frame the evidence: a visit
// is started where the worker arrives and ended where they leave, each end
// with a location fix, and captures during it are filed under it.
package org.siteproof.app.order

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import org.siteproof.app.R
import org.siteproof.app.siteproof
import org.siteproof.app.ui.CodePicker
import org.siteproof.app.ui.local
import org.siteproof.app.ui.localDateTime
import org.siteproof.core.Visit
import org.siteproof.core.VocabKind

@Composable
fun VisitSection(
    visits: List<Visit>,
    busy: Boolean,
    onStart: (purpose: String) -> Unit,
    onEnd: (visitId: String) -> Unit,
) {
    val labels = LocalContext.current.siteproof.labels
    val purposes = labels.terms(VocabKind.VISIT_PURPOSE)
    var purpose by remember { mutableStateOf(purposes.firstOrNull()?.code) }
    val active = visits.firstOrNull { it.endedAtMs == null }

    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        if (active != null) {
            Text(
                stringResource(
                    R.string.visit_active,
                    labels.label(VocabKind.VISIT_PURPOSE, active.purpose).local(),
                    localDateTime(active.startedAtMs),
                ),
                style = MaterialTheme.typography.bodyMedium,
            )
            OutlinedButton(onClick = { onEnd(active.id) }, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(R.string.visit_end))
            }
        } else {
            CodePicker(stringResource(R.string.visit_purpose), purposes, purpose, { purpose = it })
            Button(
                onClick = { purpose?.let(onStart) },
                enabled = !busy && purpose != null,
                modifier = Modifier.fillMaxWidth(),
            ) { Text(stringResource(R.string.visit_start)) }
        }
        visits.filter { it.endedAtMs != null }.forEach { v ->
            Text(
                stringResource(
                    R.string.visit_done,
                    labels.label(VocabKind.VISIT_PURPOSE, v.purpose).local(),
                    localDateTime(v.startedAtMs),
                    localDateTime(v.endedAtMs ?: v.startedAtMs),
                ),
                style = MaterialTheme.typography.bodySmall,
            )
        }
    }
}
