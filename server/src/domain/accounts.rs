//! Street offices, communities, accounts, enrollment codes and devices: the
//! rules for names and roles; the rows themselves are `crate::repo::accounts`
//! and `crate::repo::devices`.

use rusqlite::Connection;
use serde::Serialize;

use crate::db::now_ms;
use crate::domain::role::Role;
use crate::domain::{DomainError, DomainResult};
use crate::repo;
use siteproof_protocol::text::single_line;
use siteproof_protocol::wire::error_code::ErrorCode;

fn name(what: &str, s: &str) -> DomainResult<String> {
    let n = single_line(what, s, 64)?;
    if n.contains('/') || n.contains('\\') {
        return Err(DomainError::invalid(ErrorCode::InvalidName, format!("{what} 不能包含 / 或 \\ / {what} may not contain / or \\")));
    }
    Ok(n)
}

fn exists(zh: &str, en: &str) -> DomainError {
    DomainError::conflict(ErrorCode::AlreadyExists, zh, en)
}

/// Creates a street office; returns its id.
pub fn create_office(conn: &Connection, office: &str) -> DomainResult<i64> {
    let n = name("office name", office)?;
    repo::accounts::insert_office(conn, &n, now_ms())?
        .ok_or_else(|| exists(&format!("街道 {n} 已存在"), &format!("office {n} already exists")))
}

/// Finds an office by name.
pub fn office_id(conn: &Connection, office: &str) -> DomainResult<i64> {
    repo::accounts::office_id(conn, office.trim())?.ok_or_else(|| DomainError::not_found("街道", "office"))
}

/// Creates a community under an office; returns its id.
pub fn create_community(conn: &Connection, office: &str, community: &str) -> DomainResult<i64> {
    let oid = office_id(conn, office)?;
    let n = name("community name", community)?;
    repo::accounts::insert_community(conn, oid, &n, now_ms())?
        .ok_or_else(|| exists(&format!("社区 {n} 已存在"), &format!("community {n} already exists")))
}

/// Finds a community as "NAME" (unique across offices) or "OFFICE/NAME"; returns (id, office id).
pub fn community(conn: &Connection, spec: &str) -> DomainResult<(i64, i64)> {
    let rows = match spec.split_once('/') {
        Some((office, name)) => repo::accounts::communities_named(conn, Some(office.trim()), name.trim())?,
        None => repo::accounts::communities_named(conn, None, spec.trim())?,
    };
    match rows.as_slice() {
        [one] => Ok(*one),
        [] => Err(DomainError::not_found("社区", "community")),
        _ => Err(DomainError::invalid(
            ErrorCode::AmbiguousCommunity,
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
    /// Password hash in PHC form, already checked and hashed (None: a worker who only uses a device).
    pub password_hash: Option<String>,
    /// The person's real name (真实姓名) as documents print it; None or empty: not given yet.
    pub real_name: Option<&'a str>,
}

/// Creates an account; returns its id.
pub fn create_user(conn: &Connection, u: NewUser<'_>) -> DomainResult<i64> {
    let username = single_line("username", u.username, 64)?;
    if !username.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c)) {
        return Err(DomainError::invalid(
            ErrorCode::InvalidUsername,
            "用户名只能包含字母、数字和 ._-@ / username may contain only letters, digits and ._-@",
        ));
    }
    if u.role != Role::Admin && u.community_id.is_none() {
        return Err(DomainError::invalid(
            ErrorCode::CommunityRequired,
            "协调员和社工必须属于一个社区 / coordinators and workers need a community",
        ));
    }
    let real_name = real_name(u.real_name.unwrap_or(""))?;
    let row = repo::accounts::NewUserRow {
        username: &username,
        real_name: &real_name,
        role: u.role.as_str(),
        office_id: u.office_id,
        community_id: u.community_id,
        password_hash: u.password_hash.as_deref(),
        at_ms: now_ms(),
    };
    repo::accounts::insert_user(conn, &row)?
        .ok_or_else(|| exists(&format!("用户 {username} 已存在"), &format!("user {username} already exists")))
}

/// Longest real name accepted, in characters: Chinese names are 2 to 4, minority and foreign names longer.
const REAL_NAME_MAX: usize = 32;

/// A real name as stored: one line, trimmed, at most [`REAL_NAME_MAX`] characters; empty means "not given".
fn real_name(s: &str) -> DomainResult<String> {
    if s.trim().is_empty() {
        return Ok(String::new());
    }
    single_line("real name", s, REAL_NAME_MAX).map_err(|_| {
        DomainError::invalid(
            ErrorCode::InvalidName,
            format!("真实姓名须为一行、不超过 {REAL_NAME_MAX} 个字 / a real name is one line of at most {REAL_NAME_MAX} characters"),
        )
    })
}

/// How every page and document names a person: "王小明（wang）", or, without a real name,
/// the login id marked as such, so nobody mistakes "wang" for a name.
pub fn person_label(username: &str, real_name: &str) -> String {
    if real_name.trim().is_empty() {
        format!("{username}（账号，未登记真实姓名）")
    } else {
        format!("{}（{username}）", real_name.trim())
    }
}

/// Sets (or, with an empty name, clears) an account's real name, as seen by `by`: an admin of the
/// account's office, or a coordinator of its community (None: the server's operator, who sees all).
/// An account the caller does not see answers 404 like a missing one.
pub fn set_real_name(conn: &Connection, by: Option<&SeenBy<'_>>, username: &str, name: &str) -> DomainResult<String> {
    let target = user(conn, username)?;
    let Some(by) = by else {
        let name = real_name(name)?;
        repo::accounts::set_real_name(conn, target.id, &name)?;
        return Ok(name);
    };
    // A community's accounts by the community; an office admin's own kind (no community) by an admin of that office.
    let visible = match target.community_id {
        Some(c) => by.communities.contains(&c),
        None => by.role == Role::Admin && target.office_id == by.office_id,
    };
    if !visible {
        return Err(DomainError::not_found("用户", "user"));
    }
    let name = real_name(name)?;
    repo::accounts::set_real_name(conn, target.id, &name)?;
    Ok(name)
}

/// Who is asking to change an account: their role, office and the communities they see.
pub struct SeenBy<'a> {
    /// Role of the caller.
    pub role: Role,
    /// The caller's street office.
    pub office_id: i64,
    /// Communities the caller sees.
    pub communities: &'a [i64],
}

/// An active account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct User {
    /// Account id.
    pub id: i64,
    /// Role.
    pub role: Role,
    /// Street office.
    pub office_id: i64,
    /// Community (None for office admins).
    pub community_id: Option<i64>,
}

/// The active account of a username.
pub fn user(conn: &Connection, username: &str) -> DomainResult<User> {
    repo::accounts::user(conn, username.trim())?
        .and_then(|u| Role::parse(&u.role).map(|role| User { id: u.id, role, office_id: u.office_id, community_id: u.community_id }))
        .ok_or_else(|| DomainError::not_found("用户", "user"))
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

/// Stores a one-time enrollment code for a worker; the caller makes the code
/// and its hash (authentication owns how secrets are made and kept).
pub fn create_enroll_code(
    conn: &Connection,
    worker_id: i64,
    worker: &str,
    code: String,
    code_hash: &str,
    ttl_ms: i64,
) -> DomainResult<EnrollCode> {
    let now = now_ms();
    let expires = now + ttl_ms;
    repo::accounts::insert_enroll_code(conn, code_hash, worker_id, now, expires)?;
    Ok(EnrollCode { code, worker: worker.to_string(), expires_at_ms: expires })
}

/// Makes a one-time enrollment code for a worker in a community the issuer
/// sees, and audits it (`enroll_code`). `POST /v1/enroll-codes` and the
/// console's enrollment page both issue codes here.
pub fn issue_enroll_code(
    conn: &Connection,
    issuer_id: i64,
    sees: impl Fn(i64) -> bool,
    worker: &str,
    code: String,
    code_hash: &str,
    ttl_ms: i64,
) -> DomainResult<EnrollCode> {
    let w = user(conn, worker)?;
    if w.role != Role::Worker || !w.community_id.is_some_and(sees) {
        return Err(DomainError::not_found("社工", "worker"));
    }
    let code = create_enroll_code(conn, w.id, worker, code, code_hash, ttl_ms)?;
    audit(conn, Some(issuer_id), "enroll_code", worker)?;
    Ok(code)
}

/// Revokes a device and every token it holds. Returns false if there is no such device.
pub fn revoke_device(conn: &Connection, device_id: &str) -> DomainResult<bool> {
    Ok(repo::devices::revoke(conn, device_id, now_ms())?)
}

/// Community of a device, if enrolled.
pub fn device_community(conn: &Connection, device_id: &str) -> DomainResult<Option<i64>> {
    Ok(repo::devices::community(conn, device_id)?)
}

/// Writes an audit record (downloads, revocations, exports).
pub fn audit(conn: &Connection, user_id: Option<i64>, action: &str, target: &str) -> DomainResult<()> {
    Ok(repo::audit::record(conn, user_id, action, target, now_ms())?)
}
