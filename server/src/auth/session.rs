//! Password login to a session token: one implementation for the JSON API
//! (`POST /v1/login`) and the console's login form.

use std::net::IpAddr;

use rusqlite::Connection;

use super::{password, tokens};
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::repo;
use crate::state::AppState;
use siteproof_protocol::wire::error_code::ErrorCode;

/// A new login session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The bearer token (shown once; only its hash is stored).
    pub token: String,
    /// Account id.
    pub user_id: i64,
    /// Account role name.
    pub role: String,
    /// Expiry, Unix ms.
    pub expires_at_ms: i64,
}

/// Checks a password and opens a session lasting `ttl_ms`. The attempt is
/// first counted against the address and the account (a throttled attempt
/// checks nothing); the hash is checked off the database pool. Unknown users
/// cost the same time as wrong passwords, and the error never says which it was.
pub async fn login(st: &AppState, from: IpAddr, username: &str, pass: String, ttl_ms: i64) -> ApiResult<NewSession> {
    st.login_throttle.check(from, username)?;
    let name = username.trim().to_string();
    let row: Option<(i64, Option<String>, String)> = st.db.call(move |c| Ok(repo::accounts::login_facts(c, &name)?)).await?;
    let stored = row.as_ref().and_then(|(_, h, _)| h.clone());
    let ok = password::check(pass, stored).await?;
    let Some((user_id, _, role)) = row.filter(|_| ok) else {
        return Err(ApiError::unauthorized(ErrorCode::BadCredentials, "用户名或密码错误", "wrong username or password"));
    };
    st.db.call(move |c| open_session(c, user_id, role, ttl_ms)).await
}

fn open_session(c: &Connection, user_id: i64, role: String, ttl_ms: i64) -> ApiResult<NewSession> {
    let token = tokens::new_token("sps_");
    let expires_at_ms = now_ms() + ttl_ms;
    repo::tokens::insert_session(c, &tokens::hash(&token), user_id, now_ms(), expires_at_ms)?;
    Ok(NewSession { token, user_id, role, expires_at_ms })
}

/// Revokes a session by its token hash.
pub fn logout(c: &Connection, token_hash: &str) -> ApiResult<()> {
    Ok(repo::tokens::revoke(c, token_hash, now_ms())?)
}
