//! Voice notes and HEIC photos in the coordinators' console, in a real
//! browser: a CLI device captures an MP3 voice note, an AMR voice note and a
//! phone's HEIC photo on an order and syncs them; Debian's headless Chromium
//! (tests/console/voice.mjs, autoplay allowed) plays the MP3, finds the AMR
//! offered as a download with the reason, and sees the HEIC thumbnail upright.
//!
//! Needs what console_e2e needs (scripts/test.d/40-console-browser.sh): without
//! it the test says so and passes, except under `CI=true`, where it fails.

use std::path::Path;
use std::process::Command;

use reqwest::Method;
use serde_json::json;
use siteproof_tests::world::{World, COORD_PASSWORD};
use siteproof_tests::{cli_json, exif_samples, fixtures, now_ms, repo_root};

fn tools_missing() -> Option<String> {
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed".into());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} does not exist"));
    }
    if !repo_root().join("tests/console/node_modules/playwright-core").exists() {
        return Some("tests/console/node_modules is missing (run npm ci there)".into());
    }
    None
}

#[test]
fn mp3_plays_amr_downloads_heic_shows_in_chromium() {
    if let Some(why) = tools_missing() {
        assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "console voice test cannot run under CI=true: {why}");
        eprintln!("SKIPPED console_voice: {why} (scripts/test.d/40-console-browser.sh installs what it needs)");
        return;
    }
    let w = World::new();
    let number = "2026113000013";
    let (st, body) = w.coordinator_send(
        Method::POST,
        "/v1/orders",
        json!({"number": number, "kind": "投诉", "category": "噪音", "address": "幸福里社区 5号楼", "complainant": "王女士 13800138000",
               "content": "夜间施工噪音", "deadline_ms": now_ms() + 2 * 86_400_000}),
    );
    assert_eq!(st, 201, "{body}");
    let (st, body) = w.coordinator_send(Method::POST, &format!("/v1/orders/{number}/assign"), json!({"worker": "wang"}));
    assert!(st < 300, "{body}");

    let home = w.device("phone", None);
    cli_json(&home, &["sync"]);
    for (kind, file) in [
        ("voice", fixtures().join("audio/note.mp3")),
        ("voice", fixtures().join("audio/note.amr")),
        ("photo", exif_samples().join("heic/mobile/iphone_13_pro_max.HEIC")),
    ] {
        cli_json(
            &home,
            &["capture", kind, file.to_str().unwrap(), "--order", number, "--lat", "39.9087", "--lon", "116.3975", "--accuracy", "8"],
        );
    }
    let report = cli_json(&home, &["sync"]);
    assert_eq!((report["jobs_failed"].as_u64(), report["pending_jobs"].as_u64()), (Some(0), Some(0)), "{report}");

    let console = repo_root().join("tests/console");
    let out = Command::new("node")
        .arg(console.join("voice.mjs"))
        .current_dir(&console)
        .env("CONSOLE_URL", &w.server.url)
        .env("CONSOLE_USER", "coord1")
        .env("CONSOLE_PASSWORD", COORD_PASSWORD)
        .env("ORDER_NUMBER", number)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("browser: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "browser run failed: {stdout}");
    let found: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or("{}")).expect("JSON findings");
    assert_eq!(found["ok"], true, "{found}");
    let played = found["mp3"]["currentTime"].as_f64().unwrap() > 0.0 || found["mp3"]["ended"] == true;
    assert!(played, "{found}");
    // The player fetches nothing until the coordinator presses play (so opening the page is not listening).
    assert_eq!(found["preload"], "none", "{found}");
    assert!(found["heicThumb"]["h"].as_u64() > found["heicThumb"]["w"].as_u64(), "{found}");
}
