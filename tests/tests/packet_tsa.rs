//! Third-party time in the dispute packet, end to end: the real server is
//! configured with a local RFC 3161 authority (`openssl ts`, tests/src/tsa.rs),
//! a worker's evidence is synced, and the exported packet's token verifies
//! offline with `siteproof verify` (and with `openssl ts -verify`, which is not
//! our code). Then the server-key holder's forgeries: receipts back-dated after
//! the packet was stamped, a receipt or index dated after a fresh token, a
//! removed token. A TSA that is down never blocks an export, and a server
//! without a TSA says so; both verify with "no third-party time" not checked.

use std::path::{Path, PathBuf};
use std::process::Command;

use ed25519_dalek::SigningKey;
use siteproof_protocol::evidence::SignedReceipt;
use siteproof_protocol::packet::checksums::{checksums_text, sign_checksums};
use siteproof_protocol::packet::timestamp::{index_imprint, request_for, token_from_reply};
use siteproof_protocol::packet::{IndexedFile, SignedIndex};
use siteproof_tests::cli;
use siteproof_tests::packet_files::{
    have_font, order_with_two_photos, report_problems, rezip, run_guide, unpack, unzip, verify_packet, VERIFY_INTACT_UNPINNED,
};
use siteproof_tests::server::server_bin;
use siteproof_tests::tsa::LocalTsa;
use siteproof_tests::world::World;

const NUMBER: &str = "2026113000789";
const TOKEN: &str = "timestamp/packet.tsr";
const DAY_MS: i64 = 24 * 3600 * 1000;

/// A world whose server has `flags`, one order with two synced photos; returns the world and a scratch dir.
fn world_with_evidence(flags: &[&str]) -> (World, PathBuf) {
    let w = World::with_flags(flags);
    let order = serde_json::json!({
        "number": NUMBER, "kind": "complaint", "category": "环境卫生", "address": "幸福里小区5号楼东侧垃圾站",
        "complainant": "李女士 13900001111", "content": "垃圾桶满溢",
        "dispatched_at_ms": 1_795_000_000_000i64, "deadline_ms": 1_795_300_000_000i64});
    let (home, scratch) = order_with_two_photos(&w, order, "bin", ["116.3971", "116.3971"]);
    let out = cli(&home).args(["--json", "sync", "--wait", "120"]).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    (w, scratch)
}

/// Exports by the admin command, a process of its own that takes the server's flags; returns the packet path and
/// the printed summary.
fn export(w: &World, scratch: &Path, name: &str, flags: &[&str]) -> (PathBuf, serde_json::Value) {
    let packet = scratch.join(name);
    let out = Command::new(server_bin())
        .args(flags)
        .arg("--data")
        .arg(w.data())
        .args(["admin", "--json", "export-order", NUMBER, "--out"])
        .arg(&packet)
        .output()
        .unwrap();
    assert!(out.status.success(), "export: {}", String::from_utf8_lossy(&out.stderr));
    (packet, serde_json::from_slice(&out.stdout).unwrap())
}

/// `siteproof --json verify FILE` with no key pinned: whether the packet is intact, and the report.
fn verify(file: &Path) -> (bool, serde_json::Value) {
    let v = verify_packet(file, None, true);
    (v.status == VERIFY_INTACT_UNPINNED, v.report())
}

fn member<'a>(members: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &members.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name} in the packet")).1
}

fn server_key(w: &World) -> SigningKey {
    let text = std::fs::read_to_string(w.data().join("server.key")).unwrap();
    SigningKey::from_bytes(&hex::decode(text.trim()).unwrap().try_into().unwrap())
}

/// What the holder of the server key can do after the fact: change a receipt's time (and/or the index's
/// creation time), sign both again and list the new receipt in a re-signed index. Returns the new members
/// (the old token, if any, is kept) and the receipt's name.
fn re_sign(
    w: &World,
    members: &[(String, Vec<u8>)],
    receipt_time: impl Fn(i64) -> i64,
    created_at: impl Fn(i64) -> i64,
) -> (Vec<(String, Vec<u8>)>, String) {
    let key = server_key(w);
    let key_hex = hex::encode(key.verifying_key().as_bytes());
    let receipt_name = members.iter().map(|(n, _)| n.clone()).find(|n| n.starts_with("receipts/")).unwrap();
    let signed: SignedReceipt = serde_json::from_slice(member(members, &receipt_name)).unwrap();
    let mut receipt = signed.open(&key_hex).unwrap();
    receipt.received_at_ms = receipt_time(receipt.received_at_ms);
    let new_receipt = serde_json::to_vec(&receipt.sign(&key).unwrap()).unwrap();
    let mut index = SignedIndex::parse(member(members, "packet.json")).unwrap().claims().unwrap();
    index.created_at_ms = created_at(index.created_at_ms);
    for f in index.files.iter_mut().filter(|f| f.name == receipt_name) {
        *f = IndexedFile { name: receipt_name.clone(), sha256: hex::encode(sha256(&new_receipt)), bytes: new_receipt.len() as u64 };
    }
    let new_index = index.sign(&key).unwrap().to_file_bytes().unwrap();
    let mut out: Vec<_> = members
        .iter()
        .map(|(n, b)| match n.as_str() {
            "packet.json" => (n.clone(), new_index.clone()),
            _ if *n == receipt_name => (n.clone(), new_receipt.clone()),
            _ => (n.clone(), b.clone()),
        })
        .collect();
    re_list(w, &mut out);
    (out, receipt_name)
}

/// `SHA256SUMS` and its signature made again over the current index and token, as the key holder would, so
/// only the trusted time can tell a forgery.
fn re_list(w: &World, members: &mut [(String, Vec<u8>)]) {
    let key = server_key(w);
    let index = member(members, "packet.json").to_vec();
    let files = SignedIndex::parse(&index).unwrap().claims().unwrap().files;
    let token_sha = members.iter().find(|(n, _)| n == TOKEN).map(|(_, b)| hex::encode(sha256(b)));
    let after: Vec<(&str, &str)> = token_sha.iter().map(|sha| (TOKEN, sha.as_str())).collect();
    let text = checksums_text(&files, &hex::encode(sha256(&index)), &after);
    let signature = sign_checksums(&text, &key);
    members.iter_mut().find(|(n, _)| n == "SHA256SUMS").unwrap().1 = text.into_bytes();
    members.iter_mut().find(|(n, _)| n == "SHA256SUMS.sig").unwrap().1 = signature.to_vec();
}

/// SHA-256 of bytes: the protocol's index imprint is exactly that.
fn sha256(b: &[u8]) -> [u8; 32] {
    index_imprint(b)
}

/// A fresh token from the local TSA over new `packet.json` bytes, replacing the old one (and the checksum list).
fn restamp(w: &World, tsa: &LocalTsa, members: &mut [(String, Vec<u8>)]) {
    let index = member(members, "packet.json").to_vec();
    let token = token_from_reply(&tsa.reply_to(&request_for(&index).unwrap())).unwrap();
    members.iter_mut().find(|(n, _)| n == TOKEN).unwrap().1 = token;
    re_list(w, members);
}

#[test]
fn tsa_token_in_the_packet_verifies_offline_and_binds_receipt_times() {
    if !have_font() {
        return;
    }
    let tsa = LocalTsa::start();
    let flags = ["--tsa-url", &tsa.url, "--tsa-chain", tsa.chain.to_str().unwrap()];
    let (w, scratch) = world_with_evidence(&flags);
    let (packet, summary) = export(&w, &scratch, "stamped.zip", &flags);
    assert_eq!(summary["third_party_time"]["state"], "stamped", "{summary}");

    let (ok, report) = verify(&packet);
    assert!(ok, "a stamped packet verifies: {report}");
    let time = &report["third_party_time"];
    assert_eq!(time["state"], "stamped", "{report}");
    assert_eq!(time["root_fingerprint"].as_str().unwrap(), tsa.root_fingerprint(), "the report names the root people must decide to trust");
    assert!(time["tsa_subject"].as_str().unwrap().contains("Siteproof Test TSA"), "{time}");
    let printed = verify_packet(&packet, None, false).stdout;
    assert!(printed.contains("可信时间戳有效") && printed.contains(&tsa.root_fingerprint()), "{printed}");

    // OpenSSL, not our code, agrees the token covers packet.json and chains to the root.
    let members = unzip(&packet);
    let dir = scratch.join("unzipped");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("packet.json"), member(&members, "packet.json")).unwrap();
    std::fs::write(dir.join("packet.tsr"), member(&members, TOKEN)).unwrap();
    let out = Command::new("openssl")
        .args(["ts", "-verify", "-token_in", "-in"])
        .arg(dir.join("packet.tsr"))
        .arg("-data")
        .arg(dir.join("packet.json"))
        .arg("-CAfile")
        .arg(&tsa.root)
        .arg("-untrusted")
        .arg(&tsa.tsa_cert)
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl ts -verify: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // The GUIDE's own commands, run literally in the unpacked packet: its step 6 has OpenSSL check the token.
    let unpacked = scratch.join("unpacked");
    unpack(&packet, &unpacked);
    let runs = run_guide(&unpacked);
    assert!(runs.iter().all(|(_, ok, _)| *ok), "every GUIDE command passes on a stamped packet: {runs:#?}");
    assert!(runs[5].2.contains("Verification: OK"), "step 6 checks the token: {runs:#?}");

    // The key holder back-dates a receipt after the packet was stamped: receipt and index re-signed
    // with the real server key verify by themselves, but the token no longer covers the index.
    let (forged, _) = re_sign(&w, &members, |t| t - DAY_MS, |t| t);
    let file = scratch.join("back-dated.zip");
    rezip(&file, &forged);
    let (ok, report) = verify(&file);
    assert!(!ok, "back-dated receipts in a stamped packet fail");
    assert_eq!(report_problems(&report), vec![(TOKEN.to_string(), "trusted_time".to_string())], "{report}");
    assert_eq!(report["third_party_time"]["state"], "failed");

    // With a fresh token over the forged index, a receipt dated after that token's time is impossible.
    let (mut forged, receipt) = re_sign(&w, &members, |_| chrono_now_ms() + DAY_MS, |t| t);
    restamp(&w, &tsa, &mut forged);
    rezip(&file, &forged);
    let (ok, report) = verify(&file);
    assert!(!ok, "a receipt dated after the trusted time fails");
    assert_eq!(report_problems(&report), vec![(receipt, "after_trusted_time".to_string())], "{report}");

    // A packet stamped now that claims it was made a day ago is back-dated.
    let (mut forged, _) = re_sign(&w, &members, |t| t, |t| t - DAY_MS);
    restamp(&w, &tsa, &mut forged);
    rezip(&file, &forged);
    let (ok, report) = verify(&file);
    assert!(!ok, "a back-dated index fails");
    assert_eq!(report_problems(&report), vec![("packet.json".to_string(), "after_trusted_time".to_string())], "{report}");

    // Removing the token is seen: the signed index says it was stamped.
    let mut without: Vec<_> = members.iter().filter(|(n, _)| n != TOKEN).cloned().collect();
    re_list(&w, &mut without);
    rezip(&file, &without);
    let (ok, report) = verify(&file);
    assert!(!ok);
    assert_eq!(report_problems(&report), vec![(TOKEN.to_string(), "missing".to_string())], "{report}");
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

#[test]
fn a_tsa_that_is_down_does_not_block_the_export_and_no_tsa_is_said() {
    if !have_font() {
        return;
    }
    let tsa = LocalTsa::start();
    // A port nobody listens on: the TSA is down.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let down = format!("http://{closed}/");
    let flags = ["--tsa-url", &down, "--tsa-chain", tsa.chain.to_str().unwrap()];
    let (w, scratch) = world_with_evidence(&flags);
    let (packet, summary) = export(&w, &scratch, "tsa-down.zip", &flags);
    assert_eq!(summary["third_party_time"]["state"], "unavailable", "{summary}");
    assert!(summary["third_party_time"]["reason"].as_str().unwrap().contains("时间戳服务无法连接"), "{summary}");
    assert!(!unzip(&packet).iter().any(|(n, _)| n == TOKEN));
    // The console's audit log shows the export without a trusted timestamp, and why.
    let db = rusqlite::Connection::open(w.data().join("siteproof.db")).unwrap();
    let audited: String =
        db.query_row("SELECT target FROM audit WHERE action = 'export' ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert!(audited.contains("未能取得可信时间戳") && audited.contains("cannot be reached"), "{audited}");
    let (ok, report) = verify(&packet);
    assert!(ok, "no third-party time is not a failure: {report}");
    assert_eq!(report["third_party_time"]["state"], "unavailable", "{report}");
    drop(w);

    let (w, scratch) = world_with_evidence(&[]);
    let (packet, summary) = export(&w, &scratch, "no-tsa.zip", &[]);
    assert_eq!(summary["third_party_time"]["state"], "not_configured", "{summary}");
    let (ok, report) = verify(&packet);
    assert!(ok, "{report}");
    assert_eq!(report["third_party_time"]["state"], "not_configured", "{report}");
    assert!(verify_packet(&packet, None, false).stdout.contains("no third-party time"));
}
