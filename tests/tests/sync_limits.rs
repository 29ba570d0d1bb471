//! What a worker sees when part of the queue cannot go, and what the apps
//! rely on while it goes: a job the server refuses for good stops, keeps its
//! data, says why and blocks nothing behind it; progress counts up to the
//! totals; cancel stops between chunks and the next sync picks up.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use siteproof_core::{Device, SyncObserver, SyncOptions, SyncProgress};
use siteproof_tests::media::{distinct_photo, write_wav, GPS_SAMPLES};
use siteproof_tests::world::{device_entries, World};
use siteproof_tests::{audit_store, cli, cli_json};

#[test]
fn a_refused_item_stops_says_why_and_blocks_nothing() {
    // This server takes uploads of at most 3 MB (a city's policy, say).
    let w = World::with_flags(&["--max-upload-bytes", "3000000"]);
    let home = w.device("phone", None);
    let media = w.dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    let big = media.join("long.wav");
    write_wav(&big, 4_000_000, 77);
    let poisoned = cli_json(&home, &["capture", "voice", big.to_str().unwrap()]);
    for (i, gps) in GPS_SAMPLES.iter().take(4).enumerate() {
        cli_json(&home, &["capture", "photo", distinct_photo(&media, gps, &format!("ok-{i}")).to_str().unwrap()]);
    }
    let out = cli(&home).args(["--json", "sync", "--wait", "30"]).output().unwrap();
    assert!(!out.status.success(), "a refused job must not look like success");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("拒绝") && err.contains("refused"), "unclear error: {err}");

    let entries = device_entries(&home);
    let received: Vec<_> = entries.iter().filter(|e| e.receipt.is_some()).map(|e| e.item_id.clone()).collect();
    assert_eq!(received.len(), 4, "every other item went through: {entries:?}");
    assert!(!received.contains(&poisoned["item_id"].as_str().unwrap().to_string()));
    let jobs = cli_json(&home, &["queue", "--jobs"]);
    let failed: Vec<&serde_json::Value> = jobs["jobs"].as_array().expect("jobs list").iter().filter(|j| j["state"] == "failed").collect();
    // The original and, with it, its manifest; nothing else.
    assert_eq!(failed.len(), 2, "{jobs}");
    assert!(failed.iter().all(|j| j["item_id"] == poisoned["item_id"]), "{jobs}");
    for j in &failed {
        let why = j["last_error"].as_str().unwrap();
        assert!(why.contains("413"), "the reason is kept: {why}");
    }
    assert_eq!(jobs["pending_jobs"], 0, "nothing left waiting on the refused item: {jobs}");
    // Its data stays on the device, whole.
    let audit = audit_store(&home);
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    assert!(cli(&home).arg("verify").status().unwrap().success());
    // It does not retry by itself: another sync sends nothing new.
    let again = cli(&home).args(["--json", "sync", "--wait", "0"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap_or_default();
    assert_eq!(report["bytes_sent"], 0, "{report}");
}

/// Records progress and cancels once `cancel_after` bytes are done.
struct Watcher {
    seen: Mutex<Vec<SyncProgress>>,
    cancel_after: u64,
    cancelled: AtomicBool,
    polls: AtomicU64,
}

impl SyncObserver for Watcher {
    fn on_progress(&self, p: SyncProgress) {
        if p.bytes_done >= self.cancel_after {
            self.cancelled.store(true, Ordering::SeqCst);
        }
        self.seen.lock().unwrap().push(p);
    }
    fn is_cancelled(&self) -> bool {
        self.polls.fetch_add(1, Ordering::Relaxed);
        self.cancelled.load(Ordering::SeqCst)
    }
}

#[test]
fn progress_counts_up_and_cancel_stops_cleanly() {
    let w = World::new();
    let home = w.device("phone", None);
    let media = w.dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    for i in 0..3u32 {
        let p = media.join(format!("rec-{i}.wav"));
        write_wav(&p, 6_000_000, 300 + i);
        cli_json(&home, &["capture", "voice", p.to_str().unwrap()]);
    }
    let secret = std::fs::read(home.join("device.secret")).unwrap();
    let device = Device::open(home.join("store"), &secret).unwrap();
    let options = SyncOptions { initial_chunk_bytes: 64 * 1024, wait_for_backoff_ms: 0 };

    let stop_early =
        Watcher { seen: Mutex::new(Vec::new()), cancel_after: 2_000_000, cancelled: AtomicBool::new(false), polls: AtomicU64::new(0) };
    let err = device.sync(&options, &stop_early).expect_err("a cancelled sync says so");
    assert!(matches!(err, siteproof_core::Error::Cancelled), "{err:?}");
    let seen = stop_early.seen.lock().unwrap().clone();
    assert!(!seen.is_empty());
    let total = seen[0].bytes_total;
    assert!(total >= 18_000_000, "totals known from the start: {seen:?}");
    assert!(seen.windows(2).all(|p| p[1].bytes_done >= p[0].bytes_done), "progress never goes back");
    let at_cancel = seen.last().unwrap().bytes_done;
    assert!(at_cancel < total, "it stopped before the end: {at_cancel} of {total}");
    let q = device.queue_status().unwrap();
    assert_eq!(q.receipts, 0);
    assert_eq!(q.failed_jobs, 0, "cancelling is not a failure");

    // The next sync resumes and finishes.
    let to_end =
        Watcher { seen: Mutex::new(Vec::new()), cancel_after: u64::MAX, cancelled: AtomicBool::new(false), polls: AtomicU64::new(0) };
    let report = device.sync(&options, &to_end).unwrap();
    assert_eq!(report.receipts, 3);
    let last = to_end.seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.jobs_done, last.jobs_total, "{last:?}");
    assert!(report.bytes_sent < 18_000_000 + 2 * 8 * 1024 * 1024, "resumed, not restarted: {report:?}");
    drop(device);
    let audit = audit_store(&home);
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
}
