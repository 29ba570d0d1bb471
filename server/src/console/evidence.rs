//! Loading an order's evidence for the console: every entry filed under the
//! order (directly, or later by an attach entry), each re-verified on read —
//! device signature against the enrolled key, server receipt against the
//! server key, chain anomalies and open gaps — with its thumbnail and
//! preview linked by the derivatives table.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::ApiResult;
use siteproof_protocol::evidence::{Manifest, SignedManifest, SignedReceipt};

/// What re-checking an item found.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The device signature checks against the key enrolled for that device.
    pub signature_ok: bool,
    /// Why it does not, when it does not.
    pub signature_error: Option<String>,
    /// The server receipt checks against this server's key.
    pub receipt_ok: bool,
    /// Server receive time from the receipt, Unix ms.
    pub received_at_ms: i64,
    /// Position in the server's receipt log.
    pub log_index: i64,
    /// Anomalies the server recorded for this entry: (kind, detail).
    pub anomalies: Vec<(String, String)>,
    /// Entries of this device before this one the server has not received.
    pub missing_before: Vec<(i64, i64)>,
    /// The original file is stored and has the signed size.
    pub media_present: Option<bool>,
}

/// One evidence item on an order's timeline.
#[derive(Debug, Clone)]
pub struct Item {
    /// Item id.
    pub item_id: String,
    /// "photo", "voice" or "note".
    pub kind: String,
    /// Manifest hash.
    pub manifest_hash: String,
    /// Signing device.
    pub device_id: String,
    /// Device's name and worker, as enrolled.
    pub device_label: String,
    /// Sequence number in the device chain.
    pub seq: i64,
    /// The manifest as signed (parsed even when the signature fails, to show what it claims).
    pub manifest: Option<Manifest>,
    /// Original media hash.
    pub media_sha256: Option<String>,
    /// Stored media type of the original.
    pub media_type: Option<String>,
    /// Original size, bytes.
    pub media_bytes: Option<i64>,
    /// Thumbnail blob, if the device sent one.
    pub thumbnail: Option<String>,
    /// Preview blob, if the device sent one.
    pub preview: Option<String>,
    /// What re-checking found.
    pub verification: Verification,
}

impl Item {
    /// Best capture time: anchored when available, else the device clock.
    pub fn captured_at_ms(&self) -> Option<i64> {
        let m = self.manifest.as_ref()?;
        Some(m.anchored.as_ref().map(|a| a.utc_ms).unwrap_or(m.capture.device_time_ms))
    }

    /// The capture fix as (lat, lon, accuracy m), WGS-84.
    pub fn place(&self) -> Option<(f64, f64, f64)> {
        let f = self.manifest.as_ref()?.capture.fix.as_ref()?;
        Some((f.lat, f.lon, f.accuracy_m))
    }

    /// The visit the item was captured in.
    pub fn visit_id(&self) -> Option<&str> {
        self.manifest.as_ref()?.visit_id.as_deref()
    }
}

/// Runs of sequence numbers below `max_seq` the server has not received from a device.
/// The common case (no gap) costs one count over the device's index range.
fn gaps_below(c: &Connection, device_id: &str, max_seq: i64) -> ApiResult<Vec<(i64, i64)>> {
    let held: i64 = c
        .prepare_cached("SELECT COUNT(DISTINCT seq) FROM entries WHERE device_id = ?1 AND seq < ?2")?
        .query_row(params![device_id, max_seq], |r| r.get(0))?;
    if held >= max_seq - 1 {
        return Ok(Vec::new());
    }
    let mut s = c.prepare_cached(
        "SELECT prev_seq + 1, seq - 1 FROM (
             SELECT seq, coalesce(lag(seq) OVER (ORDER BY seq), 0) AS prev_seq
             FROM (SELECT DISTINCT seq FROM entries WHERE device_id = ?1 AND seq <= ?2))
         WHERE seq > prev_seq + 1 ORDER BY seq",
    )?;
    let v = s.query_map(params![device_id, max_seq], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

struct Row {
    hash: String,
    device_id: String,
    seq: i64,
    item_id: String,
    kind: String,
    media_sha: Option<String>,
    manifest: String,
    signature: String,
    log_index: i64,
    receipt: String,
    receipt_sig: String,
    media_type: Option<String>,
    media_bytes: Option<i64>,
}

/// Every evidence item of an order (photos, voice notes, text notes), oldest capture first.
pub fn for_order(
    c: &Connection,
    community_id: i64,
    number: &str,
    server_key_hex: &str,
    storage: &dyn crate::storage::Storage,
) -> ApiResult<Vec<Item>> {
    // Two index lookups joined by UNION rather than one OR, which SQLite cannot serve from entries_order.
    // An attach entry files only its own device's items (a device attaches what it captured), here as
    // in the API's evidence list and the dispute packet.
    let mut s = c.prepare_cached(
        "SELECT e.manifest_hash, e.device_id, e.seq, e.item_id, e.kind, e.media_sha256, e.manifest, e.signature, e.log_index,
                r.receipt, r.signature, b.media_type, b.bytes
         FROM entries e JOIN receipt_log r ON r.manifest_hash = e.manifest_hash LEFT JOIN blobs b ON b.sha256 = e.media_sha256
         WHERE e.manifest_hash IN (
             SELECT manifest_hash FROM entries WHERE community_id = ?1 AND order_number = ?2 AND kind != 'attach'
             UNION
             SELECT t.manifest_hash FROM entries a
                 JOIN entries t ON t.item_id = a.attach_item_id AND t.community_id = ?1 AND t.device_id = a.device_id
             WHERE a.community_id = ?1 AND a.order_number = ?2 AND a.kind = 'attach')
         ORDER BY e.log_index",
    )?;
    let rows = s
        .query_map(params![community_id, number], |r| {
            Ok(Row {
                hash: r.get(0)?,
                device_id: r.get(1)?,
                seq: r.get(2)?,
                item_id: r.get(3)?,
                kind: r.get(4)?,
                media_sha: r.get(5)?,
                manifest: r.get(6)?,
                signature: r.get(7)?,
                log_index: r.get(8)?,
                receipt: r.get(9)?,
                receipt_sig: r.get(10)?,
                media_type: r.get(11)?,
                media_bytes: r.get(12)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut top: HashMap<&str, i64> = HashMap::new();
    for r in &rows {
        let e = top.entry(r.device_id.as_str()).or_insert(0);
        *e = (*e).max(r.seq);
    }
    let mut gaps: Vec<(String, i64, i64)> = Vec::new();
    for (dev, max_seq) in top {
        gaps.extend(gaps_below(c, dev, max_seq)?.into_iter().map(|(a, b)| (dev.to_string(), a, b)));
    }
    let mut devices: HashMap<String, (Option<String>, String)> = HashMap::new();
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        if !devices.contains_key(&r.device_id) {
            let d: Option<(String, String, String)> = c
                .query_row(
                    "SELECT d.public_key, d.name, u.username FROM devices d JOIN users u ON u.id = d.user_id WHERE d.device_id = ?1",
                    [&r.device_id],
                    |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
                )
                .optional()?;
            let entry = match d {
                Some((key, name, user)) => (Some(key), format!("{user} · {name}")),
                None => (None, siteproof_protocol::text::prefix(&r.device_id, 12).to_string()),
            };
            devices.insert(r.device_id.clone(), entry);
        }
        let (key, label) = devices.get(&r.device_id).cloned().unwrap_or((None, String::new()));
        let sm = SignedManifest { manifest: r.manifest.clone(), signature: r.signature.clone() };
        let (manifest, signature_error) = match key.as_deref().map(|k| sm.open_from(k)) {
            Some(Ok(m)) => (Some(m), None),
            Some(Err(e)) => (serde_json::from_str::<Manifest>(&r.manifest).ok(), Some(e.to_string())),
            None => (serde_json::from_str::<Manifest>(&r.manifest).ok(), Some("device not enrolled on this server".to_string())),
        };
        let receipt = SignedReceipt { receipt: r.receipt.clone(), signature: r.receipt_sig.clone() }.open(server_key_hex);
        let received_at_ms = match &receipt {
            Ok(rc) => rc.received_at_ms,
            Err(_) => c.query_row("SELECT received_at_ms FROM entries WHERE manifest_hash = ?1", [&r.hash], |x| x.get(0))?,
        };
        let mut a = c.prepare_cached("SELECT kind, detail FROM anomalies WHERE manifest_hash = ?1 ORDER BY id")?;
        let anomalies = a.query_map([&r.hash], |x| Ok((x.get(0)?, x.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        let missing_before = gaps.iter().filter(|g| g.0 == r.device_id && g.2 < r.seq).map(|g| (g.1, g.2)).collect();
        let media_present = match (&r.media_sha, manifest.as_ref().and_then(|m| m.media.as_ref())) {
            (Some(sha), Some(media)) => Some(storage.size(sha)? == Some(media.bytes)),
            (Some(sha), None) => Some(storage.size(sha)?.is_some()),
            _ => None,
        };
        let mut d = c.prepare_cached("SELECT role, sha256 FROM derivatives WHERE item_id = ?1 AND community_id = ?2")?;
        let derivs: Vec<(String, String)> =
            d.query_map(params![r.item_id, community_id], |x| Ok((x.get(0)?, x.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        let pick = |role: &str| derivs.iter().find(|(r, _)| r == role).map(|(_, s)| s.clone());
        items.push(Item {
            thumbnail: pick("thumbnail"),
            preview: pick("preview"),
            item_id: r.item_id,
            kind: r.kind,
            manifest_hash: r.hash,
            device_id: r.device_id,
            device_label: label,
            seq: r.seq,
            manifest,
            media_sha256: r.media_sha,
            media_type: r.media_type,
            media_bytes: r.media_bytes,
            verification: Verification {
                signature_ok: signature_error.is_none(),
                signature_error,
                receipt_ok: receipt.is_ok(),
                received_at_ms,
                log_index: r.log_index,
                anomalies,
                missing_before,
                media_present,
            },
        });
    }
    items.sort_by_key(|i| (i.captured_at_ms().unwrap_or(i64::MAX), i.verification.log_index));
    Ok(items)
}
