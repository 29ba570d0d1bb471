//! The `anomalies` table: what ingest found odd about an entry's chain
//! position (forks, broken links), recorded beside the entry, never instead of it.

use rusqlite::{params, Connection, Row};

use super::id_list;

/// One recorded anomaly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Row id (the API's `after` cursor).
    pub id: i64,
    /// The device whose chain it concerns.
    pub device_id: String,
    /// The entry it was recorded for.
    pub manifest_hash: String,
    /// That entry's sequence number.
    pub seq: i64,
    /// That entry's item.
    pub item_id: Option<String>,
    /// "fork" or "broken_link".
    pub kind: String,
    /// zh-CN / English explanation.
    pub detail: String,
    /// When it was recorded, Unix ms.
    pub at_ms: i64,
    /// Name of the device's community.
    pub community: String,
}

/// A new anomaly for an entry.
pub struct NewAnomaly<'a> {
    /// The device's community.
    pub community_id: i64,
    /// The device.
    pub device_id: &'a str,
    /// The entry.
    pub manifest_hash: &'a str,
    /// Its sequence number.
    pub seq: i64,
    /// Its item, when known.
    pub item_id: Option<&'a str>,
    /// Kind code.
    pub kind: &'a str,
    /// Explanation.
    pub detail: &'a str,
    /// Now, Unix ms.
    pub at_ms: i64,
}

/// Records one anomaly.
pub fn insert(c: &Connection, a: &NewAnomaly<'_>) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO anomalies (community_id, device_id, manifest_hash, seq, item_id, kind, detail, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![a.community_id, a.device_id, a.manifest_hash, a.seq, a.item_id, a.kind, a.detail, a.at_ms],
    )?;
    Ok(())
}

const SELECT: &str = "SELECT a.id, a.device_id, a.manifest_hash, a.seq, a.item_id, a.kind, a.detail, a.at_ms, c.name
    FROM anomalies a JOIN communities c ON c.id = a.community_id";

fn anomaly(r: &Row<'_>) -> rusqlite::Result<Anomaly> {
    Ok(Anomaly {
        id: r.get(0)?,
        device_id: r.get(1)?,
        manifest_hash: r.get(2)?,
        seq: r.get(3)?,
        item_id: r.get(4)?,
        kind: r.get(5)?,
        detail: r.get(6)?,
        at_ms: r.get(7)?,
        community: r.get(8)?,
    })
}

/// Anomalies of an entry, oldest first.
pub fn of_manifest(c: &Connection, manifest_hash: &str) -> rusqlite::Result<Vec<Anomaly>> {
    let mut s = c.prepare_cached(&format!("{SELECT} WHERE a.manifest_hash = ?1 ORDER BY a.id"))?;
    let rows = s.query_map([manifest_hash], anomaly)?.collect();
    rows
}

/// Anomalies of the given communities after a row id, oldest first.
pub fn of_communities(c: &Connection, communities: &[i64], after: i64, limit: i64) -> rusqlite::Result<Vec<Anomaly>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = c.prepare(&format!("{SELECT} WHERE a.community_id IN ({}) AND a.id > ?1 ORDER BY a.id LIMIT ?2", id_list(communities)))?;
    let rows = s.query_map(params![after, limit], anomaly)?.collect();
    rows
}
