//! The outbox and sync as the queue screen and the background worker see
//! them, plus the device identity shown in settings.

use siteproof_core::{DeviceInfo, JobPart, JobState, OutboxJob, PruneReport, QueueStatus, SyncOptions, SyncProgress, SyncReport};

#[uniffi::remote(Record)]
pub struct DeviceInfo {
    pub device_id: String,
    pub public_key: String,
    pub store_dir: String,
    pub server_url: Option<String>,
}

#[uniffi::remote(Record)]
pub struct QueueStatus {
    pub pending_jobs: u64,
    pub pending_bytes: u64,
    pub failed_jobs: u64,
    pub done_jobs: u64,
    pub receipts: u64,
    pub next_attempt_at_ms: Option<i64>,
}

// A job's part and state cross as the words the queue stores, which the
// apps' queue screens already label.
uniffi::custom_type!(JobPart, String, {
    remote,
    lower: |part| part.as_str().to_string(),
    try_lift: |text| Ok(text.parse::<JobPart>()?),
});

uniffi::custom_type!(JobState, String, {
    remote,
    lower: |state| state.as_str().to_string(),
    try_lift: |text| Ok(text.parse::<JobState>()?),
});

#[uniffi::remote(Record)]
pub struct OutboxJob {
    pub id: i64,
    pub item_id: String,
    pub part: JobPart,
    pub blob_sha256: Option<String>,
    pub bytes: u64,
    pub state: JobState,
    pub attempts: u32,
    pub next_attempt_at_ms: i64,
    pub last_error: Option<String>,
    pub upload_url: Option<String>,
}

#[uniffi::remote(Record)]
pub struct SyncOptions {
    pub initial_chunk_bytes: u64,
    pub wait_for_backoff_ms: u64,
}

#[uniffi::remote(Record)]
pub struct SyncProgress {
    pub jobs_done: u64,
    pub jobs_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub current: String,
}

#[uniffi::remote(Record)]
pub struct SyncReport {
    pub anchored: bool,
    pub orders_pushed: u64,
    pub orders_pulled: u64,
    pub jobs_done: u64,
    pub receipts: u64,
    pub bytes_sent: u64,
    pub bytes_acknowledged: u64,
    pub jobs_failed: u64,
    pub jobs_remaining: u64,
}

#[uniffi::remote(Record)]
pub struct PruneReport {
    pub originals_removed: u64,
    pub bytes_freed: u64,
}
