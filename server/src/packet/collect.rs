//! Reads what a packet needs from the database: every entry filed under an
//! order (directly or by a later attach entry) with its stored manifest and
//! signature, its receipt from the append-only log, and the enrolled key of
//! its device. Nothing is re-encoded: the packet carries the stored text.

use std::collections::BTreeMap;

use rusqlite::Connection;
use siteproof_protocol::evidence::{SignedManifest, SignedReceipt};

use crate::error::{ApiError, ApiResult};
use siteproof_protocol::wire::error_code::ErrorCode;

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
    let mut rows: Vec<EntryRow> = crate::repo::entries::of_order(conn, community_id, number)?
        .into_iter()
        .map(|e| EntryRow {
            device_id: e.device_id,
            seq: e.seq as u64,
            item_id: e.item_id,
            kind: e.kind,
            manifest_hash: e.manifest_hash,
            manifest: SignedManifest { manifest: e.manifest, signature: e.signature },
            receipt: SignedReceipt { receipt: e.receipt, signature: e.receipt_signature },
            device_key: e.device_key,
            media_sha256: e.media_sha256,
            media_type: e.media_type,
            received_at_ms: e.received_at_ms,
            attach_item_id: e.attach_item_id,
        })
        .collect();
    // The repository answers in receipt-log order; a packet lists each device's chain in sequence.
    rows.sort_by(|a, b| (a.device_id.as_str(), a.seq).cmp(&(b.device_id.as_str(), b.seq)));
    Ok(rows)
}

/// Keeps the chosen items (and attach entries filing them); every chosen id must belong to the order.
pub fn select_items(rows: Vec<EntryRow>, item_ids: &[String], number: &str) -> ApiResult<Vec<EntryRow>> {
    if item_ids.is_empty() {
        return Err(ApiError::bad_request(ErrorCode::NoItems, "未选择任何证据", "no items were chosen"));
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

/// Who carries each device, as enrolled: the person ("王小明（wang）") and the device's name.
pub fn workers<'a>(conn: &Connection, device_ids: impl Iterator<Item = &'a String>) -> ApiResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for id in device_ids {
        if let Some(h) = crate::repo::devices::key_and_label(conn, id)? {
            out.insert(
                id.clone(),
                format!("{}，设备「{}」", crate::domain::accounts::person_label(&h.username, &h.real_name), h.device_name),
            );
        }
    }
    Ok(out)
}

/// The assigned worker as documents name people, from the login name the order holds.
pub fn assignee(conn: &Connection, login: Option<&str>) -> ApiResult<Option<String>> {
    let Some(login) = login else { return Ok(None) };
    let real_name = crate::repo::accounts::real_name_of(conn, login)?.unwrap_or_default();
    Ok(Some(crate::domain::accounts::person_label(login, &real_name)))
}

/// Every worker the history assigns the order to, by login, named as documents name people.
pub fn people(conn: &Connection, history: &[crate::domain::orders::HistoryEntry]) -> ApiResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for login in history.iter().filter(|e| e.field == "assignee").flat_map(|e| [&e.old_value, &e.new_value]).flatten() {
        if !out.contains_key(login) {
            let real_name = crate::repo::accounts::real_name_of(conn, login)?.unwrap_or_default();
            out.insert(login.clone(), crate::domain::accounts::person_label(login, &real_name));
        }
    }
    Ok(out)
}
