// The camera and recorder write into the app's private files (never shared
// storage, where another app could alter a file before the core hashes it).
// The core copies the file into its store, so ours is deleted afterwards.
package org.siteproof.app.capture

import android.content.Context
import java.io.File
import java.util.UUID

fun newCaptureFile(context: Context, extension: String): File {
    val dir = File(context.filesDir, "capture").apply { mkdirs() }
    return File(dir, "${System.currentTimeMillis()}-${UUID.randomUUID()}.$extension")
}
