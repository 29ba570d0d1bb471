//! Evidence ingest end to end on the real server process: enrollment, tus
//! upload, signed manifests, receipts, replays, chain anomalies, revocation,
//! deduplication, time statements and key stability across a restart.

mod common;

use common::*;
use reqwest::Method;
use serde_json::Value;
use siteproof_core::evidence::{SignedReceipt, SignedTime};
use siteproof_protocol::wire::receipt::ReceiptEnvelope;

#[test]
fn photo_goes_in_and_comes_back_with_a_verifiable_receipt() {
    let w = World::new(&[]);
    let s = &w.server;
    let mut d = w.device("worker_a");
    let key: Value = s.req(Method::GET, "/v1/server-key", None).send().unwrap().json().unwrap();
    let server_key = key["server_key"].as_str().unwrap().to_string();

    let photo = random_bytes(300_000);
    let sha = d.upload(s, &photo);
    assert_eq!(s.req(Method::HEAD, &format!("/v1/blobs/{sha}"), d.t()).send().unwrap().status(), 200);

    let sm = d.next_manifest(Some((&sha, photo.len() as u64)), Some("ORD-1"));
    let r = d.post_manifest(s, &sm);
    assert_eq!(r.status(), 201);
    let first = r.text().unwrap();
    // The answer is the protocol's receipt envelope, the type the device reads.
    let envelope: ReceiptEnvelope = serde_json::from_str(&first).unwrap();
    assert_eq!(envelope.server_key, server_key);
    let sr = SignedReceipt::from(envelope);
    let receipt = sr.open(&server_key).expect("receipt verifies with the server key");
    assert_eq!(receipt.manifest_hash, sm.hash());
    assert_eq!(receipt.seq, 1);
    assert_eq!(receipt.log_index, 1);
    assert_eq!(receipt.log_prev, None);

    // A replay returns the original receipt, byte for byte.
    let r = d.post_manifest(s, &sm);
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().unwrap(), first);

    // The second entry links the receipt log.
    let sm2 = d.next_manifest(None, Some("ORD-1"));
    let sr2 = SignedReceipt::from(d.post_manifest(s, &sm2).json::<ReceiptEnvelope>().unwrap());
    let r2 = sr2.open(&server_key).unwrap();
    assert_eq!(r2.log_index, 2);
    assert_eq!(r2.log_prev.as_deref(), Some(sr.hash().as_str()));

    // Coordinators see it with its verification status; the original downloads intact.
    let item = serde_json::from_str::<Value>(&sm.manifest).unwrap()["item_id"].as_str().unwrap().to_string();
    let e: Value = s.req(Method::GET, &format!("/v1/evidence/{item}"), Some(&w.coord_a)).send().unwrap().json().unwrap();
    assert_eq!(e["verification"]["signature_valid"], true);
    assert_eq!(e["verification"]["receipt_valid"], true);
    assert_eq!(e["verification"]["media"]["present"], true);
    assert_eq!(e["verification"]["media"]["size_matches"], true);
    let got = s.req(Method::GET, &format!("/v1/blobs/{sha}"), Some(&w.coord_a)).send().unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().unwrap().as_ref(), photo.as_slice());
    // ...but not by the other community.
    assert_eq!(s.req(Method::GET, &format!("/v1/blobs/{sha}"), Some(&w.coord_b)).send().unwrap().status(), 404);
    assert_eq!(s.req(Method::GET, &format!("/v1/evidence/{item}"), Some(&w.coord_b)).send().unwrap().status(), 404);
}

#[test]
fn refuses_missing_media_bad_signatures_and_foreign_keys() {
    let w = World::new(&[]);
    let s = &w.server;
    let mut d = w.device("worker_a");
    let other = w.device("worker_a2");

    // Media not uploaded yet: 409, nothing stored, and the same manifest works after the upload.
    let photo = random_bytes(10_000);
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&photo));
    let sm = d.next_manifest(Some((&sha, photo.len() as u64)), None);
    assert_eq!(err_code(d.post_manifest(s, &sm)), (409, "media_missing".into()));
    d.upload(s, &photo);
    assert_eq!(d.post_manifest(s, &sm).status(), 201);

    // A flipped signature byte.
    let mut bad = d.next_manifest(None, None);
    let last = if bad.signature.ends_with('0') { "1" } else { "0" };
    bad.signature.replace_range(127..128, last);
    assert_eq!(err_code(d.post_manifest(s, &bad)), (422, "bad_manifest".into()));
    // Non-canonical text (a space) is refused rather than fixed.
    let mut spaced = d.manifest_at(2, d.prev.clone(), None, None);
    spaced.manifest = spaced.manifest.replacen(',', ", ", 1);
    assert_eq!(err_code(d.post_manifest(s, &spaced)), (422, "bad_manifest".into()));
    // Another device's valid manifest sent with my token.
    let theirs = other.manifest_at(1, None, None, None);
    assert_eq!(err_code(d.post_manifest(s, &theirs)), (403, "wrong_device_key".into()));
    // Garbage bodies.
    let r = s.req(Method::POST, "/v1/manifests", d.t()).body("{\"manifest\": 1").header("content-type", "application/json").send().unwrap();
    assert_eq!(err_code(r), (400, "bad_json".into()));
}

#[test]
fn gaps_and_forks_are_accepted_and_shown_to_coordinators() {
    let w = World::new(&[]);
    let s = &w.server;
    let mut d = w.device("worker_a");
    let anomalies = || -> Value { s.req(Method::GET, "/v1/anomalies", Some(&w.coord_a)).send().unwrap().json().unwrap() };
    let e1 = d.next_manifest(None, None);
    assert_eq!(d.post_manifest(s, &e1).status(), 201);
    let e2 = d.next_manifest(None, None);
    let e3 = d.next_manifest(None, None);
    // Entry 2 is held back: 3 arrives first. Phones send small items first, so
    // that is no anomaly, but the gap is open and shown until 2 arrives.
    let r = d.post_manifest(s, &e3);
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("siteproof-anomalies").is_none());
    let a = anomalies();
    assert_eq!(a["gaps"], serde_json::json!([{"device_id": d.id, "from_seq": 2, "to_seq": 2}]));
    assert!(a["anomalies"].as_array().unwrap().is_empty());
    // 2 arrives late: accepted, its links to 1 and 3 check out, the gap closes.
    let r = d.post_manifest(s, &e2);
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("siteproof-anomalies").is_none());
    assert!(anomalies()["gaps"].as_array().unwrap().is_empty());
    // A different entry claiming seq 2: a fork (and it does not link from 3).
    let fork = d.manifest_at(2, Some(e1.hash()), None, None);
    let r = d.post_manifest(s, &fork);
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["siteproof-anomalies"], "fork,broken_link");
    // Seq 4 pointing at the wrong predecessor.
    let broken = d.manifest_at(4, Some(e1.hash()), None, None);
    assert_eq!(d.post_manifest(s, &broken).headers()["siteproof-anomalies"], "broken_link");
    // Seq 7 while 5 and 6 were never sent: an open gap, shown, not an anomaly.
    let late = d.manifest_at(7, Some(e1.hash()), None, None);
    assert_eq!(d.post_manifest(s, &late).status(), 201);

    let a = anomalies();
    let kinds: Vec<&str> = a["anomalies"].as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["fork", "broken_link", "broken_link"]);
    assert_eq!(a["gaps"], serde_json::json!([{"device_id": d.id, "from_seq": 5, "to_seq": 6}]));
    let b: Value = s.req(Method::GET, "/v1/anomalies", Some(&w.coord_b)).send().unwrap().json().unwrap();
    assert!(b["anomalies"].as_array().unwrap().is_empty());
    assert!(b["gaps"].as_array().unwrap().is_empty());
    assert_eq!(s.req(Method::GET, "/v1/anomalies", Some(&w.worker_a)).send().unwrap().status(), 403);
}

#[test]
fn revoked_devices_and_used_codes_are_refused() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    assert_eq!(s.req(Method::GET, "/v1/device/orders", d.t()).send().unwrap().status(), 200);
    admin(&s.data, &["revoke-device", &d.id]);
    assert_eq!(err_code(s.req(Method::GET, "/v1/device/orders", d.t()).send().unwrap()), (401, "token_revoked".into()));
    let sm = d.manifest_at(1, None, None, None);
    assert_eq!(d.post_manifest(s, &sm).status(), 401);
    // Re-enrolling the same key is refused; a used code is refused.
    let code = admin(&s.data, &["enroll-code", "--worker", "worker_a"]);
    let body = serde_json::json!({"code": code, "public_key": hex::encode(d.key.verifying_key().as_bytes())});
    assert_eq!(err_code(s.req(Method::POST, "/v1/enroll", None).json(&body).send().unwrap()), (409, "device_exists".into()));
    let fresh = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let body = serde_json::json!({"code": code, "public_key": hex::encode(fresh.verifying_key().as_bytes())});
    assert_eq!(s.req(Method::POST, "/v1/enroll", None).json(&body).send().unwrap().status(), 201);
    assert_eq!(err_code(s.req(Method::POST, "/v1/enroll", None).json(&body).send().unwrap()), (401, "bad_enroll_code".into()));
    // Coordinators can revoke their community's devices through the API, not another community's.
    let d2 = w.device("worker_b");
    let r = s.req(Method::POST, &format!("/v1/devices/{}/revoke", d2.id), Some(&w.coord_a)).send().unwrap();
    assert_eq!(r.status(), 404);
    let r = s.req(Method::POST, &format!("/v1/devices/{}/revoke", d2.id), Some(&w.coord_b)).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(s.req(Method::GET, "/v1/device/orders", d2.t()).send().unwrap().status(), 401);
}

#[test]
fn same_content_is_stored_once_and_time_is_signed_by_a_stable_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    bootstrap(&data);
    let s = Server::start_at(data.clone(), &[]);
    let a = Device::enroll(&s, "worker_a");
    let b = Device::enroll(&s, "worker_b");
    let photo = random_bytes(50_000);
    let sha = a.upload(&s, &photo);
    // B has not uploaded it: the blob is invisible to B's community until B uploads it too.
    assert_eq!(s.req(Method::HEAD, &format!("/v1/blobs/{sha}"), b.t()).send().unwrap().status(), 404);
    b.upload(&s, &photo);
    assert_eq!(s.req(Method::HEAD, &format!("/v1/blobs/{sha}"), b.t()).send().unwrap().status(), 200);
    let stored = walk(&data.join("blobs"));
    assert_eq!(stored, vec![data.join("blobs").join(&sha[0..2]).join(&sha[2..4]).join(&sha)]);
    assert!(std::fs::read_dir(data.join("staging")).unwrap().next().is_none(), "staging is empty");

    let t: SignedTime = s.req(Method::GET, "/v1/time?nonce=abcdef0123456789", None).send().unwrap().json().unwrap();
    let stmt = t.open("abcdef0123456789").unwrap();
    assert!((stmt.server_time_ms - chrono::Utc::now().timestamp_millis()).abs() < 60_000);
    for bad in ["short", "has%20space", &"x".repeat(129)] {
        let r = s.req(Method::GET, &format!("/v1/time?nonce={bad}"), None).send().unwrap();
        assert_eq!(err_code(r), (400, "bad_nonce".into()));
    }
    s.stop();
    let s = Server::start_at(data.clone(), &[]);
    let t2: SignedTime = s.req(Method::GET, "/v1/time?nonce=0123456789abcdef", None).send().unwrap().json().unwrap();
    assert_eq!(t2.open("0123456789abcdef").unwrap().server_key, stmt.server_key, "key survives a restart");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(data.join("server.key")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_device_signs_only_media_it_uploaded_itself() {
    let w = World::new(&[]);
    let s = &w.server;
    let mut a = w.device("worker_a");
    let mut colleague = w.device("worker_a2");
    let photo = random_bytes(30_000);
    let sha = a.upload(s, &photo);
    let head = |d: &Device| s.req(Method::HEAD, &format!("/v1/blobs/{sha}"), d.t()).send().unwrap().status().as_u16();
    assert_eq!(head(&a), 200);
    // The colleague never held these bytes: the server does not offer them as already uploaded...
    assert_eq!(head(&colleague), 404, "HEAD answers for this device's own uploads");
    // ...and a capture record over them is refused, with the code devices treat as "upload the media first".
    let stolen = colleague.next_manifest(Some((&sha, photo.len() as u64)), None);
    assert_eq!(err_code(colleague.post_manifest(s, &stolen)), (409, "media_missing".into()));
    // Two phones that captured byte-identical files (rare): once the colleague uploads its copy, it is accepted.
    colleague.upload(s, &photo);
    assert_eq!(head(&colleague), 200);
    assert_eq!(colleague.post_manifest(s, &stolen).status(), 201);
    // The device that uploaded first signs without uploading again (deduplication by HEAD still works).
    let own = a.next_manifest(Some((&sha, photo.len() as u64)), None);
    assert_eq!(a.post_manifest(s, &own).status(), 201);
    // Nor may a device sign an entry under another device's item id (devices mint them as random UUIDs).
    colleague.seq += 1;
    let copied = colleague.manifest_with(colleague.seq, colleague.prev.clone(), None, None, |m| m.item_id = item_of(&own));
    assert_eq!(err_code(colleague.post_manifest(s, &copied)), (409, "item_id_taken".into()));
}

/// `GET /v1/time` is public, so the server keeps no statement it issues; a device hands back only the ones its
/// received entries rest on. Refused: a statement no entry of that device names (even one named by another
/// device's entry), one the server did not sign, one altered; kept once, however often it is sent.
#[test]
fn time_statements_are_kept_only_when_signed_here_and_named_by_the_senders_entry() {
    let w = World::new(&[]);
    let s = &w.server;
    let mut d = w.device("worker_a");
    let other = w.device("worker_a2");
    let signed: SignedTime = s.req(Method::GET, "/v1/time?nonce=anchor-nonce-1", None).send().unwrap().json().unwrap();
    let post = |dev: &Device, body: &SignedTime| s.req(Method::POST, "/v1/time-statements", dev.t()).json(body).send().unwrap();

    // Before any entry names it: refused, and nothing is kept.
    assert_eq!(err_code(post(&d, &signed)), (409, "time_statement_unused".into()));

    d.seq += 1;
    let sm = d.manifest_with(d.seq, d.prev.clone(), None, None, |m| {
        m.anchored = Some(siteproof_core::evidence::AnchoredTime { utc_ms: 1_790_000_000_100, bound_ms: 50, anchor_hash: signed.hash() })
    });
    d.prev = Some(sm.hash());
    assert_eq!(d.post_manifest(s, &sm).status(), 201);

    // Another device's entry does not make it this device's to hand in.
    assert_eq!(err_code(post(&other, &signed)), (409, "time_statement_unused".into()));
    // Altered, or signed by another key: not this server's statement.
    let altered = SignedTime { statement: signed.statement.replace("anchor-nonce-1", "anchor-nonce-2"), ..signed.clone() };
    assert_eq!(err_code(post(&d, &altered)).0, 422);
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let mut foreign: siteproof_core::evidence::TimeStatement = serde_json::from_str(&signed.statement).unwrap();
    foreign.server_key = hex::encode(stranger.verifying_key().as_bytes());
    assert_eq!(err_code(post(&d, &foreign.sign(&stranger).unwrap())), (422, "bad_time_statement".into()));

    // Named by its entry: kept (201), then held already (200), under the hash the manifest names.
    let r = post(&d, &signed);
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().unwrap()["statement_hash"], signed.hash());
    assert_eq!(post(&d, &signed).status(), 200);
    let kept: i64 = rusqlite::Connection::open(s.data.join("siteproof.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM time_statements", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 1);
}
