// One Material 3 theme for the app, plus the colours that carry meaning on
// site: the four tag axes of the four-colour method (四色标注) and deadline
// urgency, so a worker reads a row's state before its words.
package org.siteproof.app.ui

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color
import org.siteproof.ui.TagAxis
import org.siteproof.ui.Urgency

private val Light = lightColorScheme(
    primary = Color(0xFF1F5FAD),
    secondary = Color(0xFF4C6A3A),
    error = Color(0xFFB3261E),
)

private val Dark = darkColorScheme(
    primary = Color(0xFFA6C8FF),
    secondary = Color(0xFFB3D19C),
    error = Color(0xFFF2B8B5),
)

@Composable
fun SiteproofTheme(content: @Composable () -> Unit) {
    MaterialTheme(colorScheme = if (isSystemInDarkTheme()) Dark else Light, content = content)
}

/** Chip colour of a tag axis: red, blue, green, amber as the paper method uses. */
fun tagColor(axis: TagAxis): Color = when (axis) {
    TagAxis.TYPE -> Color(0xFFC62828)
    TagAxis.HANDLING -> Color(0xFF1565C0)
    TagAxis.CALLBACK -> Color(0xFF2E7D32)
    TagAxis.KNOWLEDGE -> Color(0xFFEF8F00)
}

/** Countdown colour: overdue and due-soon must stand out in a long list. */
@Composable
fun urgencyColor(urgency: Urgency): Color = when (urgency) {
    Urgency.OVERDUE -> MaterialTheme.colorScheme.error
    Urgency.DUE_SOON -> Color(0xFFE65100)
    Urgency.ON_TRACK -> MaterialTheme.colorScheme.onSurfaceVariant
    Urgency.NO_DEADLINE -> MaterialTheme.colorScheme.outline
}
