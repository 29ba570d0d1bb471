//! Reads what a packet needs from the database: every entry filed under an
//! order (directly or by a later attach entry) with its stored manifest and
//! signature, its receipt from the append-only log, and the enrolled key of
//! its device. Nothing is re-encoded: the packet carries the stored text.

use rusqlite::{params, Connection};
use siteproof_protocol::evidence::{SignedManifest, SignedReceipt};

use crate::error::{ApiError, ApiResult};

/// One stored entry with everything the packet carries about it.
#[derive(Debug, Clone)]
pub struct EntryRow {
    /// Signing device.
    pub device_id: String,
    /// Chain position.
    pub seq: u64,
    /// Item id.
    pub item_id: String,
    /// Entry kind code.
    pub kind: String,
    /// Hash of the manifest text, as recorded at ingest.
    pub manifest_hash: String,
    /// Manifest text and device signature, as stored.
    pub manifest: SignedManifest,
    /// The server's receipt, as stored in the log.
    pub receipt: SignedReceipt,
    /// The device's enrolled public key, hex.
    pub device_key: Option<String>,
    /// Media hash, when the entry has media.
    pub media_sha256: Option<String>,
    /// Media type of the stored blob.
    pub media_type: Option<String>,
    /// When the server first accepted the manifest, Unix ms.
    pub received_at_ms: i64,
    /// For attach entries, the filed item.
    pub attach_item_id: Option<String>,
}

/// Every entry of an order in a community, in device and chain order.
pub fn order_entries(conn: &Connection, community_id: i64, number: &str) -> ApiResult<Vec<EntryRow>> {
    let mut s = conn.prepare(
        "SELECT e.device_id, e.seq, e.item_id, e.kind, e.manifest_hash, e.manifest, e.signature,
                r.receipt, r.signature, d.public_key, e.media_sha256, b.media_type, e.received_at_ms, e.attach_item_id
         FROM entries e
         JOIN receipt_log r ON r.manifest_hash = e.manifest_hash
         LEFT JOIN devices d ON d.device_id = e.device_id
         LEFT JOIN blobs b ON b.sha256 = e.media_sha256
         WHERE e.community_id = ?1 AND (e.order_number = ?2 OR e.item_id IN
            (SELECT attach_item_id FROM entries WHERE community_id = ?1 AND order_number = ?2 AND kind = 'attach' AND device_id = e.device_id))
         ORDER BY e.device_id, e.seq, e.log_index",
    )?;
    let rows = s
        .query_map(params![community_id, number], |r| {
            Ok(EntryRow {
                device_id: r.get(0)?,
                seq: r.get::<_, i64>(1)? as u64,
                item_id: r.get(2)?,
                kind: r.get(3)?,
                manifest_hash: r.get(4)?,
                manifest: SignedManifest { manifest: r.get(5)?, signature: r.get(6)? },
                receipt: SignedReceipt { receipt: r.get(7)?, signature: r.get(8)? },
                device_key: r.get(9)?,
                media_sha256: r.get(10)?,
                media_type: r.get(11)?,
                received_at_ms: r.get(12)?,
                attach_item_id: r.get(13)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Keeps the chosen items (and attach entries filing them); every chosen id must belong to the order.
pub fn select_items(rows: Vec<EntryRow>, item_ids: &[String], number: &str) -> ApiResult<Vec<EntryRow>> {
    if item_ids.is_empty() {
        return Err(ApiError::bad_request("no_items", "未选择任何证据", "no items were chosen"));
    }
    for id in item_ids {
        if !rows.iter().any(|r| &r.item_id == id) {
            return Err(ApiError::not_found(&format!("工单 {number} 中的证据 {id} "), &format!("item {id} of order {number}")));
        }
    }
    Ok(rows
        .into_iter()
        .filter(|r| item_ids.contains(&r.item_id) || r.attach_item_id.as_ref().is_some_and(|a| item_ids.contains(a)))
        .collect())
}
