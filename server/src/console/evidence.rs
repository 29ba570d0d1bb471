//! Loading an order's evidence for the console: every entry filed under the
//! order (directly, or later by an attach entry), each re-verified on read —
//! device signature against the enrolled key, server receipt against the
//! server key, chain anomalies and open gaps — with its thumbnail and
//! preview linked by the derivatives table, and the trust statement
//! (`domain::trust`) that the badge, the export checkbox and the export
//! confirmation all read.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::domain::ingest;
use crate::domain::pairs::PairPhoto;
use crate::domain::trust::{self, ChainCheck, Checks, OriginalCheck, ReceiptCheck, SignatureCheck, Signer, Statement};
use crate::error::ApiResult;
use crate::repo;
use crate::repo::entries::GapScope;
use siteproof_protocol::evidence::{EntryKind, Manifest, SignedManifest, SignedReceipt};

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
    /// "photo", "voice", "video", "received" or "note".
    pub kind: String,
    /// Manifest hash.
    pub manifest_hash: String,
    /// Signing device.
    pub device_id: String,
    /// Who signed it, as enrolled here.
    pub signer: Signer,
    /// Device's name and worker, as enrolled (or the start of its id).
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
    /// What that proves, what is doubtful and what cannot be checked.
    pub trust: Statement,
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

    /// What kind of file the original is: the type the device signed, else the one its upload declared.
    pub fn original_type(&self) -> Option<&str> {
        let signed = self.manifest.as_ref().and_then(|m| m.media.as_ref()).map(|m| m.media_type.as_str());
        signed.or(self.media_type.as_deref())
    }
}

impl PairPhoto for Item {
    fn item_id(&self) -> &str {
        &self.item_id
    }

    fn is_photo(&self) -> bool {
        self.kind == "photo"
    }

    fn captured_at_ms(&self) -> Option<i64> {
        Item::captured_at_ms(self)
    }

    fn place(&self) -> Option<(f64, f64, f64)> {
        Item::place(self)
    }

    fn visit_id(&self) -> Option<&str> {
        Item::visit_id(self)
    }
}

/// Every evidence item of an order (photos, voice notes, text notes), oldest capture first.
pub fn for_order(
    c: &Connection,
    community_id: i64,
    number: &str,
    server_key_hex: &str,
    storage: &dyn crate::storage::Storage,
) -> ApiResult<Vec<Item>> {
    // Attach entries only file items; the timeline shows the items themselves.
    let rows: Vec<_> = repo::entries::of_order(c, community_id, number)?.into_iter().filter(|e| e.kind != "attach").collect();
    let mut top: HashMap<&str, i64> = HashMap::new();
    for r in &rows {
        let e = top.entry(r.device_id.as_str()).or_insert(0);
        *e = (*e).max(r.seq);
    }
    let mut gaps: Vec<(String, i64, i64)> = Vec::new();
    for (dev, max_seq) in top {
        gaps.extend(ingest::open_gaps(c, GapScope::DeviceUpTo(dev, max_seq))?.into_iter().map(|g| (g.device_id, g.from_seq, g.to_seq)));
    }
    let mut devices: HashMap<String, (Option<String>, Signer)> = HashMap::new();
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        if !devices.contains_key(&r.device_id) {
            let holder = repo::devices::key_and_label(c, &r.device_id)?;
            let entry = (holder.as_ref().map(|h| h.public_key.clone()), Signer::from_enrollment(&r.device_id, holder.as_ref()));
            devices.insert(r.device_id.clone(), entry);
        }
        let (key, signer) = devices.get(&r.device_id).cloned().unwrap_or((None, Signer::Unenrolled { device_id: r.device_id.clone() }));
        let sm = SignedManifest { manifest: r.manifest.clone(), signature: r.signature.clone() };
        let (manifest, signature_error) = match key.as_deref().map(|k| sm.open_from(k)) {
            Some(Ok(m)) => (Some(m), None),
            Some(Err(e)) => (serde_json::from_str::<Manifest>(&r.manifest).ok(), Some(e.to_string())),
            None => (serde_json::from_str::<Manifest>(&r.manifest).ok(), Some("device not enrolled on this server".to_string())),
        };
        let signature = match (&signature_error, &key) {
            (None, _) => SignatureCheck::Valid,
            (Some(_), None) => SignatureCheck::NoKey,
            (Some(e), Some(_)) => SignatureCheck::Invalid(e.clone()),
        };
        let receipt = SignedReceipt { receipt: r.receipt.clone(), signature: r.receipt_signature.clone() }.open(server_key_hex);
        let received_at_ms = match &receipt {
            Ok(rc) => rc.received_at_ms,
            Err(_) => r.received_at_ms,
        };
        // A receipt proves receipt of the manifest it names, so it must name this one.
        let receipt = match receipt {
            Ok(rc) if rc.manifest_hash == r.manifest_hash => ReceiptCheck::Valid { received_at_ms, log_index: Some(r.log_index) },
            Ok(_) => ReceiptCheck::ForAnotherManifest,
            Err(e) => ReceiptCheck::Invalid(e.to_string()),
        };
        let anomalies = repo::anomalies::of_manifest(c, &r.manifest_hash)?.into_iter().map(|a| (a.kind, a.detail)).collect();
        let missing_before = gaps.iter().filter(|g| g.0 == r.device_id && g.2 < r.seq).map(|g| (g.1, g.2)).collect();
        // Blobs are stored under the hash they were checked against on arrival; on read, the size is compared.
        let original = match (&r.media_sha256, manifest.as_ref().and_then(|m| m.media.as_ref())) {
            (Some(sha), Some(media)) => match storage.size(sha)? {
                None => OriginalCheck::Missing,
                Some(n) if n == media.bytes && *sha == media.sha256 => OriginalCheck::Stored,
                Some(_) => OriginalCheck::Differs,
            },
            (Some(sha), None) => {
                if storage.size(sha)?.is_some() {
                    OriginalCheck::Stored
                } else {
                    OriginalCheck::Missing
                }
            }
            _ => OriginalCheck::NoMedia,
        };
        let media_present = match original {
            OriginalCheck::NoMedia => None,
            o => Some(matches!(o, OriginalCheck::Stored | OriginalCheck::Matches)),
        };
        let derivs = repo::derivatives::of_item(c, &r.item_id, community_id)?;
        let pick = |role: &str| derivs.iter().find(|(r, _)| r == role).map(|(_, s)| s.clone());
        let verification = Verification {
            signature_ok: signature_error.is_none(),
            signature_error,
            receipt_ok: matches!(receipt, ReceiptCheck::Valid { .. }),
            received_at_ms,
            log_index: r.log_index,
            anomalies,
            missing_before,
            media_present,
        };
        let trust = trust::statement(&Checks {
            kind: EntryKind::parse(&r.kind).unwrap_or(EntryKind::Note),
            manifest: manifest.as_ref(),
            signer: &signer,
            signature,
            stored_text_matches: sm.hash() == r.manifest_hash,
            original,
            receipt,
            chain: ChainCheck::Judged {
                seq: r.seq,
                anomalies: verification.anomalies.clone(),
                missing_before: verification.missing_before.clone(),
            },
        });
        items.push(Item {
            thumbnail: pick("thumbnail"),
            preview: pick("preview"),
            item_id: r.item_id,
            kind: r.kind,
            manifest_hash: r.manifest_hash,
            device_id: r.device_id,
            device_label: signer.label(),
            signer,
            seq: r.seq,
            manifest,
            media_sha256: r.media_sha256,
            media_type: r.media_type,
            media_bytes: r.media_bytes,
            verification,
            trust,
        });
    }
    items.sort_by_key(|i| (i.captured_at_ms().unwrap_or(i64::MAX), i.verification.log_index));
    Ok(items)
}
