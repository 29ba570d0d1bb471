//! The tus request headers as the server's handlers need them: the rules
//! live in `siteproof_protocol::wire::tus`; this file reads the values out of
//! an axum `HeaderMap` and turns a refusal into the API's error answer.

use axum::http::{HeaderMap, StatusCode};

pub use siteproof_protocol::wire::tus::{derivative_of, Checksum, Metadata, TUS_CHECKSUMS, TUS_EXTENSIONS, TUS_VERSION};
use siteproof_protocol::wire::tus::{self as wire, TusHeaderError};

use crate::error::{ApiError, ApiResult};

fn refused(e: TusHeaderError, header: &str) -> ApiError {
    let (zh, en) = e.text(header);
    ApiError::bad_request(e.code(), &zh, &en)
}

/// Requires `Tus-Resumable: 1.0.0` (412 otherwise).
pub fn check_version(h: &HeaderMap) -> ApiResult<()> {
    if wire::version_supported(h.get("tus-resumable").map(|v| v.as_bytes())) {
        return Ok(());
    }
    Err(ApiError::new(StatusCode::PRECONDITION_FAILED, "tus_version", "需要 Tus-Resumable: 1.0.0", "Tus-Resumable: 1.0.0 is required")
        .with_header("tus-version", TUS_VERSION))
}

/// Parses a non-negative decimal header with no sign or spaces.
pub fn u64_header(h: &HeaderMap, name: &'static str) -> ApiResult<Option<u64>> {
    h.get(name).map(|v| wire::parse_u64(v.as_bytes()).map_err(|e| refused(e, name))).transpose()
}

/// Parses `Upload-Metadata` (comma-separated `key base64value` pairs).
pub fn metadata(h: &HeaderMap) -> ApiResult<Metadata> {
    wire::parse_metadata(h.get("upload-metadata").map(|v| v.as_bytes())).map_err(|e| refused(e, "upload-metadata"))
}

/// Parses `Upload-Checksum: <algo> <base64>`.
pub fn checksum(h: &HeaderMap) -> ApiResult<Option<Checksum>> {
    h.get("upload-checksum").map(|v| wire::parse_checksum(v.as_bytes()).map_err(|e| refused(e, "upload-checksum"))).transpose()
}

/// RFC 7231 date for Upload-Expires.
pub fn http_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}
