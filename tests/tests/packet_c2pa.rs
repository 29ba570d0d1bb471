//! The packet's C2PA content credentials, read by implementations that are
//! not ours: a worker's device captures photos on an order, syncs to the real
//! server, the packet is exported, and each photo's sidecar `c2pa/<sha>.c2pa`
//! is read against its original by c2pa-python (the C2PA SDK's binding, with
//! the packet's `keys/c2pa-root.pem` as its only trust anchor) and by
//! TrustNXT's c2pa-ts. Both must call it valid and find who, when and where;
//! one flipped byte of the original must read as a hash mismatch in both.
//! `scripts/test.d/50-c2pa-readers.sh` installs the readers; without them the
//! test says so and passes, except under `CI=true`, where it fails.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use siteproof_tests::cli;
use siteproof_tests::packet_files::{order_with_two_photos, report_problems, verify_packet, VERIFY_INTACT_UNPINNED};
use siteproof_tests::server::admin;
use siteproof_tests::world::World;

const NUMBER: &str = "2026113000789";
/// The hash-binding failure code of the C2PA specification.
const DATA_HASH_MISMATCH: &str = "assertion.dataHash.mismatch";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn python() -> PathBuf {
    repo().join("tools/c2pa-python/bin/python")
}

fn readers_dir() -> PathBuf {
    repo().join("tests/c2pa")
}

/// Why the readers cannot run, if they cannot; under CI that is a failure.
fn readers_missing() -> Option<String> {
    let why = if !python().exists() {
        Some("tools/c2pa-python is missing")
    } else if !readers_dir().join("node_modules/@trustnxt/c2pa-ts").exists() {
        Some("tests/c2pa/node_modules is missing")
    } else if Command::new("node").arg("--version").output().is_err() {
        Some("node is not installed")
    } else if ![
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ]
    .iter()
    .any(|p| Path::new(p).exists())
        && std::env::var_os("SITEPROOF_CJK_FONT").is_none()
    {
        Some("no CJK font for the packet report (scripts/test.d/20-packet-tools.sh)")
    } else {
        None
    }?;
    assert!(std::env::var("CI").as_deref() != Ok("true"), "C2PA readers cannot run under CI=true: {why}");
    Some(format!("{why}; run scripts/test.d/50-c2pa-readers.sh"))
}

fn run_json(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// c2pa-python's reading: validation state, failure codes, assertions by label.
fn read_with_python(original: &Path, sidecar: &Path, root: &Path) -> Value {
    run_json(Command::new(python()).arg(readers_dir().join("check.py")).args([original, sidecar, root]).arg("image/jpeg"))
}

/// c2pa-ts's reading: valid or not, failure codes, assertion labels.
fn read_with_c2pa_ts(original: &Path, sidecar: &Path) -> Value {
    run_json(Command::new("node").arg(readers_dir().join("check.mjs")).args([original, sidecar]))
}

fn unzip_to(packet: &Path, dir: &Path) -> Vec<String> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(packet).unwrap()).unwrap();
    z.extract(dir).unwrap();
    z.file_names().map(|n| n.unwrap().into_owned()).collect()
}

/// The packet with one byte of `target` flipped, re-zipped as it was.
fn with_flipped_member(packet: &Path, target: &str, out: &Path) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(packet).unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == target {
            let at = bytes.len() / 2;
            bytes[at] ^= 0x01;
        }
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(&bytes).unwrap();
    }
    w.finish().unwrap();
}

/// `siteproof verify --json` with no key pinned: whether the packet is intact and the (file, kind) of each problem.
fn packet_problems(packet: &Path) -> (bool, Vec<(String, String)>) {
    let v = verify_packet(packet, None, true);
    let problems = report_problems(&v.report());
    (v.intact_unpinned(), problems)
}

fn failures(v: &Value) -> Vec<String> {
    v["failures"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
}

#[test]
fn photo_credentials_read_valid_in_two_c2pa_readers_and_a_flipped_byte_reads_invalid() {
    if let Some(why) = readers_missing() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let w = World::new();
    let order = serde_json::json!({"number": NUMBER, "kind": "complaint", "category": "市容环境", "address": "幸福里小区3号楼",
        "content": "楼道堆物", "spot_lat": 39.9087, "spot_lon": 116.3970});
    let (home, scratch) = order_with_two_photos(&w, order, "stairs", ["116.3970", "116.3971"]);
    let out = cli(&home).args(["--json", "sync", "--wait", "120"]).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    let entries = w.server_entries(&World::device_id(&home));

    let packet = scratch.join("packet.zip");
    admin(&w.data(), &["--json", "export-order", NUMBER, "--out", packet.to_str().unwrap()]);
    let unpacked = scratch.join("unpacked");
    let names = unzip_to(&packet, &unpacked);

    // The new members are covered by the server's signed index, and the offline verifier knows them.
    let index: Value = serde_json::from_slice(&std::fs::read(unpacked.join("packet.json")).unwrap()).unwrap();
    let index: Value = serde_json::from_str(index["index"].as_str().unwrap()).unwrap();
    let listed: Vec<&str> = index["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert!(listed.contains(&"keys/c2pa-root.pem"), "{listed:?}");
    let verified = verify_packet(&packet, None, false);
    assert_eq!(verified.status, VERIFY_INTACT_UNPINNED, "packet with C2PA members verifies: {}", verified.printed());
    let (ok, problems) = packet_problems(&packet);
    assert!(ok && problems.is_empty(), "{problems:?}");
    // The server's signed index covers the credentials too: a changed sidecar or root is named.
    let sidecars: Vec<&String> = names.iter().filter(|n| n.starts_with("c2pa/")).collect();
    for target in [sidecars[0].as_str(), "keys/c2pa-root.pem"] {
        let tampered = scratch.join("tampered.zip");
        with_flipped_member(&packet, target, &tampered);
        let (ok, problems) = packet_problems(&tampered);
        assert!(!ok, "a flipped byte in {target} must fail the packet");
        assert_eq!(problems, vec![(target.to_string(), "altered".to_string())], "{target}");
    }

    let root = unpacked.join("keys/c2pa-root.pem");
    let photos: Vec<_> = entries.iter().filter_map(|e| e.media_sha256.as_ref().map(|sha| (sha, &e.manifest_hash))).collect();
    assert_eq!(photos.len(), 2, "{entries:?}");
    for (sha, manifest_hash) in photos {
        let original = unpacked.join(format!("originals/{sha}.jpg"));
        let sidecar_name = format!("c2pa/{sha}.c2pa");
        assert!(names.contains(&sidecar_name) && listed.contains(&sidecar_name.as_str()), "{sidecar_name} in {names:?}, {listed:?}");
        let sidecar = unpacked.join(&sidecar_name);

        let py = read_with_python(&original, &sidecar, &root);
        assert_eq!(py["state"], "Trusted", "c2pa-python: {py:#}");
        assert!(failures(&py).is_empty(), "{py:#}");
        let evidence = &py["assertions"]["org.siteproof.evidence"];
        assert_eq!(&evidence["siteproof_manifest_sha256"], manifest_hash.as_str(), "{py:#}");
        assert!(
            evidence["author"].as_str().is_some_and(|a| a.starts_with("wang（账号，未登记真实姓名），设备「")),
            "the worker is the author: {py:#}"
        );
        assert!(evidence["capture_time"].is_string(), "{py:#}");
        let metadata = &py["assertions"]["c2pa.metadata"];
        assert!(metadata["exif:GPSLatitude"].as_str().is_some_and(|l| l.starts_with("39,54.")), "{py:#}");
        let actions = &py["assertions"]["c2pa.actions.v2"]["actions"][0];
        assert_eq!(actions["action"], "c2pa.created", "{py:#}");

        let ts = read_with_c2pa_ts(&original, &sidecar);
        assert_eq!(ts["valid"], true, "c2pa-ts: {ts:#}");

        let mut bytes = std::fs::read(&original).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x01;
        let flipped = scratch.join(format!("{sha}-flipped.jpg"));
        std::fs::write(&flipped, &bytes).unwrap();
        let py = read_with_python(&flipped, &sidecar, &root);
        assert_eq!(py["state"], "Invalid", "c2pa-python on a flipped byte: {py:#}");
        assert!(failures(&py).iter().any(|c| c == DATA_HASH_MISMATCH), "{py:#}");
        let ts = read_with_c2pa_ts(&flipped, &sidecar);
        assert_eq!(ts["valid"], false, "c2pa-ts on a flipped byte: {ts:#}");
        assert!(failures(&ts).iter().any(|c| c == DATA_HASH_MISMATCH), "{ts:#}");
    }
}
