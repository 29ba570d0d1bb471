//! The outbox: upload jobs that survive restarts, crashes and weeks without
//! signal. Ordering is what coordinators need first: thumbnails (tiny, they
//! show the evidence exists), then originals smallest first, each manifest
//! only after its original so the server can check the hash it names. A job
//! that fails for a permanent reason stops retrying but keeps its data, and
//! never blocks the jobs behind it. The table's SQL is `store/outbox.rs`;
//! this module holds the rules: classes, backoff, and what each outcome does.
//!
//! Backoff belongs to one sync run. A run is started by a person or by the
//! app's scheduler, which has already decided that now is the time (network
//! back, a worker pressing sync); so a new run first makes every waiting job
//! due again ([`Device::make_waiting_jobs_due`]) instead of waiting out a
//! delay an earlier run computed while the server was away. Within a run,
//! each failure pushes its job back by the backoff below.

use std::time::Duration;

use rand::Rng;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::device::{now_ms, Device};
use crate::error::{Error, Result};
use crate::store::{outbox, receipts};

/// Declares a closed set of words the outbox stores as text: the enum, its
/// stored text (`as_str`, serde, SQL) and the reading back, written once.
/// The stored words are the ones the table always held, so no migration.
macro_rules! stored_words {
    ($(#[doc = $doc:literal])* $name:ident, $what:literal { $($(#[doc = $vdoc:literal])* $variant:ident = $text:literal,)* }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name {
            $($(#[doc = $vdoc])* $variant,)*
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    Error::InvalidInput(format!(concat!("未知的", $what, " {:?} / unknown ", $what, " {:?}"), s, s))
                })
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<$name> {
                s.parse()
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str {
                v.as_str()
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                v.as_str()?.parse().map_err(|e: Error| FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

stored_words! {
    /// What an upload job sends.
    JobPart, "上传部分 job part" {
        /// The reduced-size thumbnail.
        Thumbnail = "thumbnail",
        /// The original media file.
        Original = "original",
        /// The signed manifest.
        Manifest = "manifest",
    }
}

stored_words! {
    /// Where an upload job stands.
    JobState, "上传状态 job state" {
        /// Waiting to be sent (or between retries).
        Pending = "pending",
        /// Acknowledged by the server.
        Done = "done",
        /// Stopped for a permanent reason, awaiting a person.
        Failed = "failed",
    }
}

/// Ordering classes: lower goes first.
const CLASS_THUMBNAIL: i64 = 0;
const CLASS_MEDIA: i64 = 1;

/// First retry delay.
pub const BACKOFF_BASE_MS: i64 = 5_000;
/// Longest retry delay (a worker back in signal should not wait longer than this).
pub const BACKOFF_CAP_MS: i64 = 30 * 60_000;

/// One upload job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxJob {
    /// Job id.
    pub id: i64,
    /// Entry it belongs to.
    pub item_id: String,
    /// What it sends.
    pub part: JobPart,
    /// Blob to upload (None for manifests).
    pub blob_sha256: Option<String>,
    /// Bytes to send.
    pub bytes: u64,
    /// Where it stands.
    pub state: JobState,
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

/// Queues the upload of a media blob (an original or a thumbnail) inside the capture's transaction.
pub(crate) fn enqueue_media_job(conn: &Connection, item_id: &str, part: JobPart, sha: &str, bytes: u64) -> Result<()> {
    let class = if part == JobPart::Thumbnail { CLASS_THUMBNAIL } else { CLASS_MEDIA };
    Ok(outbox::enqueue(conn, item_id, part, Some(sha), bytes, class, now_ms())?)
}

/// Queues the upload of an entry's signed manifest inside the capture's transaction.
pub(crate) fn enqueue_entry_jobs(conn: &Connection, item_id: &str, manifest_bytes: u64) -> Result<()> {
    Ok(outbox::enqueue(conn, item_id, JobPart::Manifest, None, manifest_bytes, CLASS_MEDIA, now_ms())?)
}

fn no_job(job_id: i64) -> Error {
    Error::NotFound(format!("上传任务 {job_id} 不存在 / no outbox job {job_id}"))
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
        let mut s = outbox::status(&conn)?;
        s.receipts = receipts::count(&conn)?;
        Ok(s)
    }

    /// Every job, in the order they will be sent.
    pub fn queue_jobs(&self) -> Result<Vec<OutboxJob>> {
        Ok(outbox::all(&*self.db()?)?)
    }

    /// Puts failed jobs back in the queue (after a coordinator fixed the cause), returning how many.
    pub fn retry_failed_jobs(&self) -> Result<u64> {
        Ok(outbox::retry_failed(&*self.db()?)?)
    }

    test_support_pub! {
        /// Pending jobs due at `now_ms`, in send order; a manifest is due only once its original is done.
        fn due_jobs(&self, now_ms: i64, limit: u32) -> Result<Vec<OutboxJob>> {
            Ok(outbox::due(&*self.db()?, now_ms, limit)?)
        }
    }

    test_support_pub! {
        /// Records that the server acknowledged a job.
        fn mark_job_done(&self, job_id: i64) -> Result<()> {
            outbox::mark_done(&*self.db()?, job_id, now_ms())?.then_some(()).ok_or_else(|| no_job(job_id))
        }
    }

    /// Records a transient failure and schedules the next attempt with backoff.
    #[cfg(feature = "test-support")]
    pub fn mark_job_retry(&self, job_id: i64, error: &str, now_ms: i64) -> Result<OutboxJob> {
        self.mark_job_retry_after(job_id, error, now_ms, None)
    }

    test_support_pub! {
        /// Records a transient failure and schedules the next attempt with backoff,
        /// never sooner than the server asked (`Retry-After`).
        fn mark_job_retry_after(&self, job_id: i64, error: &str, now_ms: i64, server_asked: Option<Duration>) -> Result<OutboxJob> {
            let conn = self.db()?;
            let job = outbox::get(&conn, job_id)?.ok_or_else(|| no_job(job_id))?;
            let next = now_ms + retry_delay_ms(job.attempts, server_asked, &mut rand::thread_rng());
            outbox::schedule_retry(&conn, job_id, next, error)?;
            outbox::get(&conn, job_id)?.ok_or_else(|| no_job(job_id))
        }
    }

    test_support_pub! {
        /// Stops a job for a permanent reason; its data stays until a person decides.
        /// A refused original takes its manifest with it: the server cannot accept
        /// an entry whose media it refused, and a manifest left pending would keep
        /// every sync waiting for something that cannot come.
        fn mark_job_failed(&self, job_id: i64, reason: &str) -> Result<()> {
            let mut conn = self.db()?;
            let tx = conn.transaction()?;
            let manifest_reason = format!("原件未被接受 / its original was refused: {reason}");
            if !outbox::mark_failed(&tx, job_id, reason, &manifest_reason)? {
                return Err(no_job(job_id));
            }
            tx.commit()?;
            Ok(())
        }
    }

    /// Makes every waiting job due now; called as a sync run starts (see the module
    /// comment for why a new run does not inherit an earlier run's backoff). Attempts
    /// are kept, so backoff within the run still grows from the job's history.
    #[cfg(feature = "sync")]
    pub(crate) fn make_waiting_jobs_due(&self) -> Result<u64> {
        Ok(outbox::make_waiting_due(&*self.db()?)?)
    }

    /// Sends an entry's original again (the server lost it or never kept it); its
    /// manifest follows once the original is done.
    #[cfg(feature = "sync")]
    pub(crate) fn requeue_original(&self, item_id: &str) -> Result<()> {
        Ok(outbox::requeue_original(&*self.db()?, item_id)?)
    }

    /// Remembers the resumable upload URL of a job.
    #[cfg(feature = "sync")]
    pub(crate) fn set_job_upload_url(&self, job_id: i64, url: Option<&str>) -> Result<()> {
        outbox::set_upload_url(&*self.db()?, job_id, url)?.then_some(()).ok_or_else(|| no_job(job_id))
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

    #[test]
    fn job_words_are_stored_and_sent_as_the_table_always_held_them() {
        let conn = Connection::open_in_memory().unwrap();
        for (part, text) in [(JobPart::Thumbnail, "thumbnail"), (JobPart::Original, "original"), (JobPart::Manifest, "manifest")] {
            let back: (String, JobPart) = conn.query_row("SELECT ?1, ?1", [part], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            assert_eq!(back, (text.to_string(), part));
            assert_eq!(serde_json::to_value(part).unwrap(), text);
        }
        for (state, text) in [(JobState::Pending, "pending"), (JobState::Done, "done"), (JobState::Failed, "failed")] {
            let back: (String, JobState) = conn.query_row("SELECT ?1, ?1", [state], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            assert_eq!(back, (text.to_string(), state));
            assert_eq!(serde_json::from_value::<JobState>(text.into()).unwrap(), state);
        }
        assert!(conn.query_row("SELECT 'sent'", [], |r| r.get::<_, JobState>(0)).is_err(), "a word the table never held is refused");
        assert!(serde_json::from_value::<JobPart>("preview".into()).is_err());
    }
}
