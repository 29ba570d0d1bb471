// Photos are shown from the core's thumbnail (a small upright JPEG it made
// after the original was safe), never by decoding the original: fast, and
// still there after the original was pruned once the server acknowledged it.
package org.siteproof.app.order

import android.graphics.BitmapFactory
import androidx.compose.foundation.Image
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.size
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.produceState
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import org.siteproof.app.siteproof
import org.siteproof.core.DerivativeRole

@Composable
fun Thumbnail(itemId: String, contentDescription: String, modifier: Modifier = Modifier) {
    val app = LocalContext.current.siteproof
    val bitmap by produceState<ImageBitmap?>(null, itemId) {
        value = runCatching {
            app.device.call { d ->
                d.derivatives(itemId).firstOrNull { it.role == DerivativeRole.THUMBNAIL }
                    ?.let { d.blobPath(it.sha256) }
                    ?.let { BitmapFactory.decodeFile(it)?.asImageBitmap() }
            }
        }.getOrNull()
    }
    val shown = bitmap
    if (shown != null) {
        Image(shown, contentDescription, modifier.size(THUMB_DP.dp), contentScale = ContentScale.Crop)
    } else {
        // Not made yet (made after capture and before each sync): a plain tile keeps the row's shape.
        Box(modifier.size(THUMB_DP.dp).background(MaterialTheme.colorScheme.surfaceVariant))
    }
}

private const val THUMB_DP = 64
