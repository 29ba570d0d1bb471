//! The `uploads` table (tus uploads in progress and their outcome) and the
//! storage facts an upload changes: the finished blob, its owner, and the
//! device's stored bytes.

use rusqlite::{params, Connection, OptionalExtension};

/// One upload as stored.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Opaque id (also the staging file name).
    pub id: String,
    /// Owning device.
    pub device_id: String,
    /// Owning device's community.
    pub community_id: i64,
    /// Declared total length.
    pub length: u64,
    /// Bytes committed.
    pub offset: u64,
    /// Declared whole-file SHA-256.
    pub sha256: String,
    /// Declared media type.
    pub media_type: Option<String>,
    /// Upload-Metadata as received.
    pub metadata_raw: String,
    /// open, complete, failed, expired, terminated.
    pub state: String,
    /// Expiry, Unix ms.
    pub expires_at_ms: i64,
}

/// A device's unfinished, unexpired uploads: (count, bytes still to come, soonest expiry).
pub fn open_of_device(c: &Connection, device_id: &str, now_ms: i64) -> rusqlite::Result<(i64, i64, Option<i64>)> {
    c.query_row(
        "SELECT COUNT(*), COALESCE(SUM(length - \"offset\"), 0), MIN(expires_at_ms) FROM uploads
         WHERE device_id = ?1 AND state = 'open' AND expires_at_ms > ?2",
        params![device_id, now_ms],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// Bytes of finished uploads a device holds on the server (its quota use).
pub fn bytes_stored(c: &Connection, device_id: &str) -> rusqlite::Result<i64> {
    c.query_row("SELECT bytes_stored FROM devices WHERE device_id = ?1", [device_id], |r| r.get(0))
}

/// Stores a new upload (state open, offset 0).
pub fn insert(c: &Connection, up: &Upload, filename: Option<&str>, now_ms: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO uploads (id, device_id, community_id, length, sha256, filename, media_type, metadata, created_at_ms, updated_at_ms, expires_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
        params![up.id, up.device_id, up.community_id, up.length as i64, up.sha256, filename, up.media_type, up.metadata_raw, now_ms, up.expires_at_ms],
    )?;
    Ok(())
}

/// An upload of a device, unless terminated.
pub fn of_device(c: &Connection, id: &str, device_id: &str) -> rusqlite::Result<Option<Upload>> {
    c.query_row(
        "SELECT id, device_id, community_id, length, \"offset\", sha256, media_type, metadata, state, expires_at_ms
         FROM uploads WHERE id = ?1 AND device_id = ?2 AND state != 'terminated'",
        params![id, device_id],
        |r| {
            Ok(Upload {
                id: r.get(0)?,
                device_id: r.get(1)?,
                community_id: r.get(2)?,
                length: r.get::<_, i64>(3)? as u64,
                offset: r.get::<_, i64>(4)? as u64,
                sha256: r.get(5)?,
                media_type: r.get(6)?,
                metadata_raw: r.get(7)?,
                state: r.get(8)?,
                expires_at_ms: r.get(9)?,
            })
        },
    )
    .optional()
}

/// Records committed bytes of an open upload and its new expiry.
pub fn set_offset(c: &Connection, id: &str, offset: u64, expires_at_ms: i64, now_ms: i64) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE uploads SET \"offset\" = ?2, updated_at_ms = ?3, expires_at_ms = ?4 WHERE id = ?1 AND state = 'open'",
        params![id, offset as i64, now_ms, expires_at_ms],
    )
}

/// Ends an upload as terminated by its device.
pub fn terminate(c: &Connection, id: &str, now_ms: i64) -> rusqlite::Result<usize> {
    c.execute("UPDATE uploads SET state = 'terminated', updated_at_ms = ?2 WHERE id = ?1", params![id, now_ms])
}

/// Ends an upload as failed, with the reason.
pub fn fail(c: &Connection, id: &str, reason: &str, now_ms: i64) -> rusqlite::Result<usize> {
    c.execute("UPDATE uploads SET state = 'failed', error = ?2, updated_at_ms = ?3 WHERE id = ?1", params![id, reason, now_ms])
}

/// Ends an open upload as expired.
pub fn expire(c: &Connection, id: &str, now_ms: i64) -> rusqlite::Result<usize> {
    c.execute("UPDATE uploads SET state = 'expired', updated_at_ms = ?2 WHERE id = ?1 AND state = 'open'", params![id, now_ms])
}

/// Ids of open uploads whose expiry has passed (a bounded batch).
pub fn expired_open(c: &Connection, now_ms: i64) -> rusqlite::Result<Vec<String>> {
    let mut s = c.prepare("SELECT id FROM uploads WHERE state = 'open' AND expires_at_ms <= ?1 LIMIT 1000")?;
    let v = s.query_map([now_ms], |r| r.get(0))?.collect();
    v
}

/// Records a finished upload: the blob (one copy per hash), its owner, the
/// upload complete, and the bytes counted against the device's quota.
pub fn complete(c: &Connection, up: &Upload, now_ms: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT OR IGNORE INTO blobs (sha256, bytes, media_type, stored_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![up.sha256, up.length as i64, up.media_type, now_ms],
    )?;
    c.execute(
        "INSERT OR IGNORE INTO blob_owners (sha256, community_id, device_id, at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![up.sha256, up.community_id, up.device_id, now_ms],
    )?;
    c.execute("UPDATE uploads SET state = 'complete', updated_at_ms = ?2 WHERE id = ?1", params![up.id, now_ms])?;
    c.execute("UPDATE devices SET bytes_stored = bytes_stored + ?2 WHERE device_id = ?1", params![up.device_id, up.length as i64])?;
    Ok(())
}
