// What a capture is filed under. Evidence taken from the inbox before any
// order exists is unfiled (both null) and can be attached later; evidence
// from an order screen carries the order and, during a visit, the visit.
package org.siteproof.app.capture

data class CaptureTarget(val orderNumber: String?, val visitId: String?)
