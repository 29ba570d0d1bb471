//! The `devices` table (and the device tokens revoked with a device): enrolled
//! phones, their keys, worker and community.

use rusqlite::{params, Connection, OptionalExtension};

/// The enrolled public key of a device, hex.
pub fn public_key(c: &Connection, device_id: &str) -> rusqlite::Result<Option<String>> {
    c.prepare_cached("SELECT public_key FROM devices WHERE device_id = ?1")?.query_row([device_id], |r| r.get(0)).optional()
}

/// (public key, community, revoked at) of a device, for authenticating its token.
pub fn auth_facts(c: &Connection, device_id: &str) -> rusqlite::Result<Option<(String, i64, Option<i64>)>> {
    c.prepare_cached("SELECT public_key, community_id, revoked_at_ms FROM devices WHERE device_id = ?1")?
        .query_row([device_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
}

/// Community of a device, if enrolled.
pub fn community(c: &Connection, device_id: &str) -> rusqlite::Result<Option<i64>> {
    c.prepare_cached("SELECT community_id FROM devices WHERE device_id = ?1")?.query_row([device_id], |r| r.get(0)).optional()
}

/// An enrolled device and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Public key, hex.
    pub public_key: String,
    /// Name the worker gave the phone.
    pub device_name: String,
    /// The worker's login name.
    pub username: String,
    /// The worker's real name now, else as recorded at enrollment; empty when never given.
    pub real_name: String,
}

/// An enrolled device with its holder.
pub fn key_and_label(c: &Connection, device_id: &str) -> rusqlite::Result<Option<Holder>> {
    c.prepare_cached(
        "SELECT d.public_key, d.name, u.username, CASE WHEN u.real_name <> '' THEN u.real_name ELSE d.holder_name END
         FROM devices d JOIN users u ON u.id = d.user_id WHERE d.device_id = ?1",
    )?
    .query_row([device_id], |r| Ok(Holder { public_key: r.get(0)?, device_name: r.get(1)?, username: r.get(2)?, real_name: r.get(3)? }))
    .optional()
}

/// Whether a device id has ever been enrolled (revoked ones included).
pub fn exists(c: &Connection, device_id: &str) -> rusqlite::Result<bool> {
    Ok(c.query_row("SELECT 1 FROM devices WHERE device_id = ?1", [device_id], |_| Ok(())).optional()?.is_some())
}

/// A device to enroll.
pub struct NewDevice<'a> {
    /// Id derived from the key.
    pub device_id: &'a str,
    /// Public key, hex.
    pub public_key: &'a str,
    /// The worker.
    pub user_id: i64,
    /// The worker's community.
    pub community_id: i64,
    /// Name the worker gave the phone.
    pub name: &'a str,
    /// The worker's real name at enrollment (empty when none was given).
    pub holder_name: &'a str,
    /// Now, Unix ms.
    pub at_ms: i64,
}

/// Enrolls a device.
pub fn insert(c: &Connection, d: &NewDevice<'_>) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO devices (device_id, public_key, user_id, community_id, name, enrolled_at_ms, holder_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![d.device_id, d.public_key, d.user_id, d.community_id, d.name, d.at_ms, d.holder_name],
    )?;
    Ok(())
}

/// Revokes a device and every token it holds. False: no such device.
pub fn revoke(c: &Connection, device_id: &str, at_ms: i64) -> rusqlite::Result<bool> {
    let n = c.execute("UPDATE devices SET revoked_at_ms = COALESCE(revoked_at_ms, ?2) WHERE device_id = ?1", params![device_id, at_ms])?;
    c.execute("UPDATE tokens SET revoked_at_ms = COALESCE(revoked_at_ms, ?2) WHERE device_id = ?1", params![device_id, at_ms])?;
    Ok(n > 0)
}

/// One enrolled device as coordinators see it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceRow {
    /// Device id.
    pub device_id: String,
    /// Name the worker gave it.
    pub name: String,
    /// Worker's username.
    pub worker: String,
    /// The worker's real name now, else as recorded at enrollment; empty when never given.
    pub real_name: String,
    /// Community name.
    pub community: String,
    /// Enrolled, Unix ms.
    pub enrolled_at_ms: i64,
    /// Revoked, Unix ms.
    pub revoked_at_ms: Option<i64>,
    /// Bytes of media it uploaded.
    pub bytes_stored: i64,
    #[serde(skip)]
    /// Community id (for the caller's visibility check).
    pub community_id: i64,
}

/// Every enrolled device, oldest enrollment first.
pub fn all(c: &Connection) -> rusqlite::Result<Vec<DeviceRow>> {
    let mut s = c.prepare(
        "SELECT d.device_id, d.name, u.username, cm.name, d.community_id, d.enrolled_at_ms, d.revoked_at_ms, d.bytes_stored,
                CASE WHEN u.real_name <> '' THEN u.real_name ELSE d.holder_name END
         FROM devices d JOIN users u ON u.id = d.user_id JOIN communities cm ON cm.id = d.community_id ORDER BY d.enrolled_at_ms",
    )?;
    let rows = s
        .query_map([], |r| {
            Ok(DeviceRow {
                device_id: r.get(0)?,
                name: r.get(1)?,
                worker: r.get(2)?,
                real_name: r.get(8)?,
                community: r.get(3)?,
                community_id: r.get(4)?,
                enrolled_at_ms: r.get(5)?,
                revoked_at_ms: r.get(6)?,
                bytes_stored: r.get(7)?,
            })
        })?
        .collect();
    rows
}
