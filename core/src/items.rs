//! Reading entries back: the list the apps show and the signed manifest
//! behind each, and storing the server's receipts against them.

use rusqlite::{params, OptionalExtension, Row};

use crate::capture::EvidenceItem;
use crate::device::{now_ms, Device};
use crate::error::{Error, Result};
use crate::evidence::{Manifest, SignedManifest, SignedReceipt};

const COLUMNS: &str = "e.item_id, e.seq, e.kind, e.manifest_hash, e.manifest, e.signature, e.order_number,
    (SELECT 1 FROM receipts r WHERE r.item_id = e.item_id)";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(EvidenceItem, SignedManifest)> {
    let signed = SignedManifest { manifest: r.get(4)?, signature: r.get(5)? };
    // The row's copy of the manifest was written by us; verification re-checks it separately.
    let m: Manifest = serde_json::from_str(&signed.manifest)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e)))?;
    let item = EvidenceItem {
        item_id: r.get(0)?,
        seq: r.get::<_, i64>(1)? as u64,
        kind: r.get(2)?,
        manifest_hash: r.get(3)?,
        media_sha256: m.media.as_ref().map(|x| x.sha256.clone()),
        bytes: m.media.as_ref().map(|x| x.bytes).unwrap_or(0),
        media_type: m.media.as_ref().map(|x| x.media_type.clone()),
        order_number: r.get(6)?,
        visit_id: m.visit_id.clone(),
        flags: m.flags.clone(),
        device_time_ms: m.capture.device_time_ms,
        anchored_utc_ms: m.anchored.as_ref().map(|a| a.utc_ms),
        anchored_bound_ms: m.anchored.as_ref().map(|a| a.bound_ms),
        text: m.text.clone(),
        duration_ms: m.audio.as_ref().map(|a| a.duration_ms),
        has_receipt: r.get::<_, Option<i64>>(7)?.is_some(),
    };
    Ok((item, signed))
}

impl Device {
    /// One entry by id.
    pub fn get_item(&self, item_id: &str) -> Result<EvidenceItem> {
        Ok(self.get_item_with_manifest(item_id)?.0)
    }

    /// One entry and its signed manifest.
    pub fn get_item_with_manifest(&self, item_id: &str) -> Result<(EvidenceItem, SignedManifest)> {
        self.db()?
            .query_row(&format!("SELECT {COLUMNS} FROM entries e WHERE e.item_id = ?1"), [item_id], from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("证据 {item_id} 不存在 / no evidence item {item_id}")))
    }

    /// Entries in chain order; `order_number` filters to one order, `unfiled_only` to unfiled ones.
    pub fn list_items(&self, order_number: Option<String>, unfiled_only: bool) -> Result<Vec<EvidenceItem>> {
        let conn = self.db()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM entries e
             WHERE (?1 IS NULL OR e.order_number = ?1) AND (?2 = 0 OR (e.order_number IS NULL AND e.kind != 'attach'))
             ORDER BY e.seq"
        ))?;
        let items =
            stmt.query_map(params![order_number, unfiled_only], |r| from_row(r).map(|x| x.0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(items)
    }

    /// Stores the server's receipt for an entry after checking it names that entry.
    pub fn store_receipt(&self, item_id: &str, receipt: &SignedReceipt, server_key_hex: &str) -> Result<()> {
        let (item, _) = self.get_item_with_manifest(item_id)?;
        let r = receipt.open(server_key_hex)?;
        if r.manifest_hash != item.manifest_hash || r.device_id != self.device_id {
            return Err(Error::Integrity(format!("receipt does not acknowledge entry {item_id}")));
        }
        self.db()?.execute(
            "INSERT OR REPLACE INTO receipts (item_id, receipt, signature, received_at_ms) VALUES (?1, ?2, ?3, ?4)",
            params![item_id, receipt.receipt, receipt.signature, now_ms()],
        )?;
        Ok(())
    }

    /// The stored receipt of an entry, if any.
    pub fn get_receipt(&self, item_id: &str) -> Result<Option<SignedReceipt>> {
        Ok(self
            .db()?
            .query_row("SELECT receipt, signature FROM receipts WHERE item_id = ?1", [item_id], |r| {
                Ok(SignedReceipt { receipt: r.get(0)?, signature: r.get(1)? })
            })
            .optional()?)
    }

    /// Path of a stored blob (original or derivative), if it is on disk.
    pub fn blob_path(&self, sha256: &str) -> Option<std::path::PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let p = self.blobs.path_of(sha256);
        p.is_file().then_some(p)
    }
}
