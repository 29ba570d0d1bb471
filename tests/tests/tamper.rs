//! Tampering with a device store behind the core's back, the way someone
//! with the phone's files could: each kind of change must be named by
//! `siteproof verify`, at the right entry.

use std::path::Path;

use serde_json::Value;
use siteproof_tests::{cli, cli_json, exif_samples, unique_jpeg};

struct Fixture {
    home: tempfile::TempDir,
    items: Vec<Value>,
}

fn setup() -> Fixture {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let src = std::fs::read(exif_samples().join("jpg/gps/DSCN0012.jpg")).unwrap();
    let mut items = Vec::new();
    for i in 0..3 {
        let f = work.path().join(format!("p{i}.jpg"));
        std::fs::write(&f, unique_jpeg(&src, &format!("photo {i}"))).unwrap();
        items.push(cli_json(home.path(), &["capture", "photo", f.to_str().unwrap(), "--no-derivatives"]));
    }
    items.push(cli_json(home.path(), &["note", "楼道堆物已清理 / hallway cleared"]));
    let ok = cli_json(home.path(), &["verify"]);
    assert_eq!(ok["ok"], true, "fresh store must verify: {ok}");
    Fixture { home, items }
}

fn db(home: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(home.join("store/siteproof.db")).unwrap()
}

/// Runs verify, expects failure, returns (kind, seq) of each problem.
fn problems(home: &Path) -> Vec<(String, u64)> {
    let out = cli(home).args(["--json", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "verify must fail with the integrity exit code");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    v["report"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap().to_string(), p["seq"].as_u64().unwrap()))
        .collect()
}

#[test]
fn flipped_byte_in_a_blob_is_named() {
    let f = setup();
    let sha = f.items[1]["media_sha256"].as_str().unwrap();
    let path = f.home.path().join("store/blobs").join(&sha[..2]).join(sha);
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(problems(f.home.path()), vec![("blob_altered".to_string(), 2)]);
}

#[test]
fn deleted_blob_is_named() {
    let f = setup();
    let sha = f.items[0]["media_sha256"].as_str().unwrap();
    std::fs::remove_file(f.home.path().join("store/blobs").join(&sha[..2]).join(sha)).unwrap();
    assert_eq!(problems(f.home.path()), vec![("blob_missing".to_string(), 1)]);
}

#[test]
fn edited_manifest_field_is_named() {
    let f = setup();
    let conn = db(f.home.path());
    let m: String = conn.query_row("SELECT manifest FROM entries WHERE seq = 4", [], |r| r.get(0)).unwrap();
    let edited = m.replace("hallway cleared", "hallway CLEAN!!");
    assert_ne!(m, edited);
    conn.execute("UPDATE entries SET manifest = ?1 WHERE seq = 4", [edited]).unwrap();
    drop(conn);
    let p = problems(f.home.path());
    assert!(p.contains(&("bad_signature".to_string(), 4)), "{p:?}");
    assert!(p.iter().all(|(_, seq)| *seq == 4), "only entry 4 is affected: {p:?}");
}

#[test]
fn edited_manifest_with_recomputed_hash_still_fails_signature() {
    let f = setup();
    let conn = db(f.home.path());
    let m: String = conn.query_row("SELECT manifest FROM entries WHERE seq = 2", [], |r| r.get(0)).unwrap();
    // Move the photo to another order and fix up the stored hash, as a careful forger would.
    let edited = m.replace("\"order_number\":null", "\"order_number\":\"X1\"");
    assert_ne!(m, edited);
    let hash = siteproof_core::evidence::sha256_hex(edited.as_bytes());
    conn.execute("UPDATE entries SET manifest = ?1, manifest_hash = ?2 WHERE seq = 2", [&edited, &hash]).unwrap();
    drop(conn);
    let p = problems(f.home.path());
    assert!(p.contains(&("bad_signature".to_string(), 2)), "{p:?}");
    assert!(p.contains(&("broken_link".to_string(), 3)), "entry 3 no longer links to entry 2: {p:?}");
}

#[test]
fn deleted_entry_is_named() {
    let f = setup();
    let conn = db(f.home.path());
    conn.execute_batch("PRAGMA foreign_keys = OFF; DELETE FROM outbox WHERE item_id = (SELECT item_id FROM entries WHERE seq = 2); DELETE FROM entries WHERE seq = 2;").unwrap();
    drop(conn);
    assert_eq!(problems(f.home.path()), vec![("missing".to_string(), 2)]);
}

#[test]
fn reordered_entries_are_named() {
    let f = setup();
    let conn = db(f.home.path());
    conn.execute_batch(
        "UPDATE entries SET seq = 100 WHERE seq = 2;
         UPDATE entries SET seq = 2 WHERE seq = 3;
         UPDATE entries SET seq = 3 WHERE seq = 100;",
    )
    .unwrap();
    drop(conn);
    let p = problems(f.home.path());
    assert!(p.iter().any(|(k, _)| k == "reordered"), "{p:?}");
    assert!(p.iter().all(|(_, s)| (2..=4).contains(s)), "{p:?}");
}

#[test]
fn untouched_store_verifies_and_items_are_intact() {
    let f = setup();
    assert_eq!(f.items.len(), 4);
    assert_eq!(cli_json(f.home.path(), &["verify"])["report"]["entries"], 4);
}
