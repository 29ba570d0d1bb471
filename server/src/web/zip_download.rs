//! A ZIP made for one download (a dispute packet, a batch packet, a ZIP of
//! originals): written into a folder of its own under the data directory so
//! the file carries its download name, opened, and the folder removed on every
//! outcome (the open handle streams it, so nothing stays on disk). The API and
//! the console answer all their exports this one way.

use std::path::{Path, PathBuf};

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::blobs;
use crate::error::{ApiError, ApiResult};

/// The packet's own SHA-256 travels in this header, so a client can record what it received.
pub const PACKET_SHA256_HEADER: &str = "siteproof-packet-sha256";

/// A folder of one request's export; removed when dropped, whatever happened.
pub struct DownloadDir {
    dir: PathBuf,
}

impl DownloadDir {
    /// A fresh folder under `data/packets`.
    pub fn new(data: &Path) -> ApiResult<Self> {
        let dir = data.join("packets").join(uuid::Uuid::new_v4().to_string());
        siteproof_fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    /// Where the export named `file_name` is written.
    pub fn file(&self, file_name: &str) -> PathBuf {
        self.dir.join(file_name)
    }

    /// Opens the finished `out` when the export succeeded; the folder goes either way.
    pub fn open<T>(self, out: &Path, result: ApiResult<T>) -> ApiResult<(T, tokio::fs::File)> {
        let file = result.as_ref().ok().map(|_| std::fs::File::open(out));
        drop(self);
        let done = result?;
        let file = file.ok_or_else(|| ApiError::internal("export vanished"))??;
        Ok((done, tokio::fs::File::from_std(file)))
    }
}

impl Drop for DownloadDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the answer says about the ZIP it streams.
pub struct ZipDownload<'a> {
    pub bytes: u64,
    pub file_name: &'a str,
    /// Set for dispute packets (single or batch), not for plain ZIPs of originals.
    pub packet_sha256: Option<&'a str>,
}

/// The download answer: the ZIP streamed as an attachment, never cached, never sniffed.
pub fn zip_response(file: tokio::fs::File, zip: ZipDownload<'_>) -> Response {
    let mut headers = vec![
        (header::CONTENT_TYPE, "application/zip".to_string()),
        (header::CONTENT_LENGTH, zip.bytes.to_string()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", zip.file_name)),
        (header::CACHE_CONTROL, "no-store".to_string()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
    ];
    if let Some(sha) = zip.packet_sha256 {
        headers.push((HeaderName::from_static(PACKET_SHA256_HEADER), sha.to_string()));
    }
    let mut response = (StatusCode::OK, blobs::stream(file)).into_response();
    for (k, v) in headers {
        // File names are made by us from order numbers; one that is not a header value goes without the header.
        if let Ok(v) = HeaderValue::from_str(&v) {
            response.headers_mut().insert(k, v);
        }
    }
    response
}
