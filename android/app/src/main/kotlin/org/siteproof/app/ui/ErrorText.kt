// The core's errors already carry a bilingual message meant for the worker
// ("中文 / English"), so a dialog shows it as is; anything else is a bug on
// our side and gets a generic sentence naming it.
package org.siteproof.app.ui

import android.content.Context
import org.siteproof.app.R
import org.siteproof.core.SiteproofException

fun Throwable.userMessage(context: Context): String = when (this) {
    is SiteproofException -> message?.takeIf { it.isNotBlank() } ?: context.getString(R.string.error_unexpected, javaClass.simpleName)
    else -> context.getString(R.string.error_unexpected, javaClass.simpleName)
}
