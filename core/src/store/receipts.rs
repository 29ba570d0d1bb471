//! The `receipts` table's SQL: the server's signed acknowledgement of each
//! entry, kept on the device as its proof that the server holds the entry.

use rusqlite::{params, Connection, OptionalExtension};

use crate::evidence::SignedReceipt;

/// For other tables' queries: entry `e` has a receipt.
pub(crate) const ENTRY_HAS_RECEIPT: &str = "EXISTS (SELECT 1 FROM receipts r WHERE r.item_id = e.item_id)";

/// Stores (or replaces) an entry's receipt.
pub(crate) fn put(conn: &Connection, item_id: &str, receipt: &SignedReceipt, now_ms: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO receipts (item_id, receipt, signature, received_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![item_id, receipt.receipt, receipt.signature, now_ms],
    )?;
    Ok(())
}

/// An entry's receipt, if any.
pub(crate) fn get(conn: &Connection, item_id: &str) -> rusqlite::Result<Option<SignedReceipt>> {
    conn.query_row("SELECT receipt, signature FROM receipts WHERE item_id = ?1", [item_id], |r| {
        Ok(SignedReceipt { receipt: r.get(0)?, signature: r.get(1)? })
    })
    .optional()
}

/// How many entries hold a receipt.
pub(crate) fn count(conn: &Connection) -> rusqlite::Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM receipts", [], |r| r.get::<_, i64>(0))? as u64)
}
