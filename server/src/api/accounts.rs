//! Logging in, enrolling devices, enrollment codes, device revocation and
//! account creation.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::TransactionBehavior;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::json;
use crate::auth::client_addr::ClientAddr;
use crate::auth::password::StoredPassword;
use crate::auth::{require_session, tokens, Role};
use crate::db::now_ms;
use crate::domain::accounts;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::repo;
use crate::state::AppState;
use crate::web::body;
use siteproof_protocol::evidence::{device_id_for_key, public_key_from_hex};
use siteproof_protocol::text::single_line;
use siteproof_protocol::wire::error_code::ErrorCode;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

/// A new session as `POST /v1/login` answers it.
#[derive(Serialize, ToSchema)]
struct Session {
    /// The bearer token (shown once).
    token: String,
    /// Role name: admin, coordinator or worker.
    role: String,
    /// Expiry, Unix ms.
    expires_at_ms: i64,
}

/// `POST /v1/login` - password login, returns a session token (429 with Retry-After when throttled).
#[utoipa::path(
    post,
    path = "/v1/login",
    summary = "Password login; returns a session bearer token (throttled per account and per source address)",
    request_body = Login,
    responses(
        (status = 200, description = "OK", body = Session),
        (status = 400, description = "The body is not a login", body = ErrorBody),
        (status = 401, description = "bad_credentials", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address or for this account (error too_many_attempts); wait Retry-After seconds",
            body = ErrorBody, headers(("Retry-After" = u32, description = "Seconds until the next attempt may be tried"))),
    )
)]
pub async fn login(State(st): State<AppState>, ClientAddr(from): ClientAddr, b: Body) -> ApiResult<Response> {
    let l: Login = body::json(b).await?;
    let s = crate::auth::session::login(&st, from, &l.username, l.password, st.config.session_ms).await?;
    Ok(json(StatusCode::OK, &Session { token: s.token, role: s.role, expires_at_ms: s.expires_at_ms }))
}

/// `POST /v1/logout` - revokes the presented session token.
#[utoipa::path(post, path = "/v1/logout", summary = "Revokes the presented session token", responses((status = 200, description = "OK")))]
pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Worker).await?;
    st.db.call(move |c| crate::auth::session::logout(c, &p.token_hash)).await?;
    Ok(json(StatusCode::OK, &json!({"status": "logged_out"})))
}

/// `GET /v1/me` - who the token belongs to.
#[utoipa::path(get, path = "/v1/me", summary = "The calling account, role and visible communities", responses((status = 200, description = "OK")))]
pub async fn me(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Worker).await?;
    Ok(json(StatusCode::OK, &p))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Enroll {
    code: String,
    public_key: String,
    #[serde(default)]
    device_name: String,
}

#[derive(Serialize, ToSchema)]
struct Enrolled {
    device_id: String,
    token: String,
    worker: String,
    /// Whose device this is, as documents name them: "王小明（wang）", or the login id marked as having no real name.
    worker_name: String,
    community: String,
    server_key: String,
    expires_at_ms: i64,
}

/// `POST /v1/enroll` - trades a one-time code and a public key for a device token.
#[utoipa::path(
    post,
    path = "/v1/enroll",
    summary = "Enrolls a device: one-time code + Ed25519 public key -> device token",
    request_body = Enroll,
    responses(
        (status = 201, description = "OK", body = Enrolled),
        (status = 400, description = "The body is not an enrollment", body = ErrorBody),
        (status = 401, description = "bad_enroll_code: unknown, used or expired", body = ErrorBody),
        (status = 409, description = "device_exists: this device key is already enrolled", body = ErrorBody),
        (status = 422, description = "bad_public_key, or a bad device name", body = ErrorBody),
    )
)]
pub async fn enroll(State(st): State<AppState>, b: Body) -> ApiResult<Response> {
    let e: Enroll = body::json(b).await?;
    let key = public_key_from_hex(e.public_key.trim()).map_err(|_| {
        ApiError::invalid(ErrorCode::BadPublicKey, "公钥须为 64 位十六进制 Ed25519 公钥 / public_key must be a hex Ed25519 key")
    })?;
    let key_hex = hex::encode(key.as_bytes());
    let device_id = device_id_for_key(&key);
    let name = if e.device_name.trim().is_empty() { "device".to_string() } else { single_line("device name", &e.device_name, 64)? };
    let ttl = st.config.device_token_ms;
    let server_key = st.key_hex.to_string();
    st.db
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let code_hash = tokens::hash(&tokens::normalize_code(&e.code));
            let bad_code = || {
                ApiError::unauthorized(
                    ErrorCode::BadEnrollCode,
                    "注册码无效、已用过或已过期",
                    "enrollment code is unknown, used or expired",
                )
            };
            let (uid, expires, used) = repo::accounts::enroll_code(&tx, &code_hash)?.ok_or_else(bad_code)?;
            if used.is_some() || expires <= now_ms() {
                return Err(bad_code());
            }
            let (worker, real_name, community_id, community) = repo::accounts::user_with_community(&tx, uid)?.ok_or_else(bad_code)?;
            if repo::devices::exists(&tx, &device_id)? {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::DeviceExists,
                    "该设备密钥已注册过；请在设备上生成新密钥",
                    "this device key is already enrolled; create a new key on the device",
                ));
            }
            let now = now_ms();
            let device = repo::devices::NewDevice {
                device_id: &device_id,
                public_key: &key_hex,
                user_id: uid,
                community_id,
                name: &name,
                holder_name: &real_name,
                at_ms: now,
            };
            repo::devices::insert(&tx, &device)?;
            repo::accounts::use_enroll_code(&tx, &code_hash, &device_id, now)?;
            let token = tokens::new_token("spd_");
            repo::tokens::insert_device(&tx, &tokens::hash(&token), uid, &device_id, now, now + ttl)?;
            tx.commit()?;
            let worker_name = accounts::person_label(&worker, &real_name);
            Ok(json(
                StatusCode::CREATED,
                &Enrolled { device_id, token, worker, worker_name, community, server_key, expires_at_ms: now + ttl },
            ))
        })
        .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CodeRequest {
    worker: String,
}

/// `POST /v1/enroll-codes` - a coordinator creates a one-time code for a worker of their community.
#[utoipa::path(
    post,
    path = "/v1/enroll-codes",
    summary = "Creates a one-time enrollment code for a worker of the caller's community",
    request_body = CodeRequest,
    responses(
        (status = 201, description = "OK"),
        (status = 400, description = "The body is not a code request", body = ErrorBody),
        (status = 404, description = "No such worker in the caller's communities", body = ErrorBody),
    )
)]
pub async fn create_enroll_code(State(st): State<AppState>, headers: HeaderMap, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Coordinator).await?;
    let r: CodeRequest = body::json(b).await?;
    let ttl = st.config.enroll_code_ms;
    let (code, code_hash) = tokens::new_enroll_code_with_hash();
    st.db
        .call(move |c| {
            let code = accounts::issue_enroll_code(c, p.user_id, |x| p.sees(x), &r.worker, code, &code_hash, ttl)?;
            Ok(json(StatusCode::CREATED, &code))
        })
        .await
}

/// `GET /v1/devices` - devices of the caller's communities.
#[utoipa::path(get, path = "/v1/devices", summary = "Devices of the caller's communities", responses((status = 200, description = "OK")))]
pub async fn list_devices(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Coordinator).await?;
    st.db
        .call(move |c| {
            let out: Vec<_> = repo::devices::all(c)?.into_iter().filter(|d| p.sees(d.community_id)).collect();
            Ok(json(StatusCode::OK, &json!({"devices": out})))
        })
        .await
}

/// `POST /v1/devices/{device_id}/revoke` - stops a lost or replaced phone.
#[utoipa::path(
    post,
    path = "/v1/devices/{device_id}/revoke",
    summary = "Revokes a device and its tokens",
    params(("device_id" = String, Path, description = "Device id")),
    responses(
        (status = 200, description = "OK"),
        (status = 404, description = "No such device in the caller's communities", body = ErrorBody),
    )
)]
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewUser)]
struct NewUserReq {
    username: String,
    /// admin, coordinator or worker.
    #[schema(pattern = "^(admin|coordinator|worker)$")]
    role: String,
    #[serde(default)]
    community: Option<String>,
    /// The person's real name (真实姓名), printed in dispute documents as "王小明（wang）".
    #[serde(default)]
    real_name: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// `POST /v1/users` - an office admin creates an account in their office.
#[utoipa::path(
    post,
    path = "/v1/users",
    summary = "Creates an account in the admin's office",
    request_body = NewUserReq,
    responses(
        (status = 201, description = "OK"),
        (status = 400, description = "The body is not a new account", body = ErrorBody),
        (status = 404, description = "No such community in the admin's office", body = ErrorBody),
        (status = 409, description = "The username is taken", body = ErrorBody),
        (status = 422, description = "bad_role, or a bad username or password", body = ErrorBody),
    )
)]
pub async fn create_user(State(st): State<AppState>, headers: HeaderMap, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Admin).await?;
    let r: NewUserReq = body::json(b).await?;
    let role = Role::parse(&r.role).ok_or_else(|| {
        ApiError::invalid(ErrorCode::BadRole, "角色须为 admin、coordinator 或 worker / role must be admin, coordinator or worker")
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
                accounts::NewUser {
                    username: &r.username,
                    role,
                    office_id: p.office_id,
                    community_id: community,
                    password_hash: password.map(|p| p.phc().to_string()),
                    real_name: r.real_name.as_deref(),
                },
            )?;
            accounts::audit(c, Some(p.user_id), "create_user", &r.username)?;
            Ok(json(StatusCode::CREATED, &json!({"id": id, "username": r.username.trim(), "role": role})))
        })
        .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RealNameReq {
    /// The person's real name (真实姓名); empty clears it.
    real_name: String,
}

/// `PUT /v1/users/{username}/real-name` - a coordinator (of the account's community) or an admin sets a person's real name.
#[utoipa::path(
    put,
    path = "/v1/users/{username}/real-name",
    summary = "Sets the real name (真实姓名) documents print for an account of the caller's communities",
    params(("username" = String, Path, description = "Login name")),
    request_body = RealNameReq,
    responses(
        (status = 200, description = "OK: the account and how documents now name it"),
        (status = 400, description = "The body is not a real name", body = ErrorBody),
        (status = 404, description = "No such account in the caller's communities", body = ErrorBody),
        (status = 422, description = "The name is not one line of at most 32 characters", body = ErrorBody),
    )
)]
pub async fn set_real_name(State(st): State<AppState>, headers: HeaderMap, Path(username): Path<String>, b: Body) -> ApiResult<Response> {
    let p = require_session(&st, &headers, Role::Coordinator).await?;
    let r: RealNameReq = body::json(b).await?;
    st.db
        .call(move |c| {
            let by = accounts::SeenBy { role: p.role, office_id: p.office_id, communities: &p.communities };
            let name = accounts::set_real_name(c, Some(&by), &username, &r.real_name)?;
            accounts::audit(c, Some(p.user_id), "set_real_name", &username)?;
            Ok(json(
                StatusCode::OK,
                &json!({"username": username, "real_name": name, "shown_as": accounts::person_label(&username, &name)}),
            ))
        })
        .await
}
