//! `POST /v1/manifests`: a device hands in one signed chain entry after its
//! media. Verified with the core's own code against the enrolled key, then
//! stored with a signed receipt. Replays return the original receipt.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use super::json;
use crate::auth::require_device;
use crate::domain::ingest;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use crate::web::body;
use siteproof_protocol::evidence::{ids, SignedManifest};
use siteproof_protocol::wire::error_code::ErrorCode;
use siteproof_protocol::wire::receipt::ReceiptEnvelope;

/// Manifests are small; a larger body is not a manifest.
const MANIFEST_LIMIT: usize = 256 * 1024;

/// `POST /v1/manifests`.
#[utoipa::path(
    post,
    path = "/v1/manifests",
    summary = "Submits a signed manifest; returns the server's signed receipt (201 new, 200 replay with the original receipt)",
    description = "Entries may arrive in any order; forks and broken links are accepted and recorded as anomalies (header \
        Siteproof-Anomalies). 422 invalid_identifier: an item, visit or attached id that is not a lowercase UUID, or a hash that \
        is not 64 lowercase hex digits. 409 media_missing: this device has not uploaded the media (upload it, then retry); 409 \
        item_id_taken: the item id is another device's",
    request_body = SignedManifest,
    responses(
        (status = 201, description = "Accepted", body = ReceiptEnvelope),
        (status = 200, description = "A replay: the original receipt", body = ReceiptEnvelope),
        (status = 400, description = "The body is not a signed manifest", body = ErrorBody),
        (status = 409, description = "media_missing or item_id_taken", body = ErrorBody),
        (status = 413, description = "The body is larger than a manifest can be", body = ErrorBody),
        (status = 422, description = "The manifest or its signature is invalid", body = ErrorBody),
    )
)]
pub async fn post(State(st): State<AppState>, h: HeaderMap, b: Body) -> ApiResult<Response> {
    let (_, dev) = require_device(&st, &h).await?;
    let raw = body::bytes(b, MANIFEST_LIMIT).await?;
    let sm: SignedManifest = serde_json::from_slice(&raw).map_err(|e| {
        ApiError::bad_request(
            ErrorCode::BadJson,
            "须为 {\"manifest\", \"signature\"} JSON",
            &format!("body must be {{\"manifest\", \"signature\"}} JSON: {e}"),
        )
    })?;
    let m = sm.open().map_err(|e| {
        ApiError::invalid(ErrorCode::BadManifest, format!("清单未通过验证（签名或规范格式） / manifest failed verification: {e}"))
    })?;
    if m.device_key != dev.public_key {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::WrongDeviceKey,
            "清单不是由本设备注册的密钥签名",
            "the manifest is signed by a key other than this device's enrolled key",
        ));
    }
    // The same rule the device makes its ids by: the console and packets slice, link and show these.
    ids::check_manifest(&m).map_err(|e| ApiError::invalid(ErrorCode::InvalidIdentifier, e))?;
    let (key, key_hex) = (st.key.clone(), st.key_hex.clone());
    let signer = ingest::Signer { device_id: dev.device_id, community_id: dev.community_id };
    let acc = st.db.call(move |c| Ok(ingest::accept(c, &key, &key_hex, &signer, &sm, &m)?)).await?;
    let status = if acc.created { StatusCode::CREATED } else { StatusCode::OK };
    let mut resp = json(status, &acc.response);
    if !acc.anomalies.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&acc.anomalies.join(",")) {
            resp.headers_mut().insert("siteproof-anomalies", v);
        }
    }
    Ok(resp)
}
