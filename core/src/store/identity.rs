//! The `device` table's SQL: the one row holding this device's sealed key and
//! its enrollment (server, server key, sealed token).

use rusqlite::{params, Connection, OptionalExtension};

/// The sealed private key, None before the first open created one.
pub(crate) fn sealed_key(conn: &Connection) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row("SELECT sealed_private_key FROM device WHERE id = 1", [], |r| r.get(0)).optional()
}

/// Creates the device row with a new sealed key.
pub(crate) fn create(conn: &Connection, device_id: &str, public_key_hex: &str, sealed_key: &[u8], now_ms: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO device (id, device_id, public_key, sealed_private_key, created_at_ms) VALUES (1, ?1, ?2, ?3, ?4)",
        params![device_id, public_key_hex, sealed_key, now_ms],
    )?;
    Ok(())
}

/// The enrolled server's URL.
pub(crate) fn server_url(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT server_url FROM device WHERE id = 1", [], |r| r.get(0))
}

/// The enrolled server's public key, hex.
pub(crate) fn server_key(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT server_key FROM device WHERE id = 1", [], |r| r.get(0))
}

/// Records an enrollment (the token already sealed).
pub(crate) fn save_enrollment(conn: &Connection, server_url: &str, server_key: &str, sealed_token: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE device SET server_url = ?1, server_key = ?2, sealed_token = ?3 WHERE id = 1",
        params![server_url, server_key, sealed_token],
    )?;
    Ok(())
}

/// The stored enrollment: server URL, server key and sealed token, each None before enrolling.
pub(crate) type StoredEnrollment = (Option<String>, Option<String>, Option<Vec<u8>>);

/// Reads the enrollment columns.
pub(crate) fn enrollment(conn: &Connection) -> rusqlite::Result<StoredEnrollment> {
    conn.query_row("SELECT server_url, server_key, sealed_token FROM device WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
}
