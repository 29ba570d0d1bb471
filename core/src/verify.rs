//! Re-checking everything the device holds: each manifest's signature, the
//! chain's order and links, and every original's bytes against its signed
//! hash. It names each problem by position and item, because "something is
//! wrong" is useless to a coordinator preparing a dispute. Whether the links
//! are intact is decided by the protocol's one chain rule
//! ([`ChainVerifier`]), the same the server and the packet verifier ask.

use serde::{Deserialize, Serialize};

use crate::device::Device;
use crate::error::Result;
use crate::evidence::{ChainLink, ChainVerifier};
use crate::store::entries;
use crate::text::prefix;

/// One problem found by [`Device::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyProblem {
    /// Chain position concerned.
    pub seq: u64,
    /// Item concerned, when known.
    pub item_id: Option<String>,
    /// A chain finding ("missing", "fork", "reordered", "broken_link", as
    /// [`ChainFindingKind::as_str`](crate::evidence::ChainFindingKind::as_str) names them),
    /// "reordered" also when a store position holds another entry's manifest, "bad_signature",
    /// "altered_manifest", "blob_altered" or "blob_missing".
    pub kind: String,
    /// What exactly is wrong.
    pub detail: String,
}

/// Outcome of a full verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Entries examined.
    pub entries: u64,
    /// Original files re-hashed.
    pub blobs_checked: u64,
    /// Originals pruned after the server acknowledged them (not re-hashable here).
    pub blobs_pruned: u64,
    /// Every problem found; empty means the store verifies.
    pub problems: Vec<VerifyProblem>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Device {
    /// Verifies every entry, link and original file.
    pub fn verify(&self) -> Result<VerifyReport> {
        let rows = entries::all_for_verify(&*self.db()?)?;
        let mut report = VerifyReport { entries: rows.len() as u64, blobs_checked: 0, blobs_pruned: 0, problems: vec![] };
        let mut chain = ChainVerifier::new();
        let mut problem = |seq: u64, item: &str, kind: &str, detail: String| {
            report.problems.push(VerifyProblem { seq, item_id: Some(item.to_string()), kind: kind.into(), detail });
        };
        for row in &rows {
            let actual_hash = row.signed.hash();
            if actual_hash != row.manifest_hash {
                problem(
                    row.seq,
                    &row.item_id,
                    "altered_manifest",
                    format!("entry {}: manifest text no longer matches its recorded hash", row.seq),
                );
            }
            let manifest = match row.signed.open_from(&self.public_key_hex) {
                Ok(m) => m,
                Err(e) => {
                    problem(row.seq, &row.item_id, "bad_signature", format!("entry {}: {e}", row.seq));
                    // Still link-check what the text claims, so one edit doesn't hide a deletion.
                    match serde_json::from_str::<crate::evidence::Manifest>(&row.signed.manifest) {
                        Ok(m) => m,
                        Err(_) => continue,
                    }
                }
            };
            if manifest.seq != row.seq || manifest.item_id != row.item_id {
                problem(
                    row.seq,
                    &row.item_id,
                    "reordered",
                    format!("position {} holds the manifest of entry {} ({})", row.seq, manifest.seq, manifest.item_id),
                );
            }
            if manifest.media.as_ref().map(|m| &m.sha256) != row.media_sha256.as_ref() {
                problem(
                    row.seq,
                    &row.item_id,
                    "altered_manifest",
                    format!("entry {}: recorded media hash differs from the signed one", row.seq),
                );
            }
            chain.push(&ChainLink { seq: manifest.seq, item_id: manifest.item_id.clone(), hash: actual_hash, prev: manifest.prev.clone() });
            if let Some(media) = manifest.media.as_ref().filter(|_| !row.pruned) {
                match self.blobs.hash_file(&media.sha256)? {
                    Some(h) if h == media.sha256 => {}
                    Some(h) => problem(
                        row.seq,
                        &row.item_id,
                        "blob_altered",
                        format!(
                            "entry {}: original file changed (sha256 now {}, signed {})",
                            row.seq,
                            prefix(&h, 12),
                            prefix(&media.sha256, 12)
                        ),
                    ),
                    None => problem(
                        row.seq,
                        &row.item_id,
                        "blob_missing",
                        format!("entry {}: original file {} is missing", row.seq, prefix(&media.sha256, 12)),
                    ),
                }
            }
        }
        for f in chain.finish() {
            let detail = f.to_string();
            report.problems.push(VerifyProblem { seq: f.seq, item_id: f.item_id, kind: f.kind.as_str().into(), detail });
        }
        report.blobs_pruned = rows.iter().filter(|r| r.pruned && r.media_sha256.is_some()).count() as u64;
        report.blobs_checked = rows.iter().filter(|r| !r.pruned && r.media_sha256.is_some()).count() as u64;
        report.problems.sort_by_key(|p| p.seq);
        Ok(report)
    }
}
