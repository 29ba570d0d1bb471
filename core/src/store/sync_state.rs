//! The `sync_state` table's SQL: small named values a sync run keeps between
//! runs (the order cursor).

use rusqlite::{params, Connection, OptionalExtension};

/// A stored value by key.
pub(crate) fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0)).optional()
}

/// Stores a value under a key, replacing any earlier one.
pub(crate) fn set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute("INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2", params![key, value])?;
    Ok(())
}
