//! Exporting a work order's dispute packet (争议证据包): the coordinator's
//! answer to a reopened (重办) or returned (退单) order. The format and its
//! offline verification live in `siteproof_protocol::packet`; this module reads
//! the order's evidence from the database and storage, writes the Chinese
//! PDF report, and assembles the ZIP atomically (temp file, then rename), so
//! nobody ever receives half a packet. Every export is audited.

mod appendix;
mod assemble;
pub mod batch;
mod batch_cover;
pub mod batch_originals;
mod before_after;
mod c2pa_sidecar;
pub mod collect;
mod cover;
mod custody;
pub mod dispute;
mod distances;
pub mod font;
mod history;
pub mod map;
pub mod pdf;
pub mod report;
#[cfg(test)]
mod report_pages;
mod time_statements;
mod timeline;
mod tsa;
mod visits;

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use siteproof_protocol::packet::ThirdPartyTime;
use siteproof_protocol::wire::error_code::ErrorCode;

/// What an export produced.
#[derive(Debug, Clone, Serialize)]
pub struct PacketSummary {
    /// The work order number.
    pub order_number: String,
    /// Where the packet was written.
    pub path: PathBuf,
    /// A file name to offer for download, e.g. `siteproof-packet-2026001.zip`.
    pub file_name: String,
    /// Packet size in bytes.
    pub bytes: u64,
    /// SHA-256 of the whole ZIP, hex.
    pub sha256: String,
    /// Evidence entries included (manifests).
    pub entries: usize,
    /// Files in the packet: those the signed index lists, the index, and the checksum list with its signature.
    pub files: usize,
    /// Fingerprint of the server key that signed the index.
    pub server_key_fingerprint: String,
    /// Entries left out, with the reason (e.g. a second entry at the same chain position).
    pub skipped: Vec<String>,
    /// Whether the index was stamped by the TSA, and why not when it was not.
    pub third_party_time: ThirdPartyTime,
}

/// The download name for an order's packet: only characters safe in any file system and header.
pub fn file_name_for(number: &str) -> String {
    let safe: String = number.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("siteproof-packet-{safe}.zip")
}

/// Exports the dispute packet of order `number` of community `community_id` to `out`.
///
/// `item_ids` limits the packet to those items (each must belong to the order); `None` takes all.
/// `dispute` fills the 申诉书 cover; its empty fields are printed as lines to fill in by hand.
/// An order of another community answers 404 like a missing one. The file at `out` appears
/// only when complete; an `export` audit row names the order and the file.
pub async fn export_order_packet(
    state: &AppState,
    actor_user_id: Option<i64>,
    community_id: i64,
    number: &str,
    item_ids: Option<&[String]>,
    dispute: dispute::Dispute,
    out: &Path,
) -> ApiResult<PacketSummary> {
    let job = assemble::ExportJob {
        target: target(state, out),
        actor_user_id,
        community_id,
        number: number.to_string(),
        item_ids: item_ids.map(|ids| ids.to_vec()),
        dispute,
    };
    state.db.call(move |conn| job.run(conn)).await
}

/// Where a packet of this server goes, and the key, font and TSA it is made with.
fn target(state: &AppState, out: &Path) -> assemble::Target {
    assemble::Target {
        storage: state.storage.clone(),
        key: state.key.clone(),
        font_path: state.config.cjk_font.clone(),
        tsa: state.config.tsa.clone(),
        out: out.to_path_buf(),
        data_dir: state.config.data.clone(),
    }
}

fn font_unavailable(e: font::FontError) -> ApiError {
    let mut err = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::CjkFontMissing, "", "");
    err.message = e.0;
    err
}
