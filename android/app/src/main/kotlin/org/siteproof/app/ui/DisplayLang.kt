// Texts built by the core and by shared-logic come in both languages; the
// screen picks the one the phone is set to (zh-CN unless the phone is in
// another language), matching which strings.xml Android chose.
package org.siteproof.app.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import androidx.compose.ui.platform.LocalConfiguration
import org.siteproof.ui.Bilingual
import org.siteproof.ui.Lang

@Composable
@ReadOnlyComposable
fun displayLang(): Lang {
    val locales = LocalConfiguration.current.locales
    return if (locales.isEmpty() || locales[0].language == "zh") Lang.ZH else Lang.EN
}

/** This text in the display language. */
@Composable
@ReadOnlyComposable
fun Bilingual.local(): String = get(displayLang())
