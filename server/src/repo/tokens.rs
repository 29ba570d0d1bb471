//! The `tokens` table: login sessions and device tokens, stored by hash only,
//! read with the account they belong to.

use rusqlite::{params, Connection, OptionalExtension};

/// A token as stored, with its account.
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// "session" or "device".
    pub kind: String,
    /// The account.
    pub user_id: i64,
    /// The device (device tokens).
    pub device_id: Option<String>,
    /// Expiry, Unix ms.
    pub expires_at_ms: i64,
    /// Revocation, Unix ms.
    pub revoked_at_ms: Option<i64>,
    /// Account name.
    pub username: String,
    /// Stored role name.
    pub role: String,
    /// Account's office.
    pub office_id: i64,
    /// Account's community.
    pub community_id: Option<i64>,
    /// Whether the account is disabled.
    pub disabled: bool,
}

/// A token by its hash.
pub fn by_hash(c: &Connection, token_hash: &str) -> rusqlite::Result<Option<TokenRow>> {
    c.prepare_cached(
        "SELECT t.kind, t.user_id, t.device_id, t.expires_at_ms, t.revoked_at_ms,
                u.username, u.role, u.office_id, u.community_id, u.disabled
         FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1",
    )?
    .query_row([token_hash], |r| {
        Ok(TokenRow {
            kind: r.get(0)?,
            user_id: r.get(1)?,
            device_id: r.get(2)?,
            expires_at_ms: r.get(3)?,
            revoked_at_ms: r.get(4)?,
            username: r.get(5)?,
            role: r.get(6)?,
            office_id: r.get(7)?,
            community_id: r.get(8)?,
            disabled: r.get(9)?,
        })
    })
    .optional()
}

/// Stores a login session token (by hash).
pub fn insert_session(c: &Connection, token_hash: &str, user_id: i64, at_ms: i64, expires_at_ms: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO tokens (token_hash, kind, user_id, created_at_ms, expires_at_ms) VALUES (?1, 'session', ?2, ?3, ?4)",
        params![token_hash, user_id, at_ms, expires_at_ms],
    )?;
    Ok(())
}

/// Stores a device token (by hash).
pub fn insert_device(
    c: &Connection,
    token_hash: &str,
    user_id: i64,
    device_id: &str,
    at_ms: i64,
    expires_at_ms: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO tokens (token_hash, kind, user_id, device_id, created_at_ms, expires_at_ms) VALUES (?1, 'device', ?2, ?3, ?4, ?5)",
        params![token_hash, user_id, device_id, at_ms, expires_at_ms],
    )?;
    Ok(())
}

/// Revokes a token (logout); an already revoked one keeps its time.
pub fn revoke(c: &Connection, token_hash: &str, at_ms: i64) -> rusqlite::Result<()> {
    c.execute("UPDATE tokens SET revoked_at_ms = ?2 WHERE token_hash = ?1 AND revoked_at_ms IS NULL", params![token_hash, at_ms])?;
    Ok(())
}
