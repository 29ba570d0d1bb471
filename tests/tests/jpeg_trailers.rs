//! Field-true capture: phones write JPEGs with bytes after the image (a
//! motion photo's MP4, Samsung's SEF trailer, a stray byte from an old
//! camera). Those are complete photos: captured byte for byte, hashed as
//! `sha256sum` hashes the file, the extra bytes described in the signed
//! manifest, and accepted by the server. Only a JPEG really cut short is
//! refused. `siteproof inspect` and capture must agree on every file.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use siteproof_tests::packet_files::{verify_packet, VERIFY_INTACT_UNPINNED};
use siteproof_tests::server::admin;
use siteproof_tests::world::World;
use siteproof_tests::{audit_store, cli, cli_json, exif_samples, peak_rss};

/// `sha256sum FILE`: the hash a coordinator would compute with the stock tool.
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("run sha256sum");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_string()
}

/// A one-second MP4 made by ffmpeg, as a phone's motion photo carries (scripts/test.d installs ffmpeg).
fn ffmpeg_mp4(dir: &Path) -> Vec<u8> {
    let path = dir.join("clip.mp4");
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "1"])
        .args(["-c:v", "mpeg4", "-f", "mp4"])
        .arg(&path)
        .output()
        .expect("run ffmpeg (apt-get install ffmpeg)");
    assert!(out.status.success(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
    let mp4 = std::fs::read(&path).unwrap();
    assert_eq!(&mp4[4..8], b"ftyp");
    mp4
}

fn camera_jpeg() -> Vec<u8> {
    std::fs::read(exif_samples().join("jpg/Canon_40D.jpg")).unwrap()
}

/// Samsung's layout after the image: a "MotionPhoto_Data" block (2 zero
/// bytes, type 0x0A30, name length, name, the MP4), the "SEFH" directory
/// naming the block by its distance back from the directory, the
/// directory's size and "SEFT".
fn samsung_sef_trailer(mp4: &[u8]) -> Vec<u8> {
    let name = b"MotionPhoto_Data";
    let mut block = vec![0, 0, 0x30, 0x0A];
    block.extend_from_slice(&(name.len() as u32).to_le_bytes());
    block.extend_from_slice(name);
    block.extend_from_slice(mp4);
    let mut dir = b"SEFH".to_vec();
    dir.extend_from_slice(&107u32.to_le_bytes());
    dir.extend_from_slice(&1u32.to_le_bytes());
    dir.extend_from_slice(&[0, 0, 0x30, 0x0A]);
    dir.extend_from_slice(&(block.len() as u32).to_le_bytes());
    dir.extend_from_slice(&(block.len() as u32).to_le_bytes());
    let dir_len = dir.len() as u32;
    let mut trailer = block;
    trailer.extend(dir);
    trailer.extend_from_slice(&dir_len.to_le_bytes());
    trailer.extend_from_slice(b"SEFT");
    trailer
}

/// The signed manifest of an item, as the device stored it.
fn manifest_of(home: &Path, item_id: &str) -> Value {
    let conn = rusqlite::Connection::open(home.join("store/siteproof.db")).unwrap();
    let text: String = conn.query_row("SELECT manifest FROM entries WHERE item_id = ?1", [item_id], |r| r.get(0)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn part(kind: &str, offset: usize, length: usize) -> Value {
    serde_json::json!({ "kind": kind, "offset": offset, "length": length })
}

const NUMBER: &str = "2026113000789";

/// A world with one order assigned to worker wang and a phone that has pulled it.
fn world_with_order() -> (World, PathBuf) {
    let world = World::new();
    let post = reqwest::Method::POST;
    let order = serde_json::json!({
        "number": NUMBER, "kind": "complaint", "category": "环境卫生", "address": "幸福里小区5号楼",
        "complainant": "李女士 13900001111", "content": "居民反映楼道堆物", "spot_lat": 39.9087, "spot_lon": 116.3970,
        "dispatched_at_ms": 1_795_000_000_000i64, "deadline_ms": 1_795_300_000_000i64});
    let (status, body) = world.coordinator_send(post.clone(), "/v1/orders", order);
    assert_eq!(status, 201, "{body}");
    let (status, body) = world.coordinator_send(post, &format!("/v1/orders/{NUMBER}/assign"), serde_json::json!({"worker": "wang"}));
    assert_eq!(status, 200, "{body}");
    let home = world.device("phone", None);
    let synced = cli(&home).args(["--json", "sync"]).output().unwrap();
    assert!(synced.status.success(), "sync: {}", String::from_utf8_lossy(&synced.stderr));
    (world, home)
}

/// Captures `path`, checks the stored original is the file byte for byte and
/// its hash is `sha256sum`'s, and returns the manifest's trailer (checked equal to inspect's).
fn capture_exactly(home: &Path, path: &Path) -> Value {
    let item = cli_json(home, &["capture", "photo", path.to_str().unwrap(), "--order", NUMBER]);
    let sha = item["media_sha256"].as_str().unwrap().to_string();
    assert_eq!(sha, sha256sum(path), "{}", path.display());
    let stored = std::fs::read(home.join("store/blobs").join(&sha[..2]).join(&sha)).unwrap();
    assert!(stored == std::fs::read(path).unwrap(), "{}: the stored original differs from the file", path.display());
    let media = manifest_of(home, item["item_id"].as_str().unwrap())["media"].clone();
    assert_eq!(media["sha256"], sha.as_str());
    let inspected = cli_json(home, &["inspect", path.to_str().unwrap()]);
    assert_eq!(inspected["sha256"], sha.as_str());
    assert_eq!(inspected["trailer"], media.get("trailer").cloned().unwrap_or(Value::Null), "{}", path.display());
    media.get("trailer").cloned().unwrap_or(Value::Null)
}

#[test]
fn motion_photos_sef_trailers_and_stray_bytes_are_captured_byte_exact_and_described() {
    let (world, home) = world_with_order();
    let work = tempfile::tempdir().unwrap();
    let jpeg = camera_jpeg();
    let mp4 = ffmpeg_mp4(work.path());

    // Xiaomi/Google motion photo: the MP4 right after the camera JPEG's EOI.
    let motion = work.path().join("MVIMG_20260301_101500.jpg");
    std::fs::write(&motion, [jpeg.as_slice(), mp4.as_slice()].concat()).unwrap();
    let trailer = capture_exactly(&home, &motion);
    assert_eq!(trailer["image_end"], jpeg.len());
    assert_eq!(trailer["parts"], serde_json::json!([part("motion_photo_video", jpeg.len(), mp4.len())]));

    // Samsung: the MP4 inside a SEF trailer.
    let sef = samsung_sef_trailer(&mp4);
    let samsung = work.path().join("20260301_101600.jpg");
    std::fs::write(&samsung, [jpeg.as_slice(), sef.as_slice()].concat()).unwrap();
    let trailer = capture_exactly(&home, &samsung);
    let video_at = jpeg.len() + 4 + 4 + "MotionPhoto_Data".len();
    assert_eq!(
        trailer["parts"],
        serde_json::json!([part("samsung_trailer", jpeg.len(), sef.len()), part("motion_photo_video", video_at, mp4.len())])
    );

    // The shared fixture with one stray byte after its EOI.
    let olympus = exif_samples().join("jpg/exif-org/olympus-d320l.jpg");
    let len = std::fs::metadata(&olympus).unwrap().len() as usize;
    let trailer = capture_exactly(&home, &olympus);
    assert_eq!(trailer["parts"], serde_json::json!([part("unknown", len - 1, 1)]));

    // A JPEG that ends at its EOI keeps the manifest it always had: no trailer field.
    let plain = work.path().join("plain.jpg");
    std::fs::write(&plain, &jpeg).unwrap();
    assert_eq!(capture_exactly(&home, &plain), Value::Null);

    // The server takes the originals and the manifests that describe their trailers.
    let synced = cli(&home).args(["--json", "sync"]).output().unwrap();
    assert!(synced.status.success(), "sync: {}", String::from_utf8_lossy(&synced.stderr));
    let entries = world.server_entries(&World::device_id(&home));
    assert_eq!(entries.len(), 4, "{entries:?}");
    for (entry, file) in entries.iter().zip([&motion, &samsung, &olympus, &plain]) {
        let sha = entry.media_sha256.as_deref().unwrap();
        assert_eq!(sha, sha256sum(file));
        assert_eq!(world.server_blob_ok(sha), Ok(std::fs::metadata(file).unwrap().len()));
    }
    assert_eq!(world.server_anomalies(), Vec::<String>::new());

    // The order's dispute packet carries those manifests, and the offline verifier accepts them.
    let packet = work.path().join("packet.zip");
    admin(&world.data(), &["--json", "export-order", NUMBER, "--out", packet.to_str().unwrap()]);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&packet).unwrap()).unwrap();
    let described = (0..zip.len())
        .filter(|&i| {
            let mut member = String::new();
            let mut file = zip.by_index(i).unwrap();
            file.name().unwrap().starts_with("manifests/") && file.read_to_string(&mut member).is_ok() && member.contains("samsung_trailer")
        })
        .count();
    assert!(described > 0, "no manifest in the packet describes the Samsung trailer");
    let verified = verify_packet(&packet, None, true);
    assert_eq!(verified.status, VERIFY_INTACT_UNPINNED, "verify: {}", verified.printed());
}

#[test]
fn a_jpeg_cut_in_half_is_refused_by_capture_and_inspect_alike() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let jpeg = camera_jpeg();
    let half = work.path().join("half.jpg");
    std::fs::write(&half, &jpeg[..jpeg.len() / 2]).unwrap();
    let captured = run(home.path(), &["capture", "photo"], &half);
    let inspected = run(home.path(), &["inspect"], &half);
    assert_eq!(captured.status.code(), Some(2), "{}", String::from_utf8_lossy(&captured.stderr));
    assert_eq!(verdict(&inspected), verdict(&captured));
    let message = String::from_utf8_lossy(&captured.stderr);
    assert!(message.contains("JPEG 文件不完整（缺少结束标记）/"), "zh-CN first: {message}");
    let store = audit_store(home.path());
    assert_eq!((store.entries, store.problems), (0, Vec::<String>::new()));
}

fn run(home: &Path, args: &[&str], file: &Path) -> Output {
    cli(home).arg("--json").args(args).arg(file).output().unwrap()
}

/// What a run decided: accepted, or refused with this exit code and error line.
fn verdict(out: &Output) -> Option<(Option<i32>, String)> {
    (!out.status.success()).then(|| (out.status.code(), String::from_utf8_lossy(&out.stderr).trim().to_string()))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn inspect_and_capture_agree_on_every_shared_fixture() {
    let home = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    files_under(&exif_samples(), &mut files);
    files.sort();
    assert!(files.len() > 90, "the shared fixtures are missing: {}", exif_samples().display());
    let mut accepted = 0;
    for file in &files {
        let inspected = run(home.path(), &["inspect"], file);
        let captured = run(home.path(), &["capture", "photo", "--no-derivatives"], file);
        assert_eq!(verdict(&inspected), verdict(&captured), "{}", file.display());
        if captured.status.success() {
            let item: Value = serde_json::from_slice(&captured.stdout).unwrap();
            let media = &manifest_of(home.path(), item["item_id"].as_str().unwrap())["media"];
            let inspected: Value = serde_json::from_slice(&inspected.stdout).unwrap();
            assert_eq!(inspected["trailer"], media.get("trailer").cloned().unwrap_or(Value::Null), "{}", file.display());
            assert_eq!(inspected["sha256"], media["sha256"], "{}", file.display());
            accepted += 1;
        }
    }
    assert!(accepted > 80, "only {accepted} of {} fixtures were accepted", files.len());
}

/// Captures `path` with the real CLI; returns its peak resident memory in KiB.
fn capture_rss_kb(home: &Path, path: &Path) -> i64 {
    let mut capture = cli(home);
    capture.args(["--json", "capture", "photo", "--no-derivatives"]).arg(path);
    let (code, stderr, rss_kb) = peak_rss(capture);
    assert_eq!(code, 0, "{stderr}");
    rss_kb
}

#[test]
fn a_60_mb_motion_photo_is_walked_with_flat_memory() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let plain = work.path().join("plain.jpg");
    std::fs::write(&plain, camera_jpeg()).unwrap();
    let video_len: u32 = 60 * 1024 * 1024;
    // Written in pieces: the children's peak RSS (wait4) starts from this process's own, so it must stay small.
    let big = work.path().join("MVIMG_big.jpg");
    let mut file = std::fs::File::create(&big).unwrap();
    file.write_all(&camera_jpeg()).unwrap();
    file.write_all(&20u32.to_be_bytes()).unwrap();
    file.write_all(b"ftypisom\0\0\x02\0isom").unwrap();
    file.write_all(&(video_len + 8).to_be_bytes()).unwrap();
    file.write_all(b"mdat").unwrap();
    let piece = vec![0x5A; 1024 * 1024];
    for _ in 0..video_len as usize / piece.len() {
        file.write_all(&piece).unwrap();
    }
    drop(file);
    let baseline = capture_rss_kb(home.path(), &plain);
    let peak = capture_rss_kb(home.path(), &big);
    // The video is skipped by its box sizes and the image scanned through one buffer: far below the file's 60 MB.
    let growth = peak - baseline;
    eprintln!("60 MB motion photo: baseline {baseline} KiB, peak {peak} KiB, growth {growth} KiB");
    assert!(growth < 24 * 1024, "capturing a 60 MB motion photo grew resident memory by {growth} KiB (baseline {baseline} KiB)");
}
