//! tus 1.0 protocol behaviour on the real server, including the bad inputs:
//! malformed headers, wrong offsets, checksum mismatches, oversize bodies,
//! hostile metadata, truncated bodies and dropped connections.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use common::*;
use reqwest::Method;
use sha1::Sha1;
use sha2::{Digest, Sha256};

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn head_offset(s: &Server, d: &Device, loc: &str) -> (u16, Option<u64>) {
    let r = s.req(Method::HEAD, loc, d.t()).header("Tus-Resumable", "1.0.0").send().unwrap();
    assert_eq!(r.headers()["tus-resumable"], "1.0.0");
    let off = r.headers().get("upload-offset").map(|v| v.to_str().unwrap().parse().unwrap());
    (r.status().as_u16(), off)
}

fn location(r: reqwest::blocking::Response) -> String {
    assert_eq!(r.status(), 201, "{:?}", r.text());
    r.headers()["location"].to_str().unwrap().to_string()
}

#[test]
fn options_advertises_extensions_and_every_response_carries_the_version() {
    let w = World::new(&["--max-upload-bytes", "1000000"]);
    let r = w.server.req(Method::OPTIONS, "/v1/uploads/", None).send().unwrap();
    assert_eq!(r.status(), 204);
    let h = r.headers();
    assert_eq!(h["tus-resumable"], "1.0.0");
    assert_eq!(h["tus-version"], "1.0.0");
    assert_eq!(h["tus-extension"], "creation,creation-with-upload,expiration,termination,checksum");
    assert_eq!(h["tus-checksum-algorithm"], "sha1,sha256");
    assert_eq!(h["tus-max-size"], "1000000");
    let d = w.device("worker_a");
    // Wrong protocol version: 412 with Tus-Version.
    let r = w.server.req(Method::POST, "/v1/uploads/", d.t()).header("Tus-Resumable", "0.2.2").header("Upload-Length", "5").send().unwrap();
    assert_eq!(r.headers()["tus-version"], "1.0.0");
    assert_eq!(err_code(r), (412, "tus_version".into()));
    // Oversize at creation: 413.
    assert_eq!(err_code(d.create(&w.server, 1_000_001, &sha(b"x"))), (413, "upload_too_large".into()));
}

#[test]
fn creation_rejects_bad_headers_and_hostile_metadata() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    let good_sha = B64.encode(sha(b"hello"));
    let post = |len: &str, meta: &str| {
        s.req(Method::POST, "/v1/uploads/", d.t())
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", len)
            .header("Upload-Metadata", meta)
            .send()
            .unwrap()
    };
    let cases: Vec<(&str, String, u16, &str)> = vec![
        ("-5", format!("sha256 {good_sha}"), 400, "bad_header"),
        ("5x", format!("sha256 {good_sha}"), 400, "bad_header"),
        ("5", "filename aGVsbG8=".into(), 400, "sha256_required"),
        ("5", format!("sha256 {}", B64.encode("nothex")), 400, "sha256_required"),
        ("5", format!("sha256 {good_sha},filename {}", B64.encode("../../etc/passwd")), 400, "bad_filename"),
        ("5", format!("sha256 {good_sha},filename {}", B64.encode("..")), 400, "bad_filename"),
        ("5", format!("sha256 {good_sha},filename {}", B64.encode("a\\b.jpg")), 400, "bad_filename"),
        ("5", format!("sha256 {good_sha},filename {}", B64.encode("photo\n.jpg")), 400, "bad_metadata"),
        ("5", format!("sha256 {good_sha},note {}", B64.encode("bell\u{7}")), 400, "bad_metadata"),
        ("5", format!("sha256 {good_sha},filename !!notbase64"), 400, "bad_metadata"),
        ("5", format!("sha256 {good_sha},sha256 {good_sha}"), 400, "bad_metadata"),
        ("5", format!("sha256 {good_sha},media_type {}", B64.encode("image/jpeg; x=\"y\"")), 400, "bad_media_type"),
    ];
    for (len, meta, status, code) in cases {
        assert_eq!(err_code(post(len, &meta)), (status, code.to_string()), "Upload-Length {len:?} Upload-Metadata {meta:?}");
    }
    let r = s
        .req(Method::POST, "/v1/uploads/", d.t())
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Metadata", format!("sha256 {good_sha}"))
        .send()
        .unwrap();
    assert_eq!(err_code(r), (400, "upload_length_required".into()));
    // Nothing was staged by any of the refusals.
    assert!(std::fs::read_dir(s.data.join("staging")).unwrap().next().is_none());
}

#[test]
fn offsets_checksums_and_lengths_are_enforced() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    let data = random_bytes(100_000);
    let loc = location(d.create(s, data.len() as u64, &sha(&data)));
    assert_eq!(head_offset(s, &d, &loc), (200, Some(0)));

    // First half with a correct sha1 checksum.
    let sum1 = B64.encode(Sha1::digest(&data[..50_000]));
    assert_eq!(d.patch(s, &loc, 0, &data[..50_000], Some(format!("sha1 {sum1}"))).status(), 204);
    // Wrong offset: 409, nothing changes.
    let r = d.patch(s, &loc, 10, &data[10..20], None);
    assert_eq!(r.headers()["upload-offset"], "50000");
    assert_eq!(err_code(r), (409, "offset_mismatch".into()));
    // Checksum mismatch: 460, offset unchanged.
    let wrong = B64.encode(Sha256::digest(b"something else"));
    assert_eq!(err_code(d.patch(s, &loc, 50_000, &data[50_000..], Some(format!("sha256 {wrong}")))), (460, "checksum_mismatch".into()));
    assert_eq!(head_offset(s, &d, &loc), (200, Some(50_000)));
    // Unknown algorithm and malformed checksum headers: 400.
    assert_eq!(err_code(d.patch(s, &loc, 50_000, &data[50_000..], Some("md5 AAAA".into()))), (400, "bad_checksum_header".into()));
    assert_eq!(err_code(d.patch(s, &loc, 50_000, &data[50_000..], Some("sha1".into()))), (400, "bad_checksum_header".into()));
    // Wrong content type: 415. Missing offset: 400.
    let r = s
        .req(Method::PATCH, &loc, d.t())
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "50000")
        .header("Content-Type", "application/octet-stream")
        .body(vec![1u8])
        .send()
        .unwrap();
    assert_eq!(err_code(r), (415, "bad_content_type".into()));
    let r = s
        .req(Method::PATCH, &loc, d.t())
        .header("Tus-Resumable", "1.0.0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(vec![1u8])
        .send()
        .unwrap();
    assert_eq!(err_code(r), (400, "upload_offset_required".into()));
    // More bytes than declared: 413, offset unchanged.
    let mut too_much = data[50_000..].to_vec();
    too_much.push(0);
    assert_eq!(err_code(d.patch(s, &loc, 50_000, &too_much, None)), (413, "exceeds_upload_length".into()));
    assert_eq!(head_offset(s, &d, &loc), (200, Some(50_000)));
    // The rest, correctly: complete and stored.
    assert_eq!(d.patch(s, &loc, 50_000, &data[50_000..], None).status(), 204);
    assert_eq!(head_offset(s, &d, &loc), (200, Some(100_000)));
    assert_eq!(s.req(Method::HEAD, &format!("/v1/blobs/{}", sha(&data)), d.t()).send().unwrap().status(), 200);
    // Another device cannot see the upload.
    let other = w.device("worker_a2");
    assert_eq!(head_offset(s, &other, &loc).0, 404);
}

#[test]
fn whole_file_hash_mismatch_fails_the_upload_and_keeps_nothing() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    let data = random_bytes(20_000);
    let loc = location(d.create(s, data.len() as u64, &sha(b"not this content")));
    assert_eq!(err_code(d.patch(s, &loc, 0, &data, None)), (460, "sha256_mismatch".into()));
    assert_eq!(head_offset(s, &d, &loc).0, 410);
    assert_eq!(s.req(Method::HEAD, &format!("/v1/blobs/{}", sha(&data)), d.t()).send().unwrap().status(), 404);
    assert!(std::fs::read_dir(s.data.join("staging")).unwrap().next().is_none());
}

#[test]
fn creation_with_upload_and_termination() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    let data = random_bytes(30_000);
    let r = s
        .req(Method::POST, "/v1/uploads/", d.t())
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "30000")
        .header("Upload-Metadata", format!("sha256 {}", B64.encode(sha(&data))))
        .header("Content-Type", "application/offset+octet-stream")
        .body(data[..10_000].to_vec())
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["upload-offset"], "10000");
    assert!(r.headers().contains_key("upload-expires"));
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let r = s.req(Method::DELETE, &loc, d.t()).header("Tus-Resumable", "1.0.0").send().unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(head_offset(s, &d, &loc).0, 404);
    assert_eq!(d.patch(s, &loc, 10_000, &data[10_000..], None).status(), 404);
    assert!(std::fs::read_dir(s.data.join("staging")).unwrap().next().is_none());
}

fn raw_patch_head(s: &Server, d: &Device, loc: &str, offset: u64, content_length: u64, extra: &str) -> String {
    format!(
        "PATCH {loc} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nTus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\nContent-Length: {content_length}\r\n{extra}\r\n",
        s.addr, d.token
    )
}

fn wait_offset(s: &Server, d: &Device, loc: &str, want: u64) {
    for _ in 0..100 {
        if head_offset(s, d, loc).1 == Some(want) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("offset never reached {want}: {:?}", head_offset(s, d, loc));
}

#[test]
fn a_dropped_connection_keeps_what_arrived_and_the_upload_resumes() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    let data = random_bytes(1_000_000);
    let loc = location(d.create(s, data.len() as u64, &sha(&data)));

    // Announce the whole file, send 300 000 bytes, cut the connection.
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.write_all(raw_patch_head(s, &d, &loc, 0, 1_000_000, "").as_bytes()).unwrap();
    c.write_all(&data[..300_000]).unwrap();
    c.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    drop(c);
    wait_offset(s, &d, &loc, 300_000);

    // With a checksum, a cut body is discarded: the checksum cannot be checked.
    let sum = B64.encode(Sha256::digest(&data[300_000..]));
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.write_all(raw_patch_head(s, &d, &loc, 300_000, 700_000, &format!("Upload-Checksum: sha256 {sum}\r\n")).as_bytes()).unwrap();
    c.write_all(&data[300_000..500_000]).unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let mut resp = String::new();
    let _ = c.read_to_string(&mut resp);
    drop(c);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(head_offset(s, &d, &loc), (200, Some(300_000)));

    // Resume from the reported offset and finish.
    assert_eq!(d.patch(s, &loc, 300_000, &data[300_000..], Some(format!("sha256 {sum}"))).status(), 204);
    assert_eq!(head_offset(s, &d, &loc), (200, Some(1_000_000)));
    let got = s.req(Method::GET, &format!("/v1/blobs/{}", sha(&data)), Some(&w.coord_a)).send().unwrap().bytes().unwrap();
    assert_eq!(sha(&got), sha(&data));
}

#[test]
fn garbage_requests_get_json_errors() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    // Unknown route and wrong method: JSON too.
    assert_eq!(err_code(s.req(Method::GET, "/v1/nope", None).send().unwrap()), (404, "no_such_route".into()));
    assert_eq!(err_code(s.req(Method::PUT, "/v1/manifests", d.t()).send().unwrap()), (405, "method_not_allowed".into()));
    // A malformed request line or header block never reaches a handler, and the server keeps serving.
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.write_all(b"PATCH /v1/uploads/x HTTP/1.1\r\nHost: a\r\nContent-Length: nope\r\n\r\n").unwrap();
    let mut buf = String::new();
    let _ = c.read_to_string(&mut buf);
    assert!(buf.starts_with("HTTP/1.1 400"), "{buf}");
    assert_eq!(s.req(Method::GET, "/v1/health", None).send().unwrap().status(), 200);
}

#[test]
fn sigterm_lets_an_in_flight_upload_finish() {
    let mut w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    let data = random_bytes(400_000);
    let loc = location(d.create(s, data.len() as u64, &sha(&data)));
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.write_all(raw_patch_head(s, &d, &loc, 0, 400_000, "").as_bytes()).unwrap();
    c.write_all(&data[..100_000]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    unsafe { libc::kill(w.server.child.id() as i32, libc::SIGTERM) };
    std::thread::sleep(Duration::from_millis(300));
    c.write_all(&data[100_000..]).unwrap();
    let mut resp = String::new();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 4096];
    let n = c.read(&mut buf).unwrap();
    resp.push_str(&String::from_utf8_lossy(&buf[..n]));
    assert!(resp.starts_with("HTTP/1.1 204"), "{resp}");
    assert!(resp.to_ascii_lowercase().contains("upload-offset: 400000"), "{resp}");
    drop(c);
    let data_dir = w.server.data.clone();
    let mut waited = 0;
    while w.server.child.try_wait().unwrap().is_none() && waited < 100 {
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    }
    assert!(w.server.child.try_wait().unwrap().is_some(), "server exits after the request");
    let db = rusqlite::Connection::open(data_dir.join("siteproof.db")).unwrap();
    let state: String = db.query_row("SELECT state FROM uploads", [], |r| r.get(0)).unwrap();
    assert_eq!(state, "complete");
}

fn tiny_upload(s: &Server, d: &Device) -> reqwest::blocking::Response {
    d.create(s, 1, &sha(&random_bytes(1)))
}

#[test]
fn open_uploads_are_capped_per_device_and_finished_ones_free_their_slot() {
    let w = World::new(&[]);
    let s = &w.server;
    let d = w.device("worker_a");
    let mut open = Vec::new();
    for i in 0..32 {
        let r = tiny_upload(s, &d);
        assert_eq!(r.status(), 201, "upload {i} of the default 32");
        open.push(location(r));
    }
    let r = tiny_upload(s, &d);
    let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(err_code(r), (429, "too_many_open_uploads".into()));
    let retry: u64 = retry.expect("429 carries Retry-After").parse().unwrap();
    assert!((1..=3600).contains(&retry), "Retry-After {retry}");
    // Another device is not held back by this one.
    let other = w.device("worker_a2");
    assert_eq!(tiny_upload(s, &other).status(), 201);
    // A terminated upload frees its slot; so does a finished one.
    let r = s.req(Method::DELETE, &open.pop().unwrap(), d.t()).header("Tus-Resumable", "1.0.0").send().unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(tiny_upload(s, &d).status(), 201);
    assert_eq!(tiny_upload(s, &d).status(), 429);
    // An expired one frees its slot before the sweeper runs.
    let db = rusqlite::Connection::open(s.data.join("siteproof.db")).unwrap();
    let id = open.pop().unwrap().rsplit('/').next().unwrap().to_string();
    db.execute("UPDATE uploads SET expires_at_ms = 1 WHERE id = ?1", [&id]).unwrap();
    let r = d.create(s, 1, &sha(b"x"));
    assert_eq!(r.status(), 201);
    let loc = location(r);
    assert_eq!(tiny_upload(s, &d).status(), 429);
    assert_eq!(d.patch(s, &loc, 0, b"x", None).status(), 204);
    assert_eq!(tiny_upload(s, &d).status(), 201, "a finished upload frees its slot");
}

#[test]
fn the_open_upload_cap_is_configurable() {
    let w = World::new(&["--device-open-uploads", "2"]);
    let s = &w.server;
    let d = w.device("worker_a");
    assert_eq!(tiny_upload(s, &d).status(), 201);
    assert_eq!(tiny_upload(s, &d).status(), 201);
    assert_eq!(err_code(tiny_upload(s, &d)), (429, "too_many_open_uploads".into()));
}
