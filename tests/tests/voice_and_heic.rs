//! Field-true capture through the real CLI: the voice formats phones write
//! (MP3, AMR-NB, AMR-WB, ADTS AAC) are captured with the length ffprobe
//! finds, to within one frame; an AMR file cut inside a frame is refused
//! (exit 2, bilingual message) and nothing is stored; and a HEIC photo gets an
//! upright thumbnail and preview on the desktop device (libheif).
//!
//! Needs ffprobe (ffmpeg) and heif-enc (libheif-examples), installed by
//! scripts/test.d/15-media-tools.sh.

use std::path::Path;
use std::process::Command;

use siteproof_tests::{audit_store, cli, cli_json, fixtures};

/// What ffprobe says about a file: (codec, duration in ms, one frame in ms). Duration is where
/// the last packet ends, not the format duration, which for AMR is a guess from the bitrate.
fn ffprobe(path: &Path) -> (String, u64, u64) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name:packet=pts_time,duration_time", "-of", "json"])
        .arg(path)
        .output()
        .expect("run ffprobe (apt-get install ffmpeg)");
    assert!(out.status.success(), "ffprobe: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codec = v["streams"][0]["codec_name"].as_str().unwrap().to_string();
    let secs = |p: &serde_json::Value, k: &str| p[k].as_str().and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    let packets = v["packets"].as_array().expect("packets");
    let last = packets.last().expect("at least one packet");
    let end = secs(last, "pts_time") + secs(last, "duration_time");
    (codec, (end * 1000.0).round() as u64, (secs(last, "duration_time") * 1000.0).round() as u64)
}

#[test]
fn voice_formats_are_captured_with_their_length() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    cli_json(home, &["init"]);
    for (rel, media_type, codec, ffprobe_codec) in [
        ("audio/note.mp3", "audio/mpeg", "mp3", "mp3"),
        ("audio/note.amr", "audio/amr", "amr_nb", "amr_nb"),
        ("audio/note_wb.amr", "audio/amr-wb", "amr_wb", "amr_wb"),
        ("audio/note.aac", "audio/aac", "aac", "aac"),
    ] {
        let file = fixtures().join(rel);
        let (probed_codec, probed_ms, frame_ms) = ffprobe(&file);
        assert_eq!(probed_codec, ffprobe_codec, "{rel}");
        let item = cli_json(home, &["capture", "voice", file.to_str().unwrap()]);
        assert_eq!(item["media_type"], media_type, "{rel}: {item}");
        let ms = item["duration_ms"].as_u64().unwrap_or_else(|| panic!("{rel}: no duration in {item}"));
        // MP3 and AAC players (and ffprobe's packet times) count the encoder's priming samples
        // differently; one frame is the most two honest readings may differ by.
        assert!(ms.abs_diff(probed_ms) <= frame_ms, "{rel}: captured {ms} ms, ffprobe {probed_ms} ms (one frame is {frame_ms} ms)");
        // What the manifest signs.
        let inspected = cli_json(home, &["inspect", file.to_str().unwrap()]);
        assert_eq!((inspected["duration_ms"].as_u64(), inspected["codec"].as_str()), (Some(ms), Some(codec)), "{rel}");
    }
    assert_eq!(audit_store(home).entries, 4);
}

#[test]
fn cut_amr_is_refused_and_nothing_is_stored() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    cli_json(home, &["init"]);
    for rel in ["audio/note_truncated.amr", "audio/note_wb_truncated.amr"] {
        let file = fixtures().join(rel);
        let out = cli(home).args(["capture", "voice"]).arg(&file).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{rel}: {stderr}");
        assert!(stderr.contains("文件已损坏") && stderr.contains("cut off inside frame"), "{rel}: {stderr}");
    }
    let store = audit_store(home);
    assert_eq!(store.entries, 0);
    assert!(store.problems.is_empty(), "{:?}", store.problems);
}

#[test]
fn heic_photo_gets_upright_previews_on_the_desktop_device() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    cli_json(home, &["init"]);
    // A phone's HEIC: stored landscape with irot 270° and EXIF orientation 6.
    let photo = siteproof_tests::exif_samples().join("heic/mobile/iphone_13_pro_max.HEIC");
    let item = cli_json(home, &["capture", "photo", photo.to_str().unwrap()]);
    assert_eq!(item["media_type"], "image/heic", "{item}");
    let db = rusqlite::Connection::open(home.join("store/siteproof.db")).unwrap();
    let mut rows: Vec<(String, String, u32, u32)> = db
        .prepare("SELECT role, sha256, width, height FROM derivatives WHERE item_id = ?1 ORDER BY role")
        .unwrap()
        .query_map([item["item_id"].as_str().unwrap()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    let sizes: Vec<(&str, u32, u32)> = rows.iter().map(|(r, _, w, h)| (r.as_str(), *w, *h)).collect();
    assert_eq!(sizes, [("preview", 960, 1280), ("thumbnail", 240, 320)], "portrait, turned once");
    for (role, sha, w, h) in &rows {
        // The stored blob is a JPEG of the recorded size (its own headers say so).
        let blob = home.join("store/blobs").join(&sha[..2]).join(sha);
        let info = siteproof_core::media::read_photo_info(&blob).unwrap_or_else(|e| panic!("{role}: {e}"));
        assert_eq!((info.media_type.as_str(), info.width, info.height), ("image/jpeg", *w, *h), "{role}");
    }
}

#[test]
fn heic_preview_and_voice_formats_reach_the_dispute_packet() {
    use siteproof_tests::packet_files::{have_font, have_tool, unzip};
    if !(have_tool("pdfimages", "-v") && have_font()) {
        return;
    }
    let w = siteproof_tests::world::World::new();
    let number = "2026113000021";
    let (st, body) = w.coordinator_send(
        reqwest::Method::POST,
        "/v1/orders",
        serde_json::json!({"number": number, "kind": "投诉", "category": "噪音", "address": "幸福里社区 5号楼", "complainant": "王女士",
               "content": "夜间施工噪音", "deadline_ms": siteproof_tests::now_ms() + 86_400_000}),
    );
    assert_eq!(st, 201, "{body}");
    let (st, _) = w.coordinator_send(reqwest::Method::POST, &format!("/v1/orders/{number}/assign"), serde_json::json!({"worker": "wang"}));
    assert!(st < 300);
    let home = w.device("phone", None);
    cli_json(&home, &["sync"]);
    let heic = siteproof_tests::exif_samples().join("heic/mobile/iphone_13_pro_max.HEIC");
    for (kind, file) in [("photo", heic), ("voice", fixtures().join("audio/note.mp3")), ("voice", fixtures().join("audio/note_wb.amr"))] {
        cli_json(&home, &["capture", kind, file.to_str().unwrap(), "--order", number, "--lat", "39.9087", "--lon", "116.3975"]);
    }
    let report = cli_json(&home, &["sync"]);
    assert_eq!(report["receipts"], 3, "{report}");

    let packet = w.dir.path().join("heic.zip");
    siteproof_tests::server::admin(&w.data(), &["--json", "export-order", number, "--out", packet.to_str().unwrap()]);
    let members = unzip(&packet);
    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    for ext in [".heic", ".mp3", ".awb"] {
        assert_eq!(names.iter().filter(|n| n.starts_with("originals/") && n.ends_with(ext)).count(), 1, "{ext} original in {names:?}");
    }
    // The report shows the HEIC photo by its upright preview (the server decodes it with libheif).
    let pdf = w.dir.path().join("report.pdf");
    std::fs::write(&pdf, &members.iter().find(|(n, _)| n == "report.pdf").unwrap().1).unwrap();
    let out = Command::new("pdfimages").arg("-list").arg(&pdf).output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    let sizes: Vec<(u32, u32)> = list
        .lines()
        .skip(2)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((f.get(3)?.parse().ok()?, f.get(4)?.parse().ok()?))
        })
        .collect();
    assert!(sizes.contains(&(960, 1280)), "the HEIC preview, portrait, is in the report: {list}");
    // The packet checks itself: intact, signer not pinned (exit 5).
    let verify = cli(&home).arg("verify").arg(&packet).output().unwrap();
    assert_eq!(verify.status.code(), Some(5), "{}", String::from_utf8_lossy(&verify.stdout));
}
