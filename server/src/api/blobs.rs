//! Blob existence checks for devices (skip uploads the server already holds
//! from that device) and audited downloads for coordinators. A blob is only
//! visible to the communities whose devices uploaded it, though storage
//! keeps one copy.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::api::openapi::Binary;
use crate::auth::{require_device, require_session, Role};
use crate::domain::{accounts, ingest};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::repo;
use crate::state::AppState;
use crate::web::blobs::{open_failed, sha256_param, stream};

/// `HEAD /v1/blobs/{sha256}` - 200 if this device uploaded the blob itself:
/// the same rule a manifest's media is held to, so a device skips an upload
/// only when its capture record over those bytes will be accepted.
#[utoipa::path(
    head,
    path = "/v1/blobs/{sha256}",
    summary = "Whether the server holds a blob uploaded by this device",
    description = "Skip the upload if 200; a manifest's media must have been uploaded by the device that signs it",
    params(("sha256" = String, Path, description = "Hex SHA-256")),
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "Not a hex SHA-256", body = ErrorBody),
        (status = 404, description = "Not uploaded by this device", body = ErrorBody),
    )
)]
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
#[utoipa::path(
    get,
    path = "/v1/blobs/{sha256}",
    summary = "Downloads an original (audited)",
    params(("sha256" = String, Path, description = "Hex SHA-256")),
    responses(
        (status = 200, description = "The original's bytes", content_type = "application/octet-stream", body = Binary),
        (status = 400, description = "Not a hex SHA-256", body = ErrorBody),
        (status = 404, description = "No such blob in the caller's communities", body = ErrorBody),
    )
)]
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
