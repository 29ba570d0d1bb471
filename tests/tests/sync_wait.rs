//! `siteproof sync --wait N` bounds the whole run, whatever the server does:
//! uploads refused with 503, an order exchange or time anchor that fails
//! once, a server that is not there at all. A run that cannot finish says, in
//! both languages, what is waiting and when it will be retried, and exits 4;
//! the next run after the server is back starts at once instead of waiting
//! out the backoff of the last one. Real `siteproof-server`, real CLI, with an
//! HTTP front that refuses chosen routes.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use siteproof_tests::failing_front::{FailingFront, Refusal};
use siteproof_tests::media::{distinct_photo, GPS_SAMPLES};
use siteproof_tests::world::{device_entries, World};
use siteproof_tests::{cli, cli_json};

/// Only a hang detector: a bounded sync returns in seconds; this is far beyond any honest run.
const HANG: Duration = Duration::from_secs(30);

/// Runs a command, killing it and failing the test if it is still running after `limit`.
fn run_bounded(mut cmd: Command, limit: Duration) -> (Output, Duration) {
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => (out.unwrap(), started.elapsed()),
        Err(_) => {
            // SAFETY: signalling the child this test started; it has not been reaped (the waiter still waits).
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("{cmd:?} was still running after {limit:?}: it never returns");
        }
    }
}

fn sync(home: &Path, wait_s: &str) -> Command {
    let mut c = cli(home);
    c.args(["--json", "sync", "--wait", wait_s]);
    c
}

fn capture_photos(w: &World, home: &Path, n: usize) {
    let media = w.dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    for i in 0..n {
        let p = distinct_photo(&media, GPS_SAMPLES[i % GPS_SAMPLES.len()], &format!("wait-{i}"));
        cli_json(home, &["capture", "photo", p.to_str().unwrap(), "--lat", "39.9087", "--lon", "116.3975"]);
    }
}

fn front_for(w: &World) -> FailingFront {
    FailingFront::start(w.server.url.trim_start_matches("http://").to_string())
}

fn refuse_all(method: &'static str, path_prefix: &'static str, status: u16) -> Refusal {
    Refusal { method, path_prefix, status, retry_after_s: None, times: u32::MAX }
}

#[test]
fn sync_wait_returns_while_uploads_are_refused_and_the_next_sync_drains_at_once() {
    let w = World::new();
    let front = front_for(&w);
    let home = w.device("phone", Some(&front.url));
    capture_photos(&w, &home, 2);
    // The server is up (time, orders, HEAD answer) but every upload is refused as overloaded.
    front.refuse(refuse_all("POST", "/v1/uploads", 503));
    front.refuse(refuse_all("PATCH", "/v1/uploads", 503));

    let (out, took) = run_bounded(sync(&home, "3"), HANG);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "a run that could not drain exits 4: {err}");
    assert!(err.contains("等待重试") && err.contains("waiting to be retried"), "says what is waiting, in both languages: {err}");
    assert!((err.contains("thumbnail") || err.contains("original")) && err.contains("503"), "names the job and why it waits: {err}");
    assert!(err.contains("秒后") && err.contains("next try at") && err.contains(" s)"), "says when it will be retried: {err}");
    assert!(!front.seen("POST", "/v1/uploads").is_empty(), "the uploads were tried");
    eprintln!("sync --wait 3 against refused uploads returned after {took:?}");
    let q = cli_json(&home, &["queue", "--jobs"]);
    assert_eq!(q["receipts"], 0);
    assert_eq!(q["failed_jobs"], 0, "an overloaded server is not a permanent refusal: {q}");
    let jobs = q["jobs"].as_array().expect("jobs list");
    assert!(
        jobs.iter().any(|j| j["next_attempt_at_ms"].as_i64() > Some(0) && j["last_error"].as_str().is_some_and(|e| e.contains("503"))),
        "the refused job is scheduled for a retry, with its reason: {q}"
    );

    // The server is back. A new run must not wait out the backoff the last one built up:
    // with --wait 0 it gets one pass, and that pass sends everything.
    front.heal();
    let (out, _) = run_bounded(sync(&home, "0"), HANG);
    assert!(out.status.success(), "the next sync drains at once: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["receipts"], 2, "{report}");
    assert!(device_entries(&home).iter().all(|e| e.receipt.is_some()));
}

#[test]
fn a_failing_time_anchor_and_order_exchange_are_retried_within_wait() {
    let w = World::new();
    let front = front_for(&w);
    let home = w.device("phone", Some(&front.url));
    capture_photos(&w, &home, 1);
    for path in ["/v1/time", "/v1/device/orders"] {
        front.refuse(Refusal { method: "GET", path_prefix: path, status: 503, retry_after_s: Some(1), times: 1 });
    }

    let (out, _) = run_bounded(sync(&home, "30"), Duration::from_secs(60));
    assert!(out.status.success(), "one refusal within --wait is retried, not fatal: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["anchored"], true, "the time anchor was retried: {report}");
    assert_eq!(report["receipts"], 1, "{report}");
    assert_eq!(front.seen("GET", "/v1/time")[..2], [503, 0], "refused once, then asked again");
    assert_eq!(front.seen("GET", "/v1/device/orders")[..2], [503, 0], "refused once, then asked again");
}

#[test]
fn connection_refused_is_reported_in_both_languages_within_wait() {
    let mut w = World::new();
    let home = w.device("phone", None);
    capture_photos(&w, &home, 1);
    let url = w.server.url.clone();
    w.server.kill();

    let (out, _) = run_bounded(sync(&home, "2"), HANG);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("无法连接服务器") && err.contains("cannot reach the server"), "bilingual: {err}");
    assert!(err.contains("连接被拒绝") && err.contains("connection refused"), "says why: {err}");
    assert!(err.contains(&url), "names the server: {err}");
    assert!(!err.contains("error sending request"), "no raw HTTP client chain: {err}");
    let q = cli_json(&home, &["queue"]);
    assert_eq!(q["failed_jobs"], 0, "an absent server is not a permanent refusal: {q}");
}
