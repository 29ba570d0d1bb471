//! Who may link a thumbnail or preview to an item. Derivatives are not
//! evidence, but the console shows them as the picture of an item, so only
//! the device that signed the item (or, before its manifest arrives, the
//! device that claimed it first) may link one, and a link from one device is
//! never replaced by another's. When the item's manifest lands, links other
//! devices made to its id are dropped.

use axum::http::StatusCode;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{ApiError, ApiResult};

/// A requested link of an upload to an item, as a device names it in its upload metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The item the picture belongs to.
    pub item_id: String,
    /// "thumbnail" or "preview".
    pub role: String,
    /// The uploading device.
    pub device_id: String,
    /// The uploading device's community.
    pub community_id: i64,
}

fn not_yours() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "derivative_not_yours",
        "该条目的缩略图或预览图只能由拍摄它的设备上传",
        "a thumbnail or preview of this item may only come from the device that captured it",
    )
}

/// Refuses a claim on an item another device signed, or whose picture another device already linked.
pub fn check(conn: &Connection, c: &Claim) -> ApiResult<()> {
    if allowed(conn, c)? {
        Ok(())
    } else {
        Err(not_yours())
    }
}

fn allowed(conn: &Connection, c: &Claim) -> rusqlite::Result<bool> {
    let signer: Option<String> = conn
        .prepare_cached("SELECT device_id FROM entries WHERE item_id = ?1 LIMIT 1")?
        .query_row([&c.item_id], |r| r.get(0))
        .optional()?;
    let linked: Option<String> = conn
        .prepare_cached("SELECT device_id FROM derivatives WHERE item_id = ?1 AND role = ?2 AND community_id = ?3")?
        .query_row(params![c.item_id, c.role, c.community_id], |r| r.get(0))
        .optional()?;
    Ok(signer.is_none_or(|d| d == c.device_id) && linked.is_none_or(|d| d == c.device_id))
}

/// Links a finished upload to its item after the same check (false: refused,
/// nothing linked); an existing link is only ever replaced by its own device.
pub fn link(conn: &Connection, c: &Claim, sha256: &str, now_ms: i64) -> rusqlite::Result<bool> {
    if !allowed(conn, c)? {
        return Ok(false);
    }
    let n = conn.execute(
        "INSERT INTO derivatives (item_id, role, sha256, community_id, device_id, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (item_id, role, community_id) DO UPDATE SET sha256 = excluded.sha256, at_ms = excluded.at_ms
         WHERE derivatives.device_id = excluded.device_id",
        params![c.item_id, c.role, sha256, c.community_id, c.device_id, now_ms],
    )?;
    Ok(n == 1)
}

/// Drops links to an item made by devices other than the one that signed it.
pub fn drop_claims_of_others(conn: &Connection, item_id: &str, signer: &str) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM derivatives WHERE item_id = ?1 AND device_id != ?2", params![item_id, signer])
}
