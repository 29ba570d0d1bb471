// The worker's own judgement of an order: its status and the four-colour
// tags. Choices come from the core's vocabularies; the core validates and
// records the edit, and the next sync carries it to the server (where the
// core's per-field conflict rule decides against a coordinator's change).
package org.siteproof.app.order

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedTextField
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
import org.siteproof.core.OrderUpdate
import org.siteproof.core.VocabKind
import org.siteproof.core.WorkOrder

/** Edits of `order`; `onSave` receives only the fields that changed. */
@Composable
fun OrderEditor(order: WorkOrder, saving: Boolean, onSave: (OrderUpdate) -> Unit) {
    val labels = LocalContext.current.siteproof.labels
    var status by remember(order) { mutableStateOf(order.status) }
    var tagType by remember(order) { mutableStateOf(order.tagType) }
    var tagHandling by remember(order) { mutableStateOf(order.tagHandling) }
    var tagCallback by remember(order) { mutableStateOf(order.tagCallback) }
    var knowledge by remember(order) { mutableStateOf(order.knowledge) }
    val notSet = stringResource(R.string.tag_not_set)

    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        CodePicker(stringResource(R.string.order_status), labels.terms(VocabKind.ORDER_STATUS), status, { status = it })
        CodePicker(stringResource(R.string.tag_type), labels.terms(VocabKind.TAG_TYPE), tagType, { tagType = it }, noneLabel = notSet)
        CodePicker(stringResource(R.string.tag_handling), labels.terms(VocabKind.TAG_HANDLING), tagHandling, { tagHandling = it }, noneLabel = notSet)
        CodePicker(stringResource(R.string.tag_callback), labels.terms(VocabKind.TAG_CALLBACK), tagCallback, { tagCallback = it }, noneLabel = notSet)
        OutlinedTextField(
            value = knowledge,
            onValueChange = { knowledge = it },
            label = { Text(stringResource(R.string.tag_knowledge)) },
            modifier = Modifier.fillMaxWidth(),
        )
        Button(
            enabled = !saving,
            modifier = Modifier.fillMaxWidth(),
            onClick = {
                onSave(
                    OrderUpdate(
                        status = status.takeIf { it != order.status },
                        tagType = tagType.takeIf { it != order.tagType },
                        tagHandling = tagHandling.takeIf { it != order.tagHandling },
                        tagCallback = tagCallback.takeIf { it != order.tagCallback },
                        knowledge = knowledge.takeIf { it != order.knowledge },
                    ),
                )
            },
        ) { Text(stringResource(R.string.order_save)) }
    }
}
