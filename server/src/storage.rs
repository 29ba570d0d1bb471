//! The seam between the server and where blob bytes live. The embedded
//! default is a folder of content-addressed files; object storage can take
//! its place later without touching the upload or evidence code. Staging
//! stays local in every backend, because tus appends need a seekable file.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use siteproof_fs as private_fs;
use tokio::io::AsyncRead;

/// What happened when a staged file was handed to storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The bytes are new and now stored.
    Stored,
    /// Identical content was already stored; the staged copy was dropped.
    AlreadyPresent,
}

/// A readable blob stream.
pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

/// Content-addressed blob storage.
pub trait Storage: Send + Sync + 'static {
    /// Where the staging file of an upload lives (always a local path).
    fn staging_path(&self, upload_id: &str) -> PathBuf;
    /// Moves a verified staged file into storage under its SHA-256 (blocking).
    fn put_staged(&self, staged: &Path, sha256: &str) -> io::Result<PutOutcome>;
    /// Whether a blob is stored (blocking).
    fn exists(&self, sha256: &str) -> io::Result<bool>;
    /// Size of a stored blob (blocking).
    fn size(&self, sha256: &str) -> io::Result<Option<u64>>;
    /// Opens a stored blob for streaming.
    fn open(&self, sha256: &str) -> io::Result<BlobReader>;
    /// Opens a stored blob at a byte offset (HTTP Range requests: audio players seek).
    fn open_at(&self, sha256: &str, offset: u64) -> io::Result<BlobReader>;
    /// Opens a stored blob for blocking reads (packet export runs on the blocking pool).
    fn open_blocking(&self, sha256: &str) -> io::Result<Box<dyn io::Read + Send>>;
}

/// Blobs as files `blobs/ab/cd/<sha256>` under the data directory.
pub struct FsStorage {
    blobs: PathBuf,
    staging: PathBuf,
}

impl FsStorage {
    /// Creates the folders if needed (owner-only; older, wider ones are tightened).
    pub fn new(data_dir: &Path) -> io::Result<FsStorage> {
        let blobs = data_dir.join("blobs");
        let staging = data_dir.join("staging");
        private_fs::create_dir_all(&blobs)?;
        private_fs::create_dir_all(&staging)?;
        Ok(FsStorage { blobs, staging })
    }

    fn blob_path(&self, sha256: &str) -> io::Result<PathBuf> {
        // The name comes from a request; only a hash may ever become a path.
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a lowercase sha256"));
        }
        Ok(self.blobs.join(&sha256[0..2]).join(&sha256[2..4]).join(sha256))
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

impl Storage for FsStorage {
    fn staging_path(&self, upload_id: &str) -> PathBuf {
        self.staging.join(upload_id)
    }

    fn put_staged(&self, staged: &Path, sha256: &str) -> io::Result<PutOutcome> {
        let dest = self.blob_path(sha256)?;
        if dest.exists() {
            fs::remove_file(staged)?;
            return Ok(PutOutcome::AlreadyPresent);
        }
        let dir = dest.parent().expect("blob path has a parent");
        private_fs::create_dir_all(dir)?;
        // Stored evidence is owner-only however the staging file was made.
        private_fs::tighten_if_present(staged)?;
        fs::File::open(staged)?.sync_all()?;
        // Rename is atomic within one filesystem; two equal uploads finishing at once both end well.
        fs::rename(staged, &dest)?;
        sync_dir(dir)?;
        Ok(PutOutcome::Stored)
    }

    fn exists(&self, sha256: &str) -> io::Result<bool> {
        Ok(self.blob_path(sha256)?.exists())
    }

    fn size(&self, sha256: &str) -> io::Result<Option<u64>> {
        match fs::metadata(self.blob_path(sha256)?) {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn open(&self, sha256: &str) -> io::Result<BlobReader> {
        let f = fs::File::open(self.blob_path(sha256)?)?;
        Ok(Box::pin(tokio::fs::File::from_std(f)))
    }

    fn open_at(&self, sha256: &str, offset: u64) -> io::Result<BlobReader> {
        use std::io::{Seek, SeekFrom};
        let mut f = fs::File::open(self.blob_path(sha256)?)?;
        f.seek(SeekFrom::Start(offset))?;
        Ok(Box::pin(tokio::fs::File::from_std(f)))
    }

    fn open_blocking(&self, sha256: &str) -> io::Result<Box<dyn io::Read + Send>> {
        Ok(Box::new(fs::File::open(self.blob_path(sha256)?)?))
    }
}
