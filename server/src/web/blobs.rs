//! Serving stored blobs over HTTP, for the API's download and the console's
//! media: the one check of a `{sha256}` path segment, and streaming a file
//! from storage in bounded chunks.

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::error::{ApiError, ApiResult};
use siteproof_protocol::wire::error_code::ErrorCode;

/// Chunk size of a streamed blob.
const CHUNK: usize = 256 * 1024;

/// A `{sha256}` path segment, lowercased; anything but 64 hex digits is refused.
pub fn sha256_param(s: &str) -> ApiResult<String> {
    let s = s.to_ascii_lowercase();
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(ErrorCode::BadSha256, "须为 64 位十六进制 SHA-256", "expected a 64-character hex SHA-256"));
    }
    Ok(s)
}

/// Opening a blob the database names: a missing file is the server's fault, not the caller's.
pub fn open_failed(sha256: &str, e: std::io::Error) -> ApiError {
    if e.kind() == std::io::ErrorKind::NotFound {
        ApiError::internal(format!("blob {sha256} recorded but missing from storage"))
    } else {
        e.into()
    }
}

/// A response body streaming a reader in bounded chunks.
pub fn stream<R: AsyncRead + Send + Unpin + 'static>(reader: R) -> Body {
    let chunks = futures_util::stream::unfold((reader, vec![0u8; CHUNK]), |(mut r, mut buf)| async move {
        match r.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => Some((Ok::<_, std::io::Error>(Bytes::copy_from_slice(&buf[..n])), (r, buf))),
            Err(e) => Some((Err(e), (r, buf))),
        }
    })
    .boxed();
    Body::from_stream(chunks)
}
