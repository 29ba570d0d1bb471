//! A worker's day through the core API: orders, visits, captures before and
//! after an order exists, time anchors, the queue's order and backoff,
//! receipts and pruning, and reopening with the right and wrong secret.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use siteproof_core::evidence::{Receipt, SignedManifest, TimeStatement, RECEIPT_FORMAT, TIME_FORMAT};
use siteproof_core::vocab::{OrderKind, OrderStatus, Term};
use siteproof_core::{CaptureContext, Device, Enrollment, Error, JobPart, JobState, LocationFix, NewOrder, OrderUpdate};

const SECRET: &[u8] = b"test-secret-0123456789abcdef";

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-samples/jpg").join(name)
}

fn ctx(mono: u64) -> CaptureContext {
    CaptureContext {
        fix: Some(LocationFix {
            lat: 39.9087,
            lon: 116.3975,
            accuracy_m: 8.0,
            altitude_m: Some(44.0),
            provider: "fused".into(),
            is_mock: false,
            fix_time_ms: 1_795_000_000_000,
        }),
        device_time_ms: 1_795_000_000_000,
        utc_offset_min: 480,
        monotonic_ms: mono,
        boot_id: "boot-1".into(),
        order_number: None,
        visit_id: None,
    }
}

fn order(d: &Device, number: &str) {
    d.add_order(NewOrder {
        number: number.into(),
        kind: "投诉".into(),
        category: "噪音".into(),
        address: "幸福里3号楼".into(),
        content: "夜间施工噪音".into(),
        deadline_ms: Some(1_795_100_000_000),
        ..Default::default()
    })
    .unwrap();
}

#[test]
fn unfiled_capture_is_attached_later_with_a_signed_entry() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device::open(dir.path(), SECRET).unwrap();
    // Noise recorded the day before the complaint arrives (seed 001).
    let early = d.add_note("3号楼施工噪音很大 / loud works at building 3", ctx(10)).unwrap();
    assert_eq!(early.order_number, None);
    assert_eq!(d.list_items(None, true).unwrap().len(), 1);
    order(&d, "A-1");
    let attach = d.attach_to_order(&early.item_id, "A-1", ctx(20)).unwrap();
    assert_eq!(attach.kind, siteproof_core::evidence::EntryKind::Attach);
    assert_eq!(d.get_item(&early.item_id).unwrap().order_number.as_deref(), Some("A-1"));
    assert!(d.list_items(None, true).unwrap().is_empty());
    let (_, signed) = d.get_item_with_manifest(&attach.item_id).unwrap();
    let m = signed.open().unwrap();
    assert_eq!(m.attach.unwrap().manifest_hash, early.manifest_hash);
    assert!(d.verify().unwrap().ok());
}

#[test]
fn orders_visits_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device::open(dir.path(), SECRET).unwrap();
    order(&d, "B-7");
    let dup = d.add_order(NewOrder {
        number: "B-7".into(),
        kind: "complaint".into(),
        category: "x".into(),
        address: "y".into(),
        ..Default::default()
    });
    assert!(matches!(dup, Err(Error::InvalidInput(_))));
    let o = d
        .update_order("B-7", OrderUpdate { tag_type: Some("重点".into()), tag_callback: Some("不满意".into()), ..Default::default() })
        .unwrap();
    assert_eq!((o.tag_type.as_deref(), o.tag_callback.as_deref(), o.dirty), (Some("key"), Some("dissatisfied"), true));
    assert_eq!((o.kind.known(), o.status.known()), (Some(OrderKind::Complaint), Some(OrderStatus::New)));
    let o = d.update_order("B-7", OrderUpdate { status: Some("处理中".into()), ..Default::default() }).unwrap();
    assert_eq!(o.status, Term::Known(OrderStatus::InProgress));
    assert!(d.update_order("B-7", OrderUpdate { status: Some("maybe".into()), ..Default::default() }).is_err());
    let v = d.start_visit(Some("B-7".into()), "跟进观察", ctx(1).fix).unwrap();
    assert_eq!(v.purpose, "follow_up");
    let item = d
        .capture_photo(
            &sample("gps/DSCN0010.jpg"),
            CaptureContext { order_number: Some("B-7".into()), visit_id: Some(v.id.clone()), ..ctx(5) },
        )
        .unwrap();
    assert_eq!(item.visit_id.as_deref(), Some(v.id.as_str()));
    let v = d.end_visit(&v.id, None).unwrap();
    assert!(v.ended_at_ms.is_some());
    assert!(d.end_visit(&v.id, None).is_err(), "a visit ends once");
    assert!(matches!(d.start_visit(Some("NOPE".into()), "整改", None), Err(Error::NotFound(_))));
}

#[test]
fn anchored_time_applies_within_the_same_boot_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device::open(dir.path(), SECRET).unwrap();
    let server = SigningKey::from_bytes(&[7u8; 32]);
    let server_hex = hex::encode(server.verifying_key().as_bytes());
    let stmt = TimeStatement {
        format: TIME_FORMAT.into(),
        server_time_ms: 1_795_000_000_000,
        nonce: "n-1".into(),
        server_key: server_hex.clone(),
    }
    .sign(&server)
    .unwrap();
    assert!(d.record_time_anchor(&stmt, "other-nonce", 1_000, "boot-1", 60).is_err(), "nonce must match");
    d.record_time_anchor(&stmt, "n-1", 1_000, "boot-1", 60).unwrap();
    // One hour later in the same boot, with the phone clock 3 hours fast.
    let c = CaptureContext { device_time_ms: 1_795_000_000_000 + 3 * 3_600_000, ..ctx(1_000 + 3_600_000) };
    let item = d.add_note("anchored", c).unwrap();
    assert_eq!(item.anchored_utc_ms, Some(1_795_000_000_000 + 30 + 3_600_000));
    assert_eq!(item.anchored_bound_ms, Some(30 + 720 + 1));
    assert!(item.flags.contains(&"device_clock_wrong".to_string()), "{:?}", item.flags);
    assert!(!item.flags.contains(&"unanchored".to_string()));
    // After a reboot the anchor says nothing.
    let item = d.add_note("rebooted", CaptureContext { boot_id: "boot-2".into(), ..ctx(50) }).unwrap();
    assert_eq!(item.anchored_utc_ms, None);
    assert!(item.flags.contains(&"unanchored".to_string()));
    // The statement behind an anchored time can be produced for a dispute packet.
    let (_, signed) = d.get_item_with_manifest(&d.list_items(None, false).unwrap()[0].item_id).unwrap();
    let hash = signed.open().unwrap().anchored.unwrap().anchor_hash;
    assert_eq!(d.anchor_statement(&hash).unwrap().unwrap(), stmt);
}

#[test]
fn queue_sends_small_first_and_manifests_after_their_media() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device::open(dir.path(), SECRET).unwrap();
    let big = d.capture_photo(&sample("hdr/iphone_hdr_NO.jpg"), ctx(1)).unwrap();
    let small = d.capture_photo(&sample("gps/DSCN0010.jpg"), ctx(2)).unwrap();
    d.make_pending_derivatives().unwrap();
    let due = d.due_jobs(i64::MAX, 100).unwrap();
    let order: Vec<(JobPart, String)> = due.iter().map(|j| (j.part, j.item_id.clone())).collect();
    // No manifest is due before its original is acknowledged.
    assert!(order.iter().all(|(p, _)| *p != JobPart::Manifest), "{order:?}");
    let thumbs = order.iter().take_while(|(p, _)| *p == JobPart::Thumbnail).count();
    let derivable =
        usize::from(!d.derivatives(&big.item_id).unwrap().is_empty()) + usize::from(!d.derivatives(&small.item_id).unwrap().is_empty());
    assert_eq!(thumbs, derivable, "thumbnails go first: {order:?}");
    let originals: Vec<&String> = order.iter().filter(|(p, _)| *p == JobPart::Original).map(|(_, i)| i).collect();
    assert_eq!(originals, vec![&small.item_id, &big.item_id], "smaller original first");

    let small_original = due.iter().find(|j| j.part == JobPart::Original && j.item_id == small.item_id).unwrap();
    d.mark_job_done(small_original.id).unwrap();
    let due = d.due_jobs(i64::MAX, 100).unwrap();
    assert!(due.iter().any(|j| j.part == JobPart::Manifest && j.item_id == small.item_id));
    assert!(!due.iter().any(|j| j.part == JobPart::Manifest && j.item_id == big.item_id));

    // Transient failure: backs off. Permanent: stops, keeps data, others go on.
    let big_original = due.iter().find(|j| j.part == JobPart::Original).unwrap();
    let retried = d.mark_job_retry(big_original.id, "timeout", 1_000).unwrap();
    assert!(retried.next_attempt_at_ms >= 1_000 + 2_500 && retried.attempts == 1);
    assert!(d.due_jobs(1_000, 100).unwrap().iter().all(|j| j.id != big_original.id));
    d.mark_job_failed(big_original.id, "rejected: revoked device").unwrap();
    // The refused original takes its manifest down with it (that manifest could never be sent).
    let st = d.queue_status().unwrap();
    assert_eq!(st.failed_jobs, 2);
    let stopped: Vec<JobPart> = d.queue_jobs().unwrap().iter().filter(|j| j.state == JobState::Failed).map(|j| j.part).collect();
    assert_eq!(stopped.len(), 2, "{stopped:?}");
    assert!(stopped.contains(&JobPart::Original) && stopped.contains(&JobPart::Manifest), "{stopped:?}");
    let due = d.due_jobs(i64::MAX, 100).unwrap();
    assert!(due.iter().any(|j| j.part == JobPart::Manifest && j.item_id == small.item_id), "a poisoned job blocks no one");
    assert!(!due.iter().any(|j| j.item_id == big.item_id && j.part != JobPart::Thumbnail));
    assert_eq!(d.retry_failed_jobs().unwrap(), 2);
    assert_eq!(d.queue_status().unwrap().failed_jobs, 0);
}

#[test]
fn receipts_are_checked_and_only_acknowledged_originals_are_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device::open(dir.path(), SECRET).unwrap();
    let server = SigningKey::from_bytes(&[9u8; 32]);
    let server_hex = hex::encode(server.verifying_key().as_bytes());
    let a = d.capture_photo(&sample("gps/DSCN0010.jpg"), ctx(1)).unwrap();
    let b = d.capture_photo(&sample("gps/DSCN0012.jpg"), ctx(2)).unwrap();
    let receipt = |item: &siteproof_core::EvidenceItem, idx| {
        Receipt {
            format: RECEIPT_FORMAT.into(),
            manifest_hash: item.manifest_hash.clone(),
            device_id: d.info().unwrap().device_id,
            seq: item.seq,
            received_at_ms: 1,
            log_index: idx,
            log_prev: None,
            server_key: server_hex.clone(),
        }
        .sign(&server)
        .unwrap()
    };
    assert!(d.store_receipt(&b.item_id, &receipt(&a, 1), &server_hex).is_err(), "receipt for another entry");
    d.store_receipt(&a.item_id, &receipt(&a, 1), &server_hex).unwrap();
    // Receipt alone is not enough: the jobs must be acknowledged too.
    assert_eq!(d.prune_acknowledged(i64::MAX).unwrap().originals_removed, 0);
    for j in d.queue_jobs().unwrap().iter().filter(|j| j.item_id == a.item_id) {
        d.mark_job_done(j.id).unwrap();
    }
    let r = d.prune_acknowledged(i64::MAX).unwrap();
    assert_eq!((r.originals_removed, r.bytes_freed), (1, a.bytes));
    assert!(d.blob_path(a.media_sha256.as_deref().unwrap()).is_none());
    assert!(d.blob_path(b.media_sha256.as_deref().unwrap()).is_some());
    let report = d.verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!((report.blobs_pruned, report.blobs_checked), (1, 1));
}

#[test]
fn secrets_seal_the_key_and_token_and_the_store_is_exclusive() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let d = Device::open(dir.path(), SECRET).unwrap();
        assert!(matches!(Device::open(dir.path(), SECRET), Err(Error::Store(_))), "second opener is refused");
        d.save_enrollment(&Enrollment { server_url: "http://127.0.0.1:1".into(), server_key: "ab".repeat(32), token: "tok-123".into() })
            .unwrap();
        d.info().unwrap().device_id
    };
    assert!(matches!(Device::open(dir.path(), b"wrong-secret-0123456789"), Err(Error::Key(_))));
    let d = Device::open(dir.path(), SECRET).unwrap();
    assert_eq!(d.info().unwrap().device_id, id, "same key after reopening");
    assert_eq!(d.enrollment().unwrap().unwrap().token, "tok-123");
    let raw = std::fs::read(dir.path().join("siteproof.db")).unwrap();
    assert!(!raw.windows(7).any(|w| w == b"tok-123"), "token must not be stored in clear");
}

#[test]
fn manifests_verify_with_the_shared_evidence_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device::open(dir.path(), SECRET).unwrap();
    let item = d.capture_photo(&sample("gps/DSCN0021.jpg"), ctx(3)).unwrap();
    let (_, signed) = d.get_item_with_manifest(&item.item_id).unwrap();
    let wire = serde_json::to_string(&signed).unwrap();
    let back: SignedManifest = serde_json::from_str(&wire).unwrap();
    let m = back.open_from(&d.info().unwrap().public_key).unwrap();
    assert_eq!(m.media.unwrap().sha256, item.media_sha256.unwrap());
    assert_eq!(m.seq, 1);
    assert_eq!(m.prev, None);
}

#[test]
fn a_manifest_waiting_on_its_original_waits_with_it() {
    // The queue's next attempt is when something can really go. A manifest waits for its
    // original; counting the manifest's own "due now" made a sync with --wait sleep and
    // wake forever while the original was in backoff.
    let dir = tempfile::tempdir().unwrap();
    let d = Device::open(dir.path(), SECRET).unwrap();
    let item = d.capture_photo(&sample("gps/DSCN0010.jpg"), ctx(1)).unwrap();
    let jobs = d.queue_jobs().unwrap();
    let original = jobs.iter().find(|j| j.part == JobPart::Original && j.item_id == item.item_id).unwrap();
    let later = d.mark_job_retry(original.id, "上传 / upload: HTTP 503", 1_000).unwrap();
    let st = d.queue_status().unwrap();
    assert_eq!(st.pending_jobs, 2, "{st:?}");
    assert_eq!(st.next_attempt_at_ms, Some(later.next_attempt_at_ms), "{st:?}");
    assert!(d.due_jobs(later.next_attempt_at_ms - 1, 10).unwrap().is_empty());
}
