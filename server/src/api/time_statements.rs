//! `POST /v1/time-statements`: a device hands back a time statement this
//! server signed, which the anchored time of one of its received entries
//! rests on, so dispute packets can carry it and `siteproof verify` can check
//! that anchored time offline. The rule is `domain::time_statements`.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use super::json;
use crate::auth::require_device;
use crate::domain::time_statements;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use crate::web::body;
use siteproof_protocol::evidence::SignedTime;
use siteproof_protocol::wire::error_code::ErrorCode;

/// A time statement is a few hundred bytes.
const STATEMENT_LIMIT: usize = 16 * 1024;

/// What the server answers: the hash under which it keeps the statement (a manifest's `anchored.anchor_hash`).
#[derive(Serialize, ToSchema)]
struct StatementKept {
    /// SHA-256 of the statement text, hex.
    statement_hash: String,
}

/// `POST /v1/time-statements`.
#[utoipa::path(
    post,
    path = "/v1/time-statements",
    summary = "Hands back a signed time statement (as GET /v1/time gave it) that an entry's anchored time rests on; 201 kept, 200 held already",
    description = "Send it after the manifest whose anchored.anchor_hash names it. 422 bad_time_statement: not signed by this \
        server's key; 409 time_statement_unused: none of this device's received entries rests on it",
    request_body = SignedTime,
    responses(
        (status = 201, description = "Kept", body = StatementKept),
        (status = 200, description = "Held already", body = StatementKept),
        (status = 400, description = "The body is not a signed time statement", body = ErrorBody),
        (status = 409, description = "time_statement_unused", body = ErrorBody),
        (status = 413, description = "The body is larger than a time statement can be", body = ErrorBody),
        (status = 422, description = "bad_time_statement", body = ErrorBody),
    )
)]
pub async fn post(State(st): State<AppState>, h: HeaderMap, b: Body) -> ApiResult<Response> {
    let (_, dev) = require_device(&st, &h).await?;
    let raw = body::bytes(b, STATEMENT_LIMIT).await?;
    let signed: SignedTime = serde_json::from_slice(&raw).map_err(|e| {
        ApiError::bad_request(
            ErrorCode::BadJson,
            "须为 {\"statement\", \"signature\"} JSON",
            &format!("body must be {{\"statement\", \"signature\"}} JSON: {e}"),
        )
    })?;
    let key_hex = st.key_hex.clone();
    let statement_hash = signed.hash();
    let created = st.db.call(move |c| Ok(time_statements::accept(c, &key_hex, &dev.device_id, &signed)?)).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(json(status, &StatementKept { statement_hash }))
}
