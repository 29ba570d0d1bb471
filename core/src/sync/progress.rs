//! How a sync reports progress and learns it should stop. A trait, so the
//! apps can implement it in Kotlin or Swift (uniffi foreign trait) and the
//! CLI can draw a progress bar.

/// A snapshot of a running sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncProgress {
    /// Jobs finished in this run.
    pub jobs_done: u64,
    /// Jobs known at the start of this run plus any added since.
    pub jobs_total: u64,
    /// Bytes sent or confirmed present in this run.
    pub bytes_done: u64,
    /// Bytes queued at the start of this run.
    pub bytes_total: u64,
    /// What is being sent now, e.g. "original 01a2…".
    pub current: String,
}

/// Receives progress and answers whether to stop.
pub trait SyncObserver: Send + Sync {
    /// Called after each chunk and each finished job.
    fn on_progress(&self, progress: SyncProgress);
    /// Polled between chunks; returning true stops the sync cleanly.
    fn is_cancelled(&self) -> bool;
}

/// An observer that ignores progress and never cancels.
#[derive(Debug, Default)]
pub struct Silent;

impl SyncObserver for Silent {
    fn on_progress(&self, _: SyncProgress) {}
    fn is_cancelled(&self) -> bool {
        false
    }
}
