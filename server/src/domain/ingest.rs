//! Accepting a signed manifest: media present, chain position checked, entry
//! stored and a receipt appended to the server's log, all in one transaction.
//! Forks and broken links are accepted and recorded as anomalies, entries
//! not yet received are shown as open gaps: evidence is never dropped, and a
//! coordinator sees what is odd about it.

use ed25519_dalek::SigningKey;
use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;

use crate::db::now_ms;
use crate::domain::{DomainError, DomainResult};
use crate::repo;
pub use crate::repo::entries::Gap;
use siteproof_core::evidence::{Manifest, Receipt, SignedManifest, RECEIPT_FORMAT};
use siteproof_core::text::prefix;
use siteproof_protocol::wire::error_code::ErrorCode;

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

/// The device a manifest comes from, as authentication established it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// Device id (from its enrolled key).
    pub device_id: String,
    /// The community the device works for.
    pub community_id: i64,
}

struct Anomaly {
    kind: String,
    detail: String,
}

fn stored_receipt(conn: &Connection, hash: &str, key_hex: &str) -> DomainResult<Option<ReceiptResponse>> {
    Ok(repo::receipts::of_manifest(conn, hash)?.map(|(receipt, signature)| ReceiptResponse {
        receipt,
        signature,
        server_key: key_hex.to_string(),
    }))
}

/// Checks the entry against the neighbours the server already holds. Phones
/// send small items first and links drop mid-sync, so entries arrive in any
/// order; each link is checked when the second of its two ends arrives, and
/// only real breaks (forks, wrong predecessors) become anomalies. Entries not
/// yet received are an open gap, computed on read by [`open_gaps`].
fn chain_anomalies(conn: &Connection, dev: &Signer, m: &Manifest, hash: &str) -> DomainResult<Vec<Anomaly>> {
    let at = |seq: i64| repo::entries::at_seq(conn, &dev.device_id, seq);
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

/// Open gaps in the chains of the given communities' devices, from the entries themselves.
pub fn open_gaps(conn: &Connection, community_ids: &[i64]) -> DomainResult<Vec<Gap>> {
    Ok(repo::entries::open_gaps(conn, repo::entries::GapScope::Communities(community_ids))?)
}

/// Size of a blob this device uploaded itself (see [`repo::blobs::held_by_device`]).
pub fn held_by_device(conn: &Connection, sha256: &str, device_id: &str) -> DomainResult<Option<i64>> {
    Ok(repo::blobs::held_by_device(conn, sha256, device_id)?)
}

/// Stores a verified manifest and issues (or re-issues) its receipt.
pub fn accept(
    conn: &mut Connection,
    key: &SigningKey,
    key_hex: &str,
    dev: &Signer,
    sm: &SignedManifest,
    m: &Manifest,
) -> DomainResult<Accepted> {
    let hash = sm.hash();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(r) = stored_receipt(&tx, &hash, key_hex)? {
        return Ok(Accepted { response: r, created: false, anomalies: Vec::new() });
    }
    if repo::entries::item_taken_by_other(&tx, &m.item_id, &dev.device_id)? {
        // Devices mint item ids as random UUIDs: another device's id in this manifest is a copy, never a collision.
        return Err(DomainError::conflict(
            ErrorCode::ItemIdTaken,
            "该条目编号已属于另一台设备的记录",
            "this item id belongs to another device's entry",
        ));
    }
    if let Some(media) = &m.media {
        match repo::blobs::held_by_device(&tx, &media.sha256, &dev.device_id)? {
            None => {
                // Devices answer media_missing by uploading the original again (HEAD first, which is per device too).
                return Err(DomainError::conflict(
                    ErrorCode::MediaMissing,
                    "本设备还没有上传该记录的媒体文件，请先上传再提交",
                    "this device has not uploaded this entry's media yet; upload it first, then retry",
                ));
            }
            Some(b) if b as u64 != media.bytes => {
                return Err(DomainError::invalid(
                    ErrorCode::MediaSizeMismatch,
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
    let last = repo::receipts::last(&tx)?;
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
    let signed = receipt.sign(key).map_err(|e| DomainError::Internal(format!("signing a receipt: {e}")))?;
    let entry = repo::entries::NewEntry {
        manifest_hash: &hash,
        device_id: &dev.device_id,
        community_id: dev.community_id,
        seq: m.seq as i64,
        prev: m.prev.as_deref(),
        item_id: &m.item_id,
        kind: m.kind.as_str(),
        media_sha256: m.media.as_ref().map(|x| x.sha256.as_str()),
        order_number: m.order_number.as_deref(),
        attach_item_id: m.attach.as_ref().map(|a| a.item_id.as_str()),
        manifest: &sm.manifest,
        signature: &sm.signature,
        received_at_ms: now,
        log_index,
    };
    repo::entries::insert(&tx, &entry)?;
    repo::receipts::append(&tx, log_index, &hash, &signed.receipt, &signed.signature, &signed.hash())?;
    for a in &anomalies {
        let row = repo::anomalies::NewAnomaly {
            community_id: dev.community_id,
            device_id: &dev.device_id,
            manifest_hash: &hash,
            seq: m.seq as i64,
            item_id: &m.item_id,
            kind: &a.kind,
            detail: &a.detail,
            at_ms: now,
        };
        repo::anomalies::insert(&tx, &row)?;
    }
    crate::domain::derivatives::drop_claims_of_others(&tx, &m.item_id, &dev.device_id)?;
    repo::entries::advance_head(&tx, &dev.device_id, m.seq as i64, &hash)?;
    tx.commit()?;
    Ok(Accepted {
        response: ReceiptResponse { receipt: signed.receipt, signature: signed.signature, server_key: key_hex.to_string() },
        created: true,
        anomalies: anomalies.into_iter().map(|a| a.kind).collect(),
    })
}
