//! Resolving `Authorization: Bearer` to a principal, and the role ladder.

use axum::http::HeaderMap;
use serde::Serialize;

use super::tokens;
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::repo;
use crate::state::AppState;
use siteproof_protocol::wire::error_code::ErrorCode;

pub use crate::domain::role::Role;

/// The enrolled device behind a device token.
#[derive(Debug, Clone, Serialize)]
pub struct DevicePrincipal {
    /// Device id (from its key).
    pub device_id: String,
    /// Enrolled Ed25519 public key, hex.
    pub public_key: String,
    /// The community the device works for.
    pub community_id: i64,
}

/// An authenticated caller.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    /// Account id.
    pub user_id: i64,
    /// Account name.
    pub username: String,
    /// Account role.
    pub role: Role,
    /// Street office of the account.
    pub office_id: i64,
    /// Home community (None for office admins).
    pub community_id: Option<i64>,
    /// Communities this caller may read and write.
    pub communities: Vec<i64>,
    /// Set when the token is a device token.
    pub device: Option<DevicePrincipal>,
    /// Hash of the presented token (for logout).
    #[serde(skip)]
    pub token_hash: String,
}

impl Principal {
    /// Whether the caller may touch a community's data.
    pub fn sees(&self, community_id: i64) -> bool {
        self.communities.contains(&community_id)
    }

    /// Masks complainant contact unless the caller coordinates.
    pub fn masks_contact(&self) -> bool {
        self.role < Role::Coordinator || self.device.is_some()
    }
}

fn bearer(headers: &HeaderMap) -> ApiResult<String> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized(ErrorCode::Unauthorized, "需要登录或设备令牌", "a bearer token is required"))?;
    let s = v.to_str().map_err(|_| ApiError::unauthorized(ErrorCode::InvalidToken, "令牌格式错误", "malformed authorization header"))?;
    let t = s
        .strip_prefix("Bearer ")
        .or_else(|| s.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::unauthorized(ErrorCode::InvalidToken, "令牌格式错误", "authorization must be 'Bearer <token>'"))?;
    let t = t.trim();
    if t.is_empty() || t.len() > 200 {
        return Err(ApiError::unauthorized(ErrorCode::InvalidToken, "令牌格式错误", "malformed token"));
    }
    Ok(t.to_string())
}

/// Looks a token up; the error says why it is unusable.
pub fn resolve(conn: &rusqlite::Connection, token: &str) -> ApiResult<Principal> {
    let th = tokens::hash(token);
    let Some(t) = repo::tokens::by_hash(conn, &th)? else {
        return Err(ApiError::unauthorized(ErrorCode::InvalidToken, "令牌无效", "unknown token"));
    };
    if t.revoked_at_ms.is_some() || t.disabled {
        return Err(ApiError::unauthorized(ErrorCode::TokenRevoked, "令牌已被吊销", "token has been revoked"));
    }
    if t.expires_at_ms <= now_ms() {
        return Err(ApiError::unauthorized(ErrorCode::TokenExpired, "令牌已过期", "token has expired"));
    }
    let (kind, user_id, device_id, username, role, office_id, community_id) =
        (t.kind, t.user_id, t.device_id, t.username, t.role, t.office_id, t.community_id);
    let role = Role::parse(&role).ok_or_else(|| ApiError::internal("unknown role in database"))?;
    let device = if kind == "device" {
        let id = device_id.ok_or_else(|| ApiError::internal("device token without device"))?;
        let d = repo::devices::auth_facts(conn, &id)?
            .ok_or_else(|| ApiError::unauthorized(ErrorCode::UnknownDevice, "设备未注册", "device is not enrolled"))?;
        if d.2.is_some() {
            return Err(ApiError::unauthorized(ErrorCode::TokenRevoked, "设备已被吊销", "device has been revoked"));
        }
        Some(DevicePrincipal { device_id: id, public_key: d.0, community_id: d.1 })
    } else {
        None
    };
    let communities = match (&device, role, community_id) {
        (Some(d), _, _) => vec![d.community_id],
        (None, Role::Admin, _) => repo::accounts::office_communities(conn, office_id)?,
        (None, _, Some(c)) => vec![c],
        (None, _, None) => Vec::new(),
    };
    Ok(Principal { user_id, username, role, office_id, community_id, communities, device, token_hash: th })
}

/// Requires a login session of at least `min` role.
pub async fn require_session(state: &AppState, headers: &HeaderMap, min: Role) -> ApiResult<Principal> {
    let token = bearer(headers)?;
    let p = state.db.call(move |c| resolve(c, &token)).await?;
    if p.device.is_some() {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            ErrorCode::WrongTokenKind,
            "设备令牌不能用于此接口，请登录",
            "device tokens cannot call this endpoint; log in",
        ));
    }
    if p.role < min {
        return Err(ApiError::forbidden());
    }
    Ok(p)
}

/// Requires a device token of a non-revoked device.
pub async fn require_device(state: &AppState, headers: &HeaderMap) -> ApiResult<(Principal, DevicePrincipal)> {
    let token = bearer(headers)?;
    let p = state.db.call(move |c| resolve(c, &token)).await?;
    match p.device.clone() {
        Some(d) => Ok((p, d)),
        None => Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            ErrorCode::WrongTokenKind,
            "此接口需要设备令牌",
            "this endpoint needs a device token",
        )),
    }
}

/// Requires any valid token (session or device).
pub async fn require_any(state: &AppState, headers: &HeaderMap) -> ApiResult<Principal> {
    let token = bearer(headers)?;
    state.db.call(move |c| resolve(c, &token)).await
}
