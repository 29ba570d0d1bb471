//! Freeing phone storage once the community's server holds the evidence.
//! Only originals whose upload, manifest and receipt are all acknowledged
//! may go; thumbnails, previews and manifests always stay, so the phone
//! still shows and can still prove what it captured.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::device::{now_ms, Device};
use crate::error::Result;

/// What a prune freed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PruneReport {
    /// Original files removed.
    pub originals_removed: u64,
    /// Bytes freed.
    pub bytes_freed: u64,
}

impl Device {
    /// Removes originals acknowledged by the server and captured before `captured_before_ms`.
    pub fn prune_acknowledged(&self, captured_before_ms: i64) -> Result<PruneReport> {
        let candidates: Vec<(String, i64)> = {
            let conn = self.db()?;
            let mut stmt = conn.prepare(
                "SELECT b.sha256, b.bytes FROM blobs b
                 WHERE b.pruned_at_ms IS NULL
                   AND EXISTS (SELECT 1 FROM entries e WHERE e.media_sha256 = b.sha256)
                   AND NOT EXISTS (
                     SELECT 1 FROM entries e WHERE e.media_sha256 = b.sha256 AND (
                       e.created_at_ms >= ?1
                       OR NOT EXISTS (SELECT 1 FROM receipts r WHERE r.item_id = e.item_id)
                       OR EXISTS (SELECT 1 FROM outbox o WHERE o.item_id = e.item_id
                                  AND o.part IN ('original', 'manifest') AND o.state != 'done')))",
            )?;
            let rows = stmt.query_map([captured_before_ms], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            rows
        };
        let mut report = PruneReport::default();
        for (sha, bytes) in candidates {
            // Mark first: a crash after marking leaves a file we merely failed to delete,
            // never a row that claims a file is present when it was deleted.
            self.db()?.execute("UPDATE blobs SET pruned_at_ms = ?2 WHERE sha256 = ?1", params![sha, now_ms()])?;
            self.blobs.remove(&sha)?;
            report.originals_removed += 1;
            report.bytes_freed += bytes as u64;
        }
        Ok(report)
    }
}
