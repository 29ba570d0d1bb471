//! Trust in a dispute packet that does not rest on the packet's own word.
//! A real packet exported by a real server is forged the way an attacker
//! would (one item dropped, receipts back-dated three days, everything
//! re-signed with a fresh key): `siteproof verify --server-key` with the
//! published fingerprint refuses it (exit 3) and passes the genuine one
//! (exit 0); without the flag both are only "intact, signer unchecked"
//! (exit 5). And the GUIDE's own commands, taken from its fenced blocks and
//! run literally with bash in the unpacked packet, pass on the genuine
//! packet, fail on a tampered one, and print a fingerprint that gives the
//! forgery away.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use siteproof_core::evidence::SignedReceipt;
use siteproof_core::packet::guide::guide_text;
use siteproof_core::packet::{key_fingerprint, layout, PacketHeader, PacketPath, PacketWriter, SignedIndex};
use siteproof_tests::packet_files::{have_font, have_tool, order_with_two_photos, run_guide, unpack, unzip, verify_packet};
use siteproof_tests::server::admin;
use siteproof_tests::world::World;
use siteproof_tests::{cli, cli_json};

const NUMBER: &str = "2026112900789";
const THREE_DAYS_MS: i64 = 3 * 86_400_000;

/// A real server, an order with two photos and a note synced to it, and the packet its admin command exports.
struct Exported {
    /// Holds the server (and its folders) until the test ends.
    _world: World,
    packet: PathBuf,
    scratch: PathBuf,
    /// What the street office publishes: `GET /v1/server-key`'s fingerprint.
    published: String,
}

fn exported_packet() -> Exported {
    let w = World::new();
    let order = serde_json::json!({"number": NUMBER, "kind": "complaint", "category": "噪音", "address": "幸福里3号楼",
        "content": "夜间施工噪音", "dispatched_at_ms": 1_795_000_000_000i64, "deadline_ms": 1_795_300_000_000i64});
    let (home, scratch) = order_with_two_photos(&w, order, "site", ["116.3970", "116.3970"]);
    cli_json(&home, &["note", "22:40 现场仍在施工，噪音明显", "--order", NUMBER]);
    let out = cli(&home).args(["--json", "sync", "--wait", "120"]).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    let packet = scratch.join("genuine.zip");
    admin(&w.data(), &["--json", "export-order", NUMBER, "--out", packet.to_str().unwrap()]);
    let key: serde_json::Value = reqwest::blocking::get(format!("{}/v1/server-key", w.server.url)).unwrap().json().unwrap();
    let published = key["fingerprint"].as_str().unwrap().to_string();
    Exported { _world: w, packet, scratch, published }
}

/// The attacker's packet: the genuine one with one photo dropped and every receipt moved three days earlier,
/// re-signed (receipts, guide, index, checksum list) with a fresh key of their own.
fn forge(genuine: &Path, out: &Path) -> String {
    let attacker = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let attacker_hex = hex::encode(attacker.verifying_key().as_bytes());
    let all = unzip(genuine);
    let index = SignedIndex::parse(&all.iter().find(|(n, _)| n == layout::INDEX).unwrap().1).unwrap().claims().unwrap();
    let genuine_key = index.server_key.clone();
    // Drop the first photo: its manifest, its receipt and its original.
    let (dropped_manifest, dropped_original) = all
        .iter()
        .filter(|(n, _)| matches!(layout::classify(n), Some(PacketPath::Manifest { .. })))
        .find_map(|(n, bytes)| {
            let sm: siteproof_core::evidence::SignedManifest = serde_json::from_slice(bytes).unwrap();
            let m: siteproof_core::evidence::Manifest = serde_json::from_str(&sm.manifest).unwrap();
            m.media.filter(|media| media.media_type == "image/jpeg").map(|media| (n.clone(), media.sha256))
        })
        .expect("a photo in the packet");
    let dropped_receipt = dropped_manifest.replacen("manifests/", "receipts/", 1);

    let mut writer = PacketWriter::new(std::fs::File::create(out).unwrap());
    for (name, bytes) in &all {
        let path = layout::classify(name).unwrap_or_else(|| panic!("unexpected member {name}"));
        let dropped = *name == dropped_manifest || *name == dropped_receipt || name.contains(&dropped_original);
        let rewritten_later =
            matches!(path, PacketPath::ServerKey | PacketPath::ServerKeyPem | PacketPath::Guide) || layout::outside_index(&path);
        // The server's time statements name the genuine key inside their signed text: re-signed under another key
        // they would hash differently from what the manifests name, so the forger leaves them out.
        let unforgeable = matches!(path, PacketPath::TimeStatement { .. } | PacketPath::TimeStatementSignature { .. });
        if dropped || rewritten_later || unforgeable {
            continue;
        }
        if let PacketPath::Receipt { .. } = path {
            let genuine_receipt: SignedReceipt = serde_json::from_slice(bytes).unwrap();
            let mut receipt = genuine_receipt.open(&genuine_key).unwrap();
            receipt.received_at_ms -= THREE_DAYS_MS;
            receipt.server_key = attacker_hex.clone();
            writer.add_bytes(name, &serde_json::to_vec(&receipt.sign(&attacker).unwrap()).unwrap()).unwrap();
        } else {
            writer.add_bytes(name, bytes).unwrap();
        }
    }
    writer.add_bytes(layout::SERVER_KEY, layout::key_file_text(&attacker_hex).as_bytes()).unwrap();
    let attacker_fp = key_fingerprint(&attacker_hex).unwrap();
    writer.add_bytes(layout::GUIDE, guide_text(NUMBER, &index.community, &attacker_hex, &attacker_fp).as_bytes()).unwrap();
    let header = PacketHeader { order_number: index.order_number, community: index.community, created_at_ms: index.created_at_ms };
    writer.finish(header, &attacker).unwrap();
    attacker_fp
}

/// `siteproof verify [--server-key FP] FILE`: exit status, and what it printed (with `json`, stdout only: the JSON).
fn verify(file: &Path, pin: Option<&str>, json: bool) -> (i32, String) {
    let v = verify_packet(file, pin, json);
    let printed = if json { v.stdout.clone() } else { v.printed() };
    (v.status, printed)
}

#[test]
fn pinned_server_key_refuses_a_resigned_forgery_and_unpinned_is_its_own_status() {
    if !have_font() {
        return;
    }
    let e = exported_packet();
    let forged = e.scratch.join("forged.zip");
    let attacker_fp = forge(&e.packet, &forged);
    assert_ne!(attacker_fp, e.published);

    // Without a pin both are intact against their own key: the distinct "signer unchecked" status, fingerprint shown.
    let (code, out) = verify(&e.packet, None, false);
    assert_eq!(code, 5, "genuine, unpinned:\n{out}");
    assert!(out.contains(&e.published) && out.contains("签发者未经核对"), "{out}");
    let (code, out) = verify(&forged, None, false);
    assert_eq!(code, 5, "the forgery is intact against its own key, as the issue says:\n{out}");
    assert!(out.contains(&attacker_fp), "{out}");

    // Pinned to the published fingerprint: the genuine packet passes, in every form the fingerprint is copied in.
    let bare: String = e.published.split(' ').collect();
    let colons = bare.as_bytes().chunks(2).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(":").to_uppercase();
    for pin in [e.published.clone(), bare.clone(), colons] {
        let (code, out) = verify(&e.packet, Some(&pin), false);
        assert_eq!(code, 0, "genuine, pinned as {pin:?}:\n{out}");
    }
    // The forgery fails, naming the key.
    let (code, out) = verify(&forged, Some(&e.published), false);
    assert_eq!(code, 3, "forged, pinned:\n{out}");
    assert!(out.contains("keys/server.pub") && out.contains("不是指定服务器签发的") && out.contains(&attacker_fp), "{out}");
    let (code, out) = verify(&forged, Some(&e.published), true);
    assert_eq!(code, 3);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["ok"], false);
    assert!(v["report"]["problems"].as_array().unwrap().iter().any(|p| p["kind"] == "not_pinned_key"), "{v}");
    let (code, out) = verify(&e.packet, Some(&e.published), true);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((v["ok"].as_bool(), v["signer"].as_str()), (Some(true), Some("pinned")), "{v}");

    // A malformed pin is bad input, before any work.
    let (code, out) = verify(&e.packet, Some("not-a-fingerprint"), false);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("指纹") && out.contains("fingerprint"), "{out}");
}

fn all_pass(runs: &[(String, bool, String)]) -> bool {
    runs.iter().all(|(_, ok, _)| *ok)
}

#[test]
fn the_guides_own_commands_check_a_real_packet_with_sha256sum_and_openssl() {
    if !(have_font() && have_tool("openssl", "version") && have_tool("sha256sum", "--version")) {
        return;
    }
    let e = exported_packet();

    // The genuine packet: every command succeeds, and the fingerprint printed is the published one.
    let genuine = e.scratch.join("genuine");
    unpack(&e.packet, &genuine);
    let runs = run_guide(&genuine);
    assert!(all_pass(&runs), "every GUIDE command passes on the genuine packet: {runs:#?}");
    assert!(runs[0].2.contains("Signature Verified Successfully"), "{runs:#?}");
    assert_eq!(runs[2].2, "", "no file outside the list: {runs:#?}");
    assert_eq!(runs[3].2.trim(), e.published, "step 4 prints the published fingerprint: {runs:#?}");
    // Step 5: the server signed each time statement the anchored times rest on; step 6: no TSA here, and it says so.
    let statements: Vec<String> = unzip(&e.packet)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| matches!(layout::classify(n), Some(PacketPath::TimeStatement { .. })))
        .collect();
    assert!(!statements.is_empty(), "the photos were anchored, so their time statement is in the packet");
    assert_eq!(runs[4].2.matches("Signature Verified Successfully").count(), statements.len(), "{runs:#?}");
    assert!(runs[5].2.contains("no trusted timestamp"), "{runs:#?}");

    // A time statement moved an hour earlier: openssl refuses the server's signature on it.
    let moved = e.scratch.join("moved");
    unpack(&e.packet, &moved);
    let text = std::fs::read_to_string(moved.join(&statements[0])).unwrap();
    let at: serde_json::Value = serde_json::from_str(&text).unwrap();
    let server_time = at["server_time_ms"].as_i64().unwrap();
    std::fs::write(moved.join(&statements[0]), text.replace(&server_time.to_string(), &(server_time - 3_600_000).to_string())).unwrap();
    let runs = run_guide(&moved);
    assert!(!runs[4].1 && runs[4].2.contains(&statements[0]), "step 5 fails on the moved statement: {runs:#?}");

    let original =
        unzip(&e.packet).into_iter().map(|(n, _)| n).find(|n| n.starts_with(layout::ORIGINALS_DIR)).expect("an original in the packet");

    // A flipped byte in an original.
    let flipped = e.scratch.join("flipped");
    unpack(&e.packet, &flipped);
    let mut bytes = std::fs::read(flipped.join(&original)).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(flipped.join(&original), &bytes).unwrap();
    let runs = run_guide(&flipped);
    assert!(!runs[1].1 && runs[1].2.contains(&original), "sha256sum names the altered original: {runs:#?}");

    // The altered original's new hash written into SHA256SUMS: the server's signature no longer holds.
    let listed = std::fs::read_to_string(flipped.join(layout::CHECKSUMS)).unwrap();
    let new_hash = siteproof_core::evidence::sha256_hex(&bytes);
    let relisted: String =
        listed.lines().map(|l| if l.ends_with(&original) { format!("{new_hash}  {original}\n") } else { format!("{l}\n") }).collect();
    std::fs::write(flipped.join(layout::CHECKSUMS), relisted).unwrap();
    let runs = run_guide(&flipped);
    assert!(runs[1].1, "the list now matches the files: {runs:#?}");
    assert!(!runs[0].1 && !all_pass(&runs), "openssl refuses the changed list: {runs:#?}");

    // A file slipped in.
    let added = e.scratch.join("added");
    unpack(&e.packet, &added);
    std::fs::write(added.join("originals/extra.jpg"), b"not evidence").unwrap();
    let runs = run_guide(&added);
    assert!(!runs[2].1 && runs[2].2.contains("originals/extra.jpg"), "the extra file is named: {runs:#?}");

    // A removed original.
    let removed = e.scratch.join("removed");
    unpack(&e.packet, &removed);
    std::fs::remove_file(removed.join(&original)).unwrap();
    assert!(!all_pass(&run_guide(&removed)), "a missing original fails the check");

    // The re-signed forgery passes steps 1-3 against its own key; step 4 gives it away.
    let forged_zip = e.scratch.join("forged.zip");
    let attacker_fp = forge(&e.packet, &forged_zip);
    let forged = e.scratch.join("forged");
    unpack(&forged_zip, &forged);
    let runs = run_guide(&forged);
    assert!(all_pass(&runs), "{runs:#?}");
    assert_eq!(runs[3].2.trim(), attacker_fp);
    assert_ne!(runs[3].2.trim(), e.published, "the fingerprint differs from the published one");
}
