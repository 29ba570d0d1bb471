//! Enrolment, the outbox and sync. Progress and cancellation cross as a
//! foreign trait the app implements (a WorkManager worker, a BGTask), so a
//! sync can be stopped between chunks when the OS ends the background time.

use std::sync::Arc;

use siteproof_core::{DeviceInfo, OutboxJob, QueueStatus, SyncObserver, SyncOptions, SyncProgress, SyncReport};

use crate::device::SiteproofDevice;
use crate::error::Result;

/// Implemented by the app: receives sync progress and says when to stop.
#[uniffi::export(foreign)]
pub trait SyncListener: Send + Sync {
    /// Called after each chunk and each finished job (on the syncing thread).
    fn on_progress(&self, progress: SyncProgress);
    /// Polled between chunks; true stops the sync with `SiteproofError.Cancelled`, queue intact.
    fn is_cancelled(&self) -> bool;
}

struct Bridge(Option<Arc<dyn SyncListener>>);

impl SyncObserver for Bridge {
    fn on_progress(&self, progress: SyncProgress) {
        if let Some(l) = &self.0 {
            l.on_progress(progress);
        }
    }

    fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|l| l.is_cancelled())
    }
}

/// The sync tuning the core recommends for phones.
#[uniffi::export]
pub fn default_sync_options() -> SyncOptions {
    SyncOptions::default()
}

#[uniffi::export]
impl SiteproofDevice {
    /// Registers this device with the community's server using a coordinator's one-time code.
    pub fn enroll(&self, server_url: String, code: String, device_name: String) -> Result<DeviceInfo> {
        self.inner.enroll(&server_url, &code, &device_name)?;
        Ok(self.inner.info()?)
    }

    /// Runs one sync (time anchor, orders, outbox); blocking, call from a background worker.
    pub fn sync(&self, options: SyncOptions, listener: Option<Arc<dyn SyncListener>>) -> Result<SyncReport> {
        Ok(self.inner.sync(&options, &Bridge(listener))?)
    }

    /// Counts and bytes of the upload queue.
    pub fn queue_status(&self) -> Result<QueueStatus> {
        Ok(self.inner.queue_status()?)
    }

    /// Every upload job, in send order.
    pub fn queue_jobs(&self) -> Result<Vec<OutboxJob>> {
        Ok(self.inner.queue_jobs()?)
    }

    /// Puts jobs that failed for good back in the queue (after a coordinator fixed the cause).
    pub fn retry_failed_jobs(&self) -> Result<u64> {
        Ok(self.inner.retry_failed_jobs()?)
    }
}
