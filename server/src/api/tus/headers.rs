//! Parsing and checking tus request headers: version, lengths, offsets,
//! metadata and per-request checksums. Metadata values may become file names
//! and console text, so control characters and path separators are refused.

use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use std::collections::BTreeMap;

use crate::error::{ApiError, ApiResult};

/// The protocol version served.
pub const TUS_VERSION: &str = "1.0.0";
/// Extensions served.
pub const TUS_EXTENSIONS: &str = "creation,creation-with-upload,expiration,termination,checksum";
/// Checksum algorithms accepted in Upload-Checksum.
pub const TUS_CHECKSUMS: &str = "sha1,sha256";

/// Requires `Tus-Resumable: 1.0.0` (412 otherwise).
pub fn check_version(h: &HeaderMap) -> ApiResult<()> {
    match h.get("tus-resumable").and_then(|v| v.to_str().ok()) {
        Some(TUS_VERSION) => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "tus_version",
            "需要 Tus-Resumable: 1.0.0",
            "Tus-Resumable: 1.0.0 is required",
        )
        .with_header("tus-version", TUS_VERSION)),
    }
}

/// Parses a non-negative decimal header with no sign or spaces.
pub fn u64_header(h: &HeaderMap, name: &'static str) -> ApiResult<Option<u64>> {
    let Some(v) = h.get(name) else { return Ok(None) };
    let bad = || ApiError::bad_request("bad_header", &format!("{name} 须为非负整数"), &format!("{name} must be a non-negative integer"));
    let s = v.to_str().map_err(|_| bad())?;
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    s.parse().map(Some).map_err(|_| bad())
}

/// The checked metadata of a new upload.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// Declared SHA-256 of the whole file, lowercase hex.
    pub sha256: String,
    /// Client's file name, if given (plain name, no separators).
    pub filename: Option<String>,
    /// Declared media type, if given.
    pub media_type: Option<String>,
    /// The header as received, echoed on HEAD.
    pub raw: String,
    /// All decoded pairs.
    pub pairs: BTreeMap<String, String>,
}

fn meta_err(en: &str) -> ApiError {
    ApiError::bad_request("bad_metadata", "Upload-Metadata 格式错误", en)
}

/// Parses `Upload-Metadata` (comma-separated `key base64value` pairs).
pub fn metadata(h: &HeaderMap) -> ApiResult<Metadata> {
    let raw = match h.get("upload-metadata") {
        Some(v) => v.to_str().map_err(|_| meta_err("Upload-Metadata is not ASCII"))?.to_string(),
        None => String::new(),
    };
    if raw.len() > 8 * 1024 {
        return Err(meta_err("Upload-Metadata is longer than 8 KiB"));
    }
    let mut pairs = BTreeMap::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut it = part.split(' ');
        let key = it.next().unwrap_or("");
        let val = it.next();
        if it.next().is_some() {
            return Err(meta_err("a metadata pair has more than one space"));
        }
        if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.') {
            return Err(meta_err(&format!("bad metadata key {key:?}")));
        }
        let decoded = match val {
            None => String::new(),
            Some(v) => {
                let bytes = B64.decode(v).map_err(|_| meta_err(&format!("metadata value of {key:?} is not base64")))?;
                String::from_utf8(bytes).map_err(|_| meta_err(&format!("metadata value of {key:?} is not UTF-8")))?
            }
        };
        if decoded.chars().any(char::is_control) {
            return Err(meta_err(&format!("metadata value of {key:?} contains control characters")));
        }
        if pairs.insert(key.to_string(), decoded).is_some() {
            return Err(meta_err(&format!("metadata key {key:?} repeated")));
        }
    }
    let sha256 = pairs
        .get("sha256")
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| ApiError::bad_request("sha256_required", "元数据须含 sha256（整个文件的十六进制 SHA-256）", "metadata must carry sha256: hex SHA-256 of the whole file"))?;
    let filename = match pairs.get("filename") {
        None => None,
        Some(f) => {
            let f = f.trim();
            if f.is_empty() || f.len() > 255 || f == "." || f == ".." || f.contains('/') || f.contains('\\') || f.starts_with('.') {
                return Err(ApiError::bad_request("bad_filename", "文件名不能含路径分隔符或以 . 开头", "filename may not contain path separators or start with a dot"));
            }
            Some(f.to_string())
        }
    };
    let media_type = match pairs.get("media_type").or_else(|| pairs.get("filetype")) {
        None => None,
        Some(m) if m.is_empty() => None,
        Some(m) => {
            let ok = m.len() <= 100
                && m.split_once('/').is_some_and(|(a, b)| {
                    let tok = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&c));
                    tok(a) && tok(b)
                });
            if !ok {
                return Err(ApiError::bad_request("bad_media_type", "media_type 须形如 image/jpeg", "media_type must look like image/jpeg"));
            }
            Some(m.to_ascii_lowercase())
        }
    };
    Ok(Metadata { sha256, filename, media_type, raw, pairs })
}

impl Metadata {
    /// The (item id, role) this upload is a thumbnail or preview of, as devices
    /// name it; other roles (an original) are not derivatives. A derivative
    /// naming an item id the device could not have made is refused.
    pub fn derivative(&self) -> ApiResult<Option<(String, String)>> {
        let Some(role) = self.pairs.get("role").filter(|r| *r == "thumbnail" || *r == "preview") else { return Ok(None) };
        let item = self.pairs.get("item_id").map(String::as_str).unwrap_or("");
        siteproof_core::evidence::ids::check_id("条目编号", "item id", item)
            .map_err(|e| ApiError::bad_request("bad_item_id", "缩略图或预览图须指明所属条目的编号（UUID）", &e.to_string()))?;
        Ok(Some((item.to_string(), role.clone())))
    }
}

/// The (item id, role) a finished upload is a derivative of, from its stored metadata.
pub fn derivative_of(raw: &str) -> Option<(String, String)> {
    let mut h = HeaderMap::new();
    h.insert("upload-metadata", raw.parse().ok()?);
    metadata(&h).ok()?.derivative().ok()?
}

/// A per-request checksum from `Upload-Checksum`.
#[derive(Debug, Clone)]
pub enum Checksum {
    /// SHA-1 digest bytes.
    Sha1(Vec<u8>),
    /// SHA-256 digest bytes.
    Sha256(Vec<u8>),
}

/// Parses `Upload-Checksum: <algo> <base64>`.
pub fn checksum(h: &HeaderMap) -> ApiResult<Option<Checksum>> {
    let Some(v) = h.get("upload-checksum") else { return Ok(None) };
    let bad = |en: &str| ApiError::bad_request("bad_checksum_header", "Upload-Checksum 格式错误", en);
    let s = v.to_str().map_err(|_| bad("Upload-Checksum is not ASCII"))?;
    let (algo, b64) = s.trim().split_once(' ').ok_or_else(|| bad("expected '<algorithm> <base64>'"))?;
    let digest = B64.decode(b64.trim()).map_err(|_| bad("checksum is not base64"))?;
    match algo {
        "sha1" if digest.len() == 20 => Ok(Some(Checksum::Sha1(digest))),
        "sha256" if digest.len() == 32 => Ok(Some(Checksum::Sha256(digest))),
        "sha1" | "sha256" => Err(bad("checksum has the wrong length for its algorithm")),
        _ => Err(bad("unsupported checksum algorithm; use sha1 or sha256")),
    }
}

/// RFC 7231 date for Upload-Expires.
pub fn http_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}
