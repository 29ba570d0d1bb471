//! Street offices, communities, user accounts and enrollment codes: the
//! `offices`, `communities`, `users` and `enroll_codes` tables.

use rusqlite::{params, Connection, OptionalExtension};

use super::id_list;

/// Creates an office unless the name is taken; its id, or None when it exists.
pub fn insert_office(c: &Connection, name: &str, at_ms: i64) -> rusqlite::Result<Option<i64>> {
    let added = c.execute("INSERT OR IGNORE INTO offices (name, created_at_ms) VALUES (?1, ?2)", params![name, at_ms])?;
    Ok((added > 0).then(|| c.last_insert_rowid()))
}

/// An office's id by name.
pub fn office_id(c: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    c.query_row("SELECT id FROM offices WHERE name = ?1", [name], |r| r.get(0)).optional()
}

/// Creates a community unless the office has one of that name; its id, or None when it exists.
pub fn insert_community(c: &Connection, office_id: i64, name: &str, at_ms: i64) -> rusqlite::Result<Option<i64>> {
    let added = c.execute(
        "INSERT OR IGNORE INTO communities (office_id, name, created_at_ms) VALUES (?1, ?2, ?3)",
        params![office_id, name, at_ms],
    )?;
    Ok((added > 0).then(|| c.last_insert_rowid()))
}

/// (id, office id) of communities with a name, in one office when it is named.
pub fn communities_named(c: &Connection, office: Option<&str>, name: &str) -> rusqlite::Result<Vec<(i64, i64)>> {
    match office {
        Some(office) => {
            let mut s = c.prepare(
                "SELECT c.id, c.office_id FROM communities c JOIN offices o ON o.id = c.office_id WHERE o.name = ?1 AND c.name = ?2",
            )?;
            let v = s.query_map(params![office, name], |r| Ok((r.get(0)?, r.get(1)?)))?.collect();
            v
        }
        None => {
            let mut s = c.prepare("SELECT id, office_id FROM communities WHERE name = ?1")?;
            let v = s.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?.collect();
            v
        }
    }
}

/// (id, name) of the given communities, by name.
pub fn community_names(c: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = c.prepare(&format!("SELECT id, name FROM communities WHERE id IN ({}) ORDER BY name", id_list(ids)))?;
    let v = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect();
    v
}

/// A new account row.
pub struct NewUserRow<'a> {
    /// Login name, checked.
    pub username: &'a str,
    /// Real name, checked; empty when not given.
    pub real_name: &'a str,
    /// Stored role name.
    pub role: &'a str,
    /// Office.
    pub office_id: i64,
    /// Community.
    pub community_id: Option<i64>,
    /// PHC password hash.
    pub password_hash: Option<&'a str>,
    /// Now, Unix ms.
    pub at_ms: i64,
}

/// Creates an account unless the username is taken; its id, or None when it exists.
pub fn insert_user(c: &Connection, u: &NewUserRow<'_>) -> rusqlite::Result<Option<i64>> {
    let added = c.execute(
        "INSERT OR IGNORE INTO users (username, role, office_id, community_id, password_hash, created_at_ms, real_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![u.username, u.role, u.office_id, u.community_id, u.password_hash, u.at_ms, u.real_name],
    )?;
    Ok((added > 0).then(|| c.last_insert_rowid()))
}

/// Replaces an account's real name (empty: none).
pub fn set_real_name(c: &Connection, user_id: i64, real_name: &str) -> rusqlite::Result<()> {
    c.execute("UPDATE users SET real_name = ?2 WHERE id = ?1", params![user_id, real_name])?;
    Ok(())
}

/// An account's real name by login name (empty when none was given), disabled accounts included.
pub fn real_name_of(c: &Connection, username: &str) -> rusqlite::Result<Option<String>> {
    c.prepare_cached("SELECT real_name FROM users WHERE username = ?1")?.query_row([username], |r| r.get(0)).optional()
}

/// An active account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Account id.
    pub id: i64,
    /// Stored role name.
    pub role: String,
    /// Street office.
    pub office_id: i64,
    /// Community (None for office admins).
    pub community_id: Option<i64>,
}

/// An active account by username.
pub fn user(c: &Connection, username: &str) -> rusqlite::Result<Option<UserRow>> {
    c.query_row("SELECT id, role, office_id, community_id FROM users WHERE username = ?1 AND disabled = 0", [username], |r| {
        Ok(UserRow { id: r.get(0)?, role: r.get(1)?, office_id: r.get(2)?, community_id: r.get(3)? })
    })
    .optional()
}

/// (username, real name, community id, community name) of an active account with a community.
pub fn user_with_community(c: &Connection, user_id: i64) -> rusqlite::Result<Option<(String, String, i64, String)>> {
    c.query_row(
        "SELECT u.username, u.real_name, u.community_id, c.name FROM users u JOIN communities c ON c.id = u.community_id
         WHERE u.id = ?1 AND u.disabled = 0",
        [user_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()
}

/// (id, password hash, stored role) of an active account, for a login.
pub fn login_facts(c: &Connection, username: &str) -> rusqlite::Result<Option<(i64, Option<String>, String)>> {
    c.query_row("SELECT id, password_hash, role FROM users WHERE username = ?1 AND disabled = 0", [username], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()
}

/// Ids of the communities of an office, or of every office (the operator's view).
pub fn communities_in(c: &Connection, office_id: Option<i64>) -> rusqlite::Result<Vec<i64>> {
    let mut s = c.prepare_cached("SELECT id FROM communities WHERE ?1 IS NULL OR office_id = ?1")?;
    let v = s.query_map([office_id], |r| r.get(0))?.collect();
    v
}

/// Ids of the communities of an office.
pub fn office_communities(c: &Connection, office_id: i64) -> rusqlite::Result<Vec<i64>> {
    let mut s = c.prepare_cached("SELECT id FROM communities WHERE office_id = ?1")?;
    let v = s.query_map([office_id], |r| r.get(0))?.collect();
    v
}

/// Usernames of the workers of the given communities, sorted.
pub fn workers(c: &Connection, communities: &[i64]) -> rusqlite::Result<Vec<String>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = c.prepare(&format!(
        "SELECT username FROM users WHERE role = 'worker' AND community_id IN ({}) ORDER BY username",
        id_list(communities)
    ))?;
    let v = s.query_map([], |r| r.get(0))?.collect();
    v
}

/// Stores a one-time enrollment code (by hash).
pub fn insert_enroll_code(c: &Connection, code_hash: &str, user_id: i64, at_ms: i64, expires_at_ms: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO enroll_codes (code_hash, user_id, created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![code_hash, user_id, at_ms, expires_at_ms],
    )?;
    Ok(())
}

/// (worker id, expiry, when used) of an enrollment code, by hash.
pub fn enroll_code(c: &Connection, code_hash: &str) -> rusqlite::Result<Option<(i64, i64, Option<i64>)>> {
    c.query_row("SELECT user_id, expires_at_ms, used_at_ms FROM enroll_codes WHERE code_hash = ?1", [code_hash], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()
}

/// Marks an enrollment code used by a device.
pub fn use_enroll_code(c: &Connection, code_hash: &str, device_id: &str, at_ms: i64) -> rusqlite::Result<()> {
    c.execute("UPDATE enroll_codes SET used_at_ms = ?2, device_id = ?3 WHERE code_hash = ?1", params![code_hash, at_ms, device_id])?;
    Ok(())
}
