//! `POST /v1/manifests`: a device hands in one signed chain entry after its
//! media. Verified with the core's own code against the enrolled key, then
//! stored with a signed receipt. Replays return the original receipt.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use super::{body, json};
use crate::auth::require_device;
use crate::domain::ingest;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use siteproof_protocol::evidence::{ids, SignedManifest};

/// Manifests are small; a larger body is not a manifest.
const MANIFEST_LIMIT: usize = 256 * 1024;

/// `POST /v1/manifests`.
pub async fn post(State(st): State<AppState>, h: HeaderMap, b: Body) -> ApiResult<Response> {
    let (_, dev) = require_device(&st, &h).await?;
    let raw = body::bytes(b, MANIFEST_LIMIT).await?;
    let sm: SignedManifest = serde_json::from_slice(&raw).map_err(|e| {
        ApiError::bad_request(
            "bad_json",
            "须为 {\"manifest\", \"signature\"} JSON",
            &format!("body must be {{\"manifest\", \"signature\"}} JSON: {e}"),
        )
    })?;
    let m = sm
        .open()
        .map_err(|e| ApiError::invalid("bad_manifest", format!("清单未通过验证（签名或规范格式） / manifest failed verification: {e}")))?;
    if m.device_key != dev.public_key {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_device_key",
            "清单不是由本设备注册的密钥签名",
            "the manifest is signed by a key other than this device's enrolled key",
        ));
    }
    // The same rule the device makes its ids by: the console and packets slice, link and show these.
    ids::check_manifest(&m).map_err(|e| ApiError::invalid("invalid_identifier", e))?;
    let (key, key_hex) = (st.key.clone(), st.key_hex.clone());
    let acc = st.db.call(move |c| ingest::accept(c, &key, &key_hex, &dev, &sm, &m)).await?;
    let status = if acc.created { StatusCode::CREATED } else { StatusCode::OK };
    let mut resp = json(status, &acc.response);
    if !acc.anomalies.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&acc.anomalies.join(",")) {
            resp.headers_mut().insert("siteproof-anomalies", v);
        }
    }
    Ok(resp)
}
