//! Draining the outbox: each due job in queue order, each failure sorted into
//! "try again later" (backoff), "this job can never succeed" (stop it, keep
//! its data, say why) or "this device is refused" (stop the whole sync, keep
//! the queue intact for a coordinator).

use std::time::Duration;

use reqwest::Method;
use rusqlite::params;

use super::api::{error_for, is_auth, is_permanent, Api};
use super::progress::{SyncObserver, SyncProgress};
use super::tus::{self, BlobUpload, UploadHooks};
use super::SyncOptions;
use crate::device::{now_ms, Device};
use crate::error::{Error, Result};
use crate::evidence::SignedReceipt;
use crate::queue::{OutboxJob, PART_MANIFEST};

/// What one sync run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// A fresh time anchor was recorded.
    pub anchored: bool,
    /// Local order edits the server merged.
    pub orders_pushed: u64,
    /// Orders received from the server.
    pub orders_pulled: u64,
    /// Jobs completed.
    pub jobs_done: u64,
    /// Receipts received and stored.
    pub receipts: u64,
    /// Bytes put on the wire in upload bodies (includes re-sent bytes).
    pub bytes_sent: u64,
    /// Bytes the server confirmed it holds.
    pub bytes_acknowledged: u64,
    /// Jobs stopped for a permanent reason in this run.
    pub jobs_failed: u64,
    /// Jobs still pending at the end (in backoff).
    pub jobs_remaining: u64,
}

enum JobError {
    /// The device is refused: stop everything.
    Refused(Error),
    /// This job cannot succeed as it is.
    Permanent(String),
    /// Try again after backoff.
    Transient(String),
    /// Local failure (disk, store): stop and report.
    Local(Error),
}

impl From<Error> for JobError {
    fn from(e: Error) -> Self {
        match e {
            Error::Network(m) => JobError::Transient(m),
            Error::Rejected(m) => JobError::Permanent(m),
            Error::Integrity(m) => JobError::Transient(format!("server answer failed a check: {m}")),
            other => JobError::Local(other),
        }
    }
}

struct Run<'a> {
    observer: &'a dyn SyncObserver,
    progress: SyncProgress,
    chunk: u64,
}

impl Device {
    pub(crate) fn push_outbox(
        &self,
        api: &Api,
        server_key: &str,
        options: &SyncOptions,
        observer: &dyn SyncObserver,
        report: &mut SyncReport,
    ) -> Result<()> {
        let status = self.queue_status()?;
        let mut run = Run {
            observer,
            progress: SyncProgress { jobs_total: status.pending_jobs, bytes_total: status.pending_bytes, ..Default::default() },
            chunk: options.initial_chunk_bytes.clamp(tus::MIN_CHUNK, tus::MAX_CHUNK),
        };
        let deadline = now_ms() + options.wait_for_backoff_ms as i64;
        loop {
            let jobs = self.due_jobs(now_ms(), 64)?;
            if jobs.is_empty() {
                let st = self.queue_status()?;
                match st.next_attempt_at_ms {
                    Some(next) if st.pending_jobs > 0 && next <= deadline => {
                        if observer.is_cancelled() {
                            return Err(Error::Cancelled);
                        }
                        std::thread::sleep(Duration::from_millis((next - now_ms()).clamp(10, 1_000) as u64));
                        continue;
                    }
                    _ => {
                        report.jobs_remaining = st.pending_jobs;
                        return Ok(());
                    }
                }
            }
            for job in jobs {
                if observer.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                run.progress.current = format!("{} {}", job.part, &job.item_id);
                match self.push_job(api, server_key, &job, &mut run, report) {
                    Ok(()) => {
                        self.mark_job_done(job.id)?;
                        report.jobs_done += 1;
                        run.progress.jobs_done += 1;
                        observer.on_progress(run.progress.clone());
                    }
                    Err(JobError::Refused(e)) => return Err(e),
                    Err(JobError::Local(e)) => return Err(e),
                    Err(JobError::Permanent(why)) => {
                        tracing::warn!(job = job.id, "job stopped: {why}");
                        self.mark_job_failed(job.id, &why)?;
                        report.jobs_failed += 1;
                    }
                    Err(JobError::Transient(why)) => {
                        tracing::info!(job = job.id, "job will be retried: {why}");
                        self.mark_job_retry(job.id, &why, now_ms())?;
                    }
                }
            }
        }
    }

    fn push_job(&self, api: &Api, server_key: &str, job: &OutboxJob, run: &mut Run<'_>, report: &mut SyncReport) -> Result<(), JobError> {
        if job.part == PART_MANIFEST {
            return self.push_manifest(api, server_key, job, report);
        }
        let sha = job.blob_sha256.as_deref().ok_or_else(|| JobError::Permanent("media job without a blob".into()))?;
        let resp = api.send(api.request(Method::HEAD, &format!("/v1/blobs/{sha}")))?;
        if resp.status().is_success() {
            // The server already holds these bytes (an earlier run, or the same content twice).
            report.bytes_acknowledged += job.bytes;
            run.progress.bytes_done += job.bytes;
            return Ok(());
        }
        if is_auth(resp.status()) {
            return Err(JobError::Refused(error_for(resp, "设备被拒绝 / device refused")));
        }
        let path = self.blob_path(sha).ok_or_else(|| JobError::Permanent(format!("blob {sha} is missing on the device")))?;
        let media_type: String = self
            .db()?
            .query_row("SELECT media_type FROM blobs WHERE sha256 = ?1", [sha], |r| r.get(0))
            .map_err(Error::from)?;
        let blob = BlobUpload { path: &path, sha256: sha, size: job.bytes, media_type: &media_type, item_id: &job.item_id, role: &job.part };
        let mut hooks = Hooks { device: self, job_id: job.id, run, report };
        let mut chunk = hooks.run.chunk;
        let result = tus::upload(api, &blob, job.upload_url.clone(), &mut chunk, &mut hooks);
        hooks.run.chunk = chunk;
        match result {
            Ok(()) => Ok(()),
            Err(Error::Rejected(m)) if m.contains("HTTP 401") || m.contains("HTTP 403") => {
                Err(JobError::Refused(Error::Rejected(m)))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn push_manifest(&self, api: &Api, server_key: &str, job: &OutboxJob, report: &mut SyncReport) -> Result<(), JobError> {
        let (_, signed) = self.get_item_with_manifest(&job.item_id)?;
        let resp = api.send(api.request(Method::POST, "/v1/manifests").json(&signed))?;
        let status = resp.status();
        if status.is_success() {
            let receipt: SignedReceipt =
                resp.json().map_err(|e| JobError::Transient(format!("unreadable receipt: {e}")))?;
            self.store_receipt(&job.item_id, &receipt, server_key)?;
            report.receipts += 1;
            return Ok(());
        }
        if is_auth(status) {
            return Err(JobError::Refused(error_for(resp, "设备被拒绝 / device refused")));
        }
        let err = error_for(resp, "提交清单 / submit manifest");
        if status.as_u16() == 409 && err.to_string().contains("media") {
            // The server lost or never kept the media: send it again, then this manifest.
            self.db()?
                .execute(
                    "UPDATE outbox SET state = 'pending', next_attempt_at_ms = 0, upload_url = NULL
                     WHERE item_id = ?1 AND part = 'original'",
                    params![job.item_id],
                )
                .map_err(Error::from)?;
            return Err(JobError::Transient(err.to_string()));
        }
        if is_permanent(status) {
            return Err(JobError::Permanent(err.to_string()));
        }
        Err(JobError::Transient(err.to_string()))
    }
}

struct Hooks<'a, 'b> {
    device: &'a Device,
    job_id: i64,
    run: &'a mut Run<'b>,
    report: &'a mut SyncReport,
}

impl UploadHooks for Hooks<'_, '_> {
    fn save_url(&mut self, url: Option<&str>) -> Result<()> {
        self.device.set_job_upload_url(self.job_id, url)
    }
    fn progress(&mut self, acknowledged: u64, sent: u64) {
        self.report.bytes_sent += sent;
        self.report.bytes_acknowledged += acknowledged;
        self.run.progress.bytes_done += acknowledged;
        if acknowledged > 0 {
            self.run.observer.on_progress(self.run.progress.clone());
        }
    }
    fn cancelled(&self) -> bool {
        self.run.observer.is_cancelled()
    }
}
