//! The device object the apps hold: one open store for the app's lifetime.
//! Its methods are spread over `orders.rs`, `capture.rs` and `sync.rs`;
//! this file opens it and answers questions about the store as a whole.

use std::sync::Arc;

use siteproof_core::{Device, DeviceInfo, PruneReport, VerifyReport};

use crate::error::Result;

/// An open Siteproof store on the phone (原始证据库). Blocking: call off the main thread.
#[derive(uniffi::Object)]
pub struct SiteproofDevice {
    pub(crate) inner: Device,
}

#[uniffi::export]
impl SiteproofDevice {
    /// Opens (or creates) the store in `store_dir`; `secret` comes from the Android Keystore or the iOS Keychain.
    #[uniffi::constructor]
    pub fn open(store_dir: String, secret: Vec<u8>) -> Result<Arc<Self>> {
        Ok(Arc::new(SiteproofDevice { inner: Device::open(store_dir, &secret)? }))
    }

    /// The device's id, public key, store folder and enrolled server.
    pub fn info(&self) -> Result<DeviceInfo> {
        Ok(self.inner.info()?)
    }

    /// Re-checks every signature, chain link and original file.
    pub fn verify(&self) -> Result<VerifyReport> {
        Ok(self.inner.verify()?)
    }

    /// Frees originals the server has acknowledged, captured before `captured_before_ms`.
    pub fn prune_acknowledged(&self, captured_before_ms: i64) -> Result<PruneReport> {
        Ok(self.inner.prune_acknowledged(captured_before_ms)?)
    }
}
