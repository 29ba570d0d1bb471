// Capture screens need runtime permissions (camera, microphone, location)
// and ask for them when opened, not at install; a refused location still
// allows capture, since the core records "no fix" as a flag instead.
package org.siteproof.app.ui

import android.content.Context
import android.content.pm.PackageManager
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.platform.LocalContext
import androidx.core.content.ContextCompat

fun Context.hasPermission(permission: String): Boolean =
    ContextCompat.checkSelfPermission(this, permission) == PackageManager.PERMISSION_GRANTED

/** Asks once for `permissions`; returns the ones currently granted (updates when the worker answers). */
@Composable
fun rememberGrantedPermissions(permissions: List<String>): Set<String> {
    val context = LocalContext.current
    var granted by remember { mutableStateOf(permissions.filter { context.hasPermission(it) }.toSet()) }
    val launcher = rememberLauncherForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) { result ->
        granted = permissions.filter { result[it] == true || context.hasPermission(it) }.toSet()
    }
    LaunchedEffect(Unit) {
        val missing = permissions.filterNot { context.hasPermission(it) }
        if (missing.isNotEmpty()) launcher.launch(missing.toTypedArray())
    }
    return granted
}
