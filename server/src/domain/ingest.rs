//! Accepting a signed manifest: media present, chain position checked, entry
//! stored and a receipt appended to the server's log, all in one transaction.
//! Chain gaps and forks are accepted and recorded as anomalies: evidence is
//! never dropped, and a coordinator sees what is odd about it.

use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::auth::DevicePrincipal;
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use siteproof_core::evidence::{ChainLink, ChainVerifier, Manifest, Receipt, SignedManifest, RECEIPT_FORMAT};

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

fn chain_anomalies(conn: &Connection, dev: &DevicePrincipal, m: &Manifest, hash: &str) -> ApiResult<Vec<Anomaly>> {
    let head: Option<(u64, String)> = conn
        .query_row("SELECT seq, hash FROM device_heads WHERE device_id = ?1", [&dev.device_id], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
        .optional()?;
    let mut out = Vec::new();
    let same_seq: Vec<String> = {
        let mut s = conn.prepare_cached("SELECT manifest_hash FROM entries WHERE device_id = ?1 AND seq = ?2")?;
        let v = s.query_map(params![dev.device_id, m.seq as i64], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        v
    };
    if !same_seq.is_empty() {
        out.push(Anomaly {
            kind: "fork".into(),
            detail: format!("设备在序号 {} 已有另一条记录 / device already has a different entry at seq {} ({})", m.seq, m.seq, &same_seq[0][..12]),
        });
    }
    let link = ChainLink { seq: m.seq, item_id: m.item_id.clone(), hash: hash.to_string(), prev: m.prev.clone() };
    let mut verifier = match &head {
        Some((s, h)) => ChainVerifier::resume(*s, h.clone()),
        None => ChainVerifier::new(),
    };
    for p in verifier.push(&link) {
        out.push(Anomaly { kind: serde_json::to_value(p.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(), detail: p.detail });
    }
    // A late entry filling a gap can still be checked against the neighbours the server holds.
    if let Some((head_seq, _)) = &head {
        if m.seq <= *head_seq && same_seq.is_empty() {
            let before: Option<String> = conn
                .query_row("SELECT manifest_hash FROM entries WHERE device_id = ?1 AND seq = ?2", params![dev.device_id, m.seq as i64 - 1], |r| r.get(0))
                .optional()?;
            if let Some(b) = before {
                if m.prev.as_deref() != Some(b.as_str()) {
                    out.push(Anomaly { kind: "broken_link".into(), detail: format!("entry {} does not point to entry {} held by the server", m.seq, m.seq - 1) });
                }
            }
            let after: Option<Option<String>> = conn
                .query_row("SELECT prev FROM entries WHERE device_id = ?1 AND seq = ?2", params![dev.device_id, m.seq as i64 + 1], |r| r.get(0))
                .optional()?;
            if let Some(p) = after {
                if p.as_deref() != Some(hash) {
                    out.push(Anomaly { kind: "broken_link".into(), detail: format!("entry {} held by the server does not point to this entry {}", m.seq + 1, m.seq) });
                }
            }
        }
    }
    Ok(out)
}

/// Stores a verified manifest and issues (or re-issues) its receipt.
pub fn accept(conn: &mut Connection, key: &SigningKey, key_hex: &str, dev: &DevicePrincipal, sm: &SignedManifest, m: &Manifest) -> ApiResult<Accepted> {
    let hash = sm.hash();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(r) = stored_receipt(&tx, &hash, key_hex)? {
        return Ok(Accepted { response: r, created: false, anomalies: Vec::new() });
    }
    if let Some(media) = &m.media {
        let held: Option<i64> = tx
            .query_row(
                "SELECT b.bytes FROM blobs b JOIN blob_owners o ON o.sha256 = b.sha256 WHERE b.sha256 = ?1 AND o.community_id = ?2 LIMIT 1",
                params![media.sha256, dev.community_id],
                |r| r.get(0),
            )
            .optional()?;
        match held {
            None => {
                return Err(ApiError::new(
                    axum::http::StatusCode::CONFLICT,
                    "media_missing",
                    "服务器还没有该记录的媒体文件，请先上传再提交",
                    "the server does not hold this entry's media yet; upload it first, then retry",
                ))
            }
            Some(b) if b as u64 != media.bytes => {
                return Err(ApiError::invalid("media_size_mismatch", format!("清单写明 {} 字节，服务器存有 {b} 字节 / manifest says {} bytes, stored blob has {b}", media.bytes, media.bytes)));
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
            hash, dev.device_id, dev.community_id, m.seq as i64, m.prev, m.item_id, m.kind.as_str(),
            m.media.as_ref().map(|x| x.sha256.clone()), m.order_number, m.attach.as_ref().map(|a| a.item_id.clone()),
            sm.manifest, sm.signature, now, log_index
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
