// Statuses, tags and visit purposes are closed vocabularies owned by the
// core: a worker picks one of its terms, never types a code.
package org.siteproof.app.ui

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.ExposedDropdownMenuBox
import androidx.compose.material3.ExposedDropdownMenuDefaults
import androidx.compose.material3.MenuAnchorType
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import org.siteproof.core.VocabTerm
import org.siteproof.ui.Bilingual

/** A dropdown of vocabulary terms; `noneLabel` is shown while nothing is chosen (the core cannot unset a tag). */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun CodePicker(
    label: String,
    terms: List<VocabTerm>,
    selected: String?,
    onSelect: (String) -> Unit,
    modifier: Modifier = Modifier,
    noneLabel: String? = null,
) {
    var expanded by remember { mutableStateOf(false) }
    val current = terms.firstOrNull { it.code == selected }?.let { Bilingual(it.zh, it.en).local() } ?: (noneLabel ?: "")
    ExposedDropdownMenuBox(expanded = expanded, onExpandedChange = { expanded = it }, modifier = modifier) {
        OutlinedTextField(
            value = current,
            onValueChange = {},
            readOnly = true,
            label = { Text(label) },
            trailingIcon = { ExposedDropdownMenuDefaults.TrailingIcon(expanded = expanded) },
            modifier = Modifier.menuAnchor(MenuAnchorType.PrimaryNotEditable).fillMaxWidth(),
        )
        ExposedDropdownMenu(expanded = expanded, onDismissRequest = { expanded = false }) {
            terms.forEach { term ->
                DropdownMenuItem(
                    text = { Text(Bilingual(term.zh, term.en).local()) },
                    onClick = { onSelect(term.code); expanded = false },
                )
            }
        }
    }
}
