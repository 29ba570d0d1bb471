//! Parsing and checking tus request headers: version, lengths, offsets,
//! metadata and per-request checksums, from raw header values. Metadata
//! values may become file names and console text, so control characters and
//! path separators are refused.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use std::collections::BTreeMap;

use crate::wire::error_code::ErrorCode;

/// The protocol version served.
pub const TUS_VERSION: &str = "1.0.0";
/// Extensions served.
pub const TUS_EXTENSIONS: &str = "creation,creation-with-upload,expiration,termination,checksum";
/// Checksum algorithms accepted in Upload-Checksum.
pub const TUS_CHECKSUMS: &str = "sha1,sha256";
/// Longest Upload-Metadata accepted.
pub const MAX_METADATA_BYTES: usize = 8 * 1024;
/// The content type of a PATCH body (and of a creation request that carries bytes).
pub const OFFSET_STREAM: &str = "application/offset+octet-stream";

/// The header names of the tus exchange, written once for the device that
/// sends them and the server that reads them. Lowercase, as HTTP/2 writes
/// them and as `http::HeaderName::from_static` requires (names are
/// case-insensitive on the wire).
pub mod header {
    /// The protocol version of a request or answer.
    pub const TUS_RESUMABLE: &str = "tus-resumable";
    /// The versions a server speaks (OPTIONS, and a 412).
    pub const TUS_VERSION: &str = "tus-version";
    /// The extensions a server serves.
    pub const TUS_EXTENSION: &str = "tus-extension";
    /// The checksum algorithms a server accepts.
    pub const TUS_CHECKSUM_ALGORITHM: &str = "tus-checksum-algorithm";
    /// The largest upload a server takes.
    pub const TUS_MAX_SIZE: &str = "tus-max-size";
    /// The whole upload's length, declared at creation.
    pub const UPLOAD_LENGTH: &str = "upload-length";
    /// A deferred length (not served: refused with a clear error).
    pub const UPLOAD_DEFER_LENGTH: &str = "upload-defer-length";
    /// Where a PATCH writes, and how far the server holds.
    pub const UPLOAD_OFFSET: &str = "upload-offset";
    /// The `key base64value` pairs of a new upload.
    pub const UPLOAD_METADATA: &str = "upload-metadata";
    /// The `<algorithm> <base64>` checksum of one request's bytes.
    pub const UPLOAD_CHECKSUM: &str = "upload-checksum";
    /// When an unfinished upload expires.
    pub const UPLOAD_EXPIRES: &str = "upload-expires";
}

/// The Upload-Metadata keys the device sends and the server reads.
pub mod meta_key {
    /// Hex SHA-256 of the whole file (required).
    pub const SHA256: &str = "sha256";
    /// The client's file name (a plain name, no path).
    pub const FILENAME: &str = "filename";
    /// The declared media type, `type/subtype`.
    pub const MEDIA_TYPE: &str = "media_type";
    /// The media type under the name generic tus clients use; read when `media_type` is absent.
    pub const FILETYPE: &str = "filetype";
    /// The item a thumbnail or preview belongs to.
    pub const ITEM_ID: &str = "item_id";
    /// What the bytes are of their item: original, thumbnail or preview.
    pub const ROLE: &str = "role";
}

/// What is wrong with Upload-Metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataProblem {
    /// Not visible ASCII.
    NotAscii,
    /// Longer than [`MAX_METADATA_BYTES`].
    TooLong,
    /// A pair with more than one space.
    ExtraSpace,
    /// A key that is empty, too long or has characters outside [A-Za-z0-9_.-].
    BadKey(String),
    /// A value that is not base64.
    NotBase64(String),
    /// A value that is not UTF-8.
    NotUtf8(String),
    /// A value with control characters.
    Control(String),
    /// A key given twice.
    Repeated(String),
}

/// What is wrong with Upload-Checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumProblem {
    /// Not visible ASCII.
    NotAscii,
    /// Not `<algorithm> <base64>`.
    Shape,
    /// The digest is not base64.
    NotBase64,
    /// The digest length does not fit the algorithm.
    WrongLength,
    /// Neither sha1 nor sha256.
    Algorithm,
}

/// Why a tus header is refused (every one is a 400 Bad Request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TusHeaderError {
    /// A length or offset that is not a plain non-negative decimal.
    NotInteger,
    /// Upload-Metadata is malformed.
    Metadata(MetadataProblem),
    /// Upload-Metadata has no usable sha256.
    Sha256Required,
    /// The filename is a path or hidden name.
    BadFilename,
    /// The media type does not look like type/subtype.
    BadMediaType,
    /// Upload-Checksum is malformed.
    Checksum(ChecksumProblem),
}

impl TusHeaderError {
    /// The error code the server answers with.
    pub fn code(&self) -> ErrorCode {
        match self {
            TusHeaderError::NotInteger => ErrorCode::BadHeader,
            TusHeaderError::Metadata(_) => ErrorCode::BadMetadata,
            TusHeaderError::Sha256Required => ErrorCode::Sha256Required,
            TusHeaderError::BadFilename => ErrorCode::BadFilename,
            TusHeaderError::BadMediaType => ErrorCode::BadMediaType,
            TusHeaderError::Checksum(_) => ErrorCode::BadChecksumHeader,
        }
    }

    /// zh-CN and English text; `header` names the header a [`TusHeaderError::NotInteger`] came from.
    pub fn text(&self, header: &str) -> (String, String) {
        match self {
            TusHeaderError::NotInteger => (format!("{header} 须为非负整数"), format!("{header} must be a non-negative integer")),
            TusHeaderError::Metadata(p) => (
                "Upload-Metadata 格式错误".into(),
                match p {
                    MetadataProblem::NotAscii => "Upload-Metadata is not ASCII".into(),
                    MetadataProblem::TooLong => "Upload-Metadata is longer than 8 KiB".into(),
                    MetadataProblem::ExtraSpace => "a metadata pair has more than one space".into(),
                    MetadataProblem::BadKey(k) => format!("bad metadata key {k:?}"),
                    MetadataProblem::NotBase64(k) => format!("metadata value of {k:?} is not base64"),
                    MetadataProblem::NotUtf8(k) => format!("metadata value of {k:?} is not UTF-8"),
                    MetadataProblem::Control(k) => format!("metadata value of {k:?} contains control characters"),
                    MetadataProblem::Repeated(k) => format!("metadata key {k:?} repeated"),
                },
            ),
            TusHeaderError::Sha256Required => (
                "元数据须含 sha256（整个文件的十六进制 SHA-256）".into(),
                "metadata must carry sha256: hex SHA-256 of the whole file".into(),
            ),
            TusHeaderError::BadFilename => {
                ("文件名不能含路径分隔符或以 . 开头".into(), "filename may not contain path separators or start with a dot".into())
            }
            TusHeaderError::BadMediaType => ("media_type 须形如 image/jpeg".into(), "media_type must look like image/jpeg".into()),
            TusHeaderError::Checksum(p) => (
                "Upload-Checksum 格式错误".into(),
                match p {
                    ChecksumProblem::NotAscii => "Upload-Checksum is not ASCII",
                    ChecksumProblem::Shape => "expected '<algorithm> <base64>'",
                    ChecksumProblem::NotBase64 => "checksum is not base64",
                    ChecksumProblem::WrongLength => "checksum has the wrong length for its algorithm",
                    ChecksumProblem::Algorithm => "unsupported checksum algorithm; use sha1 or sha256",
                }
                .into(),
            ),
        }
    }
}

/// True when `Tus-Resumable` names the version served.
pub fn version_supported(value: Option<&[u8]>) -> bool {
    value == Some(TUS_VERSION.as_bytes())
}

/// Parses a non-negative decimal header value with no sign or spaces.
pub fn parse_u64(value: &[u8]) -> Result<u64, TusHeaderError> {
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return Err(TusHeaderError::NotInteger);
    }
    std::str::from_utf8(value).ok().and_then(|s| s.parse().ok()).ok_or(TusHeaderError::NotInteger)
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

/// Header values as HTTP libraries see them: visible ASCII and tabs only.
fn header_text(value: &[u8]) -> Option<&str> {
    value.iter().all(|&b| b == b'\t' || (0x20..0x7f).contains(&b)).then(|| std::str::from_utf8(value).ok()).flatten()
}

/// Writes `Upload-Metadata` from `(key, value)` pairs: each value base64, pairs joined by commas
/// (the form [`parse_metadata`] reads).
pub fn encode_metadata<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs.into_iter().map(|(k, v)| format!("{k} {}", B64.encode(v))).collect::<Vec<_>>().join(",")
}

/// Parses `Upload-Metadata` (comma-separated `key base64value` pairs); `None` when the header is absent.
pub fn parse_metadata(value: Option<&[u8]>) -> Result<Metadata, TusHeaderError> {
    let meta = |p| TusHeaderError::Metadata(p);
    let raw = match value {
        Some(v) => header_text(v).ok_or(meta(MetadataProblem::NotAscii))?.to_string(),
        None => String::new(),
    };
    if raw.len() > MAX_METADATA_BYTES {
        return Err(meta(MetadataProblem::TooLong));
    }
    let mut pairs = BTreeMap::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut it = part.split(' ');
        let key = it.next().unwrap_or("");
        let val = it.next();
        if it.next().is_some() {
            return Err(meta(MetadataProblem::ExtraSpace));
        }
        if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.') {
            return Err(meta(MetadataProblem::BadKey(key.into())));
        }
        let decoded = match val {
            None => String::new(),
            Some(v) => {
                let bytes = B64.decode(v).map_err(|_| meta(MetadataProblem::NotBase64(key.into())))?;
                String::from_utf8(bytes).map_err(|_| meta(MetadataProblem::NotUtf8(key.into())))?
            }
        };
        if decoded.chars().any(char::is_control) {
            return Err(meta(MetadataProblem::Control(key.into())));
        }
        if pairs.insert(key.to_string(), decoded).is_some() {
            return Err(meta(MetadataProblem::Repeated(key.into())));
        }
    }
    let sha256 = pairs
        .get(meta_key::SHA256)
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or(TusHeaderError::Sha256Required)?;
    let filename = match pairs.get(meta_key::FILENAME) {
        None => None,
        Some(f) => {
            let f = f.trim();
            if f.is_empty() || f.len() > 255 || f == "." || f == ".." || f.contains('/') || f.contains('\\') || f.starts_with('.') {
                return Err(TusHeaderError::BadFilename);
            }
            Some(f.to_string())
        }
    };
    let media_type = match pairs.get(meta_key::MEDIA_TYPE).or_else(|| pairs.get(meta_key::FILETYPE)) {
        None => None,
        Some(m) if m.is_empty() => None,
        Some(m) => {
            let ok = m.len() <= 100
                && m.split_once('/').is_some_and(|(a, b)| {
                    let tok = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&c));
                    tok(a) && tok(b)
                });
            if !ok {
                return Err(TusHeaderError::BadMediaType);
            }
            Some(m.to_ascii_lowercase())
        }
    };
    Ok(Metadata { sha256, filename, media_type, raw, pairs })
}

/// A per-request checksum from `Upload-Checksum`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checksum {
    /// SHA-1 digest bytes.
    Sha1(Vec<u8>),
    /// SHA-256 digest bytes.
    Sha256(Vec<u8>),
}

impl Checksum {
    /// The `Upload-Checksum` value for these digest bytes (the form [`parse_checksum`] reads).
    pub fn header_value(&self) -> String {
        match self {
            Checksum::Sha1(d) => format!("sha1 {}", B64.encode(d)),
            Checksum::Sha256(d) => format!("sha256 {}", B64.encode(d)),
        }
    }
}

/// Parses an `Upload-Checksum: <algo> <base64>` value.
pub fn parse_checksum(value: &[u8]) -> Result<Checksum, TusHeaderError> {
    let bad = TusHeaderError::Checksum;
    let s = header_text(value).ok_or(bad(ChecksumProblem::NotAscii))?;
    let (algo, b64) = s.trim().split_once(' ').ok_or(bad(ChecksumProblem::Shape))?;
    let digest = B64.decode(b64.trim()).map_err(|_| bad(ChecksumProblem::NotBase64))?;
    match algo {
        "sha1" if digest.len() == 20 => Ok(Checksum::Sha1(digest)),
        "sha256" if digest.len() == 32 => Ok(Checksum::Sha256(digest)),
        "sha1" | "sha256" => Err(bad(ChecksumProblem::WrongLength)),
        _ => Err(bad(ChecksumProblem::Algorithm)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips_and_refuses_paths() {
        let sha = "ab".repeat(32);
        let raw = format!("sha256 {},filename {}", B64.encode(&sha), B64.encode("a.jpg"));
        let m = parse_metadata(Some(raw.as_bytes())).unwrap();
        assert_eq!((m.sha256.as_str(), m.filename.as_deref()), (sha.as_str(), Some("a.jpg")));
        let raw = format!("sha256 {},filename {}", B64.encode(&sha), B64.encode("../x"));
        assert_eq!(parse_metadata(Some(raw.as_bytes())).unwrap_err(), TusHeaderError::BadFilename);
        assert_eq!(parse_metadata(None).unwrap_err(), TusHeaderError::Sha256Required);
    }

    #[test]
    fn what_the_device_encodes_the_server_reads() {
        let sha = "cd".repeat(32);
        let raw = encode_metadata([
            (meta_key::SHA256, sha.as_str()),
            (meta_key::FILENAME, "现场.jpg"),
            (meta_key::MEDIA_TYPE, "image/jpeg"),
            (meta_key::ITEM_ID, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"),
            (meta_key::ROLE, "thumbnail"),
        ]);
        let m = parse_metadata(Some(raw.as_bytes())).unwrap();
        assert_eq!(m.sha256, sha);
        assert_eq!(m.filename.as_deref(), Some("现场.jpg"));
        assert_eq!(m.media_type.as_deref(), Some("image/jpeg"));
        assert_eq!(m.pairs[meta_key::ROLE], "thumbnail");
        assert_eq!(m.pairs[meta_key::ITEM_ID], "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    }

    #[test]
    fn checksums_round_trip() {
        for c in [Checksum::Sha1(vec![1; 20]), Checksum::Sha256(vec![2; 32])] {
            assert_eq!(parse_checksum(c.header_value().as_bytes()), Ok(c));
        }
    }

    #[test]
    fn header_errors_answer_with_the_same_wire_codes_as_before() {
        // The codes are typed now; what a client reads in the error body must not change.
        let cases = [
            (TusHeaderError::NotInteger, "bad_header"),
            (TusHeaderError::Metadata(MetadataProblem::NotAscii), "bad_metadata"),
            (TusHeaderError::Sha256Required, "sha256_required"),
            (TusHeaderError::BadFilename, "bad_filename"),
            (TusHeaderError::BadMediaType, "bad_media_type"),
            (TusHeaderError::Checksum(ChecksumProblem::Shape), "bad_checksum_header"),
        ];
        for (e, wire) in cases {
            assert_eq!(e.code().as_str(), wire, "{e:?}");
        }
    }

    #[test]
    fn integers_are_plain_decimals() {
        assert_eq!(parse_u64(b"42"), Ok(42));
        for bad in [&b""[..], b"-1", b"+1", b" 1", b"99999999999999999999", b"18446744073709551616"] {
            assert_eq!(parse_u64(bad), Err(TusHeaderError::NotInteger), "{bad:?}");
        }
    }
}
