//! Versioned schema migrations, tracked in `PRAGMA user_version`. Each step
//! runs once, in a transaction, so an interrupted upgrade leaves the old
//! version intact. New versions are appended; old steps are never edited.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // v1: tenancy, accounts, devices, tokens, uploads, blobs, evidence, receipts, orders.
    r#"
CREATE TABLE offices (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at_ms INTEGER NOT NULL);
CREATE TABLE communities (
    id INTEGER PRIMARY KEY, office_id INTEGER NOT NULL REFERENCES offices(id),
    name TEXT NOT NULL, created_at_ms INTEGER NOT NULL, UNIQUE (office_id, name));
CREATE TABLE users (
    id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'worker')),
    office_id INTEGER NOT NULL REFERENCES offices(id),
    community_id INTEGER REFERENCES communities(id),
    password_hash TEXT, disabled INTEGER NOT NULL DEFAULT 0, created_at_ms INTEGER NOT NULL);
CREATE TABLE enroll_codes (
    code_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    created_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL,
    used_at_ms INTEGER, device_id TEXT);
CREATE TABLE devices (
    device_id TEXT PRIMARY KEY, public_key TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL, enrolled_at_ms INTEGER NOT NULL, revoked_at_ms INTEGER,
    bytes_stored INTEGER NOT NULL DEFAULT 0);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('session', 'device')),
    user_id INTEGER NOT NULL REFERENCES users(id), device_id TEXT,
    created_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL, revoked_at_ms INTEGER);
CREATE TABLE uploads (
    id TEXT PRIMARY KEY, device_id TEXT NOT NULL, community_id INTEGER NOT NULL,
    length INTEGER NOT NULL, "offset" INTEGER NOT NULL DEFAULT 0, sha256 TEXT NOT NULL,
    filename TEXT, media_type TEXT, metadata TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'complete', 'failed', 'expired', 'terminated')),
    error TEXT, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL);
CREATE INDEX uploads_device ON uploads (device_id, state);
CREATE INDEX uploads_expiry ON uploads (state, expires_at_ms);
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY, bytes INTEGER NOT NULL, media_type TEXT, stored_at_ms INTEGER NOT NULL);
CREATE TABLE blob_owners (
    sha256 TEXT NOT NULL, community_id INTEGER NOT NULL, device_id TEXT NOT NULL, at_ms INTEGER NOT NULL,
    PRIMARY KEY (sha256, community_id, device_id));
CREATE TABLE entries (
    manifest_hash TEXT PRIMARY KEY, device_id TEXT NOT NULL, community_id INTEGER NOT NULL,
    seq INTEGER NOT NULL, prev TEXT, item_id TEXT NOT NULL, kind TEXT NOT NULL,
    media_sha256 TEXT, order_number TEXT, attach_item_id TEXT,
    manifest TEXT NOT NULL, signature TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL, log_index INTEGER NOT NULL UNIQUE);
CREATE INDEX entries_device_seq ON entries (device_id, seq);
CREATE INDEX entries_order ON entries (community_id, order_number);
CREATE INDEX entries_item ON entries (item_id);
CREATE TABLE receipt_log (
    log_index INTEGER PRIMARY KEY, manifest_hash TEXT NOT NULL UNIQUE,
    receipt TEXT NOT NULL, signature TEXT NOT NULL, receipt_hash TEXT NOT NULL);
CREATE TRIGGER receipt_log_no_update BEFORE UPDATE ON receipt_log
    BEGIN SELECT RAISE(ABORT, 'receipt log is append-only'); END;
CREATE TRIGGER receipt_log_no_delete BEFORE DELETE ON receipt_log
    BEGIN SELECT RAISE(ABORT, 'receipt log is append-only'); END;
CREATE TABLE device_heads (device_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE anomalies (
    id INTEGER PRIMARY KEY, community_id INTEGER NOT NULL, device_id TEXT NOT NULL,
    manifest_hash TEXT NOT NULL, seq INTEGER NOT NULL, item_id TEXT,
    kind TEXT NOT NULL, detail TEXT NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX anomalies_community ON anomalies (community_id, id);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL, category TEXT NOT NULL, address TEXT NOT NULL,
    spot_lat REAL, spot_lon REAL, complainant TEXT NOT NULL DEFAULT '', content TEXT NOT NULL DEFAULT '',
    dispatched_at_ms INTEGER, deadline_ms INTEGER, status TEXT NOT NULL DEFAULT 'new',
    tag_type TEXT, tag_handling TEXT, tag_callback TEXT,
    knowledge TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',
    assignee_id INTEGER REFERENCES users(id), version INTEGER NOT NULL DEFAULT 1,
    change_seq INTEGER NOT NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL);
CREATE INDEX orders_change ON orders (change_seq);
CREATE INDEX orders_community ON orders (community_id);
CREATE TABLE order_history (
    id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), version INTEGER NOT NULL,
    field TEXT NOT NULL, old_value TEXT, new_value TEXT,
    actor_id INTEGER, actor_role TEXT, device_id TEXT, at_ms INTEGER NOT NULL);
CREATE INDEX order_history_order ON order_history (order_id, version);
CREATE TABLE order_watchers (order_id INTEGER NOT NULL, user_id INTEGER NOT NULL, PRIMARY KEY (order_id, user_id));
CREATE TABLE audit (
    id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, user_id INTEGER, action TEXT NOT NULL, target TEXT NOT NULL);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO counters (name, value) VALUES ('order_change', 0);
"#,
    // v2: the coordinators' console: derivatives linked to items, follow-up
    // visits, manual before/after pairs, and indexes for the order list and audit page.
    r#"
CREATE TABLE derivatives (
    item_id TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('thumbnail', 'preview')),
    sha256 TEXT NOT NULL, community_id INTEGER NOT NULL, device_id TEXT NOT NULL, at_ms INTEGER NOT NULL,
    PRIMARY KEY (item_id, role, community_id));
CREATE TABLE followups (
    id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
    from_ms INTEGER NOT NULL, due_ms INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES users(id), created_at_ms INTEGER NOT NULL,
    cancelled_at_ms INTEGER);
CREATE INDEX followups_order ON followups (order_id, due_ms);
CREATE INDEX followups_due ON followups (due_ms);
CREATE TABLE photo_pairs (
    after_item_id TEXT NOT NULL, community_id INTEGER NOT NULL, before_item_id TEXT NOT NULL,
    paired_by INTEGER NOT NULL REFERENCES users(id), at_ms INTEGER NOT NULL,
    PRIMARY KEY (after_item_id, community_id));
CREATE INDEX orders_list_deadline ON orders (community_id, ifnull(deadline_ms, 9223372036854775807), id);
CREATE INDEX orders_list_status ON orders (community_id, status, ifnull(deadline_ms, 9223372036854775807), id);
CREATE INDEX orders_list_assignee ON orders (assignee_id, ifnull(deadline_ms, 9223372036854775807), id);
CREATE INDEX audit_at ON audit (at_ms, id);
CREATE INDEX audit_target ON audit (target, id);
"#,
    // v3: order numbers unique per street office, not server-wide (another office's
    // order neither blocks a number nor shows that it exists; number first, so a
    // lookup by number uses the index); indexes for telling originals from
    // derivatives by hash; thumbnails another device linked to a signed item are unlinked.
    r#"
CREATE TABLE orders_v3 (
    id INTEGER PRIMARY KEY, office_id INTEGER NOT NULL REFERENCES offices(id), number TEXT NOT NULL,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL, category TEXT NOT NULL, address TEXT NOT NULL,
    spot_lat REAL, spot_lon REAL, complainant TEXT NOT NULL DEFAULT '', content TEXT NOT NULL DEFAULT '',
    dispatched_at_ms INTEGER, deadline_ms INTEGER, status TEXT NOT NULL DEFAULT 'new',
    tag_type TEXT, tag_handling TEXT, tag_callback TEXT,
    knowledge TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',
    assignee_id INTEGER REFERENCES users(id), version INTEGER NOT NULL DEFAULT 1,
    change_seq INTEGER NOT NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,
    UNIQUE (number, office_id));
INSERT INTO orders_v3 (id, office_id, number, community_id, kind, category, address, spot_lat, spot_lon, complainant,
    content, dispatched_at_ms, deadline_ms, status, tag_type, tag_handling, tag_callback, knowledge, notes,
    assignee_id, version, change_seq, created_at_ms, updated_at_ms)
SELECT o.id, c.office_id, o.number, o.community_id, o.kind, o.category, o.address, o.spot_lat, o.spot_lon, o.complainant,
    o.content, o.dispatched_at_ms, o.deadline_ms, o.status, o.tag_type, o.tag_handling, o.tag_callback, o.knowledge, o.notes,
    o.assignee_id, o.version, o.change_seq, o.created_at_ms, o.updated_at_ms
FROM orders o JOIN communities c ON c.id = o.community_id;
DROP TABLE orders;
ALTER TABLE orders_v3 RENAME TO orders;
CREATE INDEX orders_change ON orders (change_seq);
CREATE INDEX orders_community ON orders (community_id);
CREATE INDEX orders_list_deadline ON orders (community_id, ifnull(deadline_ms, 9223372036854775807), id);
CREATE INDEX orders_list_status ON orders (community_id, status, ifnull(deadline_ms, 9223372036854775807), id);
CREATE INDEX orders_list_assignee ON orders (assignee_id, ifnull(deadline_ms, 9223372036854775807), id);
CREATE INDEX entries_media ON entries (media_sha256);
CREATE INDEX derivatives_sha ON derivatives (sha256);
DELETE FROM derivatives WHERE EXISTS (SELECT 1 FROM entries e WHERE e.item_id = derivatives.item_id)
    AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.item_id = derivatives.item_id AND e.device_id = derivatives.device_id);
"#,
    // v4: a worker's real name (真实姓名), so a dispute document names a person, not a login id;
    // empty means none was given. A device records whose it is at enrollment, as the holder was then named.
    r#"
ALTER TABLE users ADD COLUMN real_name TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN holder_name TEXT NOT NULL DEFAULT '';
"#,
    // v5: the server's signed time statements that anchored capture times rest on, handed back by the devices
    // whose entries name them (the server keeps none of the statements `GET /v1/time` issues), for dispute packets;
    // and each packet export's third-party time outcome, which the console's export form shows.
    r#"
CREATE TABLE time_statements (
    statement_hash TEXT PRIMARY KEY, statement TEXT NOT NULL, signature TEXT NOT NULL,
    device_id TEXT NOT NULL, received_at_ms INTEGER NOT NULL);
CREATE TABLE packet_exports (
    id INTEGER PRIMARY KEY, community_id INTEGER NOT NULL, order_number TEXT NOT NULL,
    at_ms INTEGER NOT NULL, sha256 TEXT NOT NULL, third_party_time TEXT NOT NULL);
CREATE INDEX packet_exports_order ON packet_exports (community_id, order_number, id);
"#,
    // v6: watermarked share copies registered by `share` entries, found by the code printed on them (`GET /v/{code}`).
    r#"
CREATE TABLE share_copies (
    code TEXT PRIMARY KEY, community_id INTEGER NOT NULL, device_id TEXT NOT NULL,
    share_manifest_hash TEXT NOT NULL, item_id TEXT NOT NULL, source_manifest_hash TEXT NOT NULL,
    copy_sha256 TEXT NOT NULL, registered_at_ms INTEGER NOT NULL);
"#,
    // v7: the console's order search over number, address, content and notes. The trigram tokenizer indexes
    // every three characters, so Chinese text (no spaces between words) is found by any part of it. The index
    // reads its text from `orders` (external content); the triggers keep it in step with every write, and
    // 'rebuild' indexes the orders that exist. A later step that rebuilds `orders` must recreate the triggers.
    r#"
CREATE VIRTUAL TABLE orders_search USING fts5(
    number, address, content, notes, content='orders', content_rowid='id', tokenize='trigram');
CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_search (rowid, number, address, content, notes)
        VALUES (new.id, new.number, new.address, new.content, new.notes);
END;
CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    INSERT INTO orders_search (orders_search, rowid, number, address, content, notes)
        VALUES ('delete', old.id, old.number, old.address, old.content, old.notes);
END;
CREATE TRIGGER orders_search_update AFTER UPDATE OF number, address, content, notes ON orders BEGIN
    INSERT INTO orders_search (orders_search, rowid, number, address, content, notes)
        VALUES ('delete', old.id, old.number, old.address, old.content, old.notes);
    INSERT INTO orders_search (rowid, number, address, content, notes)
        VALUES (new.id, new.number, new.address, new.content, new.notes);
END;
INSERT INTO orders_search (orders_search) VALUES ('rebuild');
"#,
];

/// Brings the schema up to the newest version.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current >= MIGRATIONS.len() {
        return Ok(());
    }
    // SQLite drops a constraint only by rebuilding the table, and dropping a
    // table other tables point at needs foreign keys off, which cannot change
    // inside a transaction. Each step checks every reference before it commits.
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let steps = run_steps(conn, current);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    steps
}

fn run_steps(conn: &mut Connection, current: usize) -> rusqlite::Result<()> {
    for (i, step) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        let dangling: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        if dangling > 0 {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some(format!("schema step {} would leave {dangling} dangling references; not applied", i + 1)),
            ));
        }
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
    }
    Ok(())
}

/// The newest schema version this build knows.
pub fn latest() -> usize {
    MIGRATIONS.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database written by the previous version keeps its orders, their ids
    /// and history; afterwards a number is unique per office, not server-wide.
    #[test]
    fn v3_keeps_orders_and_makes_numbers_unique_per_office() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        for step in &MIGRATIONS[..2] {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 2;
             INSERT INTO offices (id, name, created_at_ms) VALUES (1, '东城街道', 0), (2, '西城街道', 0);
             INSERT INTO communities (id, office_id, name, created_at_ms) VALUES (10, 1, 'A', 0), (20, 2, 'C', 0);
             INSERT INTO users (id, username, role, office_id, community_id, created_at_ms) VALUES (5, 'c', 'coordinator', 1, 10, 0);
             INSERT INTO orders (id, number, community_id, kind, category, address, status, change_seq, created_at_ms, updated_at_ms, assignee_id)
                 VALUES (7, 'N-1', 10, 'complaint', '噪音', '1号楼', 'in_progress', 3, 1, 2, 5);
             INSERT INTO order_history (order_id, version, field, at_ms) VALUES (7, 1, 'created', 1);
             INSERT INTO followups (order_id, from_ms, due_ms, created_by, created_at_ms) VALUES (7, 0, 1, 5, 0);
             INSERT INTO entries (manifest_hash, device_id, community_id, seq, item_id, kind, manifest, signature, received_at_ms, log_index)
                 VALUES ('h1', 'dev-a', 10, 1, 'item-1', 'photo', '{}', 's', 0, 1);
             INSERT INTO derivatives (item_id, role, sha256, community_id, device_id, at_ms) VALUES
                 ('item-1', 'thumbnail', 't-own', 10, 'dev-a', 0), ('item-1', 'preview', 't-squat', 10, 'dev-b', 0),
                 ('item-2', 'thumbnail', 't-unsigned', 10, 'dev-b', 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap() as usize, latest());
        assert!(conn.query_row("PRAGMA foreign_keys", [], |r| r.get::<_, bool>(0)).unwrap(), "enforcement restored");
        let kept: (i64, i64, String, String, i64) = conn
            .query_row("SELECT id, office_id, number, status, assignee_id FROM orders", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap();
        assert_eq!(kept, (7, 1, "N-1".into(), "in_progress".into(), 5));
        let insert =
            "INSERT INTO orders (office_id, number, community_id, kind, category, address, change_seq, created_at_ms, updated_at_ms)
                      VALUES (?1, 'N-1', ?2, 'complaint', 'x', 'y', 4, 0, 0)";
        assert!(conn.execute(insert, [2, 20]).is_ok(), "another office may use the number");
        assert!(conn.execute(insert, [1, 10]).is_err(), "the same office may not");
        let refs: i64 = conn
            .query_row(
                "SELECT count(*) FROM order_history h JOIN followups f ON f.order_id = h.order_id JOIN orders o ON o.id = h.order_id",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(refs, 1, "history and follow-ups still point at the order");
        let linked: Vec<String> = conn
            .prepare("SELECT sha256 FROM derivatives ORDER BY sha256")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(linked, ["t-own", "t-unsigned"], "another device's link to a signed item is dropped");
        migrate(&mut conn).unwrap();
    }

    /// Accounts and devices made before real names existed keep working, with no name given: documents
    /// fall back to the login id.
    #[test]
    fn v4_gives_existing_accounts_and_devices_an_empty_real_name() {
        let mut conn = Connection::open_in_memory().unwrap();
        for step in &MIGRATIONS[..3] {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 3;
             INSERT INTO offices (id, name, created_at_ms) VALUES (1, '东城街道', 0);
             INSERT INTO communities (id, office_id, name, created_at_ms) VALUES (10, 1, 'A', 0);
             INSERT INTO users (id, username, role, office_id, community_id, created_at_ms) VALUES (5, 'wang', 'worker', 1, 10, 0);
             INSERT INTO devices (device_id, public_key, user_id, community_id, name, enrolled_at_ms) VALUES ('d', 'k', 5, 10, 'phone', 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let names: (String, String) = conn
            .query_row("SELECT u.real_name, d.holder_name FROM users u JOIN devices d ON d.user_id = u.id", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(names, (String::new(), String::new()));
    }

    /// Orders made before the search index existed are found by it, and later writes keep it in step.
    #[test]
    fn v7_indexes_existing_orders_and_follows_writes() {
        let mut conn = Connection::open_in_memory().unwrap();
        for step in &MIGRATIONS[..6] {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 6;
             INSERT INTO offices (id, name, created_at_ms) VALUES (1, '东城街道', 0);
             INSERT INTO communities (id, office_id, name, created_at_ms) VALUES (10, 1, 'A', 0);
             INSERT INTO orders (id, office_id, number, community_id, kind, category, address, content, change_seq, created_at_ms, updated_at_ms)
                 VALUES (7, 1, '2024112900123', 10, 'complaint', 'x', '幸福里3号楼', '小区垃圾桶满了没人清', 1, 0, 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let found = |c: &Connection, q: &str| -> Vec<i64> {
            c.prepare("SELECT rowid FROM orders_search WHERE orders_search MATCH ?1 ORDER BY rowid")
                .unwrap()
                .query_map([q], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(found(&conn, "\"垃圾桶\""), [7], "backfilled");
        conn.execute("UPDATE orders SET notes = '已联系物业' WHERE id = 7", []).unwrap();
        assert_eq!(found(&conn, "\"联系物业\""), [7], "an update is indexed");
        conn.execute("UPDATE orders SET content = '路灯不亮' WHERE id = 7", []).unwrap();
        assert!(found(&conn, "\"垃圾桶\"").is_empty(), "replaced text is no longer found");
        conn.execute("DELETE FROM orders WHERE id = 7", []).unwrap();
        assert!(found(&conn, "\"路灯不亮\"").is_empty(), "a deleted order is no longer found");
    }
}
