//! Accepting a signed manifest: media present, chain position checked, entry
//! stored and a receipt appended to the server's log, all in one transaction.
//! Forks and broken links are accepted and recorded as anomalies, entries
//! not yet received are shown as open gaps: evidence is never dropped, and a
//! coordinator sees what is odd about it.

use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::auth::DevicePrincipal;
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use siteproof_core::evidence::{Manifest, Receipt, SignedManifest, RECEIPT_FORMAT};
use siteproof_core::text::prefix;

/// What `POST /v1/manifests` answers: the signed receipt and the key to check it with.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptResponse {
    /// Canonical receipt JSON text.
    pub receipt: String,
    /// Server signature over `receipt`, hex.
    pub signature: String,
    /// Server public key, hex.
    pub server_key: String,
}

/// Outcome of an accept call.
pub struct Accepted {
    /// The receipt (original one for replays).
    pub response: ReceiptResponse,
    /// False when this was a replay of an accepted manifest.
    pub created: bool,
    /// Anomaly kinds recorded for this entry.
    pub anomalies: Vec<String>,
}

struct Anomaly {
    kind: String,
    detail: String,
}

fn stored_receipt(conn: &Connection, hash: &str, key_hex: &str) -> ApiResult<Option<ReceiptResponse>> {
    Ok(conn
        .query_row("SELECT receipt, signature FROM receipt_log WHERE manifest_hash = ?1", [hash], |r| {
            Ok(ReceiptResponse { receipt: r.get(0)?, signature: r.get(1)?, server_key: key_hex.to_string() })
        })
        .optional()?)
}

/// Checks the entry against the neighbours the server already holds. Phones
/// send small items first and links drop mid-sync, so entries arrive in any
/// order; each link is checked when the second of its two ends arrives, and
/// only real breaks (forks, wrong predecessors) become anomalies. Entries not
/// yet received are an open gap, computed on read by [`open_gaps`].
fn chain_anomalies(conn: &Connection, dev: &DevicePrincipal, m: &Manifest, hash: &str) -> ApiResult<Vec<Anomaly>> {
    let at = |seq: i64| -> rusqlite::Result<Option<(String, Option<String>)>> {
        conn.prepare_cached("SELECT manifest_hash, prev FROM entries WHERE device_id = ?1 AND seq = ?2 ORDER BY log_index LIMIT 1")?
            .query_row(params![dev.device_id, seq], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
    };
    let seq = m.seq as i64;
    let mut out = Vec::new();
    if let Some((other, _)) = at(seq)? {
        out.push(Anomaly {
            kind: "fork".into(),
            detail: format!("设备在序号 {seq} 已有另一条记录 / device already has a different entry at seq {seq} ({})", prefix(&other, 12)),
        });
    }
    if seq <= 1 {
        if m.prev.is_some() {
            out.push(Anomaly {
                kind: "broken_link".into(),
                detail: format!("第一条记录不应有前驱 / entry {seq} is the first but names a predecessor"),
            });
        }
    } else if let Some((before, _)) = at(seq - 1)? {
        if m.prev.as_deref() != Some(before.as_str()) {
            out.push(Anomaly {
                kind: "broken_link".into(),
                detail: format!(
                    "记录 {seq} 未指向服务器所存的记录 {} / entry {seq} does not point to entry {} held by the server",
                    seq - 1,
                    seq - 1
                ),
            });
        }
    }
    if let Some((_, after_prev)) = at(seq + 1)? {
        if after_prev.as_deref() != Some(hash) {
            out.push(Anomaly {
                kind: "broken_link".into(),
                detail: format!(
                    "服务器所存的记录 {} 未指向本记录 {seq} / entry {} held by the server does not point to this entry {seq}",
                    seq + 1,
                    seq + 1
                ),
            });
        }
    }
    Ok(out)
}

/// A run of sequence numbers a device has used (later entries exist) but the server has not received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The device.
    pub device_id: String,
    /// First missing sequence number.
    pub from_seq: i64,
    /// Last missing sequence number.
    pub to_seq: i64,
}

/// Open gaps in the chains of the given communities' devices, from the entries themselves.
pub fn open_gaps(conn: &Connection, community_ids: &[i64]) -> rusqlite::Result<Vec<Gap>> {
    if community_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = community_ids.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
    let mut s = conn.prepare(&format!(
        "SELECT device_id, prev_seq + 1, seq - 1 FROM (
             SELECT device_id, seq, coalesce(lag(seq) OVER (PARTITION BY device_id ORDER BY seq), 0) AS prev_seq
             FROM (SELECT DISTINCT device_id, seq FROM entries WHERE community_id IN ({ids})))
         WHERE seq > prev_seq + 1 ORDER BY device_id, seq"
    ))?;
    let gaps = s.query_map([], |r| Ok(Gap { device_id: r.get(0)?, from_seq: r.get(1)?, to_seq: r.get(2)? }))?.collect();
    gaps
}

/// Size of a blob this device uploaded itself. A capture record may only
/// cover media its own device held: a colleague's upload in the same
/// community does not count, even when the bytes are identical.
pub fn held_by_device(conn: &Connection, sha256: &str, device_id: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT b.bytes FROM blobs b JOIN blob_owners o ON o.sha256 = b.sha256 WHERE b.sha256 = ?1 AND o.device_id = ?2 LIMIT 1",
    )?
    .query_row(params![sha256, device_id], |r| r.get(0))
    .optional()
}

/// Stores a verified manifest and issues (or re-issues) its receipt.
pub fn accept(
    conn: &mut Connection,
    key: &SigningKey,
    key_hex: &str,
    dev: &DevicePrincipal,
    sm: &SignedManifest,
    m: &Manifest,
) -> ApiResult<Accepted> {
    let hash = sm.hash();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(r) = stored_receipt(&tx, &hash, key_hex)? {
        return Ok(Accepted { response: r, created: false, anomalies: Vec::new() });
    }
    let taken = tx
        .query_row("SELECT 1 FROM entries WHERE item_id = ?1 AND device_id != ?2 LIMIT 1", params![m.item_id, dev.device_id], |_| Ok(()))
        .optional()?;
    if taken.is_some() {
        // Devices mint item ids as random UUIDs: another device's id in this manifest is a copy, never a collision.
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "item_id_taken",
            "该条目编号已属于另一台设备的记录",
            "this item id belongs to another device's entry",
        ));
    }
    if let Some(media) = &m.media {
        match held_by_device(&tx, &media.sha256, &dev.device_id)? {
            None => {
                // Devices answer media_missing by uploading the original again (HEAD first, which is per device too).
                return Err(ApiError::new(
                    axum::http::StatusCode::CONFLICT,
                    "media_missing",
                    "本设备还没有上传该记录的媒体文件，请先上传再提交",
                    "this device has not uploaded this entry's media yet; upload it first, then retry",
                ));
            }
            Some(b) if b as u64 != media.bytes => {
                return Err(ApiError::invalid(
                    "media_size_mismatch",
                    format!(
                        "清单写明 {} 字节，服务器存有 {b} 字节 / manifest says {} bytes, stored blob has {b}",
                        media.bytes, media.bytes
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    let anomalies = chain_anomalies(&tx, dev, m, &hash)?;
    let now = now_ms();
    let last: Option<(i64, String)> = tx
        .query_row("SELECT log_index, receipt_hash FROM receipt_log ORDER BY log_index DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let log_index = last.as_ref().map(|l| l.0 + 1).unwrap_or(1);
    let receipt = Receipt {
        format: RECEIPT_FORMAT.to_string(),
        manifest_hash: hash.clone(),
        device_id: m.device_id.clone(),
        seq: m.seq,
        received_at_ms: now,
        log_index: log_index as u64,
        log_prev: last.map(|l| l.1),
        server_key: key_hex.to_string(),
    };
    let signed = receipt.sign(key)?;
    tx.execute(
        "INSERT INTO entries (manifest_hash, device_id, community_id, seq, prev, item_id, kind, media_sha256, order_number,
            attach_item_id, manifest, signature, received_at_ms, log_index)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            hash,
            dev.device_id,
            dev.community_id,
            m.seq as i64,
            m.prev,
            m.item_id,
            m.kind.as_str(),
            m.media.as_ref().map(|x| x.sha256.clone()),
            m.order_number,
            m.attach.as_ref().map(|a| a.item_id.clone()),
            sm.manifest,
            sm.signature,
            now,
            log_index
        ],
    )?;
    tx.execute(
        "INSERT INTO receipt_log (log_index, manifest_hash, receipt, signature, receipt_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![log_index, hash, signed.receipt, signed.signature, signed.hash()],
    )?;
    for a in &anomalies {
        tx.execute(
            "INSERT INTO anomalies (community_id, device_id, manifest_hash, seq, item_id, kind, detail, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![dev.community_id, dev.device_id, hash, m.seq as i64, m.item_id, a.kind, a.detail, now],
        )?;
    }
    crate::domain::derivatives::drop_claims_of_others(&tx, &m.item_id, &dev.device_id)?;
    tx.execute(
        "INSERT INTO device_heads (device_id, seq, hash) VALUES (?1, ?2, ?3)
         ON CONFLICT(device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash WHERE excluded.seq > device_heads.seq",
        params![dev.device_id, m.seq as i64, hash],
    )?;
    tx.commit()?;
    Ok(Accepted {
        response: ReceiptResponse { receipt: signed.receipt, signature: signed.signature, server_key: key_hex.to_string() },
        created: true,
        anomalies: anomalies.into_iter().map(|a| a.kind).collect(),
    })
}
