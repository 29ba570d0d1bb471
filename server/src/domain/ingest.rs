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
use siteproof_protocol::evidence::chain::{judge_arrival, missing_ranges, Neighbours};
use siteproof_protocol::evidence::{ChainFinding, ChainLink, Manifest, Receipt, SignedManifest, RECEIPT_FORMAT};

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
    /// Kinds of the chain findings this arrival showed (recorded as anomalies on the entries they name).
    pub anomalies: Vec<String>,
}

fn stored_receipt(conn: &Connection, hash: &str, key_hex: &str) -> ApiResult<Option<ReceiptResponse>> {
    Ok(conn
        .query_row("SELECT receipt, signature FROM receipt_log WHERE manifest_hash = ?1", [hash], |r| {
            Ok(ReceiptResponse { receipt: r.get(0)?, signature: r.get(1)?, server_key: key_hex.to_string() })
        })
        .optional()?)
}

/// Judges the arriving entry by the protocol's one chain rule
/// ([`judge_arrival`]) against the neighbours the server already holds: the
/// entry at its own position, and those at `seq - 1` and `seq + 1` (the first
/// received at each). Phones send small items first and links drop mid-sync,
/// so entries arrive in any order; each link is judged when the second of its
/// two ends arrives. Entries not yet received are an open gap, computed on
/// read by [`open_gaps`]. A finding is recorded on the entry it names (a link
/// on its later end), so the phone, the server and a packet name one position.
fn chain_findings(conn: &Connection, dev: &DevicePrincipal, arriving: &ChainLink) -> ApiResult<Vec<ChainFinding>> {
    let at = |seq: u64| -> rusqlite::Result<Option<ChainLink>> {
        let Ok(seq_sql) = i64::try_from(seq) else { return Ok(None) };
        conn.prepare_cached(
            "SELECT manifest_hash, prev, item_id FROM entries WHERE device_id = ?1 AND seq = ?2 ORDER BY log_index LIMIT 1",
        )?
        .query_row(params![dev.device_id, seq_sql], |r| Ok(ChainLink { seq, hash: r.get(0)?, prev: r.get(1)?, item_id: r.get(2)? }))
        .optional()
    };
    let same_seq = at(arriving.seq)?;
    let before = match arriving.seq.checked_sub(1) {
        Some(s) if s >= 1 => at(s)?,
        _ => None,
    };
    let after = match arriving.seq.checked_add(1) {
        Some(s) => at(s)?,
        None => None,
    };
    Ok(judge_arrival(arriving, Neighbours { same_seq: same_seq.as_ref(), before: before.as_ref(), after: after.as_ref() }))
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

/// Open gaps in the chains of the given communities' devices, from the entries themselves:
/// the numbers each device's chain holds, judged by the protocol's one rule ([`missing_ranges`]).
pub fn open_gaps(conn: &Connection, community_ids: &[i64]) -> rusqlite::Result<Vec<Gap>> {
    if community_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = community_ids.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
    let mut s = conn.prepare(&format!(
        "SELECT DISTINCT device_id, seq FROM entries WHERE community_id IN ({ids}) AND seq >= 1 ORDER BY device_id, seq"
    ))?;
    let mut by_device: std::collections::BTreeMap<String, Vec<u64>> = std::collections::BTreeMap::new();
    for row in s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (device_id, seq) = row?;
        by_device.entry(device_id).or_default().push(seq as u64);
    }
    Ok(by_device
        .into_iter()
        .flat_map(|(device_id, seqs)| {
            missing_ranges(seqs).into_iter().map(move |f| Gap {
                device_id: device_id.clone(),
                from_seq: f.seq as i64,
                to_seq: f.to_seq as i64,
            })
        })
        .collect())
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
    let arriving = ChainLink { seq: m.seq, item_id: m.item_id.clone(), hash: hash.clone(), prev: m.prev.clone() };
    let findings = chain_findings(&tx, dev, &arriving)?;
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
    for f in &findings {
        // Recorded on the entry the finding names: the arriving one, or its held successor for the link into it.
        let named_hash = f.hash.as_deref().unwrap_or(&hash);
        tx.execute(
            "INSERT INTO anomalies (community_id, device_id, manifest_hash, seq, item_id, kind, detail, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![dev.community_id, dev.device_id, named_hash, f.seq as i64, f.item_id, f.kind.as_str(), f.to_string(), now],
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
        anomalies: findings.into_iter().map(|f| f.kind.as_str().to_string()).collect(),
    })
}
