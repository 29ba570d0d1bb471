//! Street offices, communities, accounts, enrollment codes and devices.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::auth::{password, tokens, Role};
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use siteproof_protocol::text::single_line;

fn name(what: &str, s: &str) -> ApiResult<String> {
    let n = single_line(what, s, 64)?;
    if n.contains('/') || n.contains('\\') {
        return Err(ApiError::invalid("invalid_name", format!("{what} 不能包含 / 或 \\ / {what} may not contain / or \\")));
    }
    Ok(n)
}

fn conflict(zh: &str, en: &str) -> ApiError {
    ApiError::new(axum::http::StatusCode::CONFLICT, "already_exists", zh, en)
}

/// Creates a street office; returns its id.
pub fn create_office(conn: &Connection, office: &str) -> ApiResult<i64> {
    let n = name("office name", office)?;
    let added = conn.execute("INSERT OR IGNORE INTO offices (name, created_at_ms) VALUES (?1, ?2)", params![n, now_ms()])?;
    if added == 0 {
        return Err(conflict(&format!("街道 {n} 已存在"), &format!("office {n} already exists")));
    }
    Ok(conn.last_insert_rowid())
}

/// Finds an office by name.
pub fn office_id(conn: &Connection, office: &str) -> ApiResult<i64> {
    conn.query_row("SELECT id FROM offices WHERE name = ?1", [office.trim()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| ApiError::not_found("街道", "office"))
}

/// Creates a community under an office; returns its id.
pub fn create_community(conn: &Connection, office: &str, community: &str) -> ApiResult<i64> {
    let oid = office_id(conn, office)?;
    let n = name("community name", community)?;
    let added =
        conn.execute("INSERT OR IGNORE INTO communities (office_id, name, created_at_ms) VALUES (?1, ?2, ?3)", params![oid, n, now_ms()])?;
    if added == 0 {
        return Err(conflict(&format!("社区 {n} 已存在"), &format!("community {n} already exists")));
    }
    Ok(conn.last_insert_rowid())
}

/// Finds a community as "NAME" (unique across offices) or "OFFICE/NAME"; returns (id, office id).
pub fn community(conn: &Connection, spec: &str) -> ApiResult<(i64, i64)> {
    let rows: Vec<(i64, i64)> = if let Some((office, name)) = spec.split_once('/') {
        let mut s = conn.prepare(
            "SELECT c.id, c.office_id FROM communities c JOIN offices o ON o.id = c.office_id WHERE o.name = ?1 AND c.name = ?2",
        )?;
        let v = s.query_map(params![office.trim(), name.trim()], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        v
    } else {
        let mut s = conn.prepare("SELECT id, office_id FROM communities WHERE name = ?1")?;
        let v = s.query_map([spec.trim()], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        v
    };
    match rows.as_slice() {
        [one] => Ok(*one),
        [] => Err(ApiError::not_found("社区", "community")),
        _ => Err(ApiError::invalid(
            "ambiguous_community",
            "社区名称重复，请写成 街道/社区 / several offices have this community; write OFFICE/COMMUNITY",
        )),
    }
}

/// A new account.
pub struct NewUser<'a> {
    /// Login name.
    pub username: &'a str,
    /// Role.
    pub role: Role,
    /// Office (for admins without a community).
    pub office_id: i64,
    /// Community (required for coordinators and workers).
    pub community_id: Option<i64>,
    /// Password, already checked and hashed (None: a worker who only uses a device).
    pub password: Option<password::StoredPassword>,
}

/// Creates an account; returns its id.
pub fn create_user(conn: &Connection, u: NewUser<'_>) -> ApiResult<i64> {
    let username = single_line("username", u.username, 64)?;
    if !username.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c)) {
        return Err(ApiError::invalid(
            "invalid_username",
            "用户名只能包含字母、数字和 ._-@ / username may contain only letters, digits and ._-@",
        ));
    }
    if u.role != Role::Admin && u.community_id.is_none() {
        return Err(ApiError::invalid("community_required", "协调员和社工必须属于一个社区 / coordinators and workers need a community"));
    }
    let hash = u.password.as_ref().map(|p| p.phc());
    let added = conn.execute(
        "INSERT OR IGNORE INTO users (username, role, office_id, community_id, password_hash, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![username, u.role.as_str(), u.office_id, u.community_id, hash, now_ms()],
    )?;
    if added == 0 {
        return Err(conflict(&format!("用户 {username} 已存在"), &format!("user {username} already exists")));
    }
    Ok(conn.last_insert_rowid())
}

/// (id, role, office, community) of a username.
pub fn user(conn: &Connection, username: &str) -> ApiResult<(i64, Role, i64, Option<i64>)> {
    conn.query_row("SELECT id, role, office_id, community_id FROM users WHERE username = ?1 AND disabled = 0", [username.trim()], |r| {
        Ok((r.get(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?))
    })
    .optional()?
    .and_then(|(id, role, o, c)| Role::parse(&role).map(|r| (id, r, o, c)))
    .ok_or_else(|| ApiError::not_found("用户", "user"))
}

/// A created enrollment code.
#[derive(Debug, Serialize)]
pub struct EnrollCode {
    /// The one-time code to hand to the worker.
    pub code: String,
    /// Worker's username.
    pub worker: String,
    /// When it stops working, Unix ms.
    pub expires_at_ms: i64,
}

/// Creates a one-time enrollment code for a worker.
pub fn create_enroll_code(conn: &Connection, worker_id: i64, worker: &str, ttl_ms: i64) -> ApiResult<EnrollCode> {
    let code = tokens::new_enroll_code();
    let expires = now_ms() + ttl_ms;
    conn.execute(
        "INSERT INTO enroll_codes (code_hash, user_id, created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![tokens::hash(&tokens::normalize_code(&code)), worker_id, now_ms(), expires],
    )?;
    Ok(EnrollCode { code, worker: worker.to_string(), expires_at_ms: expires })
}

/// Revokes a device and every token it holds. Returns false if there is no such device.
pub fn revoke_device(conn: &Connection, device_id: &str) -> ApiResult<bool> {
    let now = now_ms();
    let n = conn.execute("UPDATE devices SET revoked_at_ms = COALESCE(revoked_at_ms, ?2) WHERE device_id = ?1", params![device_id, now])?;
    conn.execute("UPDATE tokens SET revoked_at_ms = COALESCE(revoked_at_ms, ?2) WHERE device_id = ?1", params![device_id, now])?;
    Ok(n > 0)
}

/// Community of a device, if enrolled.
pub fn device_community(conn: &Connection, device_id: &str) -> ApiResult<Option<i64>> {
    Ok(conn.query_row("SELECT community_id FROM devices WHERE device_id = ?1", [device_id], |r| r.get(0)).optional()?)
}

/// Writes an audit record (downloads, revocations, exports).
pub fn audit(conn: &Connection, user_id: Option<i64>, action: &str, target: &str) -> ApiResult<()> {
    conn.execute("INSERT INTO audit (at_ms, user_id, action, target) VALUES (?1, ?2, ?3, ?4)", params![now_ms(), user_id, action, target])?;
    Ok(())
}
