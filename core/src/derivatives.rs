//! Thumbnails and previews, made after the original is safe. They are
//! conveniences for people, not evidence: not in the manifest, rebuildable
//! from the original, and a failure to make them never loses the capture.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::device::Device;
use crate::error::Result;
use crate::media;
use crate::queue::{enqueue_media_job, PART_THUMBNAIL};

/// A stored derivative of a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivativeInfo {
    /// "thumbnail" or "preview".
    pub role: String,
    /// Blob hash.
    pub sha256: String,
    /// Pixel width (upright).
    pub width: u32,
    /// Pixel height (upright).
    pub height: u32,
}

impl Device {
    /// Makes thumbnails and previews for every photo that lacks them; returns how many were made.
    pub fn make_pending_derivatives(&self) -> Result<u32> {
        let todo: Vec<(String, String)> = {
            let conn = self.db()?;
            let mut stmt = conn.prepare(
                "SELECT e.item_id, e.media_sha256 FROM entries e
                 WHERE e.kind = 'photo'
                   AND NOT EXISTS (SELECT 1 FROM derivatives d WHERE d.item_id = e.item_id)
                   AND NOT EXISTS (SELECT 1 FROM derivative_failures f WHERE f.item_id = e.item_id)
                 ORDER BY e.seq",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            rows
        };
        let mut made = 0;
        for (item_id, sha) in todo {
            if self.make_derivatives_for(&item_id, &sha)? {
                made += 1;
            }
        }
        Ok(made)
    }

    fn make_derivatives_for(&self, item_id: &str, sha: &str) -> Result<bool> {
        let path = self.blobs.path_of(sha);
        let result = media::read_photo_info(&path).and_then(|info| media::make_derivatives(&path, &info)).map_err(crate::Error::from);
        let d = match result {
            Ok(d) => d,
            Err(e) => {
                // Disk full is the phone's problem, not the photo's: try again later.
                if matches!(e, crate::Error::DiskFull(_)) {
                    return Err(e);
                }
                self.db()?.execute(
                    "INSERT OR REPLACE INTO derivative_failures (item_id, reason) VALUES (?1, ?2)",
                    params![item_id, e.to_string()],
                )?;
                return Ok(false);
            }
        };
        let thumb = self.blobs.put_bytes(&d.thumbnail.jpeg)?;
        let preview = self.blobs.put_bytes(&d.preview.jpeg)?;
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        for (role, blob, der) in [("thumbnail", &thumb, &d.thumbnail), ("preview", &preview, &d.preview)] {
            tx.execute(
                "INSERT OR IGNORE INTO blobs (sha256, bytes, media_type) VALUES (?1, ?2, 'image/jpeg')",
                params![blob, der.jpeg.len() as i64],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO derivatives (item_id, role, sha256, width, height) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![item_id, role, blob, der.width, der.height],
            )?;
        }
        enqueue_media_job(&tx, item_id, PART_THUMBNAIL, &thumb, d.thumbnail.jpeg.len() as u64)?;
        tx.commit()?;
        Ok(true)
    }

    /// Derivatives of one item.
    pub fn derivatives(&self, item_id: &str) -> Result<Vec<DerivativeInfo>> {
        let conn = self.db()?;
        let mut stmt = conn.prepare("SELECT role, sha256, width, height FROM derivatives WHERE item_id = ?1 ORDER BY role DESC")?;
        let rows = stmt
            .query_map([item_id], |r| Ok(DerivativeInfo { role: r.get(0)?, sha256: r.get(1)?, width: r.get(2)?, height: r.get(3)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Why no derivatives could be made for an item, if they could not.
    pub fn derivative_failure(&self, item_id: &str) -> Result<Option<String>> {
        Ok(self.db()?.query_row("SELECT reason FROM derivative_failures WHERE item_id = ?1", [item_id], |r| r.get(0)).optional()?)
    }
}
