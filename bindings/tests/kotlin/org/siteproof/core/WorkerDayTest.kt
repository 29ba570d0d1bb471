// A community worker's day through the generated Kotlin bindings, on the JVM
// against the host build of libsiteproof_ffi and a real siteproof-server
// process (started and bootstrapped by bindings/tests/kotlin.rs, which
// passes its address, a one-time enrolment code and the fixtures by env).
package org.siteproof.core

import java.io.File
import java.security.SecureRandom
import java.util.concurrent.CopyOnWriteArrayList
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.siteproof.ui.Bilingual
import org.siteproof.ui.LabelOf
import org.siteproof.ui.Labeler
import org.siteproof.ui.OrderFacts
import org.siteproof.ui.QueueFacts
import org.siteproof.ui.Urgency
import org.siteproof.ui.inboxState
import org.siteproof.ui.queueView

/** The order the harness's coordinator created on the server and assigned to worker wang. */
private const val DISPATCHED = "2026112300123"

class WorkerDayTest {
    private fun env(name: String): String = System.getenv(name) ?: error("$name is not set (run through cargo test -p siteproof-ffi)")

    private val serverUrl = env("SITEPROOF_SERVER_URL")
    private val enrollCode = env("SITEPROOF_ENROLL_CODE")
    private val photo = env("SITEPROOF_PHOTO")
    private val photo2 = env("SITEPROOF_PHOTO2")
    private val voice = env("SITEPROOF_VOICE")
    private val video = env("SITEPROOF_VIDEO")
    private val work = File(env("SITEPROOF_WORK_DIR"))

    // The fixture photo's EXIF GPS (DSCN0010.jpg), so the fix agrees with the file.
    private fun fix(accuracy: Double = 8.0, mock: Boolean = false) = LocationFix(
        lat = 43.4674, lon = 11.8851, accuracyM = accuracy, altitudeM = null,
        provider = "fused", isMock = mock, fixTimeMs = System.currentTimeMillis(),
    )

    /** Labels backed by the core's vocabulary, as the app's Labeler is. */
    private val labels = Labeler { of, code ->
        val kind = when (of) {
            LabelOf.KIND -> VocabKind.ORDER_KIND
            LabelOf.STATUS -> VocabKind.ORDER_STATUS
            LabelOf.TAG_TYPE -> VocabKind.TAG_TYPE
            LabelOf.TAG_HANDLING -> VocabKind.TAG_HANDLING
            LabelOf.TAG_CALLBACK -> VocabKind.TAG_CALLBACK
        }
        val t = vocabulary(kind).first { it.code == code }
        Bilingual(t.zh, t.en)
    }

    private class Recorder(private val cancelAfter: Int = Int.MAX_VALUE) : SyncListener {
        val seen = CopyOnWriteArrayList<SyncProgress>()
        var polls = 0
        override fun onProgress(progress: SyncProgress) { seen += progress }
        override fun isCancelled(): Boolean = ++polls > cancelAfter
    }

    /**
     * The phone's own decoder makes a HEIC photo's thumbnail and preview (the phones' core has no
     * HEIF decoder) and hands them to the core, which keeps and queues them; a full photo passed
     * off as a thumbnail is refused.
     */
    @Test
    fun aPhonesOwnHeicPreviewsAreKept() {
        val secret = ByteArray(32).also { SecureRandom().nextBytes(it) }
        val device = SiteproofDevice.open(File(work, "heic-store").path, secret)
        val shot = device.capturePhoto(env("SITEPROOF_HEIC"), captureContextNow(null, null, null))
        assertEquals("image/heic", shot.mediaType)
        val small = env("SITEPROOF_SMALL_JPEG")
        try {
            device.storePlatformDerivatives(shot.itemId, env("SITEPROOF_PHOTO"), small)
            fail("a full-size photo is not a thumbnail")
        } catch (e: SiteproofException.InvalidInput) {
            assertTrue(e.message, e.message!!.contains("at most 320"))
        }
        val kept = device.storePlatformDerivatives(shot.itemId, small, small)
        assertEquals(listOf(DerivativeRole.THUMBNAIL, DerivativeRole.PREVIEW), kept.map { it.role })
        assertEquals(kept, device.derivatives(shot.itemId))
        assertNotNull(device.blobPath(kept[0].sha256))
        device.close()
    }

    @Test
    fun aWorkersDayFromInboxToReceipts() {
        val secret = ByteArray(32).also { SecureRandom().nextBytes(it) }
        val storeDir = File(work, "store").path
        val device = SiteproofDevice.open(storeDir, secret)

        // A second open of the same store is refused: one process owns it.
        try {
            SiteproofDevice.open(storeDir, secret).close()
            fail("second open of a store in use must fail")
        } catch (e: SiteproofException.Storage) {
            assertTrue(e.message, e.message!!.contains("in use"))
        }

        val info = device.info()
        assertEquals(64, info.publicKey.length)
        assertNull(info.serverUrl)

        // Before any order reaches the phone, the worker notices the building works and
        // types an order in by hand, so the evidence is filed from the first photo.
        val now = System.currentTimeMillis()
        val hand = "2026112300200"
        val order = device.addOrder(NewOrder(
            number = hand, kind = "投诉", category = "噪音", address = "幸福里3号楼",
            content = "夜间施工噪音", deadlineMs = now + 30 * 3_600_000L,
        ))
        assertEquals("complaint", order.kind)
        assertEquals("new", order.status)
        try {
            device.addOrder(NewOrder(number = "2026112300201", kind = "催办", category = "卫生", address = "x"))
            fail("unknown kind must be refused")
        } catch (e: SiteproofException.InvalidInput) {
            assertTrue(e.message, e.message!!.contains("投诉 (complaint)"))
        }

        // On site: a visit, a photo, a voice note, a written note.
        val visit = device.startVisit(hand, "现场核实", fix())
        assertEquals("initial_verification", visit.purpose)
        val ctx = captureContextNow(fix(), hand, visit.id)
        assertTrue(ctx.monotonicMs > 0u)

        val shot = device.capturePhoto(photo, ctx)
        assertEquals(EntryKind.PHOTO, shot.kind)
        assertEquals("image/jpeg", shot.mediaType)
        assertEquals(File(photo).length().toULong(), shot.bytes)
        assertEquals(1uL, shot.seq)
        assertEquals(visit.id, shot.visitId)
        assertFalse(shot.hasReceipt)
        // No sync yet: the time rests on the phone's clock alone, and the core says so.
        assertTrue(shot.flags.toString(), "unanchored" in shot.flags)
        assertTrue("exif_time_mismatch" in shot.flags) // the fixture was shot in 2008
        assertFalse("exif_gps_mismatch" in shot.flags)
        assertEquals("时间未经服务器校准", describeFlag("unanchored").zh)

        val note = device.captureVoice(voice, captureContextNow(fix(), hand, visit.id))
        assertEquals(EntryKind.VOICE, note.kind)
        assertTrue((note.durationMs ?: 0uL) > 0uL)
        val text = device.addNote("物业已清理楼道 / property cleared the hallway", captureContextNow(null, hand, visit.id))
        assertTrue("no_fix" in text.flags)

        // A cut-off JPEG never becomes evidence.
        val cut = File(work, "cut.jpg").apply { writeBytes(File(photo).readBytes().copyOf(20_000)) }
        try {
            device.capturePhoto(cut.path, ctx)
            fail("truncated JPEG must be refused")
        } catch (e: SiteproofException.BadMedia) {
            assertTrue(e.message, e.message!!.contains("truncated"))
        }
        device.endVisit(visit.id, fix())
        assertNotNull(device.listVisits(hand).single().endedAtMs)

        // Back in signal: the queue holds it all, the chain verifies.
        val items = device.listItems(hand, false)
        assertEquals(listOf(EntryKind.PHOTO, EntryKind.VOICE, EntryKind.NOTE), items.map { it.kind })
        val before = device.queueStatus()
        assertEquals(5uL, before.pendingJobs) // 2 originals + 3 manifests
        assertEquals(0uL, before.receipts)
        assertFalse(queueView(before.facts(), now).allSent)
        val report = device.verify()
        assertTrue(report.problems.toString(), report.problems.isEmpty())
        assertEquals(3uL, report.entries)
        assertEquals(2uL, report.blobsChecked)

        // Enrol with the coordinator's code, then sync against the real server.
        try {
            device.enroll(serverUrl, "AAAA-BBBB-CCCC", "wrong code")
            fail("a wrong enrolment code must be refused")
        } catch (e: SiteproofException.Rejected) {
            assertTrue(e.message, e.message!!.contains("HTTP 4"))
        }
        val enrolled = device.enroll(serverUrl, enrollCode, "kotlin-test-phone")
        assertEquals(serverUrl, enrolled.serverUrl)

        val rec = Recorder()
        val sync = device.sync(defaultSyncOptions(), rec)
        assertTrue(sync.anchored)
        assertEquals(3uL, sync.receipts)
        assertEquals(0uL, sync.jobsRemaining)
        assertEquals(0uL, sync.jobsFailed)
        assertEquals(1uL, sync.ordersPulled) // the order the coordinator dispatched to wang
        assertTrue("progress reported", rec.seen.isNotEmpty())
        val last = rec.seen.last()
        assertEquals(last.jobsTotal, last.jobsDone)

        // The receipts: every entry acknowledged by the community's server, signature re-checked.
        for (item in device.listItems(null, false)) {
            val got = device.getItem(item.itemId)
            assertTrue(got.hasReceipt)
            val r = device.receipt(item.itemId)!!
            assertEquals(item.manifestHash, r.manifestHash)
            assertEquals(info.deviceId, r.deviceId)
            assertEquals(item.seq, r.seq)
            assertTrue(r.logIndex >= 1uL)
        }
        val after = device.queueStatus()
        assertEquals(0uL, after.pendingJobs)
        assertEquals(3uL, after.receipts)
        assertTrue(queueView(after.facts(), now).allSent)
        assertNotNull(device.derivatives(shot.itemId).firstOrNull { it.role == DerivativeRole.THUMBNAIL })

        // The inbox now holds the dispatched order too; the worker tags it (四色标注).
        val dispatched = device.getOrder(DISPATCHED)
        assertTrue(dispatched.serverVersion > 0)
        assertFalse(dispatched.dirty)
        val inbox = inboxState(device.listOrders().map { it.facts() }, now, labels)
        assertEquals(listOf(DISPATCHED, hand), inbox.rows.map { it.number }) // nearest deadline first
        assertEquals(Urgency.DUE_SOON, inbox.rows[0].countdown.urgency)
        assertEquals("投诉·噪音", inbox.rows[1].title.zh)
        val tagged = device.updateOrder(DISPATCHED, OrderUpdate(status = "处理中", tagType = "重点", tagHandling = "已解决"))
        assertEquals("key", tagged.tagType)
        assertTrue(tagged.dirty)
        val row = inboxState(listOf(tagged.facts()), now, labels).rows.single()
        assertEquals(listOf("重点", "已解决"), row.chips.map { it.text.zh })
        assertEquals("处理中", row.status.zh)
        assertTrue(row.unsynced)

        // After sync the capture time is anchored to the server's clock.
        val later = device.capturePhoto(photo2, captureContextNow(fix(), DISPATCHED, null))
        assertNotNull(later.anchoredUtcMs)
        assertFalse("unanchored" in later.flags)
        assertTrue(Math.abs(later.anchoredUtcMs!! - System.currentTimeMillis()) < 60_000)

        // The OS ends background time: the sync stops cleanly and the queue keeps the job.
        try {
            device.sync(defaultSyncOptions(), Recorder(cancelAfter = 0))
            fail("a cancelled sync must say so")
        } catch (e: SiteproofException.Cancelled) {
        }
        assertTrue(device.queueStatus().pendingJobs > 0uL)
        val resumed = device.sync(defaultSyncOptions(), null)
        assertEquals(1uL, resumed.receipts)
        val pushed = device.getOrder(DISPATCHED)
        assertFalse("the tag edit reached the server", pushed.dirty)
        assertEquals("resolved", pushed.tagHandling)
        assertTrue(pushed.serverVersion > dispatched.serverVersion)
        assertEquals(4uL, device.queueStatus().receipts)
        assertTrue(device.verify().problems.isEmpty())
        device.close()

        // The sealed key opens only with the Keystore's secret.
        try {
            SiteproofDevice.open(storeDir, ByteArray(32)).close()
            fail("a wrong secret must not open the store")
        } catch (e: SiteproofException.Storage) {
            assertTrue(e.message, e.message!!.contains("wrong sealing secret"))
        }
        SiteproofDevice.open(storeDir, secret).use { again ->
            assertEquals(4, again.listItems(null, false).size)
        }
    }

    @Test
    fun aClipAndAReceivedPhotoThroughTheBindings() {
        val secret = ByteArray(32).also { SecureRandom().nextBytes(it) }
        SiteproofDevice.open(File(work, "store-clips").path, secret).use { device ->
            val clip = device.captureVideo(video, captureContextNow(fix(), null, null))
            assertEquals(EntryKind.VIDEO, clip.kind)
            assertEquals("video/mp4", clip.mediaType)
            assertEquals(File(video).length().toULong(), clip.bytes)
            assertTrue((clip.durationMs ?: 0uL) in 900uL..1100uL)
            assertNull(clip.receivedFrom)

            // A resident's WeChat photo: kept and signed, but as received, its 2008 EXIF not judged against this phone.
            val got = device.importReceived(photo, "居民微信", captureContextNow(fix(), null, null))
            assertEquals(EntryKind.RECEIVED, got.kind)
            assertEquals("居民微信", got.receivedFrom)
            assertEquals("image/jpeg", got.mediaType)
            assertFalse(got.flags.toString(), "exif_time_mismatch" in got.flags)
            assertEquals(2uL, got.seq)
            try {
                device.captureVideo(voice, captureContextNow(fix(), null, null))
                fail("a voice note is not a clip")
            } catch (e: SiteproofException.BadMedia) {
                assertTrue(e.message, e.message!!.contains("not a video clip"))
            }
            assertTrue(device.verify().problems.isEmpty())
        }
    }

    @Test
    fun shareCopiesOfAPhoto() {
        val secret = ByteArray(32).also { SecureRandom().nextBytes(it) }
        SiteproofDevice.open(File(work, "share-store").path, secret).use { device ->
            val shot = device.capturePhoto(photo, captureContextNow(fix(), null, null))

            // The watermarked copy is written, hashed and registered as a signed share entry.
            val out = File(work, "share-watermarked.jpg")
            val copy = device.shareWatermarked(shot.itemId, "王小明", null, out.path, captureContextNow(null, null, null))
            assertEquals(10, copy.code.length)
            assertEquals(shot.itemId, copy.sourceItemId)
            val digest = java.security.MessageDigest.getInstance("SHA-256").digest(out.readBytes())
            assertEquals(digest.joinToString("") { "%02x".format(it) }, copy.copySha256)
            assertNull(copy.verifyUrl) // not enrolled: no server to check against yet
            assertEquals(listOf(EntryKind.PHOTO, EntryKind.SHARE), device.listItems(null, false).map { it.kind })

            // The redacted copy is only written: not evidence, nothing recorded.
            val red = device.shareRedacted(shot.itemId, listOf(PixelRect(0u, 0u, 64u, 48u)), null, File(work, "share-redacted.jpg").path)
            assertEquals(listOf(PixelRect(0u, 0u, 64u, 48u)), red.blurred)
            assertTrue(File(red.path).length() > 0)
            assertEquals(2, device.listItems(null, false).size)
            try {
                device.shareRedacted(shot.itemId, listOf(PixelRect(0u, 0u, 100_000u, 1u)), null, File(work, "x.jpg").path)
                fail("a rectangle outside the photo must be refused")
            } catch (e: SiteproofException.InvalidInput) {
                assertTrue(e.message, e.message!!.contains("outside"))
            }
        }
    }

    @Test
    fun vocabulariesAreBilingualAndComplete() {
        assertEquals(listOf("一般", "重点", "疑难"), vocabulary(VocabKind.TAG_TYPE).map { it.zh })
        assertEquals(4, vocabulary(VocabKind.TAG_HANDLING).size)
        assertEquals(listOf("满意", "理解", "不满意", "重办"), vocabulary(VocabKind.TAG_CALLBACK).map { it.zh })
        assertEquals("follow-up observation", vocabulary(VocabKind.VISIT_PURPOSE).first { it.zh == "跟进观察" }.en)
        assertEquals("unknown flag", describeFlag("no_such_flag").en)
    }
}

private fun WorkOrder.facts() = OrderFacts(
    number = number, kind = kind, category = category, address = address, deadlineMs = deadlineMs,
    status = status, tagType = tagType, tagHandling = tagHandling, tagCallback = tagCallback,
    knowledge = knowledge, dirty = dirty,
)

private fun QueueStatus.facts() = QueueFacts(
    pendingJobs = pendingJobs.toLong(), pendingBytes = pendingBytes.toLong(), failedJobs = failedJobs.toLong(),
    receipts = receipts.toLong(), nextAttemptAtMs = nextAttemptAtMs,
)
