//! The `anchors` table's SQL: server-signed times paired with the boot clock
//! reading at which they arrived.

use rusqlite::{params, Connection, OptionalExtension};

use crate::anchor::TimeAnchor;
use crate::evidence::SignedTime;

/// Stores an anchor with the signed statement it rests on.
pub(crate) fn put(conn: &Connection, anchor: &TimeAnchor, signed: &SignedTime) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO anchors (server_time_ms, monotonic_ms, boot_id, rtt_ms, statement, signature, statement_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            anchor.server_time_ms,
            anchor.monotonic_ms as i64,
            anchor.boot_id,
            anchor.rtt_ms as i64,
            signed.statement,
            signed.signature,
            anchor.statement_hash
        ],
    )?;
    Ok(())
}

/// This boot's latest anchors taken at or before a reading (at most 16, newest first).
pub(crate) fn before(conn: &Connection, boot_id: &str, monotonic_ms: u64) -> rusqlite::Result<Vec<TimeAnchor>> {
    let mut stmt = conn.prepare(
        "SELECT server_time_ms, monotonic_ms, boot_id, rtt_ms, statement_hash FROM anchors
         WHERE boot_id = ?1 AND monotonic_ms <= ?2 ORDER BY monotonic_ms DESC LIMIT 16",
    )?;
    let anchors = stmt
        .query_map(params![boot_id, monotonic_ms as i64], |r| {
            Ok(TimeAnchor {
                server_time_ms: r.get(0)?,
                monotonic_ms: r.get::<_, i64>(1)? as u64,
                boot_id: r.get(2)?,
                rtt_ms: r.get::<_, i64>(3)? as u64,
                statement_hash: r.get(4)?,
            })
        })?
        .collect();
    anchors
}

/// The signed statement with this hash.
pub(crate) fn statement(conn: &Connection, statement_hash: &str) -> rusqlite::Result<Option<SignedTime>> {
    conn.query_row("SELECT statement, signature FROM anchors WHERE statement_hash = ?1 LIMIT 1", [statement_hash], |r| {
        Ok(SignedTime { statement: r.get(0)?, signature: r.get(1)? })
    })
    .optional()
}
