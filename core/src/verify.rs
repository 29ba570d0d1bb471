//! Re-checking everything the device holds: each manifest's signature, the
//! chain's order and links, and every original's bytes against its signed
//! hash. It names each problem by position and item, because "something is
//! wrong" is useless to a coordinator preparing a dispute. Whether the links
//! are intact is decided by the protocol's one chain rule
//! ([`ChainVerifier`]), the same the server and the packet verifier ask.

use serde::{Deserialize, Serialize};

use crate::device::Device;
use crate::error::Result;
use crate::evidence::{ChainFindingKind, ChainLink, ChainVerifier};
use crate::store::entries;
use crate::text::prefix;

/// One problem found by [`Device::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyProblem {
    /// Chain position concerned.
    pub seq: u64,
    /// Item concerned, when known.
    pub item_id: Option<String>,
    /// What kind of problem.
    pub kind: VerifyProblemKind,
    /// What exactly is wrong.
    pub detail: String,
}

/// What is wrong with an entry: the chain rule's findings, and what only the
/// device can see (its own copies of manifests and originals). Serialized as
/// the snake_case names the CLI's JSON has always printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifyProblemKind {
    /// Positions held by nobody (an entry was deleted).
    Missing,
    /// Two entries claim one position.
    Fork,
    /// Entries linked in swapped order, or a position holding another entry's manifest.
    Reordered,
    /// An entry does not name the entry before it.
    BrokenLink,
    /// The manifest's signature does not verify with the device key.
    BadSignature,
    /// The stored manifest text or media hash no longer matches what was recorded.
    AlteredManifest,
    /// The original file's bytes changed.
    BlobAltered,
    /// The original file is gone (and was never pruned after upload).
    BlobMissing,
}

impl VerifyProblemKind {
    /// The stable snake_case name, as the CLI prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyProblemKind::Missing => "missing",
            VerifyProblemKind::Fork => "fork",
            VerifyProblemKind::Reordered => "reordered",
            VerifyProblemKind::BrokenLink => "broken_link",
            VerifyProblemKind::BadSignature => "bad_signature",
            VerifyProblemKind::AlteredManifest => "altered_manifest",
            VerifyProblemKind::BlobAltered => "blob_altered",
            VerifyProblemKind::BlobMissing => "blob_missing",
        }
    }
}

impl From<ChainFindingKind> for VerifyProblemKind {
    fn from(k: ChainFindingKind) -> Self {
        match k {
            ChainFindingKind::Missing => VerifyProblemKind::Missing,
            ChainFindingKind::Fork => VerifyProblemKind::Fork,
            ChainFindingKind::Reordered => VerifyProblemKind::Reordered,
            ChainFindingKind::BrokenLink => VerifyProblemKind::BrokenLink,
        }
    }
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
        let mut problem = |seq: u64, item: &str, kind: VerifyProblemKind, detail: String| {
            report.problems.push(VerifyProblem { seq, item_id: Some(item.to_string()), kind, detail });
        };
        for row in &rows {
            let actual_hash = row.signed.hash();
            if actual_hash != row.manifest_hash {
                problem(
                    row.seq,
                    &row.item_id,
                    VerifyProblemKind::AlteredManifest,
                    format!("entry {}: manifest text no longer matches its recorded hash", row.seq),
                );
            }
            let manifest = match row.signed.open_from(&self.public_key_hex) {
                Ok(m) => m,
                Err(e) => {
                    problem(row.seq, &row.item_id, VerifyProblemKind::BadSignature, format!("entry {}: {e}", row.seq));
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
                    VerifyProblemKind::Reordered,
                    format!("position {} holds the manifest of entry {} ({})", row.seq, manifest.seq, manifest.item_id),
                );
            }
            if manifest.media.as_ref().map(|m| &m.sha256) != row.media_sha256.as_ref() {
                problem(
                    row.seq,
                    &row.item_id,
                    VerifyProblemKind::AlteredManifest,
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
                        VerifyProblemKind::BlobAltered,
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
                        VerifyProblemKind::BlobMissing,
                        format!("entry {}: original file {} is missing", row.seq, prefix(&media.sha256, 12)),
                    ),
                }
            }
        }
        for f in chain.finish() {
            let detail = f.to_string();
            report.problems.push(VerifyProblem { seq: f.seq, item_id: f.item_id, kind: f.kind.into(), detail });
        }
        report.blobs_pruned = rows.iter().filter(|r| r.pruned && r.media_sha256.is_some()).count() as u64;
        report.blobs_checked = rows.iter().filter(|r| !r.pruned && r.media_sha256.is_some()).count() as u64;
        report.problems.sort_by_key(|p| p.seq);
        Ok(report)
    }
}
