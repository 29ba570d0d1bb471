//! The `derivatives` table: thumbnails and previews linked to the item they
//! show, per community, with the device that linked them.

use rusqlite::{params, Connection, OptionalExtension};

/// The device that linked an item's picture of this role in a community.
pub fn linked_by(c: &Connection, item_id: &str, role: &str, community_id: i64) -> rusqlite::Result<Option<String>> {
    c.prepare_cached("SELECT device_id FROM derivatives WHERE item_id = ?1 AND role = ?2 AND community_id = ?3")?
        .query_row(params![item_id, role, community_id], |r| r.get(0))
        .optional()
}

/// A link to store.
pub struct NewLink<'a> {
    /// The item shown.
    pub item_id: &'a str,
    /// "thumbnail" or "preview".
    pub role: &'a str,
    /// The picture's blob.
    pub sha256: &'a str,
    /// The linking device's community.
    pub community_id: i64,
    /// The linking device.
    pub device_id: &'a str,
    /// Now, Unix ms.
    pub at_ms: i64,
}

/// Links a picture; an existing link is only replaced by its own device. False: nothing stored.
pub fn upsert_own(c: &Connection, l: &NewLink<'_>) -> rusqlite::Result<bool> {
    let n = c.execute(
        "INSERT INTO derivatives (item_id, role, sha256, community_id, device_id, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (item_id, role, community_id) DO UPDATE SET sha256 = excluded.sha256, at_ms = excluded.at_ms
         WHERE derivatives.device_id = excluded.device_id",
        params![l.item_id, l.role, l.sha256, l.community_id, l.device_id, l.at_ms],
    )?;
    Ok(n == 1)
}

/// Drops links to an item made by devices other than `keep`.
pub fn drop_others(c: &Connection, item_id: &str, keep: &str) -> rusqlite::Result<usize> {
    c.execute("DELETE FROM derivatives WHERE item_id = ?1 AND device_id != ?2", params![item_id, keep])
}

/// (role, blob) of every picture of an item in a community.
pub fn of_item(c: &Connection, item_id: &str, community_id: i64) -> rusqlite::Result<Vec<(String, String)>> {
    let mut s = c.prepare_cached("SELECT role, sha256 FROM derivatives WHERE item_id = ?1 AND community_id = ?2")?;
    let rows = s.query_map(params![item_id, community_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect();
    rows
}

/// Whether a blob is linked as some item's thumbnail or preview.
pub fn is_derivative(c: &Connection, sha256: &str) -> rusqlite::Result<bool> {
    Ok(c.prepare_cached("SELECT 1 FROM derivatives WHERE sha256 = ?1 LIMIT 1")?.query_row([sha256], |_| Ok(())).optional()?.is_some())
}
