//! The device queue reaches the case server through every fault a worker's
//! phone meets: no network at capture time, a server that dies mid-upload,
//! the app killed mid-sync, a link that cuts and stalls, a clock hours off,
//! a device revoked while it still holds evidence. Real `siteproof-server`
//! process, real `siteproof` CLI; the server's own database and blob folder
//! are read to check what it really holds.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;
use siteproof_tests::media::{distinct_photo, write_wav, GPS_SAMPLES};
use siteproof_tests::proxy::{Faults, FlakyProxy};
use siteproof_tests::world::{device_entries, World};
use siteproof_tests::{audit_store, cli, cli_json, now_ms};

/// The sync engine's largest tus chunk (core/src/sync/tus.rs MAX_CHUNK).
const MAX_CHUNK: u64 = siteproof_core::sync::MAX_CHUNK;

fn sync(home: &Path, extra: &[&str]) -> Output {
    cli(home).args(["--json", "sync"]).args(extra).output().unwrap()
}

fn sync_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("sync printed no JSON; stderr: {}", String::from_utf8_lossy(&out.stderr)))
}

fn capture_photo(home: &Path, file: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["capture", "photo", file.to_str().unwrap(), "--lat", "39.9087", "--lon", "116.3975"];
    args.extend_from_slice(extra);
    cli_json(home, &args)
}

fn capture_voice(home: &Path, file: &Path) -> serde_json::Value {
    cli_json(home, &["capture", "voice", file.to_str().unwrap()])
}

/// Asserts the device and the server agree on the device's whole chain:
/// every entry on the server once, in order, linked, media stored intact,
/// every device entry holding the receipt for exactly its manifest.
fn assert_device_and_server_agree(w: &World, home: &Path) {
    let device = device_entries(home);
    let server = w.server_entries(&World::device_id(home));
    assert_eq!(
        server.iter().map(|e| (e.seq, e.item_id.clone(), e.manifest_hash.clone())).collect::<Vec<_>>(),
        device.iter().map(|e| (e.seq, e.item_id.clone(), e.manifest_hash.clone())).collect::<Vec<_>>(),
        "server's view of the chain differs from the device's"
    );
    for pair in server.windows(2) {
        assert_eq!(pair[1].prev.as_deref(), Some(pair[0].manifest_hash.as_str()), "server chain broken at seq {}", pair[1].seq);
    }
    let mut log_indexes = std::collections::HashSet::new();
    for e in &device {
        let (hash, index) = e.receipt.clone().unwrap_or_else(|| panic!("seq {} has no receipt on the device", e.seq));
        assert_eq!(hash, e.manifest_hash, "seq {}: receipt is for another manifest", e.seq);
        assert!(log_indexes.insert(index), "log index {index} issued twice");
        if let Some(sha) = &e.media_sha256 {
            w.server_blob_ok(sha).unwrap();
        }
    }
    assert!(w.server_anomalies().is_empty(), "server recorded anomalies: {:?}", w.server_anomalies());
    let seen = w.coordinator_get("/v1/anomalies");
    assert_eq!(seen["anomalies"], serde_json::json!([]), "coordinators would see anomalies: {seen}");
    assert_eq!(seen["gaps"], serde_json::json!([]), "coordinators would see open gaps: {seen}");
    let verify = cli(home).arg("verify").output().unwrap();
    assert!(verify.status.success(), "device chain does not verify: {}", String::from_utf8_lossy(&verify.stdout));
    let q = cli_json(home, &["queue"]);
    assert_eq!(q["pending_jobs"], 0, "{q}");
    assert_eq!(q["failed_jobs"], 0, "{q}");
}

#[test]
fn evidence_captured_offline_arrives_once_the_server_is_back() {
    let mut w = World::new();
    let home = w.device("phone", None);
    let media = w.dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    w.server.kill();

    // A morning in a basement: 35 photos and 15 voice notes, no network.
    for i in 0..35 {
        let p = distinct_photo(&media, GPS_SAMPLES[i % GPS_SAMPLES.len()], &format!("offline-{i}"));
        capture_photo(&home, &p, &[]);
    }
    for i in 0..15u32 {
        let p = media.join(format!("note-{i}.wav"));
        write_wav(&p, 48_000 + u64::from(i) * 10_000, 100 + i);
        capture_voice(&home, &p);
    }
    let failed = sync(&home, &["--wait", "0"]);
    assert!(!failed.status.success(), "sync cannot succeed with the server down");
    let q = cli_json(&home, &["queue"]);
    assert_eq!(q["receipts"], 0);
    assert!(q["pending_jobs"].as_u64().unwrap() >= 100, "every job still queued: {q}");
    assert_eq!(q["failed_jobs"], 0, "a dead network is not a permanent failure: {q}");

    w.server.restart();
    let out = sync(&home, &[]);
    assert!(out.status.success(), "sync failed: {}", String::from_utf8_lossy(&out.stderr));
    let report = sync_json(&out);
    assert_eq!(report["receipts"], 50, "{report}");
    assert_eq!(device_entries(&home).len(), 50);
    assert_device_and_server_agree(&w, &home);

    // Thumbnails went up too, so coordinators see the photos before the originals.
    let thumbs: i64 = rusqlite::Connection::open(home.join("store/siteproof.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM outbox WHERE part = 'thumbnail' AND state = 'done'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(thumbs, 35);
}

fn staged_bytes(data: &Path) -> u64 {
    std::fs::read_dir(data.join("staging"))
        .map(|d| d.filter_map(|e| e.ok()?.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

#[test]
fn a_server_killed_mid_upload_is_resumed_from_its_offset() {
    const SIZE: u64 = 200 * 1024 * 1024;
    let mut w = World::new();
    let home = w.device("phone", None);
    let big = w.dir.path().join("long-recording.wav");
    write_wav(&big, SIZE, 7);
    let item = capture_voice(&home, &big);
    std::fs::remove_file(&big).unwrap();

    let child = cli(&home).args(["--json", "sync", "--wait", "300"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // Wait until a good part is on the server's disk, then pull the plug.
    let deadline = Instant::now() + Duration::from_secs(300);
    let staged_at_kill = loop {
        let s = staged_bytes(&w.data());
        if s >= SIZE / 4 {
            break s;
        }
        assert!(Instant::now() < deadline, "upload never got going (staged {s} bytes)");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(staged_at_kill < SIZE, "the upload finished before the kill; nothing to resume");
    w.server.kill();
    std::thread::sleep(Duration::from_millis(1500));
    w.server.restart();

    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "sync failed: {}", String::from_utf8_lossy(&out.stderr));
    let report = sync_json(&out);
    let sent = report["bytes_sent"].as_u64().unwrap();
    let resent = sent.saturating_sub(SIZE);
    eprintln!("killed with {staged_at_kill} bytes staged; sent {sent} bytes in all, {resent} re-sent (one chunk is at most {MAX_CHUNK})");
    assert!(sent >= SIZE, "{report}");
    assert!(resent <= MAX_CHUNK, "re-sent {resent} bytes, more than one chunk ({MAX_CHUNK})");
    assert_eq!(w.server_blob_ok(item["media_sha256"].as_str().unwrap()).unwrap(), SIZE);
    assert_device_and_server_agree(&w, &home);
}

#[test]
fn killing_the_app_mid_sync_loses_and_duplicates_nothing() {
    const TRIALS: usize = 50;
    let w = World::new();
    let home = w.device("phone", None);
    let media = w.dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    let mut rng = rand::thread_rng();
    let mut n = 0u32;
    let mut add_items = |rng: &mut rand::rngs::ThreadRng| {
        for _ in 0..2 {
            n += 1;
            if rng.gen_bool(0.7) {
                let p = distinct_photo(&media, GPS_SAMPLES[n as usize % GPS_SAMPLES.len()], &format!("kill-{n}"));
                capture_photo(&home, &p, &["--no-derivatives"]);
            } else {
                let p = media.join(format!("kill-{n}.wav"));
                write_wav(&p, rng.gen_range(100_000..3_000_000), 1000 + n);
                capture_voice(&home, &p);
            }
        }
    };

    // Calibrate: how long one sync of a trial's worth of work takes here, now.
    add_items(&mut rng);
    let t = Instant::now();
    let out = sync(&home, &["--chunk-kib", "64"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let full = t.elapsed();

    let (mut killed, mut finished) = (0, 0);
    // One calibration cannot know how loaded the machine will be later: a sync
    // that finished before its kill shrinks the next waits, a kill lets them
    // grow back, so most trials still land mid-sync whatever the load does.
    let mut scale = 1.0f64;
    for trial in 0..TRIALS {
        add_items(&mut rng);
        let mut child =
            cli(&home).args(["--json", "sync", "--chunk-kib", "64"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(full.mul_f64(rng.gen_range(0.0..1.2) * scale));
        if child.try_wait().unwrap().is_some() {
            finished += 1;
            scale *= 0.7;
        } else {
            child.kill().unwrap();
            killed += 1;
            scale = (scale * 1.1).min(1.0);
        }
        child.wait().unwrap();
        // A kill mid-write may leave a temp file; the next open sweeps it,
        // so audit the store as the app would find it when it starts again.
        cli_json(&home, &["queue"]);
        let audit = audit_store(&home);
        assert!(audit.problems.is_empty(), "trial {trial}: store damaged: {:?}", audit.problems);
        assert!(w.server_anomalies().is_empty(), "trial {trial}: server saw a gap or fork: {:?}", w.server_anomalies());
    }
    eprintln!("{TRIALS} trials: {killed} killed mid-sync, {finished} finished before the kill (calibrated sync {full:?})");
    assert!(killed >= TRIALS / 2, "only {killed} of {TRIALS} syncs were actually interrupted");

    let out = sync(&home, &[]);
    assert!(out.status.success(), "final sync failed: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(device_entries(&home).len(), 2 * (TRIALS + 1), "zero loss on the device");
    assert_device_and_server_agree(&w, &home);
    // Zero duplicates on the server: each blob once, each manifest once.
    let conn = rusqlite::Connection::open(w.data().join("siteproof.db")).unwrap();
    let dup_blobs: i64 = conn.query_row("SELECT count(*) - count(DISTINCT sha256) FROM blobs", [], |r| r.get(0)).unwrap();
    let dup_entries: i64 = conn.query_row("SELECT count(*) - count(DISTINCT item_id) FROM entries", [], |r| r.get(0)).unwrap();
    assert_eq!((dup_blobs, dup_entries), (0, 0));
}

#[test]
fn a_flaky_link_delivers_everything_intact() {
    let w = World::new();
    let target = w.server.url.trim_start_matches("http://").to_string();
    let proxy = FlakyProxy::start(
        target,
        // Keep-alive carries a whole sync over one or two connections, so most must die.
        Faults {
            cut_probability: 0.8,
            cut_within_bytes: 400 * 1024,
            stall_probability: 0.02,
            max_stall: Duration::from_millis(400),
            first_cuts: 2,
        },
    );
    proxy.set_faulty(false);
    let home = w.device("phone", Some(&proxy.url));
    let media = w.dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    for i in 0..16 {
        let p = distinct_photo(&media, GPS_SAMPLES[i % GPS_SAMPLES.len()], &format!("flaky-{i}"));
        capture_photo(&home, &p, &[]);
    }
    for i in 0..4u32 {
        let p = media.join(format!("flaky-{i}.wav"));
        write_wav(&p, 1_500_000 + u64::from(i) * 700_000, 500 + i);
        capture_voice(&home, &p);
    }
    proxy.set_faulty(true);
    // A worker's phone keeps trying; so does this loop, but each run must leave the store sound.
    let mut runs = 0;
    loop {
        runs += 1;
        let out = sync(&home, &["--wait", "120", "--chunk-kib", "64"]);
        let audit = audit_store(&home);
        assert!(audit.problems.is_empty(), "run {runs}: {:?}", audit.problems);
        if out.status.success() {
            break;
        }
        assert!(runs < 10, "still not drained after {runs} runs: {}", String::from_utf8_lossy(&out.stderr));
    }
    let cuts = proxy.cuts.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("flaky link: {cuts} connections cut, drained in {runs} sync run(s)");
    assert!(cuts > 0, "the proxy never cut a connection; the test proved nothing");
    assert_eq!(device_entries(&home).len(), 20);
    assert_device_and_server_agree(&w, &home);
}

#[test]
fn a_wrong_device_clock_still_gives_a_true_bounded_capture_time() {
    let w = World::new();
    for (name, skew_ms) in [("fast", 3 * 3_600_000i64), ("slow", -5 * 3_600_000 - 17_000)] {
        let skew = skew_ms.to_string();
        let home = w.dir.path().join(name);
        let run = |args: &[&str]| {
            let out = cli(&home).env("SITEPROOF_CLOCK_SKEW_MS", &skew).arg("--json").args(args).output().unwrap();
            assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
        };
        run(&["init"]);
        run(&["enroll", &w.server.url, &w.enroll_code()]);
        let report = run(&["sync"]);
        assert_eq!(report["anchored"], true, "{report}");
        std::thread::sleep(Duration::from_millis(300));
        let unique = distinct_photo(w.dir.path(), GPS_SAMPLES[1], &format!("clock-{name}"));
        let before = now_ms();
        let item = run(&["capture", "photo", unique.to_str().unwrap()]);
        let after = now_ms();
        let device_time = item["device_time_ms"].as_i64().unwrap();
        assert!((device_time - before - skew_ms).abs() < 60_000, "the skew is in effect: {item}");
        let anchored = item["anchored_utc_ms"].as_i64().unwrap_or_else(|| panic!("capture not anchored: {item}"));
        let bound = item["anchored_bound_ms"].as_u64().unwrap() as i64;
        eprintln!("{name} clock ({skew_ms} ms): anchored {anchored}, bound ±{bound} ms, true time in [{before}, {after}]");
        assert!(anchored + bound >= before && anchored - bound <= after, "true time outside the stated bound: {item}");
        assert!(bound < 60_000, "a bound this wide says nothing: {bound} ms");
        let flags: Vec<String> = serde_json::from_value(item["flags"].clone()).unwrap();
        assert!(!flags.iter().any(|f| f.contains("unanchored")), "{flags:?}");
    }
}

#[test]
fn a_revoked_device_is_told_clearly_and_keeps_its_queue() {
    let w = World::new();
    let home = w.device("phone", None);
    let media = w.dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    for (i, gps) in GPS_SAMPLES.iter().take(2).enumerate() {
        capture_photo(&home, &distinct_photo(&media, gps, &format!("before-{i}")), &[]);
    }
    assert!(sync(&home, &[]).status.success());
    for i in 0..5 {
        capture_photo(&home, &distinct_photo(&media, GPS_SAMPLES[i + 2], &format!("after-{i}")), &[]);
    }
    let before = cli_json(&home, &["queue"]);
    siteproof_tests::server::admin(&w.data(), &["revoke-device", &World::device_id(&home)]);

    for attempt in 0..2 {
        let out = sync(&home, &[]);
        assert!(!out.status.success(), "a revoked device cannot sync");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("吊销") && err.contains("revoked"), "attempt {attempt}: unclear error: {err}");
        let q = cli_json(&home, &["queue"]);
        assert_eq!(q["pending_jobs"], before["pending_jobs"], "attempt {attempt}: queue changed: {q}");
        assert_eq!(q["pending_bytes"], before["pending_bytes"]);
        assert_eq!(q["receipts"], 2);
    }
    let audit = audit_store(&home);
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    assert!(cli(&home).arg("verify").status().unwrap().success());
    assert_eq!(w.server_entries(&World::device_id(&home)).len(), 2, "nothing from the revoked device was accepted");
}

#[test]
fn order_edits_made_offline_merge_by_the_stated_rule() {
    // Rule (core/src/sync/orders.rs): per field, a coordinator's change made
    // after the version the device edited wins; the device's other edits stand.
    let w = World::new();
    let post = reqwest::Method::POST;
    let (st, _) = w.coordinator_send(
        post.clone(),
        "/v1/orders",
        serde_json::json!({
        "number": "2026112300123", "kind": "complaint", "category": "噪音", "address": "幸福里3号楼",
        "complainant": "李先生 13700001234", "content": "夜间施工噪音扰民"}),
    );
    assert_eq!(st, 201);
    let (st, _) = w.coordinator_send(post, "/v1/orders/2026112300123/assign", serde_json::json!({"worker": "wang"}));
    assert_eq!(st, 200);
    let home = w.device("phone", None);
    assert!(sync(&home, &[]).status.success());
    let local = cli_json(&home, &["orders", "show", "2026112300123"]);
    assert_eq!(local["address"], "幸福里3号楼");
    assert!(!local.to_string().contains("13700001234"), "complainant contact must reach workers masked: {local}");

    // Offline, the worker marks it answered and tags handling and type.
    cli_json(&home, &["orders", "update", "2026112300123", "--status", "answered", "--handling", "未解决", "--type", "重点"]);
    // Meanwhile the coordinator settles the handling tag.
    let (st, _) = w.coordinator_send(reqwest::Method::PATCH, "/v1/orders/2026112300123", serde_json::json!({"tag_handling": "已解决"}));
    assert_eq!(st, 200);

    let out = sync(&home, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(sync_json(&out)["orders_pushed"], 1);
    let local = cli_json(&home, &["orders", "show", "2026112300123"]);
    let server = w.coordinator_get("/v1/orders/2026112300123");
    for o in [&local, &server] {
        assert_eq!(o["status"], "answered", "the device's status edit stands: {o}");
        assert_eq!(o["tag_type"], "key", "the device's type tag stands: {o}");
        assert_eq!(o["tag_handling"], "resolved", "the coordinator's later handling tag wins: {o}");
    }
}
