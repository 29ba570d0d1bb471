//! Logging in, enrolling devices, enrollment codes, device revocation and
//! account creation.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{body, json};
use crate::auth::client_addr::ClientAddr;
use crate::auth::password::StoredPassword;
use crate::auth::{require_session, tokens, Role};
use crate::db::now_ms;
use crate::domain::accounts;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use siteproof_protocol::evidence::{device_id_for_key, public_key_from_hex};
use siteproof_protocol::text::single_line;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

/// `POST /v1/login` - password login, returns a session token (429 with Retry-After when throttled).
pub async fn login(State(st): State<AppState>, ClientAddr(from): ClientAddr, b: Body) -> ApiResult<Response> {
    let l: Login = body::json(b).await?;
    let s = crate::auth::session::login(&st, from, &l.username, l.password, st.config.session_ms).await?;
    Ok(json(StatusCode::OK, &json!({"token": s.token, "role": s.role, "expires_at_ms": s.expires_at_ms})))
}

/// `POST /v1/logout` - revokes the presented session token.
pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Worker).await?;
    st.db.call(move |c| crate::auth::session::logout(c, &p.token_hash)).await?;
    Ok(json(StatusCode::OK, &json!({"status": "logged_out"})))
}

/// `GET /v1/me` - who the token belongs to.
pub async fn me(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Worker).await?;
    Ok(json(StatusCode::OK, &p))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Enroll {
    code: String,
    public_key: String,
    #[serde(default)]
    device_name: String,
}

#[derive(Serialize)]
struct Enrolled {
    device_id: String,
    token: String,
    worker: String,
    community: String,
    server_key: String,
    expires_at_ms: i64,
}

/// `POST /v1/enroll` - trades a one-time code and a public key for a device token.
pub async fn enroll(State(st): State<AppState>, b: Body) -> ApiResult<Response> {
    let e: Enroll = body::json(b).await?;
    let key = public_key_from_hex(e.public_key.trim())
        .map_err(|_| ApiError::invalid("bad_public_key", "公钥须为 64 位十六进制 Ed25519 公钥 / public_key must be a hex Ed25519 key"))?;
    let key_hex = hex::encode(key.as_bytes());
    let device_id = device_id_for_key(&key);
    let name = if e.device_name.trim().is_empty() { "device".to_string() } else { single_line("device name", &e.device_name, 64)? };
    let ttl = st.config.device_token_ms;
    let server_key = st.key_hex.to_string();
    st.db
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let code_hash = tokens::hash(&tokens::normalize_code(&e.code));
            let row: Option<(i64, i64, Option<i64>)> = tx
                .query_row("SELECT user_id, expires_at_ms, used_at_ms FROM enroll_codes WHERE code_hash = ?1", [&code_hash], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let bad_code = || ApiError::unauthorized("bad_enroll_code", "注册码无效、已用过或已过期", "enrollment code is unknown, used or expired");
            let (uid, expires, used) = row.ok_or_else(bad_code)?;
            if used.is_some() || expires <= now_ms() {
                return Err(bad_code());
            }
            let (worker, community_id, community): (String, i64, String) = tx.query_row(
                "SELECT u.username, u.community_id, c.name FROM users u JOIN communities c ON c.id = u.community_id WHERE u.id = ?1 AND u.disabled = 0",
                [uid],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            ).optional()?.ok_or_else(bad_code)?;
            let existing: Option<Option<i64>> =
                tx.query_row("SELECT revoked_at_ms FROM devices WHERE device_id = ?1", [&device_id], |r| r.get(0)).optional()?;
            if existing.is_some() {
                return Err(ApiError::new(StatusCode::CONFLICT, "device_exists", "该设备密钥已注册过；请在设备上生成新密钥", "this device key is already enrolled; create a new key on the device"));
            }
            let now = now_ms();
            tx.execute(
                "INSERT INTO devices (device_id, public_key, user_id, community_id, name, enrolled_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![device_id, key_hex, uid, community_id, name, now],
            )?;
            tx.execute("UPDATE enroll_codes SET used_at_ms = ?2, device_id = ?3 WHERE code_hash = ?1", params![code_hash, now, device_id])?;
            let token = tokens::new_token("spd_");
            tx.execute(
                "INSERT INTO tokens (token_hash, kind, user_id, device_id, created_at_ms, expires_at_ms) VALUES (?1, 'device', ?2, ?3, ?4, ?5)",
                params![tokens::hash(&token), uid, device_id, now, now + ttl],
            )?;
            tx.commit()?;
            Ok(json(StatusCode::CREATED, &Enrolled { device_id, token, worker, community, server_key, expires_at_ms: now + ttl }))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeRequest {
    worker: String,
}

/// `POST /v1/enroll-codes` - a coordinator creates a one-time code for a worker of their community.
pub async fn create_enroll_code(State(st): State<AppState>, headers: HeaderMap, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Coordinator).await?;
    let r: CodeRequest = body::json(b).await?;
    let ttl = st.config.enroll_code_ms;
    st.db
        .call(move |c| {
            let (uid, role, _, community) = accounts::user(c, &r.worker)?;
            if role != Role::Worker || !community.is_some_and(|x| p.sees(x)) {
                return Err(ApiError::not_found("社工", "worker"));
            }
            let code = accounts::create_enroll_code(c, uid, &r.worker, ttl)?;
            accounts::audit(c, Some(p.user_id), "enroll_code", &r.worker)?;
            Ok(json(StatusCode::CREATED, &code))
        })
        .await
}

/// `GET /v1/devices` - devices of the caller's communities.
pub async fn list_devices(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Coordinator).await?;
    st.db
        .call(move |c| {
            let mut out = Vec::new();
            let mut s = c.prepare(
                "SELECT d.device_id, d.name, u.username, cm.name, d.community_id, d.enrolled_at_ms, d.revoked_at_ms, d.bytes_stored
                 FROM devices d JOIN users u ON u.id = d.user_id JOIN communities cm ON cm.id = d.community_id ORDER BY d.enrolled_at_ms",
            )?;
            let rows = s.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(4)?,
                    json!({
                        "device_id": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?, "worker": r.get::<_, String>(2)?,
                        "community": r.get::<_, String>(3)?, "enrolled_at_ms": r.get::<_, i64>(5)?,
                        "revoked_at_ms": r.get::<_, Option<i64>>(6)?, "bytes_stored": r.get::<_, i64>(7)?,
                    }),
                ))
            })?;
            for row in rows {
                let (cid, v) = row?;
                if p.sees(cid) {
                    out.push(v);
                }
            }
            Ok(json(StatusCode::OK, &json!({"devices": out})))
        })
        .await
}

/// `POST /v1/devices/{device_id}/revoke` - stops a lost or replaced phone.
pub async fn revoke_device(State(st): State<AppState>, headers: HeaderMap, Path(device_id): Path<String>) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Coordinator).await?;
    st.db
        .call(move |c| {
            match accounts::device_community(c, &device_id)? {
                Some(cid) if p.sees(cid) => {}
                _ => return Err(ApiError::not_found("设备", "device")),
            }
            accounts::revoke_device(c, &device_id)?;
            accounts::audit(c, Some(p.user_id), "revoke_device", &device_id)?;
            Ok(json(StatusCode::OK, &json!({"device_id": device_id, "revoked": true})))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserReq {
    username: String,
    role: String,
    #[serde(default)]
    community: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// `POST /v1/users` - an office admin creates an account in their office.
pub async fn create_user(State(st): State<AppState>, headers: HeaderMap, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Admin).await?;
    let r: NewUserReq = body::json(b).await?;
    let role = Role::parse(&r.role).ok_or_else(|| {
        ApiError::invalid("bad_role", "角色须为 admin、coordinator 或 worker / role must be admin, coordinator or worker")
    })?;
    let password = match r.password.clone() {
        Some(p) => Some(StoredPassword::new_off_runtime(p).await?),
        None => None,
    };
    st.db
        .call(move |c| {
            let community = match &r.community {
                Some(name) => {
                    let (cid, _) = accounts::community(c, name)?;
                    if !p.sees(cid) {
                        return Err(ApiError::not_found("社区", "community"));
                    }
                    Some(cid)
                }
                None => None,
            };
            let id = accounts::create_user(
                c,
                accounts::NewUser { username: &r.username, role, office_id: p.office_id, community_id: community, password },
            )?;
            accounts::audit(c, Some(p.user_id), "create_user", &r.username)?;
            Ok(json(StatusCode::CREATED, &json!({"id": id, "username": r.username.trim(), "role": role})))
        })
        .await
}
