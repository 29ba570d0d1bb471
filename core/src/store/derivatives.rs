//! The `derivatives` and `derivative_failures` tables' SQL: which thumbnail
//! and preview belong to which photo, and why a photo has none.

use rusqlite::{params, Connection, OptionalExtension};

use crate::derivatives::DerivativeInfo;
use crate::evidence::EntryKind;

/// Photos (item id, original hash) with neither derivatives nor a recorded failure, in chain order.
pub(crate) fn photos_lacking(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT e.item_id, e.media_sha256 FROM entries e
         WHERE e.kind = ?1
           AND NOT EXISTS (SELECT 1 FROM derivatives d WHERE d.item_id = e.item_id)
           AND NOT EXISTS (SELECT 1 FROM derivative_failures f WHERE f.item_id = e.item_id)
         ORDER BY e.seq",
    )?;
    let rows = stmt.query_map([EntryKind::Photo], |r| Ok((r.get(0)?, r.get(1)?)))?.collect();
    rows
}

/// Records (or replaces) one derivative of an item.
pub(crate) fn put(conn: &Connection, item_id: &str, d: &DerivativeInfo) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO derivatives (item_id, role, sha256, width, height) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![item_id, d.role, d.sha256, d.width, d.height],
    )?;
    Ok(())
}

/// Records why no derivatives can be made for an item.
pub(crate) fn put_failure(conn: &Connection, item_id: &str, reason: &str) -> rusqlite::Result<()> {
    conn.execute("INSERT OR REPLACE INTO derivative_failures (item_id, reason) VALUES (?1, ?2)", params![item_id, reason])?;
    Ok(())
}

/// Forgets why an item had no derivatives (they have since been made or handed over).
pub(crate) fn clear_failure(conn: &Connection, item_id: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM derivative_failures WHERE item_id = ?1", [item_id])?;
    Ok(())
}

/// An item's derivatives, thumbnail first.
pub(crate) fn of_item(conn: &Connection, item_id: &str) -> rusqlite::Result<Vec<DerivativeInfo>> {
    let mut stmt = conn.prepare("SELECT role, sha256, width, height FROM derivatives WHERE item_id = ?1 ORDER BY role DESC")?;
    let rows = stmt
        .query_map([item_id], |r| Ok(DerivativeInfo { role: r.get(0)?, sha256: r.get(1)?, width: r.get(2)?, height: r.get(3)? }))?
        .collect();
    rows
}

/// Why an item has no derivatives, if recorded.
pub(crate) fn failure(conn: &Connection, item_id: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT reason FROM derivative_failures WHERE item_id = ?1", [item_id], |r| r.get(0)).optional()
}
