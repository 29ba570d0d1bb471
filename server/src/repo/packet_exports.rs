//! The `packet_exports` table's SQL: when each dispute packet was exported
//! and what became of its third-party time, so the console can tell a
//! coordinator, before the packet is sent, whether it carries a TSA token.

use rusqlite::{params, Connection, OptionalExtension};
use siteproof_protocol::packet::ThirdPartyTime;

/// One export as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketExport {
    /// When it was made, Unix ms.
    pub at_ms: i64,
    /// SHA-256 of the ZIP.
    pub sha256: String,
    /// What the index says about third-party time.
    pub third_party_time: ThirdPartyTime,
}

/// Records an export.
pub fn record(c: &Connection, community_id: i64, order_number: &str, export: &PacketExport) -> rusqlite::Result<()> {
    let outcome = serde_json::to_string(&export.third_party_time).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    c.execute(
        "INSERT INTO packet_exports (community_id, order_number, at_ms, sha256, third_party_time) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![community_id, order_number, export.at_ms, export.sha256, outcome],
    )?;
    Ok(())
}

/// The order's latest export, if any.
pub fn last(c: &Connection, community_id: i64, order_number: &str) -> rusqlite::Result<Option<PacketExport>> {
    c.prepare_cached(
        "SELECT at_ms, sha256, third_party_time FROM packet_exports WHERE community_id = ?1 AND order_number = ?2 ORDER BY id DESC LIMIT 1",
    )?
    .query_row(params![community_id, order_number], |r| {
        let text: String = r.get(2)?;
        let third_party_time = serde_json::from_str(&text)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?;
        Ok(PacketExport { at_ms: r.get(0)?, sha256: r.get(1)?, third_party_time })
    })
    .optional()
}
