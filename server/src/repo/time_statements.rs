//! The `time_statements` table's SQL: server time statements that the
//! anchored times of received entries rest on, kept for dispute packets.

use rusqlite::{params, Connection, OptionalExtension};
use siteproof_protocol::evidence::SignedTime;

/// Keeps a statement under its hash; false when it was held already (a device sending it again).
pub fn put(c: &Connection, statement_hash: &str, signed: &SignedTime, device_id: &str, at_ms: i64) -> rusqlite::Result<bool> {
    let inserted = c.execute(
        "INSERT OR IGNORE INTO time_statements (statement_hash, statement, signature, device_id, received_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![statement_hash, signed.statement, signed.signature, device_id, at_ms],
    )?;
    Ok(inserted == 1)
}

/// The statement with this hash, if a device handed it back.
pub fn get(c: &Connection, statement_hash: &str) -> rusqlite::Result<Option<SignedTime>> {
    c.prepare_cached("SELECT statement, signature FROM time_statements WHERE statement_hash = ?1")?
        .query_row([statement_hash], |r| Ok(SignedTime { statement: r.get(0)?, signature: r.get(1)? }))
        .optional()
}

/// Whether one of this device's entries names the statement as its anchor (read from the stored manifest text).
pub fn named_by_device(c: &Connection, device_id: &str, statement_hash: &str) -> rusqlite::Result<bool> {
    c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM entries WHERE device_id = ?1 AND json_extract(manifest, '$.anchored.anchor_hash') = ?2)",
    )?
    .query_row(params![device_id, statement_hash], |r| r.get(0))
}
