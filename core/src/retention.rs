//! Freeing phone storage once the community's server holds the evidence.
//! Only originals whose upload, manifest and receipt are all acknowledged
//! may go; thumbnails, previews and manifests always stay, so the phone
//! still shows and can still prove what it captured.

use serde::{Deserialize, Serialize};

use crate::device::{now_ms, Device};
use crate::error::Result;
use crate::store::blob_rows;

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
        let candidates = blob_rows::prunable_originals(&*self.db()?, captured_before_ms)?;
        let mut report = PruneReport::default();
        for (sha, bytes) in candidates {
            // Mark first: a crash after marking leaves a file we merely failed to delete,
            // never a row that claims a file is present when it was deleted.
            blob_rows::mark_pruned(&*self.db()?, &sha, now_ms())?;
            self.blobs.remove(&sha)?;
            report.originals_removed += 1;
            report.bytes_freed += bytes;
        }
        Ok(report)
    }
}
