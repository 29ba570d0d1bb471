//! Upload records: creation with quota checks, lookup scoped to the owning
//! device, the one-writer lock, and termination.

use std::sync::Arc;

use axum::http::StatusCode;
use rusqlite::TransactionBehavior;

use super::headers::Metadata;
use crate::auth::DevicePrincipal;
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::repo;
use crate::state::AppState;
use siteproof_protocol::wire::error_code::ErrorCode;

pub use crate::repo::uploads::Upload;

/// Holds the one-writer lock of an upload until dropped.
pub struct UploadLock {
    locks: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    id: String,
}

impl UploadLock {
    /// Takes the lock or answers 423.
    pub fn take(st: &AppState, id: &str) -> ApiResult<UploadLock> {
        let mut set = st.upload_locks.lock().unwrap_or_else(|p| p.into_inner());
        if !set.insert(id.to_string()) {
            return Err(ApiError::new(
                StatusCode::LOCKED,
                ErrorCode::UploadLocked,
                "该上传正在被另一个请求写入，请稍后重试",
                "another request is writing this upload; retry shortly",
            ));
        }
        Ok(UploadLock { locks: st.upload_locks.clone(), id: id.to_string() })
    }
}

impl Drop for UploadLock {
    fn drop(&mut self) {
        self.locks.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.id);
    }
}

fn too_large(zh: &str, en: &str) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::QuotaExceeded, zh, en)
}

/// Longest Retry-After for a device at its open-upload limit: its own uploads
/// finishing frees a slot at any moment, so it should not wait for an expiry.
const OPEN_UPLOADS_RETRY_MAX_SECS: i64 = 60;

fn too_many_open(limit: u64, soonest_expiry_ms: i64, now: i64) -> ApiError {
    let secs = ((soonest_expiry_ms - now) / 1000).clamp(1, OPEN_UPLOADS_RETRY_MAX_SECS);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooManyOpenUploads,
        &format!("本设备已有 {limit} 个未完成的上传，请先完成或取消其中一个，稍后再试"),
        &format!("this device already has {limit} unfinished uploads, the most allowed; finish or terminate one, or try again later"),
    )
    .with_header("retry-after", &secs.to_string())
}

/// Creates the upload row and its empty staging file, after the per-device limits.
pub async fn create(st: &AppState, dev: &DevicePrincipal, length: u64, meta: &Metadata) -> ApiResult<Upload> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let path = st.storage.staging_path(&id);
    tokio::fs::File::create(&path).await?;
    let now = now_ms();
    let up = Upload {
        id: id.clone(),
        device_id: dev.device_id.clone(),
        community_id: dev.community_id,
        length,
        offset: 0,
        sha256: meta.sha256.clone(),
        media_type: meta.media_type.clone(),
        metadata_raw: meta.raw.clone(),
        state: "open".into(),
        expires_at_ms: now + st.config.upload_expiry_ms,
    };
    let (staging_limit, quota, open_limit) = (st.config.device_staging_bytes, st.config.device_quota_bytes, st.config.device_open_uploads);
    let row = up.clone();
    let filename = meta.filename.clone();
    let r = st
        .db
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Open means unfinished and not yet expired: an expired upload frees its slot before the sweeper marks it.
            let (open, staged, soonest_expiry) = repo::uploads::open_of_device(&tx, &row.device_id, now)?;
            if open as u64 >= open_limit {
                return Err(too_many_open(open_limit, soonest_expiry.unwrap_or(now), now));
            }
            if staged as u64 + row.length > staging_limit {
                return Err(too_large(
                    "本设备未完成的上传过多",
                    &format!("this device's unfinished uploads would exceed {staging_limit} bytes"),
                ));
            }
            let stored = repo::uploads::bytes_stored(&tx, &row.device_id)?;
            if stored as u64 + row.length > quota {
                return Err(too_large("本设备存储配额已满", &format!("this device's storage quota of {quota} bytes would be exceeded")));
            }
            repo::uploads::insert(&tx, &row, filename.as_deref(), now)?;
            tx.commit()?;
            Ok(())
        })
        .await;
    if let Err(e) = r {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(e);
    }
    Ok(up)
}

/// The upload if it belongs to this device and was not terminated (404 otherwise).
pub async fn load(st: &AppState, dev: &DevicePrincipal, id: &str) -> ApiResult<Upload> {
    let (id, device) = (id.to_string(), dev.device_id.clone());
    let up = st.db.call(move |c| Ok(repo::uploads::of_device(c, &id, &device)?)).await?;
    up.ok_or_else(|| ApiError::not_found("上传", "upload"))
}

/// Like [`load`], and 410 for uploads that expired or failed.
pub async fn load_live(st: &AppState, dev: &DevicePrincipal, id: &str) -> ApiResult<Upload> {
    let up = load(st, dev, id).await?;
    if up.state == "open" && up.expires_at_ms <= now_ms() {
        super::sweep::expire(st, &up.id).await?;
        return Err(gone("expired"));
    }
    match up.state.as_str() {
        "failed" => Err(gone("failed")),
        "expired" => Err(gone("expired")),
        _ => Ok(up),
    }
}

fn gone(why: &str) -> ApiError {
    if why == "failed" {
        ApiError::new(
            StatusCode::GONE,
            ErrorCode::UploadFailed,
            "上传已失败（整个文件的 SHA-256 不符），请重新上传",
            "upload failed (whole-file SHA-256 mismatch); start a new upload",
        )
    } else {
        ApiError::new(StatusCode::GONE, ErrorCode::UploadExpired, "上传已过期，请重新上传", "upload expired; start a new upload")
    }
}

/// Marks an upload terminated and removes its staged bytes (stored blobs stay).
pub async fn terminate(st: &AppState, up: &Upload) -> ApiResult<()> {
    let id = up.id.clone();
    st.db.call(move |c| Ok(repo::uploads::terminate(c, &id, now_ms())?)).await?;
    st.hashers.lock().unwrap_or_else(|p| p.into_inner()).remove(&up.id);
    match tokio::fs::remove_file(st.storage.staging_path(&up.id)).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}
