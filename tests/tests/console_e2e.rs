//! The coordinators' console end to end, in a real browser: a CLI device
//! captures two visits' photos (with GPS), a voice note and a text note on an
//! order and syncs them to the real server; then Debian's headless Chromium,
//! driven by playwright-core (tests/console/console.mjs), logs in, opens the
//! order, reads the verification badges, plays the voice note and downloads
//! the dispute packet (a ZIP) for the ticked items.
//!
//! Needs `node`, `/usr/bin/chromium` and `npm ci` in tests/console (the
//! setup hook scripts/test.d/40-console-browser.sh installs them; the packet's
//! CJK font comes from 20-packet-tools.sh). Without
//! them the test says so and passes, except under `CI=true`, where it fails.

use std::path::Path;
use std::process::Command;

use reqwest::Method;
use serde_json::json;
use siteproof_tests::media::{distinct_photo, GPS_SAMPLES};
use siteproof_tests::world::{World, COORD_PASSWORD};
use siteproof_tests::{cli_json, fixtures, now_ms, repo_root};

/// Whether this build's server offers the dispute-packet export on the order page.
const PACKET_EXPORT: bool = true;

fn tools_missing() -> Option<String> {
    let console = repo_root().join("tests/console");
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed".into());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} does not exist"));
    }
    if !console.join("node_modules/playwright-core").exists() {
        return Some("tests/console/node_modules is missing (run npm ci there)".into());
    }
    None
}

fn at(home: &Path, args: &[&str]) -> serde_json::Value {
    let mut v = args.to_vec();
    v.extend(["--lat", "39.908700", "--lon", "116.397500", "--accuracy", "8", "--provider", "gps"]);
    cli_json(home, &v)
}

#[test]
fn coordinator_reads_and_plays_evidence_in_chromium() {
    if let Some(why) = tools_missing() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("console browser test cannot run under CI=true: {why}");
        }
        eprintln!("SKIPPED console_e2e: {why} (scripts/test.d/40-console-browser.sh installs what it needs)");
        return;
    }
    let w = World::new();
    let number = "2026112300042";
    let (st, body) = w.coordinator_send(
        Method::POST,
        "/v1/orders",
        json!({"number": number, "kind": "投诉", "category": "卫生", "address": "幸福里社区 3号楼东侧垃圾桶", "complainant": "李先生 13900139000",
               "content": "垃圾桶满溢有异味", "deadline_ms": now_ms() + 2 * 86_400_000, "spot_lat": 39.9087, "spot_lon": 116.3975}),
    );
    assert_eq!(st, 201, "{body}");
    let (st, body) = w.coordinator_send(Method::POST, &format!("/v1/orders/{number}/assign"), json!({"worker": "wang"}));
    assert!(st < 300, "{body}");

    let home = w.device("phone", None);
    cli_json(&home, &["sync"]); // pulls the order and anchors the clock
    let photos = w.dir.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();

    let v1 = at(&home, &["visits", "start", "--order", number, "--purpose", "现场核实"]);
    let v1 = v1["id"].as_str().expect("visit id").to_string();
    let p1 = distinct_photo(&photos, GPS_SAMPLES[0], "before");
    at(&home, &["capture", "photo", p1.to_str().unwrap(), "--order", number, "--visit", &v1]);
    let voice = fixtures().join("audio/note.m4a");
    at(&home, &["capture", "voice", voice.to_str().unwrap(), "--order", number, "--visit", &v1]);
    at(&home, &["note", "3号楼东侧垃圾桶满溢，物业称下午清运。", "--order", number, "--visit", &v1]);
    at(&home, &["visits", "end", &v1]);

    let v2 = at(&home, &["visits", "start", "--order", number, "--purpose", "整改"]);
    let v2 = v2["id"].as_str().expect("visit id").to_string();
    let p2 = distinct_photo(&photos, GPS_SAMPLES[1], "after");
    cli_json(
        &home,
        &[
            "capture",
            "photo",
            p2.to_str().unwrap(),
            "--order",
            number,
            "--visit",
            &v2,
            "--lat",
            "39.908740",
            "--lon",
            "116.397560",
            "--accuracy",
            "8",
        ],
    );
    at(&home, &["visits", "end", &v2]);
    let report = cli_json(&home, &["sync"]);
    assert_eq!(report["jobs_failed"], 0, "{report}");
    assert_eq!(report["pending_jobs"], 0, "{report}");
    assert_eq!(report["receipts"], 4, "{report}");

    let console = repo_root().join("tests/console");
    let out = Command::new("node")
        .arg(console.join("console.mjs"))
        .current_dir(&console)
        .env("CONSOLE_URL", &w.server.url)
        .env("CONSOLE_USER", "coord1")
        .env("CONSOLE_PASSWORD", COORD_PASSWORD)
        .env("ORDER_NUMBER", number)
        .env("EXPECT_ITEMS", "4")
        .env("EXPECT_PACKET", if PACKET_EXPORT { "1" } else { "0" })
        .env("DOWNLOAD_DIR", w.dir.path().join("downloads"))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("browser: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "browser run failed: {stdout}");
    let found: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or("{}")).expect("JSON findings");
    assert_eq!(found["ok"], true);
    assert!(found["audio"]["currentTime"].as_f64().unwrap() > 0.0, "{found}");
    assert!(
        found["mapLinks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().starts_with("https://uri.amap.com/marker?position=116.40")),
        "{found}"
    );

    // What the coordinator did is in the audit log.
    let db = rusqlite::Connection::open(w.data().join("siteproof.db")).unwrap();
    let views: i64 = db
        .query_row("SELECT COUNT(*) FROM audit WHERE action = 'view_order' AND target = ?1", [format!("order:{number}")], |r| r.get(0))
        .unwrap();
    assert!(views >= 1);
    let opened: i64 = db.query_row("SELECT COUNT(*) FROM audit WHERE action = 'view_original'", [], |r| r.get(0)).unwrap();
    assert!(opened >= 1, "playing the voice note opens an original");
    if PACKET_EXPORT {
        assert!(found["packet"]["bytes"].as_u64().unwrap() > 1000, "{found}");
        let exports: i64 = db
            .query_row("SELECT COUNT(*) FROM audit WHERE action = 'export' AND target LIKE ?1", [format!("{number}%")], |r| r.get(0))
            .unwrap();
        assert_eq!(exports, 1, "the export is audited");
        // What the browser saved is a packet that checks itself offline.
        let zip = found["packet"]["path"].as_str().expect("packet path");
        // Pinned to the key the server publishes, as the 12345 office would.
        let published: serde_json::Value = reqwest::blocking::get(format!("{}/v1/server-key", w.server.url)).unwrap().json().unwrap();
        let fingerprint = published["fingerprint"].as_str().unwrap();
        let out = Command::new(siteproof_tests::cli_bin()).args(["--json", "verify", "--server-key", fingerprint, zip]).output().unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "downloaded packet verifies: {report}{}", String::from_utf8_lossy(&out.stderr));
    }
}
