//! What a capture takes in (fix, clocks, order, visit) and what the evidence
//! list, the verify screen and the receipt view show.

use siteproof_core::evidence::{EntryKind, Receipt};
use siteproof_core::vocab::DerivativeRole;
use siteproof_core::{CaptureContext, DerivativeInfo, EvidenceItem, LocationFix, VerifyProblem, VerifyProblemKind, VerifyReport};

// Kinds and roles cross as enums, so Kotlin and Swift switch over cases the
// compiler checks instead of comparing strings.

#[uniffi::remote(Enum)]
pub enum EntryKind {
    Photo,
    Voice,
    Video,
    Received,
    Note,
    Attach,
    Share,
}

#[uniffi::remote(Enum)]
pub enum DerivativeRole {
    Thumbnail,
    Preview,
}

#[uniffi::remote(Enum)]
pub enum VerifyProblemKind {
    Missing,
    Fork,
    Reordered,
    BrokenLink,
    BadSignature,
    AlteredManifest,
    BlobAltered,
    BlobMissing,
}

#[uniffi::remote(Record)]
pub struct LocationFix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
    pub altitude_m: Option<f64>,
    pub provider: String,
    pub is_mock: bool,
    pub fix_time_ms: i64,
}

#[uniffi::remote(Record)]
pub struct CaptureContext {
    pub fix: Option<LocationFix>,
    pub device_time_ms: i64,
    pub utc_offset_min: i32,
    pub monotonic_ms: u64,
    pub boot_id: String,
    pub order_number: Option<String>,
    pub visit_id: Option<String>,
}

#[uniffi::remote(Record)]
pub struct EvidenceItem {
    pub item_id: String,
    pub seq: u64,
    pub kind: EntryKind,
    pub manifest_hash: String,
    pub media_sha256: Option<String>,
    pub bytes: u64,
    pub media_type: Option<String>,
    pub order_number: Option<String>,
    pub visit_id: Option<String>,
    pub flags: Vec<String>,
    pub device_time_ms: i64,
    pub anchored_utc_ms: Option<i64>,
    pub anchored_bound_ms: Option<u64>,
    pub text: Option<String>,
    pub duration_ms: Option<u64>,
    pub received_from: Option<String>,
    pub has_receipt: bool,
}

#[uniffi::remote(Record)]
pub struct DerivativeInfo {
    pub role: DerivativeRole,
    pub sha256: String,
    pub width: u32,
    pub height: u32,
}

#[uniffi::remote(Record)]
pub struct VerifyProblem {
    pub seq: u64,
    pub item_id: Option<String>,
    pub kind: VerifyProblemKind,
    pub detail: String,
}

#[uniffi::remote(Record)]
pub struct VerifyReport {
    pub entries: u64,
    pub blobs_checked: u64,
    pub blobs_pruned: u64,
    pub problems: Vec<VerifyProblem>,
}

#[uniffi::remote(Record)]
pub struct Receipt {
    pub format: String,
    pub manifest_hash: String,
    pub device_id: String,
    pub seq: u64,
    pub received_at_ms: i64,
    pub log_index: u64,
    pub log_prev: Option<String>,
    pub server_key: String,
}
