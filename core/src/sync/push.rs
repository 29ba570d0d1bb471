//! Draining the outbox: each due job in queue order, each failure sorted by
//! its `RetryKind` (decided once, in `api.rs`) into "try again later"
//! (backoff), "the server is unavailable" (backoff, and the rest of the queue
//! waits with it), "this job can never succeed" (stop it, keep its data, say
//! why) or "this device is refused" (stop the whole sync, keep the queue
//! intact for a coordinator). The run's deadline bounds the waiting.

use super::api::{read_json, refused, Api, CallResult, Refusal, RetryKind};
use super::deadline::RunDeadline;
use super::progress::{SyncObserver, SyncProgress};
use super::tus::{self, BlobUpload, UploadHooks};
use super::SyncOptions;
use crate::device::{now_ms, Device};
use crate::error::{Error, Failure, Result};
use crate::evidence::{Manifest, SignedManifest, SignedReceipt};
use crate::queue::{JobPart, OutboxJob};
use crate::store::blob_rows;
use siteproof_protocol::wire::error_code::ErrorCode;
use siteproof_protocol::wire::receipt::ReceiptEnvelope;

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
        deadline: &RunDeadline,
        observer: &dyn SyncObserver,
        report: &mut SyncReport,
    ) -> Result<()> {
        let status = self.queue_status()?;
        let mut run = Run {
            observer,
            progress: SyncProgress { jobs_total: status.pending_jobs, bytes_total: status.pending_bytes, ..Default::default() },
            chunk: options.initial_chunk_bytes.clamp(tus::MIN_CHUNK, tus::MAX_CHUNK),
        };
        // While the server is unavailable, no job is sent before this time (Unix ms).
        let mut unavailable_until = 0;
        loop {
            if observer.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let now = now_ms();
            let jobs = if now < unavailable_until { Vec::new() } else { self.due_jobs(now, 64)? };
            if jobs.is_empty() {
                let st = self.queue_status()?;
                match st.next_attempt_at_ms.map(|next| next.max(unavailable_until)) {
                    Some(next) if st.pending_jobs > 0 && deadline.allows(next) => {
                        deadline.sleep_until(next, observer)?;
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
                let refusal = match self.push_job(api, server_key, &job, &mut run, report) {
                    Ok(()) => {
                        self.mark_job_done(job.id)?;
                        report.jobs_done += 1;
                        run.progress.jobs_done += 1;
                        observer.on_progress(run.progress.clone());
                        continue;
                    }
                    Err(Failure::Refused(r)) => r,
                    Err(local) => return Err(local.into()),
                };
                match refusal.retry {
                    RetryKind::StopDevice => return Err(refusal.into_error()),
                    RetryKind::Permanent => {
                        tracing::warn!(job = job.id, "job stopped: {}", refusal.message);
                        self.mark_job_failed(job.id, &refusal.message)?;
                        report.jobs_failed += 1;
                    }
                    RetryKind::Transient { retry_after } => {
                        tracing::info!(job = job.id, "job will be retried: {}", refusal.message);
                        self.mark_job_retry_after(job.id, &refusal.message, now_ms(), retry_after)?;
                    }
                    RetryKind::Unavailable { retry_after } => {
                        tracing::info!(job = job.id, "server unavailable, queue waits: {}", refusal.message);
                        let rescheduled = self.mark_job_retry_after(job.id, &refusal.message, now_ms(), retry_after)?;
                        // Every other job would meet the same refusal now: they wait with this one.
                        unavailable_until = rescheduled.next_attempt_at_ms;
                        break;
                    }
                }
            }
        }
    }

    fn push_job(&self, api: &Api, server_key: &str, job: &OutboxJob, run: &mut Run<'_>, report: &mut SyncReport) -> CallResult<()> {
        if job.part == JobPart::Manifest {
            return self.push_manifest(api, server_key, job, report);
        }
        let sha = job
            .blob_sha256
            .as_deref()
            .ok_or_else(|| Refusal::job_cannot_be_sent(format!("媒体任务未指明文件 / media job {} names no blob", job.id)))?;
        let resp = api.answer(api.head(&format!("/v1/blobs/{sha}")).call())?;
        if resp.status().is_success() {
            // The server already holds these bytes (an earlier run, or the same content twice).
            report.bytes_acknowledged += job.bytes;
            run.progress.bytes_done += job.bytes;
            return Ok(());
        }
        // Not held (404) is the usual answer and means "upload it"; only a refused device stops here.
        let r = refused(resp, "查询文件 / blob status");
        if r.retry == RetryKind::StopDevice {
            return Err(r.into());
        }
        let path = self
            .blob_path(sha)
            .ok_or_else(|| Refusal::job_cannot_be_sent(format!("设备上缺少文件 / blob {sha} is missing on the device")))?;
        let media_type = blob_rows::media_type(&*self.db()?, sha)?
            .ok_or_else(|| Refusal::job_cannot_be_sent(format!("设备上没有文件 {sha} 的记录 / blob {sha} has no record on the device")))?;
        let blob = BlobUpload {
            path: &path,
            sha256: sha,
            size: job.bytes,
            media_type: &media_type,
            item_id: &job.item_id,
            role: job.part.as_str(),
        };
        let mut hooks = Hooks { device: self, job_id: job.id, run, report };
        let mut chunk = hooks.run.chunk;
        let result = tus::upload(api, &blob, job.upload_url.clone(), &mut chunk, &mut hooks);
        hooks.run.chunk = chunk;
        result
    }

    fn push_manifest(&self, api: &Api, server_key: &str, job: &OutboxJob, report: &mut SyncReport) -> CallResult<()> {
        let (_, signed) = self.get_item_with_manifest(&job.item_id)?;
        let resp = api.answer(api.post("/v1/manifests").send_json(&signed))?;
        if resp.status().is_success() {
            // The envelope names a server key; the receipt is checked against the key this device trusts.
            let envelope: ReceiptEnvelope = read_json(resp, "回执 / receipt")?;
            self.store_receipt(&job.item_id, &SignedReceipt::from(envelope), server_key).map_err(Failure::from_answer_check)?;
            report.receipts += 1;
            return self.push_anchor_statement(api, &signed);
        }
        let r = refused(resp, "提交清单 / submit manifest");
        if r.code == Some(ErrorCode::MediaMissing) {
            // The server lost or never kept the media: send it again, then this manifest.
            self.requeue_original(&job.item_id)?;
        }
        Err(r.into())
    }
}

impl Device {
    /// Hands the server back the signed time statement this entry's anchored time rests on, so dispute packets
    /// carry it and its anchored time can be checked offline (the server keeps none of the statements it issues).
    /// Sent after the manifest, which the server needs to see naming it; a failure retries the manifest job,
    /// whose replay is answered with the same receipt.
    fn push_anchor_statement(&self, api: &Api, signed: &SignedManifest) -> CallResult<()> {
        let Some(anchored) = serde_json::from_str::<Manifest>(&signed.manifest).ok().and_then(|m| m.anchored) else {
            return Ok(());
        };
        let Some(statement) = self.anchor_statement(&anchored.anchor_hash)? else {
            // An anchor this store no longer holds: nothing to hand back; the packet says the time cannot be checked.
            return Ok(());
        };
        let resp = api.answer(api.post("/v1/time-statements").send_json(&statement))?;
        // 404: a server older than this route. The manifest and its receipt are done; failing the job for a
        // statement that server cannot keep would only mark delivered evidence as failed.
        if resp.status().is_success() || resp.status().as_u16() == 404 {
            return Ok(());
        }
        Err(refused(resp, "提交时间声明 / hand back time statement").into())
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
