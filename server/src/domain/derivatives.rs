//! Who may link a thumbnail or preview to an item. Derivatives are not
//! evidence, but the console shows them as the picture of an item, so only
//! the device that signed the item (or, before its manifest arrives, the
//! device that claimed it first) may link one, and a link from one device is
//! never replaced by another's. When the item's manifest lands, links other
//! devices made to its id are dropped.

use rusqlite::Connection;

use crate::domain::{DomainError, DomainResult};
use crate::repo;
use siteproof_protocol::vocab::DerivativeRole;
use siteproof_protocol::wire::error_code::ErrorCode;

/// A requested link of an upload to an item, as a device names it in its upload metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The item the picture belongs to.
    pub item_id: String,
    /// "thumbnail" or "preview".
    pub role: DerivativeRole,
    /// The uploading device.
    pub device_id: String,
    /// The uploading device's community.
    pub community_id: i64,
}

fn not_yours() -> DomainError {
    DomainError::conflict(
        ErrorCode::DerivativeNotYours,
        "该条目的缩略图或预览图只能由拍摄它的设备上传",
        "a thumbnail or preview of this item may only come from the device that captured it",
    )
}

/// Refuses a claim on an item another device signed, or whose picture another device already linked.
pub fn check(conn: &Connection, c: &Claim) -> DomainResult<()> {
    if allowed(conn, c)? {
        Ok(())
    } else {
        Err(not_yours())
    }
}

fn allowed(conn: &Connection, c: &Claim) -> rusqlite::Result<bool> {
    let signer = repo::entries::signer_of_item(conn, &c.item_id)?;
    let linked = repo::derivatives::linked_by(conn, &c.item_id, c.role.as_str(), c.community_id)?;
    Ok(signer.is_none_or(|d| d == c.device_id) && linked.is_none_or(|d| d == c.device_id))
}

/// Links a finished upload to its item after the same check (false: refused,
/// nothing linked); an existing link is only ever replaced by its own device.
pub fn link(conn: &Connection, c: &Claim, sha256: &str, now_ms: i64) -> rusqlite::Result<bool> {
    if !allowed(conn, c)? {
        return Ok(false);
    }
    let l = repo::derivatives::NewLink {
        item_id: &c.item_id,
        role: c.role.as_str(),
        sha256,
        community_id: c.community_id,
        device_id: &c.device_id,
        at_ms: now_ms,
    };
    repo::derivatives::upsert_own(conn, &l)
}

/// Drops links to an item made by devices other than the one that signed it.
pub fn drop_claims_of_others(conn: &Connection, item_id: &str, signer: &str) -> rusqlite::Result<usize> {
    repo::derivatives::drop_others(conn, item_id, signer)
}
