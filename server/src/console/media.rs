//! Serving evidence files to the console: thumbnails inline, originals on
//! demand, voice notes and video clips with HTTP Range so the browser's
//! player can seek. Only blobs a device of the user's communities uploaded are served;
//! opening, playing or downloading an original is written to the audit log
//! (once, when its bytes are fetched from the start; never by a preload).

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncReadExt;

use super::errors::{ConsoleError, ConsoleResult};
use super::session::ConsoleUser;
use crate::domain::accounts::audit;
use crate::error::ApiError;
use crate::repo;
use crate::state::AppState;
use crate::web::blobs::{open_failed, sha256_param, stream};
use crate::web::body::query;

/// A byte range to serve, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    /// First byte.
    pub start: u64,
    /// Last byte.
    pub end: u64,
}

/// A `Range` the file cannot satisfy: answered with 416.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsatisfiable;

/// Parses a `Range` header against a file length. `Ok(None)`: serve the
/// whole file (no header, or a multi-range we answer in full, as RFC 9110
/// allows).
pub fn parse_range(h: Option<&str>, len: u64) -> Result<Option<ByteRange>, Unsatisfiable> {
    let Some(h) = h else { return Ok(None) };
    let Some(spec) = h.trim().strip_prefix("bytes=") else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let (a, b) = spec.split_once('-').ok_or(Unsatisfiable)?;
    let (a, b) = (a.trim(), b.trim());
    let num = |s: &str| s.parse::<u64>().map_err(|_| Unsatisfiable);
    let r = match (a.is_empty(), b.is_empty()) {
        (true, true) => return Err(Unsatisfiable),
        (true, false) => {
            let n = num(b)?;
            if n == 0 || len == 0 {
                return Err(Unsatisfiable);
            }
            ByteRange { start: len.saturating_sub(n), end: len - 1 }
        }
        (false, true) => ByteRange { start: num(a)?, end: len.saturating_sub(1) },
        (false, false) => ByteRange { start: num(a)?, end: num(b)?.min(len.saturating_sub(1)) },
    };
    if len == 0 || r.start >= len || r.start > r.end {
        return Err(Unsatisfiable);
    }
    Ok(Some(r))
}

/// Media types a browser may render inline; anything else (AMR recordings among them) downloads.
fn inline_ok(ct: &str) -> bool {
    matches!(ct, "image/jpeg" | "image/png" | "image/webp" | "image/gif" | "image/heic" | "image/heif")
        || siteproof_media::browsers_play(ct)
        || ct.starts_with("video/")
}

/// `GET /console/blobs/{sha256}` (`?download=1` for a file download).
pub async fn blob(
    u: ConsoleUser,
    State(st): State<AppState>,
    Path(sha): Path<String>,
    RawQuery(q): RawQuery,
    method: Method,
    h: HeaderMap,
) -> ConsoleResult<Response> {
    let q = query(q.as_deref(), &["download", "lang"])?;
    let download = q.get("download").is_some_and(|v| v == "1");
    let sha = sha256_param(&sha)?;
    let comms = u.principal.communities.clone();
    let s2 = sha.clone();
    let found = st
        .db
        .call(move |c| {
            let Some(row) = repo::blobs::visible_to(c, &s2, &comms)? else { return Ok(None) };
            // An original is known by the entry that covers it. Being named a thumbnail or preview
            // (which any device can claim) never makes an original unaudited.
            let derivative_only = !repo::entries::covers_media(c, &s2)? && repo::derivatives::is_derivative(c, &s2)?;
            Ok(Some((row, derivative_only)))
        })
        .await?;
    let Some(((bytes, media_type), derivative_only)) = found else {
        return Err(ApiError::not_found("文件", "file").into());
    };
    let len = bytes.max(0) as u64;
    let range = match parse_range(h.get(header::RANGE).and_then(|v| v.to_str().ok()), len) {
        Ok(r) => r,
        Err(Unsatisfiable) => {
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, [(header::CONTENT_RANGE, format!("bytes */{len}"))]).into_response());
        }
    };
    // The audit records what a person did: open or play a recording. The order page's players preload nothing, so
    // a GET from the first byte (a whole file, or the `bytes=0-` a player asks for when play is pressed) is one
    // opening; later ranges are the same player seeking, and a HEAD fetches no bytes at all.
    let fetches_from_start = method != Method::HEAD && range.is_none_or(|r| r.start == 0);
    if !derivative_only && fetches_from_start {
        let action = if download { "download_original" } else { "view_original" };
        let (uid, target) = (u.principal.user_id, format!("blob:{sha}"));
        st.db.call(move |c| Ok(audit(c, Some(uid), action, &target)?)).await?;
    }
    let (start, count) = match range {
        Some(r) => (r.start, r.end - r.start + 1),
        None => (0, len),
    };
    let reader = st.storage.open_at(&sha, start).map_err(|e| ConsoleError(open_failed(&sha, e)))?;
    let ct = media_type.unwrap_or_else(|| "application/octet-stream".into());
    let disposition = if download || !inline_ok(&ct) { "attachment" } else { "inline" };
    let mut resp = Response::new(stream(reader.take(count)));
    *resp.status_mut() = if range.is_some() { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK };
    let hs = resp.headers_mut();
    let mut set = |k: header::HeaderName, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            hs.insert(k, v);
        }
    };
    set(header::CONTENT_LENGTH, count.to_string());
    set(header::ACCEPT_RANGES, "bytes".into());
    // The extension lets the coordinator's computer open a downloaded recording (an AMR file named by its hash alone opens nowhere).
    let file_name = format!("{sha}.{}", siteproof_protocol::packet::layout::extension_for(&ct));
    set(header::CONTENT_TYPE, ct);
    set(header::CONTENT_DISPOSITION, format!("{disposition}; filename=\"{file_name}\""));
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff".into());
    set(header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'".into());
    set(header::CACHE_CONTROL, "private, max-age=3600".into());
    set(header::ETAG, format!("\"{sha}\""));
    if let Some(r) = range {
        set(header::CONTENT_RANGE, format!("bytes {}-{}/{len}", r.start, r.end));
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 100), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-"), 100), Ok(Some(ByteRange { start: 0, end: 99 })));
        assert_eq!(parse_range(Some("bytes=10-19"), 100), Ok(Some(ByteRange { start: 10, end: 19 })));
        assert_eq!(parse_range(Some("bytes=90-200"), 100), Ok(Some(ByteRange { start: 90, end: 99 })));
        assert_eq!(parse_range(Some("bytes=-10"), 100), Ok(Some(ByteRange { start: 90, end: 99 })));
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), Ok(None));
        assert_eq!(parse_range(Some("bytes=100-"), 100), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=5-2"), 100), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=x-"), 100), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=-0"), 100), Err(Unsatisfiable));
    }
}
