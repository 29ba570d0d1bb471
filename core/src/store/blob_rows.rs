//! The `blobs` table's SQL: one row per stored file (original or derivative),
//! the database's record that the blob folder holds it, and when an original
//! was pruned after the server acknowledged it. The files themselves are
//! `blobs.rs`'s.

use rusqlite::{params, Connection};

use super::{outbox, receipts};

/// Records an original; capturing the same bytes again after a prune makes it present again.
pub(crate) fn put_original(conn: &Connection, sha256: &str, bytes: u64, media_type: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO blobs (sha256, bytes, media_type) VALUES (?1, ?2, ?3)
         ON CONFLICT(sha256) DO UPDATE SET pruned_at_ms = NULL",
        params![sha256, bytes as i64, media_type],
    )?;
    Ok(())
}

/// Records a derived JPEG (thumbnail, preview) unless already recorded.
pub(crate) fn put_derived_jpeg(conn: &Connection, sha256: &str, bytes: u64) -> rusqlite::Result<()> {
    conn.execute("INSERT OR IGNORE INTO blobs (sha256, bytes, media_type) VALUES (?1, ?2, 'image/jpeg')", params![sha256, bytes as i64])?;
    Ok(())
}

/// Whether a row names this blob (the open-time sweep keeps only those).
pub(crate) fn is_known(conn: &Connection, sha256: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM blobs WHERE sha256 = ?1")?.exists([sha256])
}

#[cfg(feature = "sync")]
/// The MIME type recorded for a blob.
pub(crate) fn media_type(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row("SELECT media_type FROM blobs WHERE sha256 = ?1", [sha256], |r| r.get(0)).optional()
}

/// Originals (hash, bytes) that may be freed: present, and every entry naming them was
/// captured before `captured_before_ms`, holds a receipt and has nothing left to deliver.
pub(crate) fn prunable_originals(conn: &Connection, captured_before_ms: i64) -> rusqlite::Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT b.sha256, b.bytes FROM blobs b
         WHERE b.pruned_at_ms IS NULL
           AND EXISTS (SELECT 1 FROM entries e WHERE e.media_sha256 = b.sha256)
           AND NOT EXISTS (
             SELECT 1 FROM entries e WHERE e.media_sha256 = b.sha256 AND (
               e.created_at_ms >= ?1 OR NOT {has_receipt} OR {undelivered}))",
        has_receipt = receipts::ENTRY_HAS_RECEIPT,
        undelivered = outbox::ENTRY_UNDELIVERED,
    ))?;
    let rows = stmt.query_map([captured_before_ms], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?.collect();
    rows
}

/// Records that an original's file was (about to be) deleted.
pub(crate) fn mark_pruned(conn: &Connection, sha256: &str, now_ms: i64) -> rusqlite::Result<()> {
    conn.execute("UPDATE blobs SET pruned_at_ms = ?2 WHERE sha256 = ?1", params![sha256, now_ms])?;
    Ok(())
}
