//! Shared state every handler receives.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use ed25519_dalek::SigningKey;
use sha2::Sha256;

use crate::auth::throttle::{AddressThrottle, LoginThrottle};
use crate::config::Config;
use crate::db::Db;
use crate::storage::Storage;

/// Running-hash states of unfinished uploads, keyed by upload id, valid at the stored offset.
pub type HasherCache = Mutex<HashMap<String, (u64, Sha256)>>;

/// Everything a request may need.
#[derive(Clone)]
pub struct AppState {
    /// Settings.
    pub config: Arc<Config>,
    /// Database pool.
    pub db: Db,
    /// Blob storage.
    pub storage: Arc<dyn Storage>,
    /// The server's signing key.
    pub key: Arc<SigningKey>,
    /// Public key, hex.
    pub key_hex: Arc<String>,
    /// Uploads with a PATCH in progress (one writer per upload).
    pub upload_locks: Arc<Mutex<HashSet<String>>>,
    /// Hash states so completing a large upload needs no second read.
    pub hashers: Arc<HasherCache>,
    /// Login attempts per account and per source address.
    pub login_throttle: Arc<LoginThrottle>,
    /// Look-ups of the public share-copy page per source address.
    pub share_page_throttle: Arc<AddressThrottle>,
}
