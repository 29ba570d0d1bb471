//! The device: one store directory, its database, its blobs and its signing
//! key, opened once and shared by every call. This is the object the apps and
//! the CLI hold, a facade: the feature modules (capture, queue, orders, sync,
//! ...) add its methods, and every one of them reads and writes the database
//! through the per-table query modules in `store/`.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use ed25519_dalek::SigningKey;
use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::evidence::device_id_for_key;
use crate::keys::{generate_signing_key, seal, unseal_signing_key};
use crate::store::{blob_rows, identity, open_database, BlobStore};

/// An open device store.
pub struct Device {
    pub(crate) dir: PathBuf,
    pub(crate) conn: Mutex<Connection>,
    pub(crate) blobs: BlobStore,
    pub(crate) key: SigningKey,
    pub(crate) secret: Vec<u8>,
    pub(crate) device_id: String,
    pub(crate) public_key_hex: String,
    // Held for the lifetime of the Device: the open-time sweep of unreferenced
    // blobs is only safe when no other process is mid-capture in this store.
    _lock: File,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device").field("dir", &self.dir).field("device_id", &self.device_id).finish()
    }
}

/// Facts about the device identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Stable device id derived from the public key.
    pub device_id: String,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// Where the store lives.
    pub store_dir: String,
    /// The enrolled server, if any.
    pub server_url: Option<String>,
}

impl Device {
    /// Opens the store in `dir` (created on first use), unsealing the device key with `secret`.
    ///
    /// On first open a new Ed25519 key is generated and stored sealed under `secret`.
    /// Every open also removes leftovers of captures that were interrupted before they
    /// were recorded (temp files, blobs no row points to).
    pub fn open(dir: impl AsRef<Path>, secret: &[u8]) -> Result<Device> {
        let dir = dir.as_ref().to_path_buf();
        crate::store::private_fs::create_dir_all(&dir).map_err(|e| Error::from_io("create store directory", e))?;
        let lock = lock_store(&dir)?;
        let conn = open_database(&dir.join("siteproof.db"))?;
        let blobs = BlobStore::open(dir.join("blobs"))?;
        let (key, secret) = load_or_create_key(&conn, secret)?;
        let public_key_hex = hex::encode(key.verifying_key().as_bytes());
        let device = Device {
            device_id: device_id_for_key(&key.verifying_key()),
            public_key_hex,
            dir,
            conn: Mutex::new(conn),
            blobs,
            key,
            secret,
            _lock: lock,
        };
        device.sweep_unreferenced_blobs()?;
        Ok(device)
    }

    /// The device's identity.
    pub fn info(&self) -> Result<DeviceInfo> {
        let server_url = identity::server_url(&*self.db()?)?;
        Ok(DeviceInfo {
            device_id: self.device_id.clone(),
            public_key: self.public_key_hex.clone(),
            store_dir: self.dir.to_string_lossy().into_owned(),
            server_url,
        })
    }

    pub(crate) fn db(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| Error::Store("store lock poisoned by an earlier panic".into()))
    }

    fn sweep_unreferenced_blobs(&self) -> Result<()> {
        let on_disk = self.blobs.sweep_temp_and_list()?;
        let conn = self.db()?;
        for sha in on_disk {
            if !blob_rows::is_known(&conn, &sha)? {
                tracing::info!(blob = %sha, "removing blob left by an interrupted capture");
                self.blobs.remove(&sha)?;
            }
        }
        Ok(())
    }
}

fn lock_store(dir: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, crate::store::private_fs::FILE_MODE);
    let f = o.open(dir.join("lock")).map_err(|e| Error::from_io("open store lock", e))?;
    match crate::platform::lock_exclusive(&f) {
        Ok(()) => Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
            Err(Error::Store(format!("存储正被另一个进程使用 / the store {} is in use by another process", dir.display())))
        }
        Err(e) => Err(Error::from_io("lock store", e)),
    }
}

fn load_or_create_key(conn: &Connection, secret: &[u8]) -> Result<(SigningKey, Vec<u8>)> {
    let key = match identity::sealed_key(conn)? {
        Some(sealed) => unseal_signing_key(secret, &sealed)?,
        None => {
            let key = generate_signing_key();
            let sealed = seal(secret, key.as_bytes())?;
            identity::create(
                conn,
                &device_id_for_key(&key.verifying_key()),
                &hex::encode(key.verifying_key().as_bytes()),
                &sealed,
                now_ms(),
            )?;
            key
        }
    };
    Ok((key, secret.to_vec()))
}

/// Current wall-clock time in Unix milliseconds (for bookkeeping, never for evidence time):
/// the protocol's one reading of the wall clock, which the CLI uses too.
pub use siteproof_protocol::time::now_ms;

impl Device {
    /// The enrolled server's public key, hex, if enrolled.
    pub fn server_key(&self) -> Result<Option<String>> {
        Ok(identity::server_key(&*self.db()?)?)
    }
}

/// What the device keeps after enrolling with a case server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    /// Base URL of the case server.
    pub server_url: String,
    /// The server's Ed25519 public key, hex: receipts and time must be signed by it.
    pub server_key: String,
    /// Bearer token bound to this device's key.
    pub token: String,
}

impl Device {
    test_support_pub! {
        /// Records an enrollment; the token is sealed like the private key.
        fn save_enrollment(&self, e: &Enrollment) -> Result<()> {
            let sealed = seal(&self.secret, e.token.as_bytes())?;
            identity::save_enrollment(&*self.db()?, &e.server_url, &e.server_key, &sealed)?;
            Ok(())
        }
    }

    /// The current enrollment, unsealing the token; None before enrolling.
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        match identity::enrollment(&*self.db()?)? {
            (Some(server_url), Some(server_key), Some(sealed)) => {
                let token = String::from_utf8(crate::keys::unseal(&self.secret, &sealed)?)
                    .map_err(|_| Error::Key("sealed device token is not text".into()))?;
                Ok(Some(Enrollment { server_url, server_key, token }))
            }
            _ => Ok(None),
        }
    }
}
