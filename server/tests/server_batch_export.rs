//! The batch exports' bounds on the real server: one order holding more
//! evidence entries than a batch packet takes is refused before any file is
//! written, saying the limit in both languages, and not audited; the
//! originals export of the same order, which streams its files and has no
//! entry bound, is still given.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;
use siteproof_server::packet::batch::MAX_BATCH_ENTRIES;

/// Export rows in the audit log, read from the server's own database.
fn audit_exports(s: &Server) -> usize {
    let db = rusqlite::Connection::open_with_flags(s.data.join("siteproof.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    db.query_row("SELECT COUNT(*) FROM audit WHERE action = 'export'", [], |r| r.get::<_, i64>(0)).unwrap() as usize
}

#[test]
fn an_order_with_more_entries_than_a_batch_packet_takes_is_refused_saying_the_limit() {
    let w = World::new(&[]);
    let s = &w.server;
    let r = s
        .req(Method::POST, "/v1/orders", Some(&w.coord_a))
        .json(&json!({"number": "A-9", "kind": "投诉", "category": "噪音", "address": "幸福里3号楼"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let mut dev = w.device("worker_a");
    for _ in 0..=MAX_BATCH_ENTRIES {
        let sm = dev.next_manifest(None, Some("A-9"));
        assert_eq!(dev.post_manifest(s, &sm).status(), 201);
    }

    let r = s.req(Method::POST, "/v1/packets/batch", Some(&w.coord_a)).json(&json!({"orders": ["A-9"]})).send().unwrap();
    let (status, code) = err_code(r);
    assert_eq!((status, code.as_str()), (400, "batch_too_large"));
    let r = s.req(Method::POST, "/v1/packets/batch", Some(&w.coord_a)).json(&json!({"orders": ["A-9"]})).send().unwrap();
    let body: serde_json::Value = r.json().unwrap();
    let message = body["message"].as_str().unwrap();
    let count = (MAX_BATCH_ENTRIES + 1).to_string();
    assert!(message.contains(&format!("最多收入 {MAX_BATCH_ENTRIES} 条证据")) && message.contains(&count), "{message}");
    assert!(message.contains(&format!("at most {MAX_BATCH_ENTRIES} evidence entries")), "{message}");
    assert_eq!(audit_exports(s), 0, "a refused export is not audited");

    // The originals export streams files and is bounded by orders only: the same order is exported (no media, so
    // only the list and the README).
    let r = s.req(Method::POST, "/v1/originals/export", Some(&w.coord_a)).json(&json!({"orders": ["A-9"]})).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert_eq!(audit_exports(s), 1);
}
