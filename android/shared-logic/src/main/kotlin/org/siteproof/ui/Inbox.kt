//! The work-order inbox as rows: countdown, the four tags as chips, and a
//! marker for edits not yet synced. Labels come from the core's vocabulary
//! (through [Labeler]), so the inbox says 重点 / 已解决 exactly as the server
//! console does; this file only decides layout-level things.
package org.siteproof.ui

/** The four tagging axes of the four-colour method (四色标注). */
enum class TagAxis { TYPE, HANDLING, CALLBACK, KNOWLEDGE }

/** Turns a stored code into its label (the app backs it with the core's `vocabulary`). */
fun interface Labeler {
    /** Label of `code` on `axis` (or of an order kind / status, see [LabelOf]). */
    fun label(of: LabelOf, code: String): Bilingual
}

/** What a code is. */
enum class LabelOf { KIND, STATUS, TAG_TYPE, TAG_HANDLING, TAG_CALLBACK }

/** The order fields the inbox needs (the core's WorkOrder, mapped by the app). */
data class OrderFacts(
    val number: String,
    val kind: String,
    val category: String,
    val address: String,
    val deadlineMs: Long?,
    val status: String,
    val tagType: String?,
    val tagHandling: String?,
    val tagCallback: String?,
    val knowledge: String,
    val dirty: Boolean,
)

/** One chip on a row. */
data class TagChip(val axis: TagAxis, val text: Bilingual)

/** One inbox row. */
data class InboxRow(
    val number: String,
    val title: Bilingual,
    val address: String,
    val status: Bilingual,
    val countdown: Countdown,
    val chips: List<TagChip>,
    /** Local edits wait for sync (待同步). */
    val unsynced: Boolean,
)

/** The inbox screen: rows in the core's order plus a summary line. */
data class InboxState(val rows: List<InboxRow>, val summary: Bilingual)

/** Statuses after which a deadline no longer matters to the worker. */
private val FINISHED = setOf("answered", "returned", "closed")

/** Builds the inbox at `nowMs`; finished orders show no countdown urgency. */
fun inboxState(orders: List<OrderFacts>, nowMs: Long, labels: Labeler): InboxState {
    val rows = orders.map { o ->
        val countdown = if (o.status in FINISHED) {
            Countdown(Urgency.NO_DEADLINE, labels.label(LabelOf.STATUS, o.status))
        } else {
            deadlineCountdown(o.deadlineMs, nowMs)
        }
        val chips = buildList {
            o.tagType?.let { add(TagChip(TagAxis.TYPE, labels.label(LabelOf.TAG_TYPE, it))) }
            o.tagHandling?.let { add(TagChip(TagAxis.HANDLING, labels.label(LabelOf.TAG_HANDLING, it))) }
            o.tagCallback?.let { add(TagChip(TagAxis.CALLBACK, labels.label(LabelOf.TAG_CALLBACK, it))) }
            if (o.knowledge.isNotBlank()) add(TagChip(TagAxis.KNOWLEDGE, Bilingual("学习要点", "knowledge")))
        }
        val kind = labels.label(LabelOf.KIND, o.kind)
        InboxRow(
            number = o.number,
            title = Bilingual("${kind.zh}·${o.category}", "${kind.en} · ${o.category}"),
            address = o.address,
            status = labels.label(LabelOf.STATUS, o.status),
            countdown = countdown,
            chips = chips,
            unsynced = o.dirty,
        )
    }
    val overdue = rows.count { it.countdown.urgency == Urgency.OVERDUE }
    val soon = rows.count { it.countdown.urgency == Urgency.DUE_SOON }
    val summary = Bilingual(
        "共${rows.size}件，超时${overdue}件，24小时内到期${soon}件",
        "${rows.size} orders, $overdue overdue, $soon due within 24 h",
    )
    return InboxState(rows, summary)
}
