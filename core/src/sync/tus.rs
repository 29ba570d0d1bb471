//! A tus 1.0 client for one blob: create, then PATCH chunks from wherever
//! the server says it has got to. Every chunk carries a SHA-256 checksum so a
//! damaged chunk is refused, not stored. Chunk size adapts to the link: it
//! doubles while chunks go fast and halves when they crawl, so a stairwell
//! with one bar re-sends little after a cut, and a good link is not held back
//! by per-request overhead.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use siteproof_protocol::wire::tus::{encode_metadata, header, meta_key, Checksum, OFFSET_STREAM, TUS_VERSION};

use super::api::{header_u64, refused, Api, CallResult, Refusal};
use crate::error::{Error, Failure, Result};

/// Smallest chunk: still useful on a 20 kbit/s link.
pub const MIN_CHUNK: u64 = 64 * 1024;
/// Largest chunk: bounds memory and what a cut can cost.
pub const MAX_CHUNK: u64 = 8 * 1024 * 1024;

/// Failures in a row without progress (no answer, or a chunk the server could not place)
/// before the job goes to backoff.
const QUICK_RETRIES: u32 = 6;

/// One blob to upload.
pub(crate) struct BlobUpload<'a> {
    pub path: &'a Path,
    pub sha256: &'a str,
    pub size: u64,
    pub media_type: &'a str,
    pub item_id: &'a str,
    pub role: &'a str,
}

/// Callbacks the uploader needs from the queue.
pub(crate) trait UploadHooks {
    /// Remember (or forget) the upload URL so a later run resumes.
    fn save_url(&mut self, url: Option<&str>) -> Result<()>;
    /// Bytes newly acknowledged by the server; `sent` is what went over the wire.
    fn progress(&mut self, acknowledged: u64, sent: u64);
    /// Stop between chunks.
    fn cancelled(&self) -> bool;
}

/// Uploads the blob, resuming at `url` if given. Returns when the server holds every byte.
pub(crate) fn upload(
    api: &Api,
    blob: &BlobUpload<'_>,
    url: Option<String>,
    chunk: &mut u64,
    hooks: &mut dyn UploadHooks,
) -> CallResult<()> {
    let mut file = File::open(blob.path).map_err(|e| Error::from_io("open blob for upload", e))?;
    let mut url = url;
    let mut failures = 0;
    let mut offset = None;
    loop {
        if hooks.cancelled() {
            return Err(Error::Cancelled.into());
        }
        let step = (|| -> CallResult<bool> {
            let u = match &url {
                Some(u) => u.clone(),
                None if blob.size <= *chunk => {
                    // Fits one chunk: create and send in one request (creation-with-upload).
                    // No URL is saved first: a cut costs at most this one chunk either way.
                    let body = read_chunk(&mut file, 0, blob.size)?;
                    let started = Instant::now();
                    let (u, acked) = create(api, blob, Some(body))?;
                    hooks.progress(0, blob.size);
                    if acked >= blob.size {
                        hooks.progress(blob.size, 0);
                        adapt(chunk, started.elapsed());
                        return Ok(true);
                    }
                    hooks.save_url(Some(&u))?;
                    hooks.progress(acked, 0);
                    url = Some(u.clone());
                    offset = Some(acked);
                    u
                }
                None => {
                    let (u, _) = create(api, blob, None)?;
                    hooks.save_url(Some(&u))?;
                    url = Some(u.clone());
                    offset = Some(0);
                    u
                }
            };
            let off = match offset {
                Some(o) => o,
                None => match head(api, &u)? {
                    Some(o) => o,
                    None => {
                        // Expired or removed on the server: start over.
                        hooks.save_url(None)?;
                        url = None;
                        return Ok(false);
                    }
                },
            };
            offset = Some(off);
            if off >= blob.size {
                return Ok(true);
            }
            let len = (*chunk).min(blob.size - off);
            let buf = read_chunk(&mut file, off, len)?;
            let started = Instant::now();
            let resp = api.answer(
                api.patch(&u)
                    .header(header::TUS_RESUMABLE, TUS_VERSION)
                    .header("content-type", OFFSET_STREAM)
                    .header(header::UPLOAD_OFFSET, off.to_string())
                    .header(header::UPLOAD_CHECKSUM, sha256_checksum(&buf))
                    .send(&buf[..]),
            );
            hooks.progress(0, len);
            let resp = resp?;
            match resp.status().as_u16() {
                200 | 204 => {
                    let new = header_u64(&resp, header::UPLOAD_OFFSET).unwrap_or(off + len);
                    hooks.progress(new.saturating_sub(off), 0);
                    offset = Some(new);
                    adapt(chunk, started.elapsed());
                    Ok(new >= blob.size)
                }
                404 | 410 => {
                    hooks.save_url(None)?;
                    url = None;
                    offset = None;
                    Ok(false)
                }
                409 | 460 => {
                    // Offset disagreement or damaged chunk: ask where the server is and go on.
                    offset = None;
                    Err(refused(resp, "上传分块 / upload chunk").into())
                }
                _ => Err(refused(resp, "上传 / upload").into()),
            }
        })();
        match step {
            Ok(true) => return Ok(()),
            Ok(false) => failures = 0,
            Err(Failure::Refused(r)) if worth_a_quick_retry(r.status) => {
                failures += 1;
                offset = None;
                if failures > QUICK_RETRIES {
                    return Err(Failure::Refused(r));
                }
                *chunk = (*chunk / 2).max(MIN_CHUNK);
                std::thread::sleep(Duration::from_millis(100 * u64::from(failures)));
            }
            Err(e) => return Err(e),
        }
    }
}

/// A cut link (no answer) or the tus answers that mean "ask me where I am"
/// (409 offset mismatch, 460 damaged chunk) are retried at once a few times;
/// any other refusal goes to the queue, whose backoff spares an overloaded server.
fn worth_a_quick_retry(status: Option<u16>) -> bool {
    status.is_none_or(|s| matches!(s, 409 | 460))
}

fn adapt(chunk: &mut u64, took: Duration) {
    if took < Duration::from_millis(750) {
        *chunk = (*chunk * 2).min(MAX_CHUNK);
    } else if took > Duration::from_secs(5) {
        *chunk = (*chunk / 2).max(MIN_CHUNK);
    }
}

/// The `Upload-Checksum` of one request's bytes.
fn sha256_checksum(bytes: &[u8]) -> String {
    Checksum::Sha256(Sha256::digest(bytes).to_vec()).header_value()
}

fn read_chunk(file: &mut File, off: u64, len: u64) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; len as usize];
    file.seek(SeekFrom::Start(off)).map_err(|e| Error::from_io("seek blob", e))?;
    file.read_exact(&mut buf).map_err(|e| Error::from_io("read blob", e))?;
    Ok(buf)
}

/// Creates the upload, with the first bytes in the same request when `body` is given.
/// Returns its URL and the offset the server holds.
fn create(api: &Api, blob: &BlobUpload<'_>, body: Option<Vec<u8>>) -> CallResult<(String, u64)> {
    let meta = encode_metadata([
        (meta_key::SHA256, blob.sha256),
        (meta_key::FILENAME, blob.sha256),
        (meta_key::MEDIA_TYPE, blob.media_type),
        (meta_key::ITEM_ID, blob.item_id),
        (meta_key::ROLE, blob.role),
    ]);
    let rb = api
        .post("/v1/uploads/")
        .header(header::TUS_RESUMABLE, TUS_VERSION)
        .header(header::UPLOAD_LENGTH, blob.size.to_string())
        .header(header::UPLOAD_METADATA, meta);
    let sent = match body {
        Some(body) => rb.header("content-type", OFFSET_STREAM).header(header::UPLOAD_CHECKSUM, sha256_checksum(&body)).send(&body[..]),
        None => rb.send_empty(),
    };
    let resp = api.answer(sent)?;
    let location = resp.headers().get("Location").and_then(|v| v.to_str().ok()).map(|l| api.url(l));
    match (resp.status().as_u16(), location) {
        (201, Some(loc)) => Ok((loc, header_u64(&resp, header::UPLOAD_OFFSET).unwrap_or(0))),
        (201, None) => Err(Refusal::unusable_answer("创建上传 / create upload", "no Location header")),
        // Created, but the bytes in the request were refused (damaged): resume by HEAD/PATCH.
        (460, Some(loc)) => Ok((loc, 0)),
        _ => Err(refused(resp, "创建上传 / create upload").into()),
    }
}

/// The server's offset for an upload, or None if it no longer exists.
fn head(api: &Api, url: &str) -> CallResult<Option<u64>> {
    let resp = api.answer(api.head(url).header(header::TUS_RESUMABLE, TUS_VERSION).call())?;
    match resp.status().as_u16() {
        200 | 204 => header_u64(&resp, header::UPLOAD_OFFSET)
            .map(Some)
            .ok_or_else(|| Refusal::unusable_answer("查询上传 / upload status", "no Upload-Offset header")),
        404 | 410 => Ok(None),
        _ => Err(refused(resp, "查询上传 / upload status").into()),
    }
}
