//! Carrying the device's evidence to the community's case server, and the
//! server's work orders back. Blocking HTTP (ureq + rustls: no async runtime
//! and no OpenSSL, so it stays small and cross-compiles for phones); the apps
//! call it from a background worker,
//! the CLI directly. One call to [`Device::sync`] refreshes the time anchor,
//! exchanges orders and drains the outbox as far as the network allows.

pub(crate) mod api;
mod deadline;
mod enroll;
mod orders;
mod progress;
mod push;
mod time;
mod tus;

pub use progress::{Silent, SyncObserver, SyncProgress};
pub use push::SyncReport;
pub use tus::{MAX_CHUNK, MIN_CHUNK};

use crate::device::Device;
use crate::error::{Error, Result};

/// Tuning of one sync run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// First tus chunk size; adapts between [`tus::MIN_CHUNK`] and [`tus::MAX_CHUNK`].
    pub initial_chunk_bytes: u64,
    /// One deadline for the whole run, this many ms from its start: time anchor,
    /// order exchange and outbox each get a first attempt, and a failed one is
    /// tried again only while its next attempt falls before the deadline (0: each once).
    pub wait_for_backoff_ms: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        // 256 KiB: one chunk is seconds, not minutes, on a weak 3G/edge link in a stairwell.
        SyncOptions { initial_chunk_bytes: 256 * 1024, wait_for_backoff_ms: 0 }
    }
}

impl Device {
    /// Runs one sync: time anchor, orders, outbox, all within one deadline
    /// (`options.wait_for_backoff_ms` from now). Stops early on cancel or a refused device.
    pub fn sync(&self, options: &SyncOptions, observer: &dyn SyncObserver) -> Result<SyncReport> {
        let enrollment =
            self.enrollment()?.ok_or_else(|| Error::InvalidInput("设备尚未注册 / this device is not enrolled with a server".into()))?;
        let api = api::Api::new(&enrollment.server_url, Some(enrollment.token.clone()))?;
        let deadline = deadline::RunDeadline::starting_now(options.wait_for_backoff_ms);
        self.make_waiting_jobs_due()?;
        // Capture works without an anchor (entries are flagged unanchored), so a
        // failed anchor does not stop the run; a cancel does.
        let anchored = match deadline.retrying("time anchor", observer, || self.refresh_time_anchor(&api, &enrollment.server_key)) {
            Ok(_) => true,
            Err(e) if e.is_cancel() => return Err(Error::Cancelled),
            Err(e) => {
                tracing::warn!("time anchor not refreshed: {}", Error::from(e));
                false
            }
        };
        let mut report = SyncReport { anchored, ..SyncReport::default() };
        let (pushed, pulled) = deadline.retrying("order exchange", observer, || self.exchange_orders(&api)).map_err(Error::from)?;
        report.orders_pushed = pushed;
        report.orders_pulled = pulled;
        self.make_pending_derivatives()?;
        self.push_outbox(&api, &enrollment.server_key, options, &deadline, observer, &mut report)?;
        Ok(report)
    }
}
