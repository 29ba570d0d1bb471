//! The dispute packet end to end: a worker's device captures photos, a voice
//! note and a note on an order the coordinator created, syncs to the real
//! server, and the packet is exported by the admin command and over HTTP.
//! The PDF is read back with poppler (text and fonts), the untouched packet
//! verifies with `siteproof verify`, and one flipped byte in each kind of
//! file, a removed photo and an added file are each caught and named.

use std::path::{Path, PathBuf};
use std::process::Command;

use siteproof_tests::media::{distinct_photo, GPS_SAMPLES};
use siteproof_tests::packet_files::{have_font, have_tool, rezip, unzip, verify_packet};
use siteproof_tests::server::admin;
use siteproof_tests::world::World;
use siteproof_tests::{cli, cli_json, fixtures};

const NUMBER: &str = "2026112300456";
const ADDRESS: &str = "幸福里小区5号楼东侧垃圾站";
const CATEGORY: &str = "环境卫生";
const CONTENT: &str = "居民反映垃圾桶满溢、有异味，要求清运";
const NOTE: &str = "已核实：12个垃圾桶均已清运，现场无异味";
const GROUNDS: &str = "我社区于11月23日到现场核实，12个垃圾桶均已清运，回访所述异味不存在";

/// `siteproof verify FILE` with no key pinned (`packet_trust` covers pinning): whether the packet is intact
/// and everything printed.
fn verify(file: &Path, json: bool) -> (bool, String) {
    let v = verify_packet(file, None, json);
    (v.intact_unpinned(), v.printed())
}

fn tool_output(tool: &str, args: &[&str], file: &Path, after: &[&str]) -> String {
    let out = Command::new(tool).args(args).arg(file).args(after).output().unwrap();
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The world with one order, evidence captured on it and synced; returns the world, device home and a scratch dir.
fn world_with_evidence() -> (World, PathBuf, PathBuf) {
    let w = World::new();
    let post = reqwest::Method::POST;
    let (st, body) = w.coordinator_send(
        post.clone(),
        "/v1/orders",
        serde_json::json!({
        "number": NUMBER, "kind": "complaint", "category": CATEGORY, "address": ADDRESS,
        "complainant": "李女士 13900001111", "content": CONTENT, "spot_lat": 39.9087, "spot_lon": 116.3970,
        "dispatched_at_ms": 1_795_000_000_000i64, "deadline_ms": 1_795_300_000_000i64}),
    );
    assert_eq!(st, 201, "{body}");
    let (st, _) = w.coordinator_send(post, &format!("/v1/orders/{NUMBER}/assign"), serde_json::json!({"worker": "wang"}));
    assert_eq!(st, 200);
    let home = w.device("phone", None);
    let scratch = w.dir.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    // First sync anchors the clock and brings the order to the device.
    assert!(cli(&home).args(["--json", "sync"]).output().unwrap().status.success());
    // The photos are taken on a visit, whose purpose the device signs into each entry.
    let visit = cli_json(&home, &["visits", "start", "--order", NUMBER, "--purpose", "现场核实", "--lat", "39.9087", "--lon", "116.3970"]);
    let visit_id = visit["id"].as_str().unwrap().to_string();
    for (i, sample) in GPS_SAMPLES.iter().take(3).enumerate() {
        let p = distinct_photo(&scratch, sample, &format!("bin-{i}"));
        let (lon, path) = (format!("116.397{i}"), p.to_str().unwrap().to_string());
        cli_json(&home, &["capture", "photo", &path, "--order", NUMBER, "--visit", &visit_id, "--lat", "39.9087", "--lon", &lon]);
    }
    let voice = fixtures().join("audio/note.m4a");
    cli_json(&home, &["capture", "voice", voice.to_str().unwrap(), "--order", NUMBER, "--lat", "39.9088", "--lon", "116.3975"]);
    cli_json(&home, &["note", NOTE, "--order", NUMBER]);
    let out = cli(&home).args(["--json", "sync", "--wait", "120"]).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    (w, home, scratch)
}

#[test]
fn dispute_packet_reads_verifies_and_names_every_tampered_file() {
    if !(have_tool("pdftotext", "-v") && have_tool("pdffonts", "-v") && have_font()) {
        return;
    }
    let (w, home, scratch) = world_with_evidence();
    let device_id = World::device_id(&home);
    let entries = w.server_entries(&device_id);
    let on_order: Vec<_> = entries.iter().filter(|e| e.seq >= 1).collect();
    assert_eq!(on_order.len(), 5, "3 photos, a voice note and a note reached the server: {entries:?}");

    // Export through the admin command.
    let packet = scratch.join("admin.zip");
    let printed = admin(&w.data(), &["--json", "export-order", NUMBER, "--out", packet.to_str().unwrap()]);
    let summary: serde_json::Value = serde_json::from_str(printed.trim()).unwrap();
    assert_eq!(summary["entries"], 5, "{summary}");
    assert!(packet.exists());
    let leftovers: Vec<_> = std::fs::read_dir(&scratch)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temp files stay behind: {leftovers:?}");

    let members = unzip(&packet);
    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    for expected in ["report.pdf", "GUIDE.txt", "packet.json", "keys/server.pub", "keys/server.pem", "SHA256SUMS", "SHA256SUMS.sig"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(names.contains(&format!("keys/device-{device_id}.pub").as_str()));
    assert_eq!(names.iter().filter(|n| n.starts_with("manifests/")).count(), 5);
    assert_eq!(names.iter().filter(|n| n.starts_with("receipts/")).count(), 5);
    assert_eq!(names.iter().filter(|n| n.starts_with("originals/")).count(), 4, "3 photos and one voice note: {names:?}");
    let guide = String::from_utf8(members.iter().find(|(n, _)| n == "GUIDE.txt").unwrap().1.clone()).unwrap();
    assert!(guide.find("核对服务器公钥指纹").unwrap() < guide.find("compare the server key fingerprint").unwrap(), "zh-CN first");

    // The PDF, read back by poppler.
    let pdf = scratch.join("report.pdf");
    std::fs::write(&pdf, &members.iter().find(|(n, _)| n == "report.pdf").unwrap().1).unwrap();
    let text = tool_output("pdftotext", &["-enc", "UTF-8"], &pdf, &["-"]);
    for fact in [NUMBER, ADDRESS, CATEGORY, CONTENT, "投诉", NOTE, "39.908700", "116.397000"] {
        assert!(text.contains(fact), "report lacks {fact:?}:\n{text}");
    }
    assert!(!text.contains("13900001111"), "the complainant's contact stays out of the report");
    for e in &entries {
        assert!(text.contains(&e.manifest_hash), "report lacks manifest hash {} whole:\n{text}", e.manifest_hash);
        if let Some(sha) = &e.media_sha256 {
            assert!(text.contains(sha.as_str()), "report lacks original hash {sha} whole:\n{text}");
        }
    }
    let fonts = tool_output("pdffonts", &[], &pdf, &[]);
    let font_lines: Vec<&str> = fonts.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert!(!font_lines.is_empty(), "pdffonts lists fonts:\n{fonts}");
    for line in &font_lines {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let name = cols[0];
        let (prefix, _) = name.split_once('+').unwrap_or_else(|| panic!("font {name} is not a subset (no ABCDEF+ prefix):\n{fonts}"));
        assert!(prefix.len() == 6 && prefix.chars().all(|c| c.is_ascii_uppercase()), "subset tag of {name}");
        // Columns from the right: object id (2), uni, sub, emb.
        let n = cols.len();
        assert_eq!((cols[n - 5], cols[n - 4]), ("yes", "yes"), "font embedded and subset: {line}\n{fonts}");
    }

    // The untouched packet verifies, in text and JSON.
    let (ok, out) = verify(&packet, false);
    assert!(ok, "untouched packet must verify:\n{out}");
    let (ok, out) = verify(&packet, true);
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["report"]["manifests_verified"], 5);
    assert_eq!(v["report"]["receipts_verified"], 5);
    assert_eq!(v["report"]["originals_verified"], 4);

    // One flipped byte in each kind of file is caught and named.
    let pick = |prefix: &str| names.iter().find(|n| n.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix}")).to_string();
    let targets = [
        "report.pdf".to_string(),
        pick("originals/"),
        pick("manifests/"),
        pick("receipts/"),
        format!("keys/device-{device_id}.pub"),
        "keys/server.pub".to_string(),
        "GUIDE.txt".to_string(),
        "packet.json".to_string(),
        "keys/server.pem".to_string(),
        "SHA256SUMS".to_string(),
        "SHA256SUMS.sig".to_string(),
    ];
    for (i, target) in targets.iter().enumerate() {
        let mut copy = members.clone();
        let (_, bytes) = copy.iter_mut().find(|(n, _)| n == target).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x01;
        let tampered = scratch.join(format!("flip-{i}.zip"));
        rezip(&tampered, &copy);
        let (ok, out) = verify(&tampered, false);
        assert!(!ok, "a flipped byte in {target} must fail verification:\n{out}");
        assert!(out.contains(target.as_str()), "the report names {target}:\n{out}");
    }

    // A byte flipped in place inside the ZIP (CRC no longer matches) is caught too.
    let raw = std::fs::read(&packet).unwrap();
    let original_name = pick("originals/");
    let original_bytes = &members.iter().find(|(n, _)| *n == original_name).unwrap().1;
    let pos = raw.windows(64).position(|w| w == &original_bytes[1000..1064]).expect("originals are stored uncompressed");
    let mut raw2 = raw.clone();
    raw2[pos + 10] ^= 0x40;
    let in_place = scratch.join("in-place.zip");
    std::fs::write(&in_place, raw2).unwrap();
    let (ok, out) = verify(&in_place, false);
    assert!(!ok && out.contains(original_name.as_str()), "in-place flip named:\n{out}");

    // A removed photo.
    let photo = names.iter().find(|n| n.starts_with("originals/") && n.ends_with(".jpg")).unwrap().to_string();
    let without: Vec<_> = members.iter().filter(|(n, _)| *n != photo).cloned().collect();
    let removed = scratch.join("removed.zip");
    rezip(&removed, &without);
    let (ok, out) = verify(&removed, false);
    assert!(!ok, "{out}");
    assert!(out.contains(photo.as_str()) && out.contains("文件缺失"), "the removed photo is named as missing:\n{out}");

    // An added file.
    let mut with_extra = members.clone();
    with_extra.push(("originals/extra.jpg".to_string(), std::fs::read(scratch.join("bin-0.jpg")).unwrap()));
    let added = scratch.join("added.zip");
    rezip(&added, &with_extra);
    let (ok, out) = verify(&added, false);
    assert!(!ok, "{out}");
    assert!(out.contains("originals/extra.jpg") && out.contains("多出的文件"), "the added file is named:\n{out}");

    // Without a usable CJK font the export fails with a clear bilingual message and leaves no file.
    let no_font = scratch.join("no-font.zip");
    let out = Command::new(siteproof_tests::server::server_bin())
        .env("SITEPROOF_CJK_FONT", scratch.join("absent.ttc"))
        .arg("--data")
        .arg(w.data())
        .args(["admin", "export-order", NUMBER, "--out"])
        .arg(&no_font)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("字体") && err.contains("font"), "{err}");
    assert!(!no_font.exists());

    // The export was audited.
    let db = rusqlite::Connection::open(w.data().join("siteproof.db")).unwrap();
    let audited: String =
        db.query_row("SELECT target FROM audit WHERE action = 'export' ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert!(audited.contains(NUMBER) && audited.contains("admin.zip"), "{audited}");
}

#[test]
fn coordinator_downloads_the_packet_over_http() {
    if !have_font() {
        return;
    }
    let (w, home, scratch) = world_with_evidence();
    let token = w.coordinator_token();
    let client = reqwest::blocking::Client::new();
    let resp = client.post(format!("{}/v1/orders/{NUMBER}/packet", w.server.url)).bearer_auth(&token).send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/zip");
    let disposition = resp.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.contains("attachment") && disposition.contains(NUMBER), "{disposition}");
    let declared_sha = resp.headers()["siteproof-packet-sha256"].to_str().unwrap().to_string();
    let bytes = resp.bytes().unwrap();
    assert_eq!(siteproof_core::evidence::sha256_hex(&bytes), declared_sha);
    let packet = scratch.join("http.zip");
    std::fs::write(&packet, &bytes).unwrap();
    let (ok, out) = verify(&packet, true);
    assert!(ok, "{out}");
    // The fingerprint the verifier prints is the one the server publishes.
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let published: serde_json::Value = client.get(format!("{}/v1/server-key", w.server.url)).send().unwrap().json().unwrap();
    assert_eq!(report["report"]["server_key_fingerprint"], published["fingerprint"], "{published}");
    // Audited with the download name and the packet's hash.
    let db = rusqlite::Connection::open(w.data().join("siteproof.db")).unwrap();
    let audited: String =
        db.query_row("SELECT target FROM audit WHERE action = 'export' ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(audited, format!("{NUMBER} siteproof-packet-{NUMBER}.zip sha256:{declared_sha}"));

    // The dispute the coordinator writes fills the 申诉书 cover; the body names the worker, the visit and the distances.
    if have_tool("pdftotext", "-v") {
        let dispute = serde_json::json!({"dispute": {
            "grounds": GROUNDS, "outcome": "不计重办", "submitting_unit": "幸福里社区居委会", "street_office": "和平街道办事处",
            "coordinator_name": "张专干", "coordinator_phone": "010-61234567"}});
        let resp = client.post(format!("{}/v1/orders/{NUMBER}/packet", w.server.url)).bearer_auth(&token).json(&dispute).send().unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let disputed = scratch.join("disputed.zip");
        std::fs::write(&disputed, resp.bytes().unwrap()).unwrap();
        let pdf = scratch.join("disputed.pdf");
        std::fs::write(&pdf, &unzip(&disputed).into_iter().find(|(n, _)| n == "report.pdf").unwrap().1).unwrap();
        let cover = tool_output("pdftotext", &["-enc", "UTF-8", "-l", "1"], &pdf, &["-"]);
        for fact in ["12345 工单申诉书", GROUNDS, "不计重办", "和平街道办事处 幸福里社区居委会", "张专干", "010-61234567", "盖章处"]
        {
            assert!(cover.contains(fact), "the cover lacks {fact:?}:\n{cover}");
        }
        let text = tool_output("pdftotext", &["-enc", "UTF-8"], &pdf, &["-"]);
        for fact in ["办理经过", "走访记录", "wang（账号，未登记真实姓名），设备「", "走访目的：现场核实", "距点位", "点位图", "WGS-84"]
        {
            assert!(text.contains(fact), "the report lacks {fact:?}:\n{text}");
        }
        let refused = client
            .post(format!("{}/v1/orders/{NUMBER}/packet", w.server.url))
            .bearer_auth(&token)
            .json(&serde_json::json!({"dispute": {"outcome": "撤单"}}))
            .send()
            .unwrap();
        assert_eq!(refused.status().as_u16(), 400);
        let body = refused.text().unwrap();
        assert!(body.contains("申请事项无效") && body.contains("invalid requested outcome"), "{body}");
    }

    // Only chosen items: one photo.
    let device_id = World::device_id(&home);
    let photo = w.server_entries(&device_id).into_iter().find(|e| e.media_sha256.is_some()).unwrap();
    let resp = client
        .post(format!("{}/v1/orders/{NUMBER}/packet", w.server.url))
        .bearer_auth(&token)
        .json(&serde_json::json!({"items": [photo.item_id]}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let one = scratch.join("one.zip");
    std::fs::write(&one, resp.bytes().unwrap()).unwrap();
    let names: Vec<String> = unzip(&one).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names.iter().filter(|n| n.starts_with("manifests/")).count(), 1, "{names:?}");
    assert!(verify(&one, false).0);

    // Unknown items, unknown orders and strangers are refused.
    let status = |req: reqwest::blocking::RequestBuilder| req.send().unwrap().status().as_u16();
    assert_eq!(
        status(
            client
                .post(format!("{}/v1/orders/{NUMBER}/packet", w.server.url))
                .bearer_auth(&token)
                .json(&serde_json::json!({"items": ["nope"]}))
        ),
        404
    );
    assert_eq!(
        status(
            client.post(format!("{}/v1/orders/{NUMBER}/packet", w.server.url)).bearer_auth(&token).json(&serde_json::json!({"item": []}))
        ),
        400
    );
    assert_eq!(status(client.post(format!("{}/v1/orders/999/packet", w.server.url)).bearer_auth(&token)), 404);
    assert_eq!(status(client.post(format!("{}/v1/orders/{NUMBER}/packet", w.server.url))), 401);
    let leftovers = std::fs::read_dir(w.data().join("packets")).unwrap().count();
    assert_eq!(leftovers, 0, "no packet files stay on the server");
}
