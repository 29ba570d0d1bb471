// Tests of the plain-Kotlin view logic, run on the JVM by the bindings
// harness (bindings/tests/kotlin.rs) and by Gradle's :shared-logic:test.
package org.siteproof.ui

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

class SharedLogicTest {
    private val now = 1_795_000_000_000L // 2026-11-18
    private val hour = 3_600_000L

    @Test
    fun countdownClassesAndWording() {
        val late = deadlineCountdown(now - 2 * hour, now)
        assertEquals(Urgency.OVERDUE, late.urgency)
        assertEquals("已超时2小时", late.text.zh)
        assertEquals("overdue by 2 h", late.text.en)

        val soon = deadlineCountdown(now + 5 * hour + 59 * 60_000, now)
        assertEquals(Urgency.DUE_SOON, soon.urgency)
        assertEquals("剩余5小时", soon.text.zh)

        val edge = deadlineCountdown(now + DUE_SOON_MS, now)
        assertEquals(Urgency.DUE_SOON, edge.urgency)
        assertEquals(Urgency.ON_TRACK, deadlineCountdown(now + DUE_SOON_MS + 1, now).urgency)

        val later = deadlineCountdown(now + 51 * hour, now)
        assertEquals("剩余2天3小时", later.text.zh)
        assertEquals("2 d 3 h left", later.text.en)
        assertEquals("2 d left", deadlineCountdown(now + 48 * hour, now).text.en)
        assertEquals("剩余1分钟", deadlineCountdown(now + 10_000, now).text.zh)
        assertEquals("已超时1分钟", deadlineCountdown(now, now).text.zh)
        assertEquals(Urgency.NO_DEADLINE, deadlineCountdown(null, now).urgency)
    }

    @Test
    fun watermarkShowsLocalTimePlaceAndOrderAndFlagsMock() {
        val w = WatermarkInput(
            timeMs = 1_795_123_456_000L, utcOffsetMin = 480, anchored = true,
            lat = 39.908712, lon = 116.397512, accuracyM = 8.4, isMock = false,
            address = " 幸福里3号楼 ", orderNumber = "2026112300123",
        )
        assertEquals(
            listOf("2026-11-20 05:24:16 UTC+08:00 已校时", "39.90871, 116.39751 ±8m", "幸福里3号楼", "工单 2026112300123"),
            watermarkLines(w, Lang.ZH),
        )
        val en = watermarkLines(w.copy(anchored = false, isMock = true, utcOffsetMin = -210, orderNumber = null), Lang.EN)
        assertEquals("2026-11-19 17:54:16 UTC-03:30", en[0])
        assertTrue(en[1], en[1].endsWith("MOCK LOCATION"))
        assertEquals(3, en.size)
        assertEquals("无定位", watermarkLines(w.copy(lat = null), Lang.ZH)[1])
    }

    @Test
    fun queueLineSaysWhatIsWaitingAndWhatFailed() {
        val waiting = queueView(QueueFacts(5, 3_500_000, 0, 2, now + 90_000), now)
        assertFalse(waiting.allSent)
        assertEquals("待上传5项（3.3 MB），1分钟后重试，已回执2项", waiting.text.zh)
        assertEquals("5 waiting (3.3 MB), retry in 1 min, 2 receipted", waiting.text.en)

        val failed = queueView(QueueFacts(0, 0, 1, 7, null), now)
        assertTrue(failed.needsAttention)
        assertFalse(failed.allSent)
        assertTrue(failed.text.zh, failed.text.zh.startsWith("全部已上传，1项失败"))

        assertTrue(queueView(QueueFacts(0, 0, 0, 3, null), now).allSent)
        assertEquals("999 B", bytesText(999))
        assertEquals("1.5 KB", bytesText(1536))
        assertEquals(0.5f, progressFraction(0, 4, 50, 100))
        assertEquals(0.25f, progressFraction(1, 4, 0, 0))
        assertEquals(1f, progressFraction(0, 0, 0, 0))
    }

    @Test
    fun inboxRowsCarryCountdownChipsAndSummary() {
        val labels = Labeler { of, code -> Bilingual("zh:$of:$code", "en:$of:$code") }
        val base = OrderFacts(
            number = "A1", kind = "complaint", category = "噪音", address = "幸福里3号楼",
            deadlineMs = now - hour, status = "in_progress", tagType = "key", tagHandling = null,
            tagCallback = "dissatisfied", knowledge = "夜间施工许可", dirty = true,
        )
        val closed = base.copy(number = "A2", status = "closed", knowledge = "", tagType = null, tagCallback = null, dirty = false)
        val soon = base.copy(number = "A3", deadlineMs = now + hour, knowledge = "")
        val s = inboxState(listOf(base, closed, soon), now, labels)
        assertEquals(listOf("A1", "A2", "A3"), s.rows.map { it.number })
        val a1 = s.rows[0]
        assertEquals(Urgency.OVERDUE, a1.countdown.urgency)
        assertEquals(listOf(TagAxis.TYPE, TagAxis.CALLBACK, TagAxis.KNOWLEDGE), a1.chips.map { it.axis })
        assertEquals("zh:TAG_TYPE:key", a1.chips[0].text.zh)
        assertEquals("zh:KIND:complaint·噪音", a1.title.zh)
        assertTrue(a1.unsynced)
        assertEquals(Urgency.NO_DEADLINE, s.rows[1].countdown.urgency)
        assertEquals("共3件，超时1件，24小时内到期1件", s.summary.zh)
    }
}
