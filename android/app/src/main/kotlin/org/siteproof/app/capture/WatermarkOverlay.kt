// Workers expect a watermark camera's stamp (time, place, order). It is drawn
// over the preview only: the JPEG handed to the core is the camera's own,
// so its signed hash is of untouched pixels. The lines come from shared-
// logic's watermarkLines, the same text the JVM tests check.
package org.siteproof.app.capture

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.unit.dp
import java.util.TimeZone
import org.siteproof.app.ui.displayLang
import org.siteproof.core.EvidenceItem
import org.siteproof.core.LocationFix
import org.siteproof.ui.WatermarkInput
import org.siteproof.ui.watermarkLines

@Composable
fun WatermarkOverlay(lines: List<String>, modifier: Modifier = Modifier) {
    Column(
        modifier
            .background(Color.Black.copy(alpha = 0.45f), RoundedCornerShape(6.dp))
            .padding(horizontal = 10.dp, vertical = 6.dp),
    ) {
        lines.forEach { Text(it, color = Color.White, style = MaterialTheme.typography.bodySmall) }
    }
}

/** The live stamp: the phone's clock, not yet anchored (the core anchors at capture). */
@Composable
fun liveWatermark(nowMs: Long, fix: LocationFix?, address: String?, orderNumber: String?): List<String> =
    watermarkLines(
        WatermarkInput(
            timeMs = nowMs,
            utcOffsetMin = TimeZone.getDefault().getOffset(nowMs) / 60_000,
            anchored = false,
            lat = fix?.lat,
            lon = fix?.lon,
            accuracyM = fix?.accuracyM,
            isMock = fix?.isMock ?: false,
            address = address,
            orderNumber = orderNumber,
        ),
        displayLang(),
    )

/** The stamp of a saved item: its anchored time when the core had a server anchor. */
@Composable
fun savedWatermark(item: EvidenceItem, fix: LocationFix?, address: String?): List<String> {
    val timeMs = item.anchoredUtcMs ?: item.deviceTimeMs
    return watermarkLines(
        WatermarkInput(
            timeMs = timeMs,
            utcOffsetMin = TimeZone.getDefault().getOffset(timeMs) / 60_000,
            anchored = item.anchoredUtcMs != null,
            lat = fix?.lat,
            lon = fix?.lon,
            accuracyM = fix?.accuracyM,
            isMock = fix?.isMock ?: false,
            address = address,
            orderNumber = item.orderNumber,
        ),
        displayLang(),
    )
}
