//! Ingest benchmarks against the real server process on loopback (not timed
//! tests: they print numbers and assert only correctness).
//!
//! 1. `devices`: 100 concurrent devices each upload twenty 2 MB photos by tus
//!    and post a signed manifest for each; every receipt is verified.
//!    Reports MB/s and p50/p99 latency per request kind.
//! 2. `big`: one 1 GB upload in a single streamed PATCH; reports the server's
//!    resident memory growth (VmRSS/VmHWM from /proc, target < 64 MB).
//! 3. `ratio`: a 200 MB tus upload vs `curl --data-binary` of the same bytes
//!    to a plain sink on the same server, both sent by curl; reports the ratio.
//!
//! Run: `cargo bench -p siteproof-server --bench ingest [-- devices|big|ratio]`.
//! Sizes shrink with SITEPROOF_BENCH_SCALE (e.g. 0.1) for a quick look.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::SigningKey;
use rand::{RngCore, SeedableRng};
use reqwest::blocking::Client;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use siteproof_core::evidence::{CaptureRecord, EntryKind, Manifest, MediaRef, SignedReceipt, MANIFEST_FORMAT};

const BIN: &str = env!("CARGO_BIN_EXE_siteproof-server");
const PASSWORD: &str = "bench-password-1";

struct Server {
    child: Child,
    base: String,
    data: std::path::PathBuf,
    admin_token: std::cell::OnceCell<String>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn admin(data: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(BIN).arg("--data").arg(data).arg("admin").args(args).env("SITEPROOF_PASSWORD", PASSWORD).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().into()
}

fn start(extra: &[&str]) -> Server {
    let dir =
        tempfile::tempdir_in(std::env::var("SITEPROOF_BENCH_DIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string())).unwrap();
    let data = dir.path().join("data");
    admin(&data, &["create-office", "bench"]);
    admin(&data, &["create-community", "bench", "c1"]);
    admin(&data, &["create-user", "coord", "--role", "coordinator", "--community", "c1"]);
    admin(&data, &["create-user", "boss", "--role", "admin", "--office", "bench"]);
    let mut child = Command::new(BIN)
        .arg("--data")
        .arg(&data)
        .args(["--listen", "127.0.0.1:0", "--device-staging-bytes", "4000000000", "--max-upload-bytes", "2000000000"])
        .args(extra)
        .env("SITEPROOF_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on ").unwrap().to_string();
    Server { child, base: format!("http://{addr}"), data, admin_token: Default::default(), _dir: dir }
}

fn login(c: &Client, s: &Server, user: &str) -> String {
    let v: Value =
        c.post(format!("{}/v1/login", s.base)).json(&json!({"username": user, "password": PASSWORD})).send().unwrap().json().unwrap();
    v["token"].as_str().unwrap().into()
}

struct Dev {
    key: SigningKey,
    id: String,
    token: String,
}

fn enroll(c: &Client, s: &Server, coord: &str, worker: &str) -> Dev {
    let code: Value =
        c.post(format!("{}/v1/enroll-codes", s.base)).bearer_auth(coord).json(&json!({"worker": worker})).send().unwrap().json().unwrap();
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let v: Value = c
        .post(format!("{}/v1/enroll", s.base))
        .json(&json!({"code": code["code"], "public_key": hex::encode(key.verifying_key().as_bytes())}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    Dev { key, id: v["device_id"].as_str().unwrap().into(), token: v["token"].as_str().unwrap().into() }
}

fn scale() -> f64 {
    std::env::var("SITEPROOF_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0)
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    if v.is_empty() {
        return 0.0;
    }
    v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

fn status(pid: u32, field: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn bench_devices() {
    let devices = ((100.0 * scale()).round() as usize).max(2);
    let photos: usize = 20;
    let size = 2 * 1024 * 1024;
    let s = start(&[]);
    let c = Client::builder().timeout(Duration::from_secs(600)).build().unwrap();
    let coord = login(&c, &s, "coord");
    let key_hex: Value = c.get(format!("{}/v1/server-key", s.base)).send().unwrap().json().unwrap();
    let server_key = key_hex["server_key"].as_str().unwrap().to_string();
    let mut devs = Vec::new();
    for i in 0..devices {
        admin_fast_user(&c, &s, &coord, i);
        devs.push(enroll(&c, &s, &coord, &format!("w{i}")));
    }
    let lat: Arc<Mutex<Vec<(&'static str, Duration)>>> = Arc::default();
    let t0 = Instant::now();
    let handles: Vec<_> = devs
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let (base, lat, server_key) = (s.base.clone(), lat.clone(), server_key.clone());
            std::thread::spawn(move || {
                let c = Client::builder().timeout(Duration::from_secs(600)).build().unwrap();
                let mut rng = rand::rngs::StdRng::seed_from_u64(i as u64);
                let mut prev = None;
                let mut mine = Vec::new();
                for seq in 1..=photos as u64 {
                    let mut photo = vec![0u8; size];
                    rng.fill_bytes(&mut photo);
                    let sha = hex::encode(Sha256::digest(&photo));
                    let t = Instant::now();
                    let r = c
                        .post(format!("{base}/v1/uploads/"))
                        .bearer_auth(&d.token)
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Length", size.to_string())
                        .header("Upload-Metadata", format!("sha256 {}", B64.encode(&sha)))
                        .send()
                        .unwrap();
                    assert_eq!(r.status(), 201);
                    mine.push(("tus POST", t.elapsed()));
                    let loc = r.headers()["location"].to_str().unwrap().to_string();
                    let t = Instant::now();
                    let r = c
                        .patch(format!("{base}{loc}"))
                        .bearer_auth(&d.token)
                        .header("Tus-Resumable", "1.0.0")
                        .header("Content-Type", "application/offset+octet-stream")
                        .header("Upload-Offset", "0")
                        .header("Upload-Checksum", format!("sha256 {}", B64.encode(Sha256::digest(&photo))))
                        .body(photo)
                        .send()
                        .unwrap();
                    assert_eq!(r.status(), 204);
                    mine.push(("tus PATCH 2MB", t.elapsed()));
                    let m = Manifest {
                        format: MANIFEST_FORMAT.into(),
                        device_id: d.id.clone(),
                        device_key: hex::encode(d.key.verifying_key().as_bytes()),
                        seq,
                        prev: prev.clone(),
                        item_id: uuid::Uuid::new_v4().to_string(),
                        kind: EntryKind::Photo,
                        media: Some(MediaRef {
                            sha256: sha,
                            bytes: size as u64,
                            media_type: "image/jpeg".into(),
                            width: None,
                            height: None,
                            trailer: None,
                        }),
                        capture: CaptureRecord { device_time_ms: 1, utc_offset_min: 480, monotonic_ms: 1, boot_id: "b".into(), fix: None },
                        anchored: None,
                        exif: None,
                        audio: None,
                        video: None,
                        received: None,
                        text: None,
                        attach: None,
                        flags: vec![],
                        order_number: None,
                        visit_id: None,
                        visit_purpose: None,
                        share: None,
                    };
                    let sm = m.sign(&d.key).unwrap();
                    prev = Some(sm.hash());
                    let t = Instant::now();
                    let r = c.post(format!("{base}/v1/manifests")).bearer_auth(&d.token).json(&sm).send().unwrap();
                    assert_eq!(r.status(), 201);
                    mine.push(("manifest", t.elapsed()));
                    let v: Value = r.json().unwrap();
                    let sr = SignedReceipt {
                        receipt: v["receipt"].as_str().unwrap().into(),
                        signature: v["signature"].as_str().unwrap().into(),
                    };
                    let rc = sr.open(&server_key).expect("receipt verifies");
                    assert_eq!(rc.manifest_hash, sm.hash());
                }
                lat.lock().unwrap().extend(mine);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let wall = t0.elapsed().as_secs_f64();
    let total = (devices * photos * size) as f64 / 1e6;
    let anomalies: Value = c.get(format!("{}/v1/anomalies", s.base)).bearer_auth(&coord).send().unwrap().json().unwrap();
    assert!(anomalies["anomalies"].as_array().unwrap().is_empty());
    let blobs = count_files(&s.data.join("blobs"));
    assert_eq!(blobs, devices * photos, "every photo stored");
    println!("\n== devices: {devices} devices x {photos} photos x 2 MB over loopback, every receipt verified, {blobs} blobs stored");
    println!("   {total:.0} MB in {wall:.1} s = {:.1} MB/s, {:.0} uploads/s", total / wall, (devices * photos) as f64 / wall);
    let all = lat.lock().unwrap();
    for kind in ["tus POST", "tus PATCH 2MB", "manifest"] {
        let mut v: Vec<Duration> = all.iter().filter(|(k, _)| *k == kind).map(|(_, d)| *d).collect();
        println!("   {kind:<14} n={:<5} p50 {:>8.1} ms  p99 {:>8.1} ms", v.len(), pct(&mut v, 0.5), pct(&mut v, 0.99));
    }
    let mut v: Vec<Duration> = all.iter().map(|(_, d)| *d).collect();
    println!("   all requests   n={:<5} p50 {:>8.1} ms  p99 {:>8.1} ms", v.len(), pct(&mut v, 0.5), pct(&mut v, 0.99));
}

fn admin_fast_user(c: &Client, s: &Server, _coord: &str, i: usize) {
    // Workers are created through the API by an admin session (faster than a process per user).
    let admin_token = s.admin_token.get_or_init(|| login(c, s, "boss"));
    let r = c
        .post(format!("{}/v1/users", s.base))
        .bearer_auth(admin_token)
        .json(&json!({"username": format!("w{i}"), "role": "worker", "community": "c1"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|rd| rd.flatten().map(|e| if e.path().is_dir() { count_files(&e.path()) } else { 1 }).sum()).unwrap_or(0)
}

/// A reader of `n` pseudo-random bytes that also hashes them; constant memory.
struct Gen {
    left: u64,
    rng: rand::rngs::StdRng,
}

impl Read for Gen {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (buf.len() as u64).min(self.left) as usize;
        self.rng.fill_bytes(&mut buf[..n]);
        self.left -= n as u64;
        Ok(n)
    }
}

fn gen_sha(n: u64, seed: u64) -> String {
    let mut g = Gen { left: n, rng: rand::rngs::StdRng::seed_from_u64(seed) };
    let mut h = Sha256::new();
    std::io::copy(&mut g, &mut HashWriter(&mut h)).unwrap();
    hex::encode(h.finalize())
}

struct HashWriter<'a>(&'a mut Sha256);
impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.update(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn bench_big() {
    let n: u64 = ((1u64 << 30) as f64 * scale()) as u64;
    let s = start(&[]);
    let c = Client::builder().timeout(Duration::from_secs(3600)).build().unwrap();
    let coord = login(&c, &s, "coord");
    admin_fast_user(&c, &s, &coord, 0);
    let d = enroll(&c, &s, &coord, "w0");
    let sha = gen_sha(n, 7);
    let pid = s.child.id();
    let rss0 = status(pid, "VmRSS:");
    let r = c
        .post(format!("{}/v1/uploads/", s.base))
        .bearer_auth(&d.token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", n.to_string())
        .header("Upload-Metadata", format!("sha256 {}", B64.encode(&sha)))
        .send()
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let peak = Arc::new(std::sync::atomic::AtomicU64::new(rss0));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                peak.fetch_max(status(pid, "VmRSS:"), std::sync::atomic::Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let t = Instant::now();
    let body = reqwest::blocking::Body::sized(Gen { left: n, rng: rand::rngs::StdRng::seed_from_u64(7) }, n);
    let r = c
        .patch(format!("{}{loc}", s.base))
        .bearer_auth(&d.token)
        .header("Tus-Resumable", "1.0.0")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .body(body)
        .send()
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    sampler.join().unwrap();
    assert_eq!(r.status(), 204, "{:?}", r.text());
    let hwm = status(pid, "VmHWM:");
    let growth_sampled = peak.load(std::sync::atomic::Ordering::SeqCst).saturating_sub(rss0);
    let growth_hwm = hwm.saturating_sub(rss0);
    let stored = s.data.join("blobs").join(&sha[0..2]).join(&sha[2..4]).join(&sha);
    assert_eq!(std::fs::metadata(&stored).unwrap().len(), n, "stored under its sha256");
    println!(
        "\n== big: one {:.2} GB tus upload in a single PATCH: {secs:.1} s = {:.0} MB/s, stored and hash-verified",
        n as f64 / 1e9,
        n as f64 / 1e6 / secs
    );
    println!(
        "   server RSS before {} MB; growth: sampled peak {:.1} MB, VmHWM-based {:.1} MB (target < 64 MB) -> {}",
        rss0 / 1024,
        growth_sampled as f64 / 1024.0,
        growth_hwm as f64 / 1024.0,
        if growth_hwm < 64 * 1024 { "OK" } else { "OVER" }
    );
}

fn curl(args: &[&str]) -> (f64, String) {
    let t = Instant::now();
    let out = Command::new("curl")
        .args(["-sS", "--fail-with-body", "-o", "/dev/null", "-w", "%{http_code} %{size_upload} %{speed_upload}"])
        .args(args)
        .output()
        .expect("curl");
    let secs = t.elapsed().as_secs_f64();
    assert!(out.status.success(), "curl failed: {}", String::from_utf8_lossy(&out.stderr));
    (secs, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn bench_ratio() {
    let n: u64 = ((200u64 << 20) as f64 * scale()) as u64;
    let s = start(&["--bench-sink"]);
    let c = Client::builder().timeout(Duration::from_secs(3600)).build().unwrap();
    let coord = login(&c, &s, "coord");
    admin_fast_user(&c, &s, &coord, 0);
    let d = enroll(&c, &s, &coord, "w0");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("payload.bin");
    std::io::copy(&mut Gen { left: n, rng: rand::rngs::StdRng::seed_from_u64(9) }, &mut std::fs::File::create(&file).unwrap()).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let sha = hex::encode(Sha256::digest(&bytes));
    let checksum = B64.encode(Sha256::digest(&bytes));
    drop(bytes);
    let path = file.display().to_string();
    let auth = format!("Authorization: Bearer {}", d.token);
    let mut tus_times = Vec::new();
    let mut sink_times = Vec::new();
    for round in 0..3 {
        let (ts, out) = curl(&[
            "-X",
            "POST",
            &format!("{}/bench/sink", s.base),
            "-H",
            "Content-Type: application/octet-stream",
            "--data-binary",
            &format!("@{path}"),
        ]);
        assert!(out.starts_with("200"), "{out}");
        sink_times.push(ts);
        // The tus upload includes its creation request, as a device would do it.
        let r = c
            .post(format!("{}/v1/uploads/", s.base))
            .bearer_auth(&d.token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", n.to_string())
            .header("Upload-Metadata", format!("sha256 {},filename {}", B64.encode(&sha), B64.encode(format!("r{round}.bin"))))
            .send()
            .unwrap();
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        let (tt, out) = curl(&[
            "-X",
            "PATCH",
            &format!("{}{loc}", s.base),
            "-H",
            &auth,
            "-H",
            "Tus-Resumable: 1.0.0",
            "-H",
            "Content-Type: application/offset+octet-stream",
            "-H",
            "Upload-Offset: 0",
            "-H",
            &format!("Upload-Checksum: sha256 {checksum}"),
            "--data-binary",
            &format!("@{path}"),
        ]);
        assert!(out.starts_with("204"), "{out}");
        tus_times.push(tt);
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let (tt, ts) = (med(&mut tus_times), med(&mut sink_times));
    let mb = n as f64 / 1e6;
    println!("\n== ratio: {mb:.0} MB, curl --data-binary to a plain sink vs tus PATCH (sha256 checksum) by curl, median of 3");
    println!("   plain sink {:.0} MB/s, tus {:.0} MB/s -> tus/plain throughput ratio {:.2}", mb / ts, mb / tt, ts / tt);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let want = |name: &str| args.is_empty() || args.iter().any(|a| a == name);
    if want("devices") {
        bench_devices();
    }
    if want("big") {
        bench_big();
    }
    if want("ratio") {
        bench_ratio();
    }
}
