//! Anchored capture times checked offline, end to end: a real CLI phone syncs
//! (taking a signed time anchor from the real server), captures two photos
//! anchored to it and syncs again, handing back the time statement its
//! entries rest on; the exported packet carries that statement, and
//! `siteproof verify` checks it with nothing but the packet (the server's
//! signature, the hash the manifests name, the anchored time against the
//! statement's time and bound). A statement altered in the packet, simply or
//! with the index and checksum list fixed up as an attacker would, fails
//! verify naming the file; an anchored time whose statement the server never
//! got back is reported as "cannot be checked", not as proven.

use std::path::Path;

use siteproof_core::evidence::canonical::to_canonical_bytes;
use siteproof_core::evidence::{sha256_hex, Manifest, SignedManifest, TimeStatement};
use siteproof_core::packet::checksums::checksums_text;
use siteproof_core::packet::{layout, PacketPath, SignedIndex};
use siteproof_tests::packet_files::{have_font, order_with_two_photos, report_problems, rezip, unzip, verify_unpinned};
use siteproof_tests::server::admin;
use siteproof_tests::world::World;
use siteproof_tests::{cli, cli_json};

const NUMBER: &str = "2026113000321";

fn export(w: &World, packet: &Path) {
    admin(&w.data(), &["--json", "export-order", NUMBER, "--out", packet.to_str().unwrap()]);
}

/// `siteproof --json verify FILE` (no key pinned): exit status and the report.
fn verify_json(file: &Path) -> (i32, serde_json::Value) {
    let (code, out) = verify_unpinned(file, true);
    (code, serde_json::from_str::<serde_json::Value>(out.trim()).unwrap()["report"].clone())
}

/// The anchor hashes the packet's manifests name.
fn anchor_hashes(members: &[(String, Vec<u8>)]) -> Vec<String> {
    members
        .iter()
        .filter(|(n, _)| matches!(layout::classify(n), Some(PacketPath::Manifest { .. })))
        .filter_map(|(_, bytes)| {
            let sm: SignedManifest = serde_json::from_slice(bytes).unwrap();
            serde_json::from_str::<Manifest>(&sm.manifest).unwrap().anchored.map(|a| a.anchor_hash)
        })
        .collect()
}

#[test]
fn anchored_times_rest_on_signed_statements_in_the_packet_and_verify_checks_them_offline() {
    if !have_font() {
        return;
    }
    let w = World::new();
    let order = serde_json::json!({"number": NUMBER, "kind": "complaint", "category": "占道经营", "address": "幸福里北门",
        "content": "夜市摊位占用消防通道", "dispatched_at_ms": 1_795_000_000_000i64, "deadline_ms": 1_795_300_000_000i64});
    let (home, scratch) = order_with_two_photos(&w, order, "stall", ["116.3972", "116.3973"]);
    let out = cli(&home).args(["--json", "sync", "--wait", "120"]).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    // Syncing again sends nothing twice and changes nothing the packet holds.
    cli_json(&home, &["sync", "--wait", "60"]);

    let packet = scratch.join("anchored.zip");
    export(&w, &packet);
    let members = unzip(&packet);
    let hashes = anchor_hashes(&members);
    assert_eq!(hashes.len(), 2, "both photos were captured after a sync, so both are anchored");
    let statement_name = layout::time_statement_path(&hashes[0]);
    let statement = members.iter().find(|(n, _)| *n == statement_name).map(|(_, b)| b.clone()).expect("the statement is in the packet");
    assert_eq!(sha256_hex(&statement), hashes[0], "the file is the exact text the manifest's anchor_hash names");
    assert!(members.iter().any(|(n, _)| *n == layout::time_signature_path(&hashes[0])), "with its signature");
    let index = SignedIndex::parse(&members.iter().find(|(n, _)| n == layout::INDEX).unwrap().1).unwrap().claims().unwrap();
    assert!(index.files.iter().any(|f| f.name == statement_name), "the signed index lists it");

    // Intact, signer unchecked (no pin): every anchored time checked against its statement.
    let (code, report) = verify_json(&packet);
    assert_eq!(code, 5, "{report}");
    let checks = report["anchored_times"].as_array().unwrap();
    assert_eq!(checks.len(), 2, "{report}");
    let stated: TimeStatement = serde_json::from_slice(&statement).unwrap();
    for c in checks {
        assert_eq!(c["outcome"]["state"], "verified", "{report}");
        assert_eq!(c["outcome"]["server_time_ms"], stated.server_time_ms);
        let (utc, bound) = (c["anchored"]["utc_ms"].as_i64().unwrap(), c["anchored"]["bound_ms"].as_i64().unwrap());
        assert!(utc - bound >= stated.server_time_ms - 1, "the capture comes after the server spoke: {c}");
    }
    let (code, printed) = verify_unpinned(&packet, false);
    assert_eq!(code, 5);
    assert!(printed.contains("已核对 2，无法核对 0，未通过 0"), "{printed}");

    // Simply altered: the server's time moved an hour earlier in the packet.
    let earlier = (stated.server_time_ms - 3_600_000).to_string();
    let altered_text = String::from_utf8(statement.clone()).unwrap().replace(&stated.server_time_ms.to_string(), &earlier);
    let altered: Vec<(String, Vec<u8>)> = members
        .iter()
        .map(|(n, b)| if *n == statement_name { (n.clone(), altered_text.as_bytes().to_vec()) } else { (n.clone(), b.clone()) })
        .collect();
    let file = scratch.join("altered.zip");
    rezip(&file, &altered);
    let (code, report) = verify_json(&file);
    assert_eq!(code, 3, "{report}");
    let found = report_problems(&report);
    assert!(found.contains(&(statement_name.clone(), "altered".into())), "{found:?}");
    assert!(found.contains(&(statement_name.clone(), "bad_time_statement".into())), "{found:?}");
    assert!(report["anchored_times"].as_array().unwrap().iter().all(|c| c["outcome"]["state"] == "failed"), "{report}");

    // As an attacker would: the index entry and the checksum list fixed up to the altered bytes. The server's
    // signatures no longer hold, and the statement itself is named.
    let mut fixed = index.clone();
    for f in fixed.files.iter_mut().filter(|f| f.name == statement_name) {
        f.sha256 = sha256_hex(altered_text.as_bytes());
        f.bytes = altered_text.len() as u64;
    }
    let signed = SignedIndex::parse(&members.iter().find(|(n, _)| n == layout::INDEX).unwrap().1).unwrap();
    let forged_index =
        SignedIndex { index: String::from_utf8(to_canonical_bytes(&fixed).unwrap()).unwrap(), signature: signed.signature.clone() };
    let forged_index_bytes = forged_index.to_file_bytes().unwrap();
    let sums = checksums_text(&fixed.files, &sha256_hex(&forged_index_bytes), &[]);
    let fixed_up: Vec<(String, Vec<u8>)> = altered
        .into_iter()
        .map(|(n, b)| match n.as_str() {
            layout::INDEX => (n, forged_index_bytes.clone()),
            layout::CHECKSUMS => (n, sums.as_bytes().to_vec()),
            _ => (n, b),
        })
        .collect();
    rezip(&file, &fixed_up);
    let (code, report) = verify_json(&file);
    assert_eq!(code, 3, "{report}");
    let found = report_problems(&report);
    assert!(!found.contains(&(statement_name.clone(), "altered".into())), "the listing was fixed up: {found:?}");
    assert!(found.contains(&(statement_name.clone(), "bad_time_statement".into())), "{found:?}");
    assert!(found.contains(&(layout::INDEX.to_string(), "index_signature".into())), "{found:?}");

    // A phone that never handed its statement back (here: the server lost it): the packet verifies, and the
    // anchored times are "cannot be checked", not proven.
    let conn = rusqlite::Connection::open(w.data().join("siteproof.db")).unwrap();
    assert_eq!(conn.execute("DELETE FROM time_statements", []).unwrap(), 1, "the server kept the one statement both photos rest on");
    drop(conn);
    let without = scratch.join("without-statements.zip");
    export(&w, &without);
    assert!(unzip(&without).iter().all(|(n, _)| !n.starts_with(layout::TIME_DIR)));
    let (code, report) = verify_json(&without);
    assert_eq!(code, 5, "{report}");
    assert!(report["anchored_times"].as_array().unwrap().iter().all(|c| c["outcome"]["state"] == "cannot_be_checked"), "{report}");
    let (_, printed) = verify_unpinned(&without, false);
    assert!(printed.contains("已核对 0，无法核对 2") && printed.contains("cannot be checked"), "{printed}");

    // Removed from a packet that listed it: named as missing, and the times are not proven.
    let removed: Vec<(String, Vec<u8>)> = members.into_iter().filter(|(n, _)| !n.starts_with(layout::TIME_DIR)).collect();
    rezip(&file, &removed);
    let (code, report) = verify_json(&file);
    assert_eq!(code, 3, "{report}");
    assert!(report_problems(&report).contains(&(statement_name, "missing".into())), "{report}");
    assert!(report["anchored_times"].as_array().unwrap().iter().all(|c| c["outcome"]["state"] == "cannot_be_checked"), "{report}");
}

/// Handing back a time statement rides on the manifest's job: a busy server (503) makes that job wait and retry,
/// and the statement arrives later; a server older than the route (404) completes the job, since the manifest and
/// its receipt are delivered. Either way no evidence waits forever or is marked failed.
#[test]
fn a_busy_server_gets_the_statement_later_and_an_older_one_does_not_fail_the_job() {
    use siteproof_tests::failing_front::{FailingFront, Refusal};
    let w = World::new();
    let front = FailingFront::start(w.server.url.trim_start_matches("http://").to_string());
    let home = w.device("phone", Some(&front.url));
    let sync = |wait: &str| cli(&home).args(["--json", "sync", "--wait", wait]).output().unwrap();
    let refuse = |status| Refusal { method: "POST", path_prefix: "/v1/time-statements", status, retry_after_s: None, times: u32::MAX };
    let kept = || -> i64 {
        rusqlite::Connection::open(w.data().join("siteproof.db"))
            .unwrap()
            .query_row("SELECT count(*) FROM time_statements", [], |r| r.get(0))
            .unwrap()
    };
    assert!(sync("30").status.success(), "the first sync takes a time anchor");

    // An older server: no such route. The note's manifest is received and the run succeeds.
    cli_json(&home, &["note", "摊位已撤离，通道畅通"]);
    front.refuse(refuse(404));
    let out = sync("30");
    assert!(out.status.success(), "a 404 does not fail the job: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(front.seen("POST", "/v1/time-statements"), [404]);
    assert_eq!(kept(), 0);

    // A busy server: the job waits (exit 4) and the next sync hands the statement back.
    front.heal();
    cli_json(&home, &["note", "复查：未再出摊"]);
    front.refuse(refuse(503));
    let out = sync("2");
    assert_eq!(out.status.code(), Some(4), "the statement waits with its job: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(kept(), 0);
    front.heal();
    let out = sync("30");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(kept(), 1, "the second note's statement is kept once the server takes it");
}
