//! Soak benchmark of the whole path a day's evidence takes: 1,000 photos
//! captured with no network, then one `siteproof sync` to a real server on
//! loopback. Reported beside, in the same run and to the same server, the
//! time `curl --data-binary` takes to send the same bytes: once as one
//! request (the wire's best case) and once as one request per file (what
//! any per-photo upload must at least pay). Sync is slower than raw copying
//! by what makes it evidence: per-chunk checksums, whole-file hashing on the
//! server, signed manifests and receipts, fsyncs on both sides.
//!
//! Run: `cargo bench -p siteproof-tests --bench soak`. `SITEPROOF_BENCH_SCALE`
//! (e.g. 0.05) shrinks the photo count for a quick look.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use siteproof_tests::media::distinct_photo;
use siteproof_tests::world::World;
use siteproof_tests::{cli, cli_json};

/// Phone-sized camera originals to cycle through (0.7 to 2 MB each).
const PHOTOS: &[&str] =
    &["jpg/hdr/iphone_hdr_NO.jpg", "jpg/hdr/canon_hdr_NO.jpg", "jpg/hdr/iphone_hdr_YES.jpg", "jpg/hdr/canon_hdr_YES.jpg"];

fn scale() -> f64 {
    std::env::var("SITEPROOF_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0)
}

/// POSTs a file with curl: `--data-binary @file`, or streamed with `-T` for
/// files too big for curl to hold in memory (it reads `@file` whole).
fn curl(url: &str, file: &Path, streamed: bool) -> Duration {
    let t = Instant::now();
    let out = Command::new("curl")
        .args(["-sS", "--fail", "-o", "/dev/null", "-X", "POST", "-H", "Content-Type: application/octet-stream"])
        .args(if streamed {
            ["-T".to_string(), file.display().to_string()]
        } else {
            ["--data-binary".to_string(), format!("@{}", file.display())]
        })
        .arg(url)
        .output()
        .expect("run curl");
    let took = t.elapsed();
    assert!(out.status.success(), "curl failed: {}", String::from_utf8_lossy(&out.stderr));
    took
}

/// Every blob the sync sent (originals and thumbnails), from the device's own queue.
fn sent_blobs(home: &Path) -> Vec<PathBuf> {
    let conn = rusqlite::Connection::open(home.join("store/siteproof.db")).unwrap();
    let mut stmt = conn.prepare("SELECT blob_sha256 FROM outbox WHERE blob_sha256 IS NOT NULL ORDER BY id").unwrap();
    let shas: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
    shas.iter().map(|s| home.join("store/blobs").join(&s[..2]).join(s)).collect()
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would run us too: stay quick then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("soak: skipped outside `cargo bench`");
        return;
    }
    let n = ((1000.0 * scale()) as usize).max(4);
    let w = World::with_flags(&["--bench-sink"]);
    let home = w.device("phone", None);
    let media = w.dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();

    // Capture offline: the server is up, but nothing syncs until asked.
    let t = Instant::now();
    for i in 0..n {
        let p = distinct_photo(&media, PHOTOS[i % PHOTOS.len()], &format!("soak-{i}"));
        cli_json(&home, &["capture", "photo", p.to_str().unwrap(), "--lat", "39.9087", "--lon", "116.3975"]);
        std::fs::remove_file(&p).unwrap();
    }
    let capture = t.elapsed();
    let q = cli_json(&home, &["queue"]);
    let pending_bytes = q["pending_bytes"].as_u64().unwrap();
    println!(
        "captured {n} photos in {:.1} s; queue: {} jobs, {:.1} MB",
        capture.as_secs_f64(),
        q["pending_jobs"],
        pending_bytes as f64 / 1e6
    );

    let t = Instant::now();
    let out = cli(&home).args(["--json", "sync"]).output().unwrap();
    let sync = t.elapsed();
    assert!(out.status.success(), "sync failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["receipts"].as_u64().unwrap() as usize, n, "{report}");
    let sent = report["bytes_sent"].as_u64().unwrap();

    // The same bytes by curl, to the same server.
    let blobs = sent_blobs(&home);
    let bytes: u64 = blobs.iter().map(|p| std::fs::metadata(p).unwrap().len()).sum();
    let mbps = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    println!(
        "sync: {n} photos, {} uploads, {:.1} MB ({} bytes on the wire) in {:.2} s = {:.1} MB/s, {:.0} photos/s",
        blobs.len(),
        bytes as f64 / 1e6,
        sent,
        sync.as_secs_f64(),
        mbps(sync),
        n as f64 / sync.as_secs_f64()
    );
    let all = w.dir.path().join("all-bytes.bin");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&all).unwrap());
        for p in &blobs {
            f.write_all(&std::fs::read(p).unwrap()).unwrap();
        }
    }
    let sink = format!("{}/bench/sink", w.server.url);
    let streamed = bytes > 512 << 20;
    let one = curl(&sink, &all, streamed);
    println!(
        "curl, all bytes in one request ({}): {:.2} s = {:.1} MB/s; sync reaches {:.0}% of it",
        if streamed { "-T, streamed: too big for --data-binary" } else { "--data-binary" },
        one.as_secs_f64(),
        mbps(one),
        100.0 * one.as_secs_f64() / sync.as_secs_f64()
    );
    let t = Instant::now();
    for p in &blobs {
        curl(&sink, p, false);
    }
    let per_file = t.elapsed();
    println!(
        "curl --data-binary, one request per file ({}): {:.2} s = {:.1} MB/s; sync reaches {:.0}% of it",
        blobs.len(),
        per_file.as_secs_f64(),
        mbps(per_file),
        100.0 * per_file.as_secs_f64() / sync.as_secs_f64()
    );
}
