//! Content-addressed blob folder. A blob becomes visible under its hash only
//! by an atomic rename of a fully written, fsynced temp file, so a crash at
//! any instant leaves either the whole blob or no blob. Files that no database
//! row references (a crash between rename and commit) are swept at open.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::private_fs;
use crate::error::{Error, Result};

const CHUNK: usize = 256 * 1024;

/// The blob folder of a store.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// A fully written and fsynced temp file, not yet visible under its hash.
#[derive(Debug)]
pub struct StagedBlob {
    /// Temp path inside the blob folder.
    pub path: PathBuf,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// The first bytes, for format sniffing.
    pub header: Vec<u8>,
}

impl Drop for StagedBlob {
    fn drop(&mut self) {
        // Committed blobs were renamed away; anything still here is abandoned.
        let _ = fs::remove_file(&self.path);
    }
}

impl BlobStore {
    /// Opens the blob folder, creating it and its temp folder (owner-only; an older, wider folder is tightened).
    pub fn open(root: PathBuf) -> Result<Self> {
        private_fs::create_dir_all(&root.join("tmp")).map_err(|e| Error::from_io("create blob folder", e))?;
        private_fs::tighten_if_present(&root).map_err(|e| Error::from_io("restrict blob folder", e))?;
        Ok(Self { root })
    }

    /// Where a blob with this hash lives.
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.root.join(crate::text::prefix(sha256, 2)).join(sha256)
    }

    /// Whether a name can be a stored blob's. Hashes read back from manifests
    /// (which `verify` parses even when tampered) may be anything; only a
    /// SHA-256 may ever become a path.
    fn is_blob_name(sha256: &str) -> bool {
        crate::evidence::ids::check_sha256("哈希", "hash", sha256).is_ok()
    }

    /// Whether a blob is present on disk.
    pub fn exists(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_file()
    }

    /// Streams `reader` into a temp file, hashing as it goes, and fsyncs it.
    pub fn stage(&self, mut reader: impl Read) -> Result<StagedBlob> {
        let tmp = self.root.join("tmp").join(format!("{}.part", uuid::Uuid::new_v4()));
        let mut file = private_fs::create_file(&tmp).map_err(|e| Error::from_io("create temp file", e))?;
        let mut staged = StagedBlob { path: tmp, sha256: String::new(), bytes: 0, header: Vec::new() };
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::from_io("read input", e)),
            };
            if staged.header.len() < 64 {
                let take = (64 - staged.header.len()).min(n);
                staged.header.extend_from_slice(&buf[..take]);
            }
            hasher.update(&buf[..n]);
            file.write_all(&buf[..n]).map_err(|e| Error::from_io("write temp file", e))?;
            staged.bytes += n as u64;
        }
        file.sync_all().map_err(|e| Error::from_io("fsync temp file", e))?;
        staged.sha256 = hex::encode(hasher.finalize());
        Ok(staged)
    }

    /// Writes bytes as a blob (small derived files) and returns its hash.
    pub fn put_bytes(&self, bytes: &[u8]) -> Result<String> {
        let staged = self.stage(bytes)?;
        let sha = staged.sha256.clone();
        self.commit(staged)?;
        Ok(sha)
    }

    /// Makes a staged blob visible under its hash (idempotent for equal content).
    pub fn commit(&self, staged: StagedBlob) -> Result<()> {
        let dest = self.path_of(&staged.sha256);
        let dir = dest.parent().expect("blob path has a parent");
        private_fs::create_dir_all(dir).map_err(|e| Error::from_io("create blob shard", e))?;
        if dest.is_file() {
            return Ok(()); // Same content already stored; the temp file goes with `staged`.
        }
        fs::rename(&staged.path, &dest).map_err(|e| Error::from_io("publish blob", e))?;
        sync_dir(dir)?;
        Ok(())
    }

    /// Re-hashes a stored blob; None if it is absent.
    pub fn hash_file(&self, sha256: &str) -> Result<Option<String>> {
        if !Self::is_blob_name(sha256) {
            return Ok(None);
        }
        let mut f = match File::open(self.path_of(sha256)) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::from_io("open blob", e)),
        };
        Ok(Some(hash_reader(&mut f)?.0))
    }

    /// Deletes a blob file (after the server acknowledged it, or for an unreferenced one).
    pub fn remove(&self, sha256: &str) -> Result<()> {
        if !Self::is_blob_name(sha256) {
            return Ok(());
        }
        match fs::remove_file(self.path_of(sha256)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::from_io("remove blob", e)),
        }
    }

    /// Every blob hash present on disk, plus leftover temp files removed along the way.
    pub fn sweep_temp_and_list(&self) -> Result<Vec<String>> {
        for e in fs::read_dir(self.root.join("tmp")).map_err(|e| Error::from_io("list temp", e))? {
            let _ = fs::remove_file(e.map_err(|e| Error::from_io("list temp", e))?.path());
        }
        let mut found = Vec::new();
        for shard in fs::read_dir(&self.root).map_err(|e| Error::from_io("list blobs", e))? {
            let shard = shard.map_err(|e| Error::from_io("list blobs", e))?;
            let name = shard.file_name();
            if name == "tmp" || !shard.path().is_dir() {
                continue;
            }
            for f in fs::read_dir(shard.path()).map_err(|e| Error::from_io("list blobs", e))? {
                let f = f.map_err(|e| Error::from_io("list blobs", e))?;
                if let Some(n) = f.file_name().to_str() {
                    if n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()) {
                        found.push(n.to_string());
                    }
                }
            }
        }
        Ok(found)
    }
}

/// Streams a reader through SHA-256, returning the hex hash and the byte count.
pub fn hash_reader(mut reader: impl Read) -> Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let n = std::io::copy(&mut reader, &mut hasher).map_err(|e| Error::from_io("read", e))?;
    Ok((hex::encode(hasher.finalize()), n))
}

/// Fsyncs a directory so a rename inside it survives power loss.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::from_io("fsync directory", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_hashes_are_never_paths() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path().join("blobs")).unwrap();
        std::fs::write(dir.path().join("secret"), b"not a blob").unwrap();
        for name in ["中文中文中文", "../secret", "..", ""] {
            assert_eq!(store.hash_file(name).unwrap(), None, "{name:?}");
            store.remove(name).unwrap();
        }
        assert!(dir.path().join("secret").exists());
    }
}
