// A community worker's day through the generated Swift bindings: the mirror
// of bindings/tests/kotlin/org/siteproof/core/WorkerDayTest.kt, so both apps
// are held to the same behaviour. Run by `cargo test -p siteproof-ffi --test
// swift` on a machine with a Swift toolchain (a Mac, or Linux with swift):
// that harness starts a real siteproof-server, creates an order for worker
// wang and passes its address, an enrolment code and the fixtures by env.
import Foundation
import XCTest
@testable import SiteproofFFI

/// The order the harness's coordinator created on the server and assigned to worker wang.
private let dispatched = "2026112300123"

private func env(_ name: String) -> String {
    guard let v = ProcessInfo.processInfo.environment[name] else {
        fatalError("\(name) is not set (run through cargo test -p siteproof-ffi --test swift)")
    }
    return v
}

private func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

/// The fixture photo's EXIF GPS (DSCN0010.jpg), so the fix agrees with the file.
private func fix(accuracy: Double = 8.0, mock: Bool = false) -> LocationFix {
    LocationFix(lat: 43.4674, lon: 11.8851, accuracyM: accuracy, altitudeM: nil,
                provider: "corelocation", isMock: mock, fixTimeMs: nowMs())
}

/// Records progress and cancels after a number of polls, as a BGTask's expiration would.
private final class Recorder: SyncListener, @unchecked Sendable {
    private let lock = NSLock()
    private let cancelAfter: Int
    private(set) var seen: [SyncProgress] = []
    private var polls = 0

    init(cancelAfter: Int = Int.max) { self.cancelAfter = cancelAfter }

    func onProgress(progress: SyncProgress) {
        lock.lock(); defer { lock.unlock() }
        seen.append(progress)
    }

    func isCancelled() -> Bool {
        lock.lock(); defer { lock.unlock() }
        polls += 1
        return polls > cancelAfter
    }
}

/// The bilingual message of a Siteproof error, for assertions on what the worker reads.
private func message(_ error: Error) -> String {
    guard let e = error as? SiteproofError else { return "\(error)" }
    switch e {
    case .InvalidInput(let m), .BadMedia(let m), .NotFound(let m), .DiskFull(let m), .Storage(let m),
         .Integrity(let m), .Network(let m), .Rejected(let m), .Cancelled(let m):
        return m
    }
}

final class WorkerDayTests: XCTestCase {
    private let serverUrl = env("SITEPROOF_SERVER_URL")
    private let enrollCode = env("SITEPROOF_ENROLL_CODE")
    private let photo = env("SITEPROOF_PHOTO")
    private let photo2 = env("SITEPROOF_PHOTO2")
    private let voice = env("SITEPROOF_VOICE")
    private let work = URL(fileURLWithPath: env("SITEPROOF_WORK_DIR"))

    func testAWorkersDayFromInboxToReceipts() throws {
        var secret = Data(count: 32)
        secret.withUnsafeMutableBytes { buf in
            for i in 0..<buf.count { buf[i] = UInt8.random(in: 0...255) }
        }
        let storeDir = work.appendingPathComponent("swift-store").path
        // The store stays open for this block; leaving it releases the object and the store's lock.
        do {
            let d = try SiteproofDevice.open(storeDir: storeDir, secret: secret)

            // A second open of the same store is refused: one process owns it.
            XCTAssertThrowsError(try SiteproofDevice.open(storeDir: storeDir, secret: secret)) { e in
                guard case .Storage = e as? SiteproofError else { return XCTFail("expected Storage, got \(e)") }
                XCTAssertTrue(message(e).contains("in use"), message(e))
            }

            let info = try d.info()
            XCTAssertEqual(info.publicKey.count, 64)
            XCTAssertNil(info.serverUrl)

            // The worker types an order in by hand before any order reaches the phone.
            let now = nowMs()
            let hand = "2026112300200"
            let order = try d.addOrder(order: NewOrder(
                number: hand, kind: "投诉", category: "噪音", address: "幸福里3号楼",
                content: "夜间施工噪音", deadlineMs: now + 30 * 3_600_000))
            XCTAssertEqual(order.kind, "complaint")
            XCTAssertEqual(order.status, "new")
            XCTAssertThrowsError(try d.addOrder(order: NewOrder(number: "2026112300201", kind: "催办", category: "卫生", address: "x"))) { e in
                guard case .InvalidInput = e as? SiteproofError else { return XCTFail("expected InvalidInput, got \(e)") }
                XCTAssertTrue(message(e).contains("投诉 (complaint)"), message(e))
            }

            // On site: a visit, a photo, a voice note, a written note.
            let visit = try d.startVisit(orderNumber: hand, purpose: "现场核实", fix: fix())
            XCTAssertEqual(visit.purpose, "initial_verification")
            let ctx = try captureContextNow(fix: fix(), orderNumber: hand, visitId: visit.id)
            XCTAssertGreaterThan(ctx.monotonicMs, 0)

            let shot = try d.capturePhoto(path: photo, context: ctx)
            XCTAssertEqual(shot.kind, .photo)
            XCTAssertEqual(shot.mediaType, "image/jpeg")
            let photoSize = try FileManager.default.attributesOfItem(atPath: photo)[.size] as! NSNumber
            XCTAssertEqual(shot.bytes, photoSize.uint64Value)
            XCTAssertEqual(shot.seq, 1)
            XCTAssertEqual(shot.visitId, visit.id)
            XCTAssertFalse(shot.hasReceipt)
            XCTAssertTrue(shot.flags.contains("unanchored"), "\(shot.flags)")
            XCTAssertTrue(shot.flags.contains("exif_time_mismatch")) // the fixture was shot in 2008
            XCTAssertFalse(shot.flags.contains("exif_gps_mismatch"))
            XCTAssertEqual(describeFlag(flag: "unanchored").zh, "时间未经服务器校准")

            let note = try d.captureVoice(path: voice, context: try captureContextNow(fix: fix(), orderNumber: hand, visitId: visit.id))
            XCTAssertEqual(note.kind, .voice)
            XCTAssertGreaterThan(note.durationMs ?? 0, 0)
            let text = try d.addNote(text: "物业已清理楼道 / property cleared the hallway",
                                     context: try captureContextNow(fix: nil, orderNumber: hand, visitId: visit.id))
            XCTAssertTrue(text.flags.contains("no_fix"))

            // A cut-off JPEG never becomes evidence.
            let cut = work.appendingPathComponent("swift-cut.jpg")
            try FileManager.default.contents(atPath: photo)!.prefix(20_000).write(to: cut)
            XCTAssertThrowsError(try d.capturePhoto(path: cut.path, context: ctx)) { e in
                guard case .BadMedia = e as? SiteproofError else { return XCTFail("expected BadMedia, got \(e)") }
                XCTAssertTrue(message(e).contains("truncated"), message(e))
            }
            _ = try d.endVisit(visitId: visit.id, fix: fix())
            XCTAssertNotNil(try d.listVisits(orderNumber: hand).first?.endedAtMs)

            // Back in signal: the queue holds it all, the chain verifies.
            XCTAssertEqual(try d.listItems(orderNumber: hand, unfiledOnly: false).map(\.kind), [EntryKind.photo, .voice, .note])
            let before = try d.queueStatus()
            XCTAssertEqual(before.pendingJobs, 5) // 2 originals + 3 manifests
            XCTAssertEqual(before.receipts, 0)
            let report = try d.verify()
            XCTAssertTrue(report.problems.isEmpty, "\(report.problems)")
            XCTAssertEqual(report.entries, 3)
            XCTAssertEqual(report.blobsChecked, 2)

            // Enrol with the coordinator's code, then sync against the real server.
            XCTAssertThrowsError(try d.enroll(serverUrl: serverUrl, code: "AAAA-BBBB-CCCC", deviceName: "wrong code")) { e in
                guard case .Rejected = e as? SiteproofError else { return XCTFail("expected Rejected, got \(e)") }
            }
            let enrolled = try d.enroll(serverUrl: serverUrl, code: enrollCode, deviceName: "swift-test-phone")
            XCTAssertEqual(enrolled.serverUrl, serverUrl)

            let rec = Recorder()
            let sync = try d.sync(options: defaultSyncOptions(), listener: rec)
            XCTAssertTrue(sync.anchored)
            XCTAssertEqual(sync.receipts, 3)
            XCTAssertEqual(sync.jobsRemaining, 0)
            XCTAssertEqual(sync.jobsFailed, 0)
            XCTAssertEqual(sync.ordersPulled, 1) // the order the coordinator dispatched to wang
            XCTAssertFalse(rec.seen.isEmpty, "progress reported")
            XCTAssertEqual(rec.seen.last!.jobsDone, rec.seen.last!.jobsTotal)

            // The receipts: every entry acknowledged by the community's server, signature re-checked.
            for item in try d.listItems(orderNumber: nil, unfiledOnly: false) {
                XCTAssertTrue(try d.getItem(itemId: item.itemId).hasReceipt)
                let r = try XCTUnwrap(try d.receipt(itemId: item.itemId))
                XCTAssertEqual(r.manifestHash, item.manifestHash)
                XCTAssertEqual(r.deviceId, info.deviceId)
                XCTAssertEqual(r.seq, item.seq)
                XCTAssertGreaterThanOrEqual(r.logIndex, 1)
            }
            XCTAssertEqual(try d.queueStatus().pendingJobs, 0)
            XCTAssertNotNil(try d.derivatives(itemId: shot.itemId).first { $0.role == .thumbnail })

            // The inbox holds the dispatched order, nearest deadline first; the worker tags it.
            let got = try d.getOrder(number: dispatched)
            XCTAssertGreaterThan(got.serverVersion, 0)
            XCTAssertFalse(got.dirty)
            XCTAssertEqual(try d.listOrders().map(\.number), [dispatched, hand])
            let tagged = try d.updateOrder(number: dispatched, update: OrderUpdate(status: "处理中", tagType: "重点", tagHandling: "已解决"))
            XCTAssertEqual(tagged.tagType, "key")
            XCTAssertTrue(tagged.dirty)

            // After sync the capture time is anchored to the server's clock.
            let later = try d.capturePhoto(path: photo2, context: try captureContextNow(fix: fix(), orderNumber: dispatched, visitId: nil))
            XCTAssertNotNil(later.anchoredUtcMs)
            XCTAssertFalse(later.flags.contains("unanchored"))
            XCTAssertLessThan(abs(later.anchoredUtcMs! - nowMs()), 60_000)

            // iOS ends the background task: the sync stops cleanly and the queue keeps the job.
            XCTAssertThrowsError(try d.sync(options: defaultSyncOptions(), listener: Recorder(cancelAfter: 0))) { e in
                guard case .Cancelled = e as? SiteproofError else { return XCTFail("expected Cancelled, got \(e)") }
            }
            XCTAssertGreaterThan(try d.queueStatus().pendingJobs, 0)
            let resumed = try d.sync(options: defaultSyncOptions(), listener: nil)
            XCTAssertEqual(resumed.receipts, 1)
            let pushed = try d.getOrder(number: dispatched)
            XCTAssertFalse(pushed.dirty, "the tag edit reached the server")
            XCTAssertEqual(pushed.tagHandling, "resolved")
            XCTAssertEqual(try d.queueStatus().receipts, 4)
            XCTAssertTrue(try d.verify().problems.isEmpty)
        }

        // The sealed key opens only with the Keychain's secret.
        XCTAssertThrowsError(try SiteproofDevice.open(storeDir: storeDir, secret: Data(count: 32))) { e in
            XCTAssertTrue(message(e).contains("wrong sealing secret"), message(e))
        }
        let again = try SiteproofDevice.open(storeDir: storeDir, secret: secret)
        XCTAssertEqual(try again.listItems(orderNumber: nil, unfiledOnly: false).count, 4)
    }

    func testVocabulariesAreBilingualAndComplete() {
        XCTAssertEqual(vocabulary(kind: .tagType).map(\.zh), ["一般", "重点", "疑难"])
        XCTAssertEqual(vocabulary(kind: .tagHandling).count, 4)
        XCTAssertEqual(vocabulary(kind: .tagCallback).map(\.zh), ["满意", "理解", "不满意", "重办"])
        XCTAssertEqual(vocabulary(kind: .visitPurpose).first { $0.zh == "跟进观察" }?.en, "follow-up observation")
        XCTAssertEqual(describeFlag(flag: "no_such_flag").en, "unknown flag")
    }
}
