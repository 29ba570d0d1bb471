// The labels of stored codes (order kinds, statuses, the four tags, visit
// purposes) come from the core's vocabulary so the phone says 重点 / 已解决
// exactly as the server console and the CLI do. This adapts it to the
// shared-logic Labeler and gives pickers their choices.
package org.siteproof.app

import org.siteproof.core.VocabKind
import org.siteproof.core.VocabTerm
import org.siteproof.core.vocabulary
import org.siteproof.ui.Bilingual
import org.siteproof.ui.LabelOf
import org.siteproof.ui.Labeler

class CoreLabels : Labeler {
    // The vocabularies are fixed tables in the library: read each once.
    private val tables: Map<VocabKind, List<VocabTerm>> = VocabKind.entries.associateWith { vocabulary(it) }

    /** The terms of a vocabulary, in the core's display order. */
    fun terms(kind: VocabKind): List<VocabTerm> = tables.getValue(kind)

    /** The label of a code; an unknown code (newer server) is shown as itself. */
    fun label(kind: VocabKind, code: String): Bilingual =
        terms(kind).firstOrNull { it.code == code }?.let { Bilingual(it.zh, it.en) } ?: Bilingual(code, code)

    override fun label(of: LabelOf, code: String): Bilingual = label(of.vocabKind(), code)

    private fun LabelOf.vocabKind(): VocabKind = when (this) {
        LabelOf.KIND -> VocabKind.ORDER_KIND
        LabelOf.STATUS -> VocabKind.ORDER_STATUS
        LabelOf.TAG_TYPE -> VocabKind.TAG_TYPE
        LabelOf.TAG_HANDLING -> VocabKind.TAG_HANDLING
        LabelOf.TAG_CALLBACK -> VocabKind.TAG_CALLBACK
    }
}
