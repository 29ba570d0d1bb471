//! Blob existence checks for devices (skip uploads the server already holds
//! from that device) and audited downloads for coordinators. A blob is only
//! visible to the communities whose devices uploaded it, though storage
//! keeps one copy.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::{require_device, require_session, Role};
use crate::domain::{accounts, ingest};
use crate::error::{ApiError, ApiResult};
use crate::repo;
use crate::state::AppState;
use crate::web::blobs::{open_failed, sha256_param, stream};

/// `HEAD /v1/blobs/{sha256}` - 200 if this device uploaded the blob itself:
/// the same rule a manifest's media is held to, so a device skips an upload
/// only when its capture record over those bytes will be accepted.
pub async fn exists(State(st): State<AppState>, h: HeaderMap, Path(sha): Path<String>) -> ApiResult<Response> {
    let (_, dev) = require_device(&st, &h).await?;
    let sha = sha256_param(&sha)?;
    let device = dev.device_id.clone();
    match st.db.call(move |c| Ok(ingest::held_by_device(c, &sha, &device)?)).await? {
        Some(bytes) => Ok(([("content-length", bytes.to_string())], StatusCode::OK).into_response()),
        None => Err(ApiError::not_found("文件", "blob")),
    }
}

/// `GET /v1/blobs/{sha256}` - streams the original (coordinators; audited).
pub async fn download(State(st): State<AppState>, h: HeaderMap, Path(sha): Path<String>) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let sha = sha256_param(&sha)?;
    let (s2, communities) = (sha.clone(), p.communities.clone());
    let (bytes, media_type) = st
        .db
        .call(move |c| Ok(repo::blobs::visible_to(c, &s2, &communities)?))
        .await?
        .ok_or_else(|| ApiError::not_found("文件", "blob"))?;
    let reader = st.storage.open(&sha).map_err(|e| open_failed(&sha, e))?;
    let (uid, target) = (p.user_id, sha.clone());
    st.db.call(move |c| Ok(accounts::audit(c, Some(uid), "download_blob", &target)?)).await?;
    let ct = media_type.unwrap_or_else(|| "application/octet-stream".into());
    Ok((
        [
            ("content-type", ct),
            ("content-length", bytes.to_string()),
            ("content-disposition", format!("attachment; filename=\"{sha}\"")),
            ("x-content-type-options", "nosniff".to_string()),
        ],
        stream(reader),
    )
        .into_response())
}
