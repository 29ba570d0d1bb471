//! Console benchmark: 10,000 work orders and 100,000 evidence items (signed
//! manifests, signed receipts in one log, thumbnails, a few anomalies) seeded
//! by SQL in one transaction into a real data directory, then the real server
//! process serves the order list (several filters, a deep keyset page) and
//! order pages to a logged-in console client. Reports p50/p99 per page and
//! each p50 as a multiple of `GET /v1/health` measured in the same run.
//!
//! `cargo bench -p siteproof-server --bench console` (SITEPROOF_BENCH_N=200
//! requests per page by default).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use rusqlite::params;
use siteproof_core::evidence::{
    device_id_for_key, AnchoredTime, CaptureRecord, EntryKind, LocationFix, Manifest, MediaRef, Receipt, MANIFEST_FORMAT, RECEIPT_FORMAT,
};

const BIN: &str = env!("CARGO_BIN_EXE_siteproof-server");
const PASSWORD: &str = "bench-coordinator-1";
const ORDERS: usize = 10_000;
const ITEMS: usize = 100_000;
const DEVICES: usize = 40;

fn admin(data: &Path, args: &[&str]) {
    let out = Command::new(BIN).arg("--data").arg(data).arg("admin").args(args).env("SITEPROOF_PASSWORD", PASSWORD).output().unwrap();
    assert!(out.status.success(), "admin {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(data: &Path) -> Server {
    let mut child = Command::new(BIN)
        .arg("--data")
        .arg(data)
        .args(["--listen", "127.0.0.1:0"])
        .env("SITEPROOF_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on ").unwrap().to_string();
    Server(child, format!("http://{addr}"))
}

fn sha(n: u64, salt: &str) -> String {
    siteproof_core::evidence::sha256_hex(format!("{salt}-{n}").as_bytes())
}

/// Seeds orders and evidence shaped like real rows, in one transaction.
fn seed(data: &Path) -> (String, String) {
    let server_key = {
        let text = std::fs::read_to_string(data.join("server.key")).unwrap();
        SigningKey::from_bytes(&hex::decode(text.trim()).unwrap().try_into().unwrap())
    };
    let server_hex = hex::encode(server_key.verifying_key().as_bytes());
    let mut c = rusqlite::Connection::open(data.join("siteproof.db")).unwrap();
    let t0 = Instant::now();
    let tx = c.transaction().unwrap();
    let (comm_a, comm_b): (i64, i64) = (
        tx.query_row("SELECT id FROM communities WHERE name = 'A社区'", [], |r| r.get(0)).unwrap(),
        tx.query_row("SELECT id FROM communities WHERE name = 'B社区'", [], |r| r.get(0)).unwrap(),
    );
    let coord: i64 = tx.query_row("SELECT id FROM users WHERE username = 'coord_a'", [], |r| r.get(0)).unwrap();
    let workers: Vec<i64> = (0..DEVICES)
        .map(|i| {
            let community = if i % 4 == 3 { comm_b } else { comm_a };
            tx.execute(
                "INSERT INTO users (username, role, office_id, community_id, created_at_ms) VALUES (?1, 'worker', 1, ?2, 0)",
                params![format!("worker{i:02}"), community],
            )
            .unwrap();
            tx.last_insert_rowid()
        })
        .collect();
    let keys: Vec<SigningKey> = (0..DEVICES).map(|i| SigningKey::from_bytes(&[i as u8 + 1; 32])).collect();
    let dev_ids: Vec<String> = keys.iter().map(|k| device_id_for_key(&k.verifying_key())).collect();
    for i in 0..DEVICES {
        let community = if i % 4 == 3 { comm_b } else { comm_a };
        tx.execute(
            "INSERT INTO devices (device_id, public_key, user_id, community_id, name, enrolled_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            params![dev_ids[i], hex::encode(keys[i].verifying_key().as_bytes()), workers[i], community, format!("phone {i}")],
        )
        .unwrap();
    }
    let now = chrono::Utc::now().timestamp_millis();
    let day = 86_400_000i64;
    let statuses = ["new", "in_progress", "answered", "reopened", "closed", "in_progress"];
    let types = [None, Some("ordinary"), Some("key"), Some("difficult")];
    let callbacks = [None, None, Some("satisfied"), Some("understands"), Some("dissatisfied"), Some("reopened")];
    for i in 0..ORDERS {
        let community = if i % 4 == 3 { comm_b } else { comm_a };
        let worker = workers[i % DEVICES];
        let deadline = if i % 17 == 0 { None } else { Some(now + ((i as i64 % 41) - 20) * day / 2) };
        tx.execute(
            "INSERT INTO orders (number, community_id, kind, category, address, spot_lat, spot_lon, complainant, content, dispatched_at_ms,
                deadline_ms, status, tag_type, tag_callback, knowledge, assignee_id, change_seq, created_at_ms, updated_at_ms)
             VALUES (?1, ?2, 'complaint', '噪音', ?3, 39.9087, 116.3975, '王女士 13800138000', '夜间施工噪音扰民，请尽快处理', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?4, ?4)",
            params![
                format!("2026{:09}", i), community, format!("幸福里{}号楼", i % 30 + 1), now - 3 * day, deadline, statuses[i % statuses.len()],
                types[i % types.len()], callbacks[i % callbacks.len()], if i % 9 == 0 { "《噪声污染防治法》夜间施工须有证明" } else { "" },
                worker, i as i64 + 1
            ],
        )
        .unwrap();
        let oid = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO order_history (order_id, version, field, old_value, new_value, actor_id, actor_role, at_ms) VALUES (?1, 1, 'created', NULL, ?2, ?3, 'coordinator', ?4)",
            params![oid, format!("2026{:09}", i), coord, now - 3 * day],
        )
        .unwrap();
    }
    tx.execute("UPDATE counters SET value = ?1 WHERE name = 'order_change'", [ORDERS as i64]).unwrap();
    let mut seqs = vec![0u64; DEVICES];
    let mut prevs: Vec<Option<String>> = vec![None; DEVICES];
    let mut log_prev: Option<String> = None;
    for n in 0..ITEMS {
        let order_i = n % ORDERS;
        // Each order's items come from the device of its community that works it.
        let d = order_i % DEVICES;
        let community = if d % 4 == 3 { comm_b } else { comm_a };
        seqs[d] += 1;
        let kind = match n % 10 {
            0..=6 => EntryKind::Photo,
            7 | 8 => EntryKind::Voice,
            _ => EntryKind::Note,
        };
        let media = match kind {
            EntryKind::Photo => Some(MediaRef {
                sha256: sha(n as u64, "photo"),
                bytes: 3_500_000,
                media_type: "image/jpeg".into(),
                width: Some(4000),
                height: Some(3000),
                trailer: None,
            }),
            EntryKind::Voice => Some(MediaRef {
                sha256: sha(n as u64, "voice"),
                bytes: 120_000,
                media_type: "audio/mp4".into(),
                width: None,
                height: None,
                trailer: None,
            }),
            _ => None,
        };
        let t = now - 2 * day + n as i64 * 1000;
        let m = Manifest {
            format: MANIFEST_FORMAT.into(),
            device_id: dev_ids[d].clone(),
            device_key: hex::encode(keys[d].verifying_key().as_bytes()),
            seq: seqs[d],
            prev: prevs[d].clone(),
            item_id: uuid::Uuid::new_v4().to_string(),
            kind,
            media: media.clone(),
            capture: CaptureRecord {
                device_time_ms: t,
                utc_offset_min: 480,
                monotonic_ms: 1_000_000 + n as u64,
                boot_id: "boot-1".into(),
                fix: Some(LocationFix {
                    lat: 39.9087 + (n % 7) as f64 * 1e-5,
                    lon: 116.3975,
                    accuracy_m: 8.0,
                    altitude_m: None,
                    provider: "gps".into(),
                    is_mock: false,
                    fix_time_ms: t,
                }),
            },
            anchored: if n % 5 == 0 { None } else { Some(AnchoredTime { utc_ms: t, bound_ms: 180, anchor_hash: sha(1, "anchor") }) },
            exif: None,
            audio: None,
            video: None,
            received: None,
            text: if kind == EntryKind::Note { Some("现场已核实，垃圾桶已清运。".into()) } else { None },
            attach: None,
            flags: if n % 5 == 0 { vec!["unanchored".into()] } else { vec![] },
            order_number: Some(format!("2026{:09}", order_i)),
            visit_id: Some(format!("visit-{}", n / ORDERS)),
            visit_purpose: None,
            share: None,
        };
        let sm = m.sign(&keys[d]).unwrap();
        let hash = sm.hash();
        let log_index = n as i64 + 1;
        let receipt = Receipt {
            format: RECEIPT_FORMAT.into(),
            manifest_hash: hash.clone(),
            device_id: dev_ids[d].clone(),
            seq: seqs[d],
            received_at_ms: t + 60_000,
            log_index: log_index as u64,
            log_prev: log_prev.clone(),
            server_key: server_hex.clone(),
        };
        let sr = receipt.sign(&server_key).unwrap();
        if let Some(media) = &media {
            tx.execute(
                "INSERT INTO blobs (sha256, bytes, media_type, stored_at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![media.sha256, media.bytes as i64, media.media_type, t],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO blob_owners (sha256, community_id, device_id, at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![media.sha256, community, dev_ids[d], t],
            )
            .unwrap();
            if kind == EntryKind::Photo {
                let th = sha(n as u64, "thumb");
                tx.execute(
                    "INSERT INTO blobs (sha256, bytes, media_type, stored_at_ms) VALUES (?1, 18000, 'image/jpeg', ?2)",
                    params![th, t],
                )
                .unwrap();
                tx.execute(
                    "INSERT INTO blob_owners (sha256, community_id, device_id, at_ms) VALUES (?1, ?2, ?3, ?4)",
                    params![th, community, dev_ids[d], t],
                )
                .unwrap();
                tx.execute(
                    "INSERT INTO derivatives (item_id, role, sha256, community_id, device_id, at_ms) VALUES (?1, 'thumbnail', ?2, ?3, ?4, ?5)",
                    params![m.item_id, th, community, dev_ids[d], t],
                )
                .unwrap();
            }
        }
        tx.execute(
            "INSERT INTO entries (manifest_hash, device_id, community_id, seq, prev, item_id, kind, media_sha256, order_number, attach_item_id,
                manifest, signature, received_at_ms, log_index) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, ?10, ?11, ?12, ?13)",
            params![hash, dev_ids[d], community, seqs[d] as i64, prevs[d], m.item_id, kind.as_str(), media.as_ref().map(|x| x.sha256.clone()),
                m.order_number, sm.manifest, sm.signature, t + 60_000, log_index],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO receipt_log (log_index, manifest_hash, receipt, signature, receipt_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![log_index, hash, sr.receipt, sr.signature, sr.hash()],
        )
        .unwrap();
        if n % 5_000 == 4_999 {
            tx.execute(
                "INSERT INTO anomalies (community_id, device_id, manifest_hash, seq, item_id, kind, detail, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, 'broken_link', 'bench', ?6)",
                params![community, dev_ids[d], hash, seqs[d] as i64, m.item_id, t],
            )
            .unwrap();
        }
        log_prev = Some(sr.hash());
        prevs[d] = Some(hash);
    }
    for d in 0..DEVICES {
        if let Some(h) = &prevs[d] {
            tx.execute("INSERT INTO device_heads (device_id, seq, hash) VALUES (?1, ?2, ?3)", params![dev_ids[d], seqs[d] as i64, h])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    c.execute_batch("ANALYZE").unwrap();
    eprintln!("seeded {ORDERS} orders and {ITEMS} evidence items in {:.1} s", t0.elapsed().as_secs_f64());
    // A typical order of community A (10 items) and the 4,000th order's neighbourhood for a deep page.
    (format!("2026{:09}", 40), format!("2026{:09}", 4000))
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing useful; run either way.
    let n: usize = std::env::var("SITEPROOF_BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    admin(&data, &["create-office", "东城街道"]);
    admin(&data, &["create-community", "东城街道", "A社区"]);
    admin(&data, &["create-community", "东城街道", "B社区"]);
    admin(&data, &["create-user", "coord_a", "--role", "coordinator", "--community", "A社区"]);
    drop(start(&data)); // creates the server key and migrates
    let (typical, _) = seed(&data);
    let server = start(&data);
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = http
        .post(format!("{}/console/login", server.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username=coord_a&password={PASSWORD}"))
        .send()
        .unwrap();
    assert_eq!(login.status(), 303, "console login");
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();

    // A deep page: the cursor of the 2,000th row.
    let mut deep = "/console/orders".to_string();
    for _ in 0..40 {
        let html = http.get(format!("{}{deep}", server.1)).header("cookie", &cookie).send().unwrap().text().unwrap();
        let at = html.find("data-test=\"next-page\"").expect("next page");
        let start = html[..at].rfind("href=\"").unwrap() + 6;
        deep = html[start..].split('"').next().unwrap().replace("&amp;", "&");
    }

    let pages: Vec<(&str, String)> = vec![
        ("GET /v1/health (baseline)", "/v1/health".into()),
        ("orders: all, first page", "/console/orders".into()),
        ("orders: overdue", "/console/orders?due=overdue".into()),
        ("orders: due today", "/console/orders?due=today".into()),
        ("orders: reopened", "/console/orders?reopened=1".into()),
        ("orders: type=key", "/console/orders?type=key".into()),
        ("orders: worker", "/console/orders?worker=worker05".into()),
        ("orders: page 41 (keyset)", deep),
        ("order page (10 items)", format!("/console/orders/{typical}")),
    ];
    let mut base = 0.0;
    println!("console bench: {ORDERS} orders, {ITEMS} evidence items, {n} requests per page, real server process");
    println!("{:<30} {:>9} {:>9} {:>9} {:>8}", "page", "p50 ms", "p99 ms", "bytes", "×health");
    for (name, path) in &pages {
        let mut times = Vec::with_capacity(n);
        let mut bytes = 0;
        for i in 0..n + 10 {
            let t = Instant::now();
            let r = http.get(format!("{}{path}", server.1)).header("cookie", &cookie).send().unwrap();
            assert_eq!(r.status(), 200, "{path}");
            bytes = r.bytes().unwrap().len();
            if i >= 10 {
                times.push(t.elapsed());
            }
        }
        let (p50, p99) = (pct(&mut times, 0.5), pct(&mut times, 0.99));
        if base == 0.0 {
            base = p50;
        }
        println!("{name:<30} {p50:>9.2} {p99:>9.2} {bytes:>9} {:>8.1}", p50 / base);
    }
}
