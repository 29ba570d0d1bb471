//! Blob existence checks for devices (skip uploads the server already holds
//! from that device) and audited downloads for coordinators. A blob is only
//! visible to the communities whose devices uploaded it, though storage
//! keeps one copy.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use rusqlite::{params, OptionalExtension};

use crate::auth::{require_device, require_session, Role};
use crate::domain::{accounts, ingest};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn check_sha(s: &str) -> ApiResult<String> {
    let s = s.to_ascii_lowercase();
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request("bad_sha256", "须为 64 位十六进制 SHA-256", "expected a 64-character hex SHA-256"));
    }
    Ok(s)
}

/// (bytes, media type) of a blob visible to one of the communities.
async fn visible(st: &AppState, sha: &str, communities: Vec<i64>) -> ApiResult<Option<(i64, Option<String>)>> {
    let sha = sha.to_string();
    st.db
        .call(move |c| {
            let row: Option<(i64, Option<String>)> =
                c.query_row("SELECT bytes, media_type FROM blobs WHERE sha256 = ?1", [&sha], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            let Some(row) = row else { return Ok(None) };
            for cid in communities {
                let owned = c
                    .query_row("SELECT 1 FROM blob_owners WHERE sha256 = ?1 AND community_id = ?2 LIMIT 1", params![sha, cid], |_| Ok(()))
                    .optional()?;
                if owned.is_some() {
                    return Ok(Some(row));
                }
            }
            Ok(None)
        })
        .await
}

/// `HEAD /v1/blobs/{sha256}` - 200 if this device uploaded the blob itself:
/// the same rule a manifest's media is held to, so a device skips an upload
/// only when its capture record over those bytes will be accepted.
pub async fn exists(State(st): State<AppState>, h: HeaderMap, Path(sha): Path<String>) -> ApiResult<Response> {
    let (_, dev) = require_device(&st, &h).await?;
    let sha = check_sha(&sha)?;
    let device = dev.device_id.clone();
    match st.db.call(move |c| Ok(ingest::held_by_device(c, &sha, &device)?)).await? {
        Some(bytes) => Ok(([("content-length", bytes.to_string())], StatusCode::OK).into_response()),
        None => Err(ApiError::not_found("文件", "blob")),
    }
}

/// `GET /v1/blobs/{sha256}` - streams the original (coordinators; audited).
pub async fn download(State(st): State<AppState>, h: HeaderMap, Path(sha): Path<String>) -> ApiResult<Response> {
    let p = require_session(&st, &h, Role::Coordinator).await?;
    let sha = check_sha(&sha)?;
    let (bytes, media_type) = visible(&st, &sha, p.communities.clone()).await?.ok_or_else(|| ApiError::not_found("文件", "blob"))?;
    let reader = st.storage.open(&sha).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            ApiError::internal(format!("blob {sha} recorded but missing from storage"))
        } else {
            e.into()
        }
    })?;
    let (uid, target) = (p.user_id, sha.clone());
    st.db.call(move |c| accounts::audit(c, Some(uid), "download_blob", &target)).await?;
    let stream = futures_util::stream::unfold(reader, |mut r| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 256 * 1024];
        match r.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(buf)), r))
            }
            Err(e) => Some((Err(e), r)),
        }
    })
    .boxed();
    let ct = media_type.unwrap_or_else(|| "application/octet-stream".into());
    Ok((
        [
            ("content-type", ct),
            ("content-length", bytes.to_string()),
            ("content-disposition", format!("attachment; filename=\"{sha}\"")),
            ("x-content-type-options", "nosniff".to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
