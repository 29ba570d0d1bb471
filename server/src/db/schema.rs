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
];

/// Brings the schema up to the newest version.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    for (i, step) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
    }
    Ok(())
}

/// The newest schema version this build knows.
pub fn latest() -> usize {
    MIGRATIONS.len()
}
