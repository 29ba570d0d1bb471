//! Upload records: creation with quota checks, lookup scoped to the owning
//! device, the one-writer lock, and termination.

use std::sync::Arc;

use axum::http::StatusCode;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::headers::Metadata;
use crate::auth::DevicePrincipal;
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// One upload as stored.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Opaque id (also the staging file name).
    pub id: String,
    /// Owning device.
    pub device_id: String,
    /// Owning device's community.
    pub community_id: i64,
    /// Declared total length.
    pub length: u64,
    /// Bytes committed.
    pub offset: u64,
    /// Declared whole-file SHA-256.
    pub sha256: String,
    /// Declared media type.
    pub media_type: Option<String>,
    /// Upload-Metadata as received.
    pub metadata_raw: String,
    /// open, complete, failed, expired, terminated.
    pub state: String,
    /// Expiry, Unix ms.
    pub expires_at_ms: i64,
}

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
                "upload_locked",
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
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "quota_exceeded", zh, en)
}

/// Longest Retry-After for a device at its open-upload limit: its own uploads
/// finishing frees a slot at any moment, so it should not wait for an expiry.
const OPEN_UPLOADS_RETRY_MAX_SECS: i64 = 60;

fn too_many_open(limit: u64, soonest_expiry_ms: i64, now: i64) -> ApiError {
    let secs = ((soonest_expiry_ms - now) / 1000).clamp(1, OPEN_UPLOADS_RETRY_MAX_SECS);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_open_uploads",
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
    let raw = meta.raw.clone();
    let filename = meta.filename.clone();
    let r = st
        .db
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Open means unfinished and not yet expired: an expired upload frees its slot before the sweeper marks it.
            let (open, staged, soonest_expiry): (i64, i64, Option<i64>) = tx.query_row(
                "SELECT COUNT(*), COALESCE(SUM(length - \"offset\"), 0), MIN(expires_at_ms) FROM uploads
                 WHERE device_id = ?1 AND state = 'open' AND expires_at_ms > ?2",
                params![row.device_id, now],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            if open as u64 >= open_limit {
                return Err(too_many_open(open_limit, soonest_expiry.unwrap_or(now), now));
            }
            if staged as u64 + row.length > staging_limit {
                return Err(too_large("本设备未完成的上传过多", &format!("this device's unfinished uploads would exceed {staging_limit} bytes")));
            }
            let stored: i64 = tx.query_row("SELECT bytes_stored FROM devices WHERE device_id = ?1", [&row.device_id], |r| r.get(0))?;
            if stored as u64 + row.length > quota {
                return Err(too_large("本设备存储配额已满", &format!("this device's storage quota of {quota} bytes would be exceeded")));
            }
            tx.execute(
                "INSERT INTO uploads (id, device_id, community_id, length, sha256, filename, media_type, metadata, created_at_ms, updated_at_ms, expires_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
                params![row.id, row.device_id, row.community_id, row.length as i64, row.sha256, filename, row.media_type, raw, now, row.expires_at_ms],
            )?;
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
    let up = st
        .db
        .call(move |c| {
            Ok(c.query_row(
                "SELECT id, device_id, community_id, length, \"offset\", sha256, media_type, metadata, state, expires_at_ms
                 FROM uploads WHERE id = ?1 AND device_id = ?2 AND state != 'terminated'",
                params![id, device],
                |r| {
                    Ok(Upload {
                        id: r.get(0)?,
                        device_id: r.get(1)?,
                        community_id: r.get(2)?,
                        length: r.get::<_, i64>(3)? as u64,
                        offset: r.get::<_, i64>(4)? as u64,
                        sha256: r.get(5)?,
                        media_type: r.get(6)?,
                        metadata_raw: r.get(7)?,
                        state: r.get(8)?,
                        expires_at_ms: r.get(9)?,
                    })
                },
            )
            .optional()?)
        })
        .await?;
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
            "upload_failed",
            "上传已失败（整个文件的 SHA-256 不符），请重新上传",
            "upload failed (whole-file SHA-256 mismatch); start a new upload",
        )
    } else {
        ApiError::new(StatusCode::GONE, "upload_expired", "上传已过期，请重新上传", "upload expired; start a new upload")
    }
}

/// Marks an upload terminated and removes its staged bytes (stored blobs stay).
pub async fn terminate(st: &AppState, up: &Upload) -> ApiResult<()> {
    let id = up.id.clone();
    st.db
        .call(move |c| Ok(c.execute("UPDATE uploads SET state = 'terminated', updated_at_ms = ?2 WHERE id = ?1", params![id, now_ms()])?))
        .await?;
    st.hashers.lock().unwrap_or_else(|p| p.into_inner()).remove(&up.id);
    match tokio::fs::remove_file(st.storage.staging_path(&up.id)).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}
