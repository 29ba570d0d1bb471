//! The tus request headers as the server's handlers need them: the rules
//! live in `siteproof_protocol::wire::tus`; this file reads the values out of
//! an axum `HeaderMap` and turns a refusal into the API's error answer.

use axum::http::{HeaderMap, StatusCode};

use siteproof_protocol::vocab::DerivativeRole;
use siteproof_protocol::wire::tus::{self as wire, header, meta_key, TusHeaderError};
pub use siteproof_protocol::wire::tus::{Checksum, Metadata, TUS_CHECKSUMS, TUS_EXTENSIONS, TUS_VERSION};

use crate::error::{ApiError, ApiResult};
use siteproof_protocol::wire::error_code::ErrorCode;

fn refused(e: TusHeaderError, header: &str) -> ApiError {
    let (zh, en) = e.text(header);
    ApiError::bad_request(e.code(), &zh, &en)
}

/// Requires `Tus-Resumable: 1.0.0` (412 otherwise).
pub fn check_version(h: &HeaderMap) -> ApiResult<()> {
    if wire::version_supported(h.get(header::TUS_RESUMABLE).map(|v| v.as_bytes())) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        ErrorCode::TusVersion,
        "需要 Tus-Resumable: 1.0.0",
        "Tus-Resumable: 1.0.0 is required",
    )
    .with_header(header::TUS_VERSION, TUS_VERSION))
}

/// Parses a non-negative decimal header with no sign or spaces.
pub fn u64_header(h: &HeaderMap, name: &'static str) -> ApiResult<Option<u64>> {
    h.get(name).map(|v| wire::parse_u64(v.as_bytes()).map_err(|e| refused(e, name))).transpose()
}

/// Parses `Upload-Metadata` (comma-separated `key base64value` pairs).
pub fn metadata(h: &HeaderMap) -> ApiResult<Metadata> {
    wire::parse_metadata(h.get(header::UPLOAD_METADATA).map(|v| v.as_bytes())).map_err(|e| refused(e, header::UPLOAD_METADATA))
}

/// The (item id, role) an upload is a thumbnail or preview of, as devices
/// name it; other roles (an original) are not derivatives. A derivative
/// naming an item id the device could not have made is refused, by the
/// core's one rule for identifiers.
pub fn derivative(meta: &Metadata) -> ApiResult<Option<(String, DerivativeRole)>> {
    let Some(role) = meta.pairs.get(meta_key::ROLE).and_then(|r| DerivativeRole::parse(r).ok()) else { return Ok(None) };
    let item = meta.pairs.get(meta_key::ITEM_ID).map(String::as_str).unwrap_or("");
    siteproof_protocol::evidence::ids::check_id("条目编号", "item id", item)
        .map_err(|e| ApiError::bad_request(ErrorCode::BadItemId, "缩略图或预览图须指明所属条目的编号（UUID）", &e.to_string()))?;
    Ok(Some((item.to_string(), role)))
}

/// The (item id, role) a finished upload is a derivative of, from its stored metadata.
pub fn derivative_of(raw: &str) -> Option<(String, DerivativeRole)> {
    let meta = wire::parse_metadata(Some(raw.as_bytes())).ok()?;
    derivative(&meta).ok()?
}

/// Parses `Upload-Checksum: <algo> <base64>`.
pub fn checksum(h: &HeaderMap) -> ApiResult<Option<Checksum>> {
    h.get(header::UPLOAD_CHECKSUM).map(|v| wire::parse_checksum(v.as_bytes()).map_err(|e| refused(e, header::UPLOAD_CHECKSUM))).transpose()
}

/// RFC 7231 date for Upload-Expires.
pub fn http_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}
