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
use crate::repo::entries::GapScope;
use siteproof_protocol::evidence::chain::{judge_arrival, missing_ranges, Neighbours};
use siteproof_protocol::evidence::{ChainFinding, ChainLink, Manifest, Receipt, SignedManifest, SignedReceipt, RECEIPT_FORMAT};
use siteproof_protocol::wire::error_code::ErrorCode;

/// What `POST /v1/manifests` answers: the signed receipt and the key to check it with (the wire contract's envelope).
use siteproof_protocol::wire::receipt::ReceiptEnvelope;

/// Outcome of an accept call.
pub struct Accepted {
    /// The receipt (original one for replays).
    pub response: ReceiptEnvelope,
    /// False when this was a replay of an accepted manifest.
    pub created: bool,
    /// Kinds of the chain findings this arrival showed (recorded as anomalies on the entries they name).
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

fn stored_receipt(conn: &Connection, hash: &str, key_hex: &str) -> DomainResult<Option<ReceiptEnvelope>> {
    Ok(repo::receipts::of_manifest(conn, hash)?
        .map(|(receipt, signature)| ReceiptEnvelope::new(SignedReceipt { receipt, signature }, key_hex)))
}

/// Judges the arriving entry by the protocol's one chain rule
/// ([`judge_arrival`]) against the neighbours the server already holds: the
/// entry at its own position, and those at `seq - 1` and `seq + 1` (the first
/// received at each). Phones send small items first and links drop mid-sync,
/// so entries arrive in any order; each link is judged when the second of its
/// two ends arrives. Entries not yet received are an open gap, computed on
/// read by [`open_gaps`]. A finding is recorded on the entry it names (a link
/// on its later end), so the phone, the server and a packet name one position.
fn chain_findings(conn: &Connection, dev: &Signer, arriving: &ChainLink) -> DomainResult<Vec<ChainFinding>> {
    // Positions are at most i64::MAX on the wire; the window is clamped to 1..=i64::MAX.
    let seq = i64::try_from(arriving.seq).unwrap_or(i64::MAX);
    let links = repo::entries::links_between(conn, &dev.device_id, seq.saturating_sub(1).max(1), seq.saturating_add(1))?;
    let at = |seq: Option<u64>| seq.and_then(|s| links.iter().find(|l| l.seq == s));
    let same_seq = at(Some(arriving.seq));
    let before = at(arriving.seq.checked_sub(1).filter(|s| *s >= 1));
    let after = at(arriving.seq.checked_add(1));
    Ok(judge_arrival(arriving, Neighbours { same_seq, before, after }))
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

/// Open gaps, from the entries themselves: the numbers each device's chain
/// holds, judged by the protocol's one rule ([`missing_ranges`]). The one gap
/// rule for the API's anomaly list and the console's "missing before" line.
pub fn open_gaps(conn: &Connection, scope: GapScope<'_>) -> DomainResult<Vec<Gap>> {
    let mut by_device: std::collections::BTreeMap<String, Vec<u64>> = std::collections::BTreeMap::new();
    for (device_id, seq) in repo::entries::held_seqs(conn, scope)? {
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
    let arriving = ChainLink { seq: m.seq, item_id: m.item_id.clone(), hash: hash.clone(), prev: m.prev.clone() };
    let findings = chain_findings(&tx, dev, &arriving)?;
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
    if let Some(share) = &m.share {
        let copy = repo::share_copies::ShareCopy {
            code: share.code.clone(),
            community_id: dev.community_id,
            device_id: dev.device_id.clone(),
            share_manifest_hash: hash.clone(),
            item_id: share.item_id.clone(),
            source_manifest_hash: share.manifest_hash.clone(),
            copy_sha256: share.copy_sha256.clone(),
            registered_at_ms: now,
        };
        repo::share_copies::insert(&tx, &copy)?;
    }
    repo::receipts::append(&tx, log_index, &hash, &signed.receipt, &signed.signature, &signed.hash())?;
    for f in &findings {
        // Recorded on the entry the finding names: the arriving one, or its held successor for the link into it.
        let detail = f.to_string();
        let row = repo::anomalies::NewAnomaly {
            community_id: dev.community_id,
            device_id: &dev.device_id,
            manifest_hash: f.hash.as_deref().unwrap_or(&hash),
            seq: f.seq as i64,
            item_id: f.item_id.as_deref(),
            kind: f.kind.as_str(),
            detail: &detail,
            at_ms: now,
        };
        repo::anomalies::insert(&tx, &row)?;
    }
    crate::domain::derivatives::drop_claims_of_others(&tx, &m.item_id, &dev.device_id)?;
    repo::entries::advance_head(&tx, &dev.device_id, m.seq as i64, &hash)?;
    tx.commit()?;
    Ok(Accepted {
        response: ReceiptEnvelope::new(signed, key_hex),
        created: true,
        anomalies: findings.into_iter().map(|f| f.kind.as_str().to_string()).collect(),
    })
}
