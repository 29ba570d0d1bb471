//! Endpoints anyone may call: signed time, the server key, the API document,
//! health, and (only with `--bench-sink`) a plain upload sink for benchmarks.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;

use super::json;
use crate::db::now_ms;
use crate::error::ErrorBody;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::web::body::query;
use siteproof_protocol::evidence::{SignedTime, TimeStatement, TIME_FORMAT};
use siteproof_protocol::wire::error_code::ErrorCode;

/// `GET /v1/time?nonce=` - the server clock, signed, echoing the nonce.
#[utoipa::path(
    get,
    path = "/v1/time",
    summary = "Signed server time echoing the caller's nonce (time anchor)",
    params(("nonce" = String, Query, description = "8-128 chars of A-Za-z0-9_-")),
    responses(
        (status = 200, description = "OK", body = SignedTime),
        (status = 400, description = "bad_nonce, or a query parameter this endpoint does not take", body = ErrorBody),
    )
)]
pub async fn time(State(st): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let q = query(q.as_deref(), &["nonce"])?;
    let nonce = q.get("nonce").cloned().unwrap_or_default();
    if !(8..=128).contains(&nonce.len()) || !nonce.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(ApiError::bad_request(
            ErrorCode::BadNonce,
            "nonce 须为 8-128 个字母、数字、- 或 _",
            "nonce must be 8-128 characters of A-Z a-z 0-9 - _",
        ));
    }
    let stmt = TimeStatement { format: TIME_FORMAT.into(), server_time_ms: now_ms(), nonce, server_key: st.key_hex.to_string() };
    let signed = stmt.sign(&st.key)?;
    Ok(json(StatusCode::OK, &signed))
}

/// The server's signing key as `GET /v1/server-key` answers it.
#[derive(Serialize, ToSchema)]
struct ServerKey {
    /// Ed25519 public key, hex.
    server_key: String,
    /// Always `ed25519`.
    algorithm: &'static str,
    /// First 16 bytes of SHA-256 of the key, hex in groups of four: what the street office publishes, dispute packets
    /// print and `siteproof verify --server-key` pins.
    fingerprint: Option<String>,
    /// The same key as PEM (SubjectPublicKeyInfo), what `openssl pkeyutl -pubin` reads.
    pem: Option<String>,
}

/// `GET /v1/server-key` - the key receipts, time statements and dispute packets are signed with: hex, its
/// fingerprint (what `siteproof verify --server-key` pins) and PEM (what `openssl pkeyutl -pubin` reads).
#[utoipa::path(
    get,
    path = "/v1/server-key",
    summary = "The server's Ed25519 public key (hex, fingerprint, PEM)",
    responses((status = 200, description = "OK", body = ServerKey))
)]
pub async fn server_key(State(st): State<AppState>) -> Response {
    let fingerprint = siteproof_protocol::packet::key_fingerprint(&st.key_hex).ok();
    let pem = siteproof_protocol::packet::server_pem::server_key_pem(&st.key_hex).ok();
    json(StatusCode::OK, &ServerKey { server_key: st.key_hex.to_string(), algorithm: "ed25519", fingerprint, pem })
}

/// `GET /v1/openapi.json` - the document generated from the handlers (`api::openapi`).
#[utoipa::path(get, path = "/v1/openapi.json", summary = "This document", responses((status = 200, description = "OK", content_type = "application/json")))]
pub async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], super::openapi::document_json()).into_response()
}

/// `GET /v1/health` - database reachable, schema version.
#[utoipa::path(get, path = "/v1/health", summary = "Liveness and schema version", responses((status = 200, description = "OK")))]
pub async fn health(State(st): State<AppState>) -> ApiResult<Response> {
    let v: i64 = st.db.call(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).await?;
    Ok(json(StatusCode::OK, &json!({"status": "ok", "schema_version": v})))
}

/// `POST /bench/sink` - writes the body to a temp file with SHA-256 and fsync, like a tus PATCH, then drops it.
pub async fn bench_sink(State(st): State<AppState>, body: Body) -> ApiResult<Response> {
    let path = st.config.data.join("staging").join(format!("sink-{}", uuid::Uuid::new_v4().simple()));
    let file = tokio::fs::File::create(&path).await?;
    let mut w = tokio::io::BufWriter::with_capacity(1 << 20, file);
    let mut h = Sha256::new();
    let mut n = 0u64;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| ApiError::bad_request(ErrorCode::BodyIncomplete, "请求体不完整", "request body was cut short"))?;
        if let Ok(data) = frame.into_data() {
            h.update(&data);
            n += data.len() as u64;
            w.write_all(&data).await?;
        }
    }
    w.flush().await?;
    w.into_inner().sync_data().await?;
    let _ = tokio::fs::remove_file(&path).await;
    Ok(json(StatusCode::OK, &json!({"bytes": n, "sha256": hex::encode(h.finalize())})))
}
