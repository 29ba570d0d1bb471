// Evidence times on screen are the phone's local time with the date, as
// workers write them in reports; the watermark has its own format in
// shared-logic.
package org.siteproof.app.ui

import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.util.Locale

private val DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)

fun localDateTime(epochMs: Long): String = DATE_TIME.format(Instant.ofEpochMilli(epochMs).atZone(ZoneId.systemDefault()))
