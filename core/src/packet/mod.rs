//! Dispute packets as the device side uses them: the format itself (layout,
//! index, writer, offline verifier) is `siteproof_protocol::packet`,
//! re-exported whole; this module adds only what touches the file system,
//! opening a packet by path, so the protocol crate stays free of I/O.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

pub use siteproof_protocol::packet::*;

use crate::error::{Error, Result};

/// Verifies a packet file offline. `Err` when the file cannot be opened or read as a ZIP
/// at all, or when its structure is refused as a whole (see [`verify_packet_from`]);
/// everything wrong inside a well-formed ZIP is a problem in the report.
pub fn verify_packet(path: &Path) -> Result<PacketReport> {
    let file = File::open(path).map_err(|e| Error::from_io(&format!("打开证据包 / opening packet {}", path.display()), e))?;
    Ok(verify_packet_from(BufReader::new(file))?)
}
