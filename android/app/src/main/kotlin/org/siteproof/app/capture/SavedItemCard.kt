// After every capture the worker sees what the core recorded: that it is
// safe on the phone, its stamp, and any doubt the core flagged (no fix, mock
// location, clock off) in words, so a bad shot can be retaken on the spot.
package org.siteproof.app.capture

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import org.siteproof.app.R
import org.siteproof.app.ui.local
import org.siteproof.core.EvidenceItem
import org.siteproof.core.describeFlag
import org.siteproof.ui.Bilingual

@Composable
fun SavedItemCard(item: EvidenceItem, stamp: List<String>, modifier: Modifier = Modifier) {
    Card(modifier) {
        Column(Modifier.padding(12.dp)) {
            Text(stringResource(R.string.capture_saved, item.seq.toLong()), style = MaterialTheme.typography.titleSmall)
            stamp.forEach { Text(it, style = MaterialTheme.typography.bodySmall) }
            item.flags.forEach { flag ->
                val text = describeFlag(flag)
                Text(
                    "⚠ " + Bilingual(text.zh, text.en).local(),
                    color = MaterialTheme.colorScheme.error,
                    style = MaterialTheme.typography.bodySmall,
                )
            }
        }
    }
}
