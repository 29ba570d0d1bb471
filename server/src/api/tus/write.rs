//! Streaming a PATCH body into the staging file. The body is never held in
//! memory; the whole-file SHA-256 runs alongside the writes, so finishing a
//! large upload needs no second read. The committed offset only moves after
//! the bytes are on disk (fsync) and, with a checksum, after it matched.
//! The work runs in its own task: a dropped connection cannot cancel it
//! halfway, and what arrived before the cut is kept and reported by HEAD.

use std::io::{Read, SeekFrom};

use axum::body::Body;
use axum::http::StatusCode;
use http_body_util::BodyExt;

use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use super::headers::Checksum;
use super::upload::{Upload, UploadLock};
use crate::db::now_ms;
use crate::domain::derivatives::{self, Claim};
use crate::error::{ApiError, ApiResult};
use crate::repo;
use crate::state::AppState;
use crate::storage::PutOutcome;
use siteproof_protocol::wire::error_code::ErrorCode;

const WRITE_BUFFER: usize = 512 * 1024;

/// 413 for bytes beyond the declared length.
pub fn exceeds(length: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::ExceedsUploadLength,
        &format!("数据超出声明的长度 {length} 字节"),
        &format!("body goes beyond the declared Upload-Length of {length} bytes"),
    )
}

fn checksum_mismatch() -> ApiError {
    ApiError::new(
        StatusCode::from_u16(460).expect("valid status"),
        ErrorCode::ChecksumMismatch,
        "本次请求的校验和不符，数据未保存",
        "Upload-Checksum does not match the request body; nothing was stored",
    )
}

fn cut_short() -> ApiError {
    ApiError::bad_request(
        ErrorCode::BodyIncomplete,
        "请求体不完整，已保存收到的部分",
        "request body was cut short; what arrived is kept (see HEAD)",
    )
}

enum Check {
    Sha1(Sha1, Vec<u8>),
    Sha256(Sha256, Vec<u8>),
}

impl Check {
    fn update(&mut self, d: &[u8]) {
        match self {
            Check::Sha1(h, _) => h.update(d),
            Check::Sha256(h, _) => h.update(d),
        }
    }
    fn matches(self) -> bool {
        match self {
            Check::Sha1(h, want) => h.finalize().as_slice() == want.as_slice(),
            Check::Sha256(h, want) => h.finalize().as_slice() == want.as_slice(),
        }
    }
}

/// Receives a body at `up.offset`; returns the new committed offset.
pub async fn receive(st: AppState, up: Upload, ck: Option<Checksum>, body: Body, lock: UploadLock) -> ApiResult<u64> {
    let task = tokio::spawn(async move {
        let r = receive_inner(&st, &up, ck, body).await;
        drop(lock);
        r
    });
    task.await.map_err(ApiError::internal)?
}

async fn hasher_at(st: &AppState, up: &Upload) -> ApiResult<Sha256> {
    if let Some((off, h)) = st.hashers.lock().unwrap_or_else(|p| p.into_inner()).remove(&up.id) {
        if off == up.offset {
            return Ok(h);
        }
    }
    // After a restart or a failed request the running hash is gone: rebuild it from the committed bytes.
    let path = st.storage.staging_path(&up.id);
    let upto = up.offset;
    tokio::task::spawn_blocking(move || -> std::io::Result<Sha256> {
        let mut f = std::fs::File::open(&path)?.take(upto);
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut n_total = 0u64;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            n_total += n as u64;
            h.update(&buf[..n]);
        }
        if n_total != upto {
            return Err(std::io::Error::other("staging file is shorter than the committed offset"));
        }
        Ok(h)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::from)
}

async fn receive_inner(st: &AppState, up: &Upload, ck: Option<Checksum>, mut body: Body) -> ApiResult<u64> {
    let start = up.offset;
    let remaining = up.length - start;
    let mut hasher = hasher_at(st, up).await?;
    let path = st.storage.staging_path(&up.id);
    let mut file = tokio::fs::OpenOptions::new().write(true).open(&path).await?;
    // Bytes past the committed offset were never acknowledged; drop them.
    file.set_len(start).await?;
    file.seek(SeekFrom::Start(start)).await?;
    let mut w = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut check = ck.map(|c| match c {
        Checksum::Sha1(want) => Check::Sha1(Sha1::new(), want),
        Checksum::Sha256(want) => Check::Sha256(Sha256::new(), want),
    });
    let mut written = 0u64;
    let mut cut = false;
    let mut failure: Option<ApiError> = None;
    while let Some(frame) = body.frame().await {
        let data = match frame {
            Ok(f) => match f.into_data() {
                Ok(d) => d,
                Err(_) => continue,
            },
            Err(_) => {
                cut = true;
                break;
            }
        };
        if written + data.len() as u64 > remaining {
            failure = Some(exceeds(up.length));
            break;
        }
        if let Err(e) = w.write_all(&data).await {
            failure = Some(e.into());
            break;
        }
        hasher.update(&data);
        if let Some(c) = check.as_mut() {
            c.update(&data);
        }
        written += data.len() as u64;
    }
    let flushed = w.flush().await;
    let file = w.into_inner();
    let keep = failure.is_none() && flushed.is_ok() && !(cut && check.is_some());
    // A cut body without a checksum is kept; with one it was already refused above.
    let verified = keep && (cut || check.map(Check::matches).unwrap_or(true));
    if !keep || !verified {
        file.set_len(start).await?;
        return Err(match (failure, flushed) {
            (Some(e), _) => e,
            (None, Err(e)) => e.into(),
            _ if cut => cut_short(),
            _ => checksum_mismatch(),
        });
    }
    file.sync_data().await?;
    drop(file);
    let new_offset = start + written;
    if written > 0 {
        let (id, expiry) = (up.id.clone(), now_ms() + st.config.upload_expiry_ms);
        st.db.call(move |c| Ok(repo::uploads::set_offset(c, &id, new_offset, expiry, now_ms())?)).await?;
    }
    if new_offset == up.length {
        finish(st, up, hasher).await?;
    } else {
        st.hashers.lock().unwrap_or_else(|p| p.into_inner()).insert(up.id.clone(), (new_offset, hasher));
    }
    if cut {
        return Err(cut_short());
    }
    Ok(new_offset)
}

/// Checks the whole file's SHA-256 and moves it into content-addressed storage.
async fn finish(st: &AppState, up: &Upload, hasher: Sha256) -> ApiResult<()> {
    let digest = hex::encode(hasher.finalize());
    let path = st.storage.staging_path(&up.id);
    let id = up.id.clone();
    if digest != up.sha256 {
        let msg = format!("declared sha256 {} but the received file hashes to {digest}", up.sha256);
        st.db.call(move |c| Ok(repo::uploads::fail(c, &id, &msg, now_ms())?)).await?;
        let _ = tokio::fs::remove_file(&path).await;
        return Err(ApiError::new(
            StatusCode::from_u16(460).expect("valid status"),
            ErrorCode::Sha256Mismatch,
            "整个文件的 SHA-256 与声明不符，上传已作废",
            &format!("the whole file's SHA-256 is {digest}, not the declared {}; the upload is failed and its bytes deleted", up.sha256),
        ));
    }
    let storage = st.storage.clone();
    let sha = digest.clone();
    let outcome = tokio::task::spawn_blocking(move || storage.put_staged(&path, &sha)).await.map_err(ApiError::internal)??;
    let up2 = up.clone();
    st.db
        .call(move |c| {
            let tx = c.transaction()?;
            let now = now_ms();
            repo::uploads::complete(&tx, &up2, now)?;
            if let Some((item_id, role)) = super::headers::derivative_of(&up2.metadata_raw) {
                // Thumbnails are not evidence; the link only lets the console show them beside their item.
                // Checked at creation too; a claim lost since then keeps the bytes but links nothing.
                let claim = Claim { item_id, role, device_id: up2.device_id.clone(), community_id: up2.community_id };
                if !derivatives::link(&tx, &claim, &up2.sha256, now)? {
                    tracing::warn!(upload = %up2.id, item = %claim.item_id, "derivative not linked: the item is another device's");
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await?;
    tracing::info!(upload = %up.id, sha256 = %digest, bytes = up.length, deduplicated = outcome == PutOutcome::AlreadyPresent, "upload stored");
    Ok(())
}
