// shared-logic is plain Kotlin and does not see the generated bindings (so
// the JVM tests need no native library); these map the core's records onto
// the facts its view functions take.
package org.siteproof.app

import org.siteproof.core.QueueStatus
import org.siteproof.core.WorkOrder
import org.siteproof.ui.OrderFacts
import org.siteproof.ui.QueueFacts

fun WorkOrder.toFacts(): OrderFacts = OrderFacts(
    number = number,
    kind = kind,
    category = category,
    address = address,
    deadlineMs = deadlineMs,
    status = status,
    tagType = tagType,
    tagHandling = tagHandling,
    tagCallback = tagCallback,
    knowledge = knowledge,
    dirty = dirty,
)

fun QueueStatus.toFacts(): QueueFacts = QueueFacts(
    pendingJobs = pendingJobs.toLong(),
    pendingBytes = pendingBytes.toLong(),
    failedJobs = failedJobs.toLong(),
    receipts = receipts.toLong(),
    nextAttemptAtMs = nextAttemptAtMs,
)
