//! Puts into a packet the server's signed time statements that its entries'
//! anchored capture times rest on (`time/<hash>.json` and `.sig`, listed in
//! the signed index), so `siteproof verify` checks those times offline. A
//! statement no device has handed back is simply absent: the verifier then
//! says the anchored time cannot be checked, which is the truth.

use std::collections::BTreeSet;
use std::io::{Seek, Write};

use rusqlite::Connection;
use siteproof_protocol::evidence::Manifest;
use siteproof_protocol::packet::time_statements::statement_files;
use siteproof_protocol::packet::PacketWriter;

use super::collect::EntryRow;
use crate::error::{ApiError, ApiResult};
use crate::repo;

/// Writes each held statement the entries' anchored times name, once; returns how many were written.
pub(super) fn add_time_statements<W: Write + Seek>(writer: &mut PacketWriter<W>, conn: &Connection, rows: &[EntryRow]) -> ApiResult<usize> {
    let named: BTreeSet<String> =
        rows.iter().filter_map(|r| serde_json::from_str::<Manifest>(&r.manifest.manifest).ok()?.anchored.map(|a| a.anchor_hash)).collect();
    let mut written = 0;
    for hash in &named {
        let Some(signed) = repo::time_statements::get(conn, hash)? else { continue };
        for (path, bytes) in statement_files(&signed).map_err(|e| ApiError::internal(format!("time statement {hash}: {e}")))? {
            writer.add_bytes(&path, &bytes).map_err(ApiError::from)?;
        }
        written += 1;
    }
    Ok(written)
}
