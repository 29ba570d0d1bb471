//! Which language a text is wanted in. The apps show zh-CN first and English
//! beside it; view logic returns both so a screen never formats its own.
package org.siteproof.ui

/** Display language of generated text. */
enum class Lang { ZH, EN }

/** A text in both languages; `zh` is shown first. */
data class Bilingual(val zh: String, val en: String) {
    /** The text in one language. */
    fun get(lang: Lang): String = if (lang == Lang.ZH) zh else en

    /** "中文 / English", as the CLI and the server print. */
    fun both(): String = "$zh / $en"
}
