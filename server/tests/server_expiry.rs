//! Things that must stop working with time: an unfinished upload after its
//! expiry (410, staging freed by the sweeper, never a blob), device tokens
//! and login sessions after theirs (401 with a code that says so). Expiry is
//! moved into the past in the database, so the test waits for nothing.

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use common::*;
use reqwest::Method;
use sha2::{Digest, Sha256};

fn db(s: &Server) -> rusqlite::Connection {
    rusqlite::Connection::open(s.data.join("siteproof.db")).unwrap()
}

#[test]
fn an_expired_upload_is_gone_and_its_bytes_freed() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    let data = random_bytes(40_000);
    let sha = hex::encode(Sha256::digest(&data));
    let r = s
        .req(Method::POST, "/v1/uploads/", d.t())
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "40000")
        .header("Upload-Metadata", format!("sha256 {}", B64.encode(&sha)))
        .header("Content-Type", "application/offset+octet-stream")
        .body(data[..10_000].to_vec())
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id = loc.rsplit('/').next().unwrap().to_string();
    assert!(s.data.join("staging").read_dir().unwrap().next().is_some(), "bytes staged");

    db(s).execute("UPDATE uploads SET expires_at_ms = 1 WHERE id = ?1", [&id]).unwrap();
    let head = s.req(Method::HEAD, &loc, d.t()).header("Tus-Resumable", "1.0.0").send().unwrap();
    assert_eq!(head.status(), 410);
    let patch = d.patch(s, &loc, 10_000, &data[10_000..], None);
    assert_eq!(patch.status(), 410);
    // The sweeper (every few seconds) marks it expired and frees the staging file.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let state: String = db(s).query_row("SELECT state FROM uploads WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
        if state == "expired" && s.data.join("staging").read_dir().unwrap().next().is_none() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "expired upload never swept (state {state})");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let blobs: i64 = db(s).query_row("SELECT count(*) FROM blobs WHERE sha256 = ?1", [&sha], |r| r.get(0)).unwrap();
    assert_eq!(blobs, 0, "an expired upload never becomes a blob");
    // A fresh upload of the same content still works.
    d.upload(s, &data);
}

#[test]
fn expired_device_tokens_and_sessions_are_refused_with_a_reason() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    assert_eq!(s.req(Method::GET, "/v1/device/orders", d.t()).send().unwrap().status(), 200);
    assert_eq!(s.req(Method::GET, "/v1/me", Some(&w.coord_a)).send().unwrap().status(), 200);
    db(s).execute("UPDATE tokens SET expires_at_ms = 1", []).unwrap();
    let (status, code) = err_code(s.req(Method::GET, "/v1/device/orders", d.t()).send().unwrap());
    assert_eq!((status, code.as_str()), (401, "token_expired"));
    let (status, code) = err_code(s.req(Method::GET, "/v1/me", Some(&w.coord_a)).send().unwrap());
    assert_eq!((status, code.as_str()), (401, "token_expired"));
    // A new login works again; the expired session stays dead.
    let fresh = s.login("coord_a");
    assert_eq!(s.req(Method::GET, "/v1/me", Some(&fresh)).send().unwrap().status(), 200);
    assert_eq!(s.req(Method::GET, "/v1/me", Some(&w.coord_a)).send().unwrap().status(), 401);
}
