//! The outbox: upload jobs that survive restarts, crashes and weeks without
//! signal. Ordering is what coordinators need first: thumbnails (tiny, they
//! show the evidence exists), then originals smallest first, each manifest
//! only after its original so the server can check the hash it names. A job
//! that fails for a permanent reason stops retrying but keeps its data, and
//! never blocks the jobs behind it.
//!
//! Backoff belongs to one sync run. A run is started by a person or by the
//! app's scheduler, which has already decided that now is the time (network
//! back, a worker pressing sync); so a new run first makes every waiting job
//! due again ([`Device::make_waiting_jobs_due`]) instead of waiting out a
//! delay an earlier run computed while the server was away. Within a run,
//! each failure pushes its job back by the backoff below.

use std::time::Duration;

use rand::Rng;
use rusqlite::{params, Row, Transaction};
use serde::{Deserialize, Serialize};

use crate::device::{now_ms, Device};
use crate::error::{Error, Result};

/// Job part: the reduced-size thumbnail.
pub const PART_THUMBNAIL: &str = "thumbnail";
/// Job part: the original media file.
pub const PART_ORIGINAL: &str = "original";
/// Job part: the signed manifest.
pub const PART_MANIFEST: &str = "manifest";

/// Ordering classes: lower goes first.
const CLASS_THUMBNAIL: i64 = 0;
const CLASS_MEDIA: i64 = 1;

/// First retry delay.
pub const BACKOFF_BASE_MS: i64 = 5_000;
/// Longest retry delay (a worker back in signal should not wait longer than this).
pub const BACKOFF_CAP_MS: i64 = 30 * 60_000;

/// A pending job that can go once its time comes: a manifest waits for its
/// original, because the server checks the media hash the manifest names.
/// (`o` is the outbox row in question.)
const SENDABLE: &str = "o.state = 'pending'
    AND NOT (o.part = 'manifest' AND EXISTS (
        SELECT 1 FROM outbox m WHERE m.item_id = o.item_id AND m.part = 'original' AND m.state != 'done'))";

/// One upload job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxJob {
    /// Job id.
    pub id: i64,
    /// Entry it belongs to.
    pub item_id: String,
    /// "thumbnail", "original" or "manifest".
    pub part: String,
    /// Blob to upload (None for manifests).
    pub blob_sha256: Option<String>,
    /// Bytes to send.
    pub bytes: u64,
    /// "pending", "done" or "failed".
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Not before this time, Unix ms.
    pub next_attempt_at_ms: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Resumable upload URL on the server, once created.
    pub upload_url: Option<String>,
}

/// Cheap summary of the queue for a status bar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueStatus {
    /// Jobs waiting to be sent.
    pub pending_jobs: u64,
    /// Bytes waiting to be sent.
    pub pending_bytes: u64,
    /// Jobs stopped for a permanent reason, awaiting a person.
    pub failed_jobs: u64,
    /// Jobs the server acknowledged.
    pub done_jobs: u64,
    /// Entries with a server receipt.
    pub receipts: u64,
    /// Earliest next attempt among pending jobs that can be sent (a manifest
    /// waiting for its original counts through its original).
    pub next_attempt_at_ms: Option<i64>,
}

pub(crate) fn enqueue_media_job(tx: &Transaction<'_>, item_id: &str, part: &str, sha: &str, bytes: u64) -> Result<()> {
    let class = if part == PART_THUMBNAIL { CLASS_THUMBNAIL } else { CLASS_MEDIA };
    tx.execute(
        "INSERT OR IGNORE INTO outbox (item_id, part, blob_sha256, bytes, class, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![item_id, part, sha, bytes as i64, class, now_ms()],
    )?;
    Ok(())
}

pub(crate) fn enqueue_entry_jobs(tx: &Transaction<'_>, item_id: &str, manifest_bytes: u64) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO outbox (item_id, part, bytes, class, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![item_id, PART_MANIFEST, manifest_bytes as i64, CLASS_MEDIA, now_ms()],
    )?;
    Ok(())
}

const COLUMNS: &str = "id, item_id, part, blob_sha256, bytes, state, attempts, next_attempt_at_ms, last_error, upload_url";

fn from_row(r: &Row<'_>) -> rusqlite::Result<OutboxJob> {
    Ok(OutboxJob {
        id: r.get(0)?,
        item_id: r.get(1)?,
        part: r.get(2)?,
        blob_sha256: r.get(3)?,
        bytes: r.get::<_, i64>(4)? as u64,
        state: r.get(5)?,
        attempts: r.get(6)?,
        next_attempt_at_ms: r.get(7)?,
        last_error: r.get(8)?,
        upload_url: r.get(9)?,
    })
}

/// Delay before attempt `attempts + 1`: exponential, capped, with jitter in [d/2, d]
/// so a hundred phones regaining signal together do not retry in lockstep.
pub fn backoff_delay_ms(attempts: u32, rng: &mut impl Rng) -> i64 {
    let exp = BACKOFF_BASE_MS.saturating_mul(1i64 << attempts.min(20));
    let d = exp.min(BACKOFF_CAP_MS);
    rng.gen_range(d / 2..=d)
}

/// Delay before the next attempt after `failures` failures: our backoff, but never
/// sooner than the server asked (`Retry-After`), and never longer than the cap.
pub fn retry_delay_ms(failures: u32, server_asked: Option<Duration>, rng: &mut impl Rng) -> i64 {
    let asked = server_asked.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX).min(BACKOFF_CAP_MS));
    backoff_delay_ms(failures, rng).max(asked)
}

impl Device {
    /// Counts and bytes of the queue, from one indexed query.
    pub fn queue_status(&self) -> Result<QueueStatus> {
        let conn = self.db()?;
        let mut s = QueueStatus::default();
        let mut stmt = conn.prepare("SELECT state, count(*), coalesce(sum(bytes), 0) FROM outbox GROUP BY state")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let state: String = r.get(0)?;
            let n = r.get::<_, i64>(1)? as u64;
            match state.as_str() {
                "pending" => {
                    s.pending_jobs = n;
                    s.pending_bytes = r.get::<_, i64>(2)? as u64;
                }
                "failed" => s.failed_jobs = n,
                _ => s.done_jobs = n,
            }
        }
        s.next_attempt_at_ms =
            conn.query_row(&format!("SELECT min(o.next_attempt_at_ms) FROM outbox o WHERE {SENDABLE}"), [], |r| r.get(0))?;
        s.receipts = conn.query_row("SELECT count(*) FROM receipts", [], |r| r.get::<_, i64>(0))? as u64;
        Ok(s)
    }

    /// Every job, in the order they will be sent.
    pub fn queue_jobs(&self) -> Result<Vec<OutboxJob>> {
        let conn = self.db()?;
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY state = 'done', class, bytes, id"))?;
        let jobs = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(jobs)
    }

    /// Pending jobs due at `now_ms`, in send order; a manifest is due only once its original is done.
    pub fn due_jobs(&self, now_ms: i64, limit: u32) -> Result<Vec<OutboxJob>> {
        let conn = self.db()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM outbox o WHERE {SENDABLE} AND o.next_attempt_at_ms <= ?1
             ORDER BY o.class, o.bytes, o.id LIMIT ?2"
        ))?;
        let jobs = stmt.query_map(params![now_ms, limit], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(jobs)
    }

    /// Records that the server acknowledged a job.
    pub fn mark_job_done(&self, job_id: i64) -> Result<()> {
        self.update_job(
            job_id,
            "UPDATE outbox SET state = 'done', acked_at_ms = ?2, last_error = NULL WHERE id = ?1",
            params![job_id, now_ms()],
        )
    }

    /// Records a transient failure and schedules the next attempt with backoff.
    pub fn mark_job_retry(&self, job_id: i64, error: &str, now_ms: i64) -> Result<OutboxJob> {
        self.mark_job_retry_after(job_id, error, now_ms, None)
    }

    /// Like [`Device::mark_job_retry`], never sooner than the server asked (`Retry-After`).
    pub fn mark_job_retry_after(&self, job_id: i64, error: &str, now_ms: i64, server_asked: Option<Duration>) -> Result<OutboxJob> {
        let conn = self.db()?;
        let attempts: u32 = conn
            .query_row("SELECT attempts FROM outbox WHERE id = ?1", [job_id], |r| r.get(0))
            .map_err(|_| Error::NotFound(format!("no outbox job {job_id}")))?;
        let next = now_ms + retry_delay_ms(attempts, server_asked, &mut rand::thread_rng());
        conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = ?2, last_error = ?3 WHERE id = ?1",
            params![job_id, next, error],
        )?;
        Ok(conn.query_row(&format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"), [job_id], from_row)?)
    }

    /// Stops a job for a permanent reason; its data stays until a person decides.
    /// A refused original takes its manifest with it: the server cannot accept
    /// an entry whose media it refused, and a manifest left pending would keep
    /// every sync waiting for something that cannot come.
    pub fn mark_job_failed(&self, job_id: i64, reason: &str) -> Result<()> {
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let changed = tx.execute(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![job_id, reason],
        )?;
        if changed == 0 {
            return Err(Error::NotFound(format!("no outbox job {job_id}")));
        }
        tx.execute(
            "UPDATE outbox SET state = 'failed', last_error = ?2
             WHERE part = 'manifest' AND state = 'pending'
               AND item_id = (SELECT item_id FROM outbox WHERE id = ?1 AND part = 'original')",
            params![job_id, format!("原件未被接受 / its original was refused: {reason}")],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Makes every waiting job due now; called as a sync run starts (see the module
    /// comment for why a new run does not inherit an earlier run's backoff). Attempts
    /// are kept, so backoff within the run still grows from the job's history.
    pub(crate) fn make_waiting_jobs_due(&self) -> Result<u64> {
        Ok(self.db()?.execute("UPDATE outbox SET next_attempt_at_ms = 0 WHERE state = 'pending' AND next_attempt_at_ms > 0", [])? as u64)
    }

    /// Sends an entry's original again (the server lost it or never kept it); its
    /// manifest follows once the original is done.
    pub(crate) fn requeue_original(&self, item_id: &str) -> Result<()> {
        self.db()?.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_at_ms = 0, upload_url = NULL
             WHERE item_id = ?1 AND part = 'original'",
            params![item_id],
        )?;
        Ok(())
    }

    /// Remembers the resumable upload URL of a job.
    pub fn set_job_upload_url(&self, job_id: i64, url: Option<&str>) -> Result<()> {
        self.update_job(job_id, "UPDATE outbox SET upload_url = ?2 WHERE id = ?1", params![job_id, url])
    }

    /// Puts failed jobs back in the queue (after a coordinator fixed the cause), returning how many.
    pub fn retry_failed_jobs(&self) -> Result<u64> {
        Ok(self.db()?.execute("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at_ms = 0 WHERE state = 'failed'", [])?
            as u64)
    }

    fn update_job(&self, job_id: i64, sql: &str, p: impl rusqlite::Params) -> Result<()> {
        if self.db()?.execute(sql, p)? == 0 {
            return Err(Error::NotFound(format!("no outbox job {job_id}")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_jitters() {
        let mut rng = rand::thread_rng();
        for attempts in 0..40 {
            let exp = (BACKOFF_BASE_MS.saturating_mul(1 << attempts.min(20))).min(BACKOFF_CAP_MS);
            for _ in 0..20 {
                let d = backoff_delay_ms(attempts, &mut rng);
                assert!(d >= exp / 2 && d <= exp, "attempt {attempts}: {d}");
            }
        }
        assert!(backoff_delay_ms(30, &mut rng) <= BACKOFF_CAP_MS);
    }

    #[test]
    fn a_server_hint_delays_but_never_hastens_or_exceeds_the_cap() {
        let mut rng = rand::thread_rng();
        for _ in 0..50 {
            let ours = retry_delay_ms(0, None, &mut rng);
            assert!((BACKOFF_BASE_MS / 2..=BACKOFF_BASE_MS).contains(&ours), "{ours}");
            assert!(retry_delay_ms(0, Some(Duration::from_secs(60)), &mut rng) == 60_000);
            let tiny = retry_delay_ms(0, Some(Duration::from_millis(1)), &mut rng);
            assert!(tiny >= BACKOFF_BASE_MS / 2, "a hint of 1 ms does not hasten our backoff: {tiny}");
            assert_eq!(retry_delay_ms(0, Some(Duration::from_secs(86_400)), &mut rng), BACKOFF_CAP_MS);
        }
    }
}
