//! The `outbox` table's SQL, and only here: upload jobs are enqueued by
//! capture, scheduled and settled by sync, and read by retention and the
//! queue views, all through these functions, so the rules of the queue (send
//! order, a manifest after its original, what "delivered" means) are written
//! once.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::queue::{JobPart, JobState, OutboxJob, QueueStatus};

/// A pending job that can go once its time comes: a manifest waits for its
/// original, because the server checks the media hash the manifest names.
/// (`o` is the outbox row in question.)
const SENDABLE: &str = "o.state = 'pending'
    AND NOT (o.part = 'manifest' AND EXISTS (
        SELECT 1 FROM outbox m WHERE m.item_id = o.item_id AND m.part = 'original' AND m.state != 'done'))";

/// For other tables' queries: entry `e` still has its original or manifest on the way to the server.
pub(crate) const ENTRY_UNDELIVERED: &str =
    "EXISTS (SELECT 1 FROM outbox o WHERE o.item_id = e.item_id AND o.part IN ('original', 'manifest') AND o.state != 'done')";

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

/// Adds a job unless the entry already has one for this part.
pub(crate) fn enqueue(
    conn: &Connection,
    item_id: &str,
    part: JobPart,
    blob_sha256: Option<&str>,
    bytes: u64,
    class: i64,
    now_ms: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO outbox (item_id, part, blob_sha256, bytes, class, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![item_id, part, blob_sha256, bytes as i64, class, now_ms],
    )?;
    Ok(())
}

/// Counts and bytes by state, and the earliest next attempt of a sendable job.
pub(crate) fn status(conn: &Connection) -> rusqlite::Result<QueueStatus> {
    let mut s = QueueStatus::default();
    let mut stmt = conn.prepare("SELECT state, count(*), coalesce(sum(bytes), 0) FROM outbox GROUP BY state")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let n = r.get::<_, i64>(1)? as u64;
        match r.get::<_, JobState>(0)? {
            JobState::Pending => {
                s.pending_jobs = n;
                s.pending_bytes = r.get::<_, i64>(2)? as u64;
            }
            JobState::Failed => s.failed_jobs = n,
            JobState::Done => s.done_jobs = n,
        }
    }
    s.next_attempt_at_ms = conn.query_row(&format!("SELECT min(o.next_attempt_at_ms) FROM outbox o WHERE {SENDABLE}"), [], |r| r.get(0))?;
    Ok(s)
}

/// Every job, in the order they will be sent (done ones last).
pub(crate) fn all(conn: &Connection) -> rusqlite::Result<Vec<OutboxJob>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY state = 'done', class, bytes, id"))?;
    let jobs = stmt.query_map([], from_row)?.collect();
    jobs
}

/// Sendable jobs due at `now_ms`, in send order.
pub(crate) fn due(conn: &Connection, now_ms: i64, limit: u32) -> rusqlite::Result<Vec<OutboxJob>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM outbox o WHERE {SENDABLE} AND o.next_attempt_at_ms <= ?1
         ORDER BY o.class, o.bytes, o.id LIMIT ?2"
    ))?;
    let jobs = stmt.query_map(params![now_ms, limit], from_row)?.collect();
    jobs
}

/// One job by id.
pub(crate) fn get(conn: &Connection, job_id: i64) -> rusqlite::Result<Option<OutboxJob>> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"), [job_id], from_row).optional()
}

/// Marks a job acknowledged; false if there is no such job.
pub(crate) fn mark_done(conn: &Connection, job_id: i64, now_ms: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("UPDATE outbox SET state = 'done', acked_at_ms = ?2, last_error = NULL WHERE id = ?1", params![job_id, now_ms])? > 0)
}

/// Counts one more failed attempt and sets when the next may start; false if there is no such job.
pub(crate) fn schedule_retry(conn: &Connection, job_id: i64, next_attempt_at_ms: i64, error: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = ?2, last_error = ?3 WHERE id = ?1",
        params![job_id, next_attempt_at_ms, error],
    )? > 0)
}

/// Stops a job for good; if it is an original, its pending manifest stops with it
/// (with `manifest_reason`). False if there is no such job.
pub(crate) fn mark_failed(conn: &Connection, job_id: i64, reason: &str, manifest_reason: &str) -> rusqlite::Result<bool> {
    let changed = conn
        .execute("UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2 WHERE id = ?1", params![job_id, reason])?;
    if changed == 0 {
        return Ok(false);
    }
    conn.execute(
        "UPDATE outbox SET state = 'failed', last_error = ?2
         WHERE part = 'manifest' AND state = 'pending'
           AND item_id = (SELECT item_id FROM outbox WHERE id = ?1 AND part = 'original')",
        params![job_id, manifest_reason],
    )?;
    Ok(true)
}

#[cfg(feature = "sync")]
/// Makes every waiting pending job due now, keeping its attempts.
pub(crate) fn make_waiting_due(conn: &Connection) -> rusqlite::Result<u64> {
    Ok(conn.execute("UPDATE outbox SET next_attempt_at_ms = 0 WHERE state = 'pending' AND next_attempt_at_ms > 0", [])? as u64)
}

#[cfg(feature = "sync")]
/// Puts an entry's original back in the queue, due now, with a fresh upload.
pub(crate) fn requeue_original(conn: &Connection, item_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at_ms = 0, upload_url = NULL
         WHERE item_id = ?1 AND part = 'original'",
        params![item_id],
    )?;
    Ok(())
}

#[cfg(feature = "sync")]
/// Remembers (or forgets) a job's resumable upload URL; false if there is no such job.
pub(crate) fn set_upload_url(conn: &Connection, job_id: i64, url: Option<&str>) -> rusqlite::Result<bool> {
    Ok(conn.execute("UPDATE outbox SET upload_url = ?2 WHERE id = ?1", params![job_id, url])? > 0)
}

/// Puts every failed job back in the queue with a clean history; returns how many.
pub(crate) fn retry_failed(conn: &Connection) -> rusqlite::Result<u64> {
    Ok(conn.execute("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at_ms = 0 WHERE state = 'failed'", [])? as u64)
}
