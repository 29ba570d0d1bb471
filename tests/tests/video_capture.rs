//! Video clips and received files, end to end with the real CLI and server.
//! A clip is evidence like a photo: captured byte for byte (hash equal to
//! `sha256sum`), its length and the place its container claims read without
//! loading the clip, synced by tus, streamed to the console with Range, and
//! carried in a dispute packet that verifies. MP4 and M4A share a container,
//! so a video track, not the brand, makes a clip. A file the worker received
//! (a resident's WeChat photo) is kept signed and chained but as `received`:
//! its source stated, its own EXIF shown as unverified claims, and never
//! counted as a visit on site.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use siteproof_tests::media::GPS_SAMPLES;
use siteproof_tests::packet_files::have_tool;
use siteproof_tests::server::admin;
use siteproof_tests::world::World;
use siteproof_tests::{cli, cli_bin, cli_json, exif_samples, fixtures};

const NUMBER: &str = "2026113000901";
const RECEIVED_ONLY: &str = "2026113000902";

fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("run sha256sum");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_string()
}

/// Runs ffmpeg (installed by scripts/test.d/20-packet-tools.sh) with `args`, writing `out`.
fn ffmpeg(args: &[&str], out: &Path) -> PathBuf {
    let run = Command::new("ffmpeg").args(["-hide_banner", "-loglevel", "error", "-y"]).args(args).arg(out).output().expect("run ffmpeg");
    assert!(run.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&run.stderr));
    out.to_path_buf()
}

/// The two-second MP4 the issue names: H.264 picture, AAC sound, and a place in its metadata.
fn mp4_with_place(dir: &Path) -> PathBuf {
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=d=2:s=320x240",
            "-f",
            "lavfi",
            "-i",
            "sine=d=2",
            "-metadata",
            "location=+39.9087+116.3975/",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
        ],
        &dir.join("VID_20261130_101500.mp4"),
    )
}

fn manifest_of(home: &Path, item_id: &str) -> Value {
    let conn = rusqlite::Connection::open(home.join("store/siteproof.db")).unwrap();
    let text: String = conn.query_row("SELECT manifest FROM entries WHERE item_id = ?1", [item_id], |r| r.get(0)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn post_order(world: &World, number: &str) {
    let order = serde_json::json!({
        "number": number, "kind": "complaint", "category": "噪音", "address": "幸福里小区5号楼",
        "complainant": "李女士 13900001111", "content": "夜间施工噪音", "spot_lat": 39.9087, "spot_lon": 116.3975,
        "dispatched_at_ms": 1_795_000_000_000i64, "deadline_ms": 1_795_300_000_000i64});
    let (status, body) = world.coordinator_send(reqwest::Method::POST, "/v1/orders", order);
    assert_eq!(status, 201, "{body}");
    let (status, body) =
        world.coordinator_send(reqwest::Method::POST, &format!("/v1/orders/{number}/assign"), serde_json::json!({"worker": "wang"}));
    assert_eq!(status, 200, "{body}");
}

fn sync(home: &Path) {
    let synced = cli(home).args(["--json", "sync"]).output().unwrap();
    assert!(synced.status.success(), "sync: {}", String::from_utf8_lossy(&synced.stderr));
}

/// A console GET with the coordinator's session, as the browser sends it.
fn console_get(world: &World, path: &str, range: Option<&str>) -> reqwest::blocking::Response {
    let mut req = reqwest::blocking::Client::new()
        .get(format!("{}{path}", world.server.url))
        .header("cookie", format!("sp_console={}", world.coordinator_token()));
    if let Some(r) = range {
        req = req.header("range", r);
    }
    req.send().unwrap()
}

fn export(world: &World, number: &str, dir: &Path) -> PathBuf {
    let packet = dir.join(format!("{number}.zip"));
    admin(&world.data(), &["--json", "export-order", number, "--out", packet.to_str().unwrap()]);
    let verified = Command::new(cli_bin()).args(["--json", "verify"]).arg(&packet).output().unwrap();
    // Intact, and no key pinned here: exit 5 (3 or 2 would be a problem or bad input).
    assert_eq!(
        verified.status.code(),
        Some(5),
        "verify: {}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
    packet
}

/// The report's text as pdftotext reads it, lines joined (the layout wraps long lines).
fn report_text(packet: &Path, dir: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(packet).unwrap()).unwrap();
    let pdf = dir.join(format!("{}.pdf", packet.file_stem().unwrap().to_string_lossy()));
    std::io::copy(&mut zip.by_name("report.pdf").unwrap(), &mut std::fs::File::create(&pdf).unwrap()).unwrap();
    let out = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&pdf).arg("-").output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect()
}

#[test]
fn an_mp4_clip_is_captured_exactly_streamed_with_range_and_verifies_in_a_packet() {
    let world = World::new();
    post_order(&world, NUMBER);
    let home = world.device("phone", None);
    sync(&home);
    let work = tempfile::tempdir().unwrap();
    let clip = mp4_with_place(work.path());
    let bytes = std::fs::read(&clip).unwrap();

    // The phone's platform decoder supplies a poster frame; here ffmpeg plays that part.
    let frame = ffmpeg(&["-i", clip.to_str().unwrap(), "-frames:v", "1"], &work.path().join("poster.jpg"));
    let item = cli_json(
        &home,
        &[
            "capture",
            "video",
            clip.to_str().unwrap(),
            "--order",
            NUMBER,
            "--lat",
            "39.9087",
            "--lon",
            "116.3975",
            "--poster",
            frame.to_str().unwrap(),
        ],
    );
    assert_eq!(item["kind"], "video");
    assert_eq!(item["media_type"], "video/mp4");
    let sha = item["media_sha256"].as_str().unwrap().to_string();
    assert_eq!(sha, sha256sum(&clip));
    let stored = std::fs::read(home.join("store/blobs").join(&sha[..2]).join(&sha)).unwrap();
    assert!(stored == bytes, "the stored original differs from the clip");
    let duration = item["duration_ms"].as_u64().unwrap();
    assert!((1900..=2100).contains(&duration), "duration {duration} ms");
    let video = manifest_of(&home, item["item_id"].as_str().unwrap())["video"].clone();
    assert_eq!((video["width"].as_u64(), video["height"].as_u64(), video["codec"].as_str()), (Some(320), Some(240), Some("avc1")));
    let (lat, lon) = (video["place"]["lat"].as_f64().unwrap(), video["place"]["lon"].as_f64().unwrap());
    assert!((lat - 39.9087).abs() < 1e-3 && (lon - 116.3975).abs() < 1e-3, "container place {lat}, {lon}");
    // inspect reads the same facts without storing anything.
    let inspected = cli_json(&home, &["inspect", clip.to_str().unwrap()]);
    assert_eq!((inspected["media_type"].as_str(), inspected["duration_ms"].as_u64()), (Some("video/mp4"), Some(duration)));

    // A clip without a poster frame.
    let plain = cli_json(&home, &["capture", "video", fixtures().join("video/clip.mp4").to_str().unwrap(), "--order", NUMBER]);
    let plain_sha = plain["media_sha256"].as_str().unwrap().to_string();

    sync(&home);
    assert_eq!(world.server_blob_ok(&sha), Ok(bytes.len() as u64));
    assert_eq!(world.server_anomalies(), Vec::<String>::new());

    // The console streams the clip with Range, as a <video> player asks for it.
    let part = console_get(&world, &format!("/console/blobs/{sha}"), Some("bytes=100-1099"));
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(part.headers()["content-range"].to_str().unwrap(), format!("bytes 100-1099/{}", bytes.len()));
    assert_eq!(part.headers()["content-type"].to_str().unwrap(), "video/mp4");
    assert!(part.bytes().unwrap()[..] == bytes[100..1100], "the range holds other bytes");
    let page = console_get(&world, &format!("/console/orders/{NUMBER}"), None);
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().unwrap();
    let player = |sha: &str| format!(r#"<video controls preload="none" src="/console/blobs/{sha}""#);
    let with_poster = html.find(&player(&sha)).unwrap_or_else(|| panic!("no player for the clip: {html}"));
    assert!(html[with_poster..].split('>').next().unwrap().contains(r#"poster="/console/blobs/"#), "{html}");
    let without = html.find(&player(&plain_sha)).unwrap_or_else(|| panic!("no player for the second clip: {html}"));
    assert!(!html[without..].split('>').next().unwrap().contains("poster="), "{html}");
    assert_eq!(html.matches(r#"data-test="video-placeholder""#).count(), 1, "only the clip without a poster has the placeholder: {html}");

    // The packet carries the clip byte for byte, and the report lists it with length and place.
    let packet = export(&world, NUMBER, work.path());
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&packet).unwrap()).unwrap();
    let mut packed = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name(&format!("originals/{sha}.mp4")).unwrap(), &mut packed).unwrap();
    assert!(packed == bytes, "the packet's original differs from the clip");
    if have_tool("pdftotext", "-v") {
        let text = report_text(&packet, work.path());
        assert!(text.contains("视频时长：2.0秒") && text.contains("视频时长：1.0秒"), "{text}");
        assert!(text.contains("视频2段"), "both clips count as recorded on site: {text}");
        assert!(text.contains("文件自带信息（未经核实）：地点39.90869,116.39749"), "the container's place, as a claim: {text}");
    }
}

#[test]
fn mov_and_3gp_are_clips_and_m4a_stays_a_voice_note() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let mov = ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=d=1:s=160x120",
            "-metadata",
            "location=+31.2304+121.4737/",
            "-metadata",
            "creation_time=2026-11-01T08:00:00Z",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
        ],
        &dir.join("IMG_0001.MOV"),
    );
    let three_gp = ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=d=1:s=176x144",
            "-f",
            "lavfi",
            "-i",
            "sine=d=1:sample_rate=8000",
            "-c:v",
            "h263",
            "-c:a",
            "aac",
            "-ac",
            "1",
        ],
        &dir.join("VID0001.3gp"),
    );
    let m4a = ffmpeg(&["-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac"], &dir.join("voice.m4a"));
    // An audio-only 3GP, as Android recorders write voice notes: the 3GP brand alone does not make a clip.
    let voice_3gp = ffmpeg(&["-f", "lavfi", "-i", "sine=d=1:sample_rate=8000", "-c:a", "aac", "-ac", "1"], &dir.join("voice.3gp"));

    let item = cli_json(home.path(), &["capture", "video", mov.to_str().unwrap()]);
    assert_eq!(item["media_type"], "video/quicktime");
    let video = manifest_of(home.path(), item["item_id"].as_str().unwrap())["video"].clone();
    assert_eq!(video["created_at"], "2026-11-01T08:00:00Z");
    assert_eq!((video["place"]["lat"].as_f64(), video["place"]["lon"].as_f64()), (Some(31.2304), Some(121.4737)));
    let item = cli_json(home.path(), &["capture", "video", three_gp.to_str().unwrap()]);
    assert_eq!((item["kind"].as_str(), item["media_type"].as_str()), (Some("video"), Some("video/3gpp")));
    assert_eq!(manifest_of(home.path(), item["item_id"].as_str().unwrap())["video"]["codec"], "s263");

    for voice in [&m4a, &voice_3gp] {
        let refused = cli(home.path()).args(["capture", "video"]).arg(voice).output().unwrap();
        assert_eq!(refused.status.code(), Some(2), "{}: {}", voice.display(), String::from_utf8_lossy(&refused.stderr));
        assert!(String::from_utf8_lossy(&refused.stderr).contains("not a video clip"));
        let item = cli_json(home.path(), &["capture", "voice", voice.to_str().unwrap()]);
        assert_eq!((item["kind"].as_str(), item["media_type"].as_str()), (Some("voice"), Some("audio/mp4")));
    }
    // And a clip is not a voice note.
    let refused = cli(home.path()).args(["capture", "voice"]).arg(&three_gp).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", String::from_utf8_lossy(&refused.stderr));
}

#[test]
fn a_received_wechat_photo_is_kept_as_received_with_its_exif_as_claims_and_no_visit() {
    let world = World::new();
    post_order(&world, RECEIVED_ONLY);
    let home = world.device("phone", None);
    sync(&home);
    let work = tempfile::tempdir().unwrap();
    // A photo from another day (its EXIF says 2008) with GPS, as a resident forwards it.
    let photo = work.path().join("mmexport1764500000000.jpg");
    std::fs::copy(exif_samples().join(GPS_SAMPLES[0]), &photo).unwrap();

    let item = cli_json(&home, &["import", photo.to_str().unwrap(), "--from", "居民微信", "--order", RECEIVED_ONLY]);
    assert_eq!((item["kind"].as_str(), item["received_from"].as_str()), (Some("received"), Some("居民微信")));
    assert_eq!(item["media_sha256"].as_str().unwrap(), sha256sum(&photo));
    let manifest = manifest_of(&home, item["item_id"].as_str().unwrap());
    assert_eq!(manifest["received"]["source"], "居民微信");
    assert!(manifest["exif"]["taken_at"].as_str().unwrap().starts_with("2008-"), "{manifest}");
    // Its EXIF is someone else's camera: kept as claims, not judged against this phone.
    let flags: Vec<&str> = manifest["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(!flags.iter().any(|f| f.starts_with("exif_") || *f == "no_fix"), "{flags:?}");
    assert_eq!(manifest["capture"]["fix"], Value::Null);
    let refused = cli(&home).args(["import"]).arg(&photo).args(["--from", " "]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "an unstated source is refused: {}", String::from_utf8_lossy(&refused.stderr));

    sync(&home);
    assert_eq!(world.server_anomalies(), Vec::<String>::new());
    let html = console_get(&world, &format!("/console/orders/{RECEIVED_ONLY}"), None).text().unwrap();
    assert!(html.contains("收到的材料，非本机拍摄，来源：居民微信"), "{html}");
    assert!(html.contains("文件自带信息（未经核实）：时间 2008-"), "{html}");
    assert!(html.contains(r#"data-standing="warn""#), "a received file is never proven on-site evidence: {html}");

    let packet = export(&world, RECEIVED_ONLY, work.path());
    if have_tool("pdftotext", "-v") {
        let text = report_text(&packet, work.path());
        assert!(text.contains("收到的材料，非本机拍摄，来源：居民微信"), "{text}");
        assert!(text.contains("文件自带信息（未经核实）：时间2008-"), "{text}");
        // The only item was received, so the report knows of no visit on site.
        assert!(text.contains("没有现场证据。"), "{text}");
    }
}
