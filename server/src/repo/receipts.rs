//! The append-only `receipt_log`: every receipt the server signed, chained
//! by `log_prev` (the database refuses updates and deletes by trigger).

use rusqlite::{params, Connection, OptionalExtension};

/// (receipt text, server signature) already issued for a manifest hash.
pub fn of_manifest(c: &Connection, manifest_hash: &str) -> rusqlite::Result<Option<(String, String)>> {
    c.prepare_cached("SELECT receipt, signature FROM receipt_log WHERE manifest_hash = ?1")?
        .query_row([manifest_hash], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// (log index, receipt hash) of the newest receipt: where the next one links.
pub fn last(c: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    c.prepare_cached("SELECT log_index, receipt_hash FROM receipt_log ORDER BY log_index DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// Appends a signed receipt.
pub fn append(
    c: &Connection,
    log_index: i64,
    manifest_hash: &str,
    receipt: &str,
    signature: &str,
    receipt_hash: &str,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO receipt_log (log_index, manifest_hash, receipt, signature, receipt_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![log_index, manifest_hash, receipt, signature, receipt_hash],
    )?;
    Ok(())
}
