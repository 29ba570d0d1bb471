//! The `entries` table's SQL: the device's hash chain, one signed manifest
//! per row in `seq` order, and the order each entry is filed under.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::receipts;
use crate::capture::EvidenceItem;
use crate::evidence::{EntryKind, Manifest, SignedManifest};

/// A new chain entry as written by capture.
pub(crate) struct NewEntry<'a> {
    pub seq: u64,
    pub item_id: &'a str,
    pub kind: EntryKind,
    pub manifest_hash: &'a str,
    pub signed: &'a SignedManifest,
    pub media_sha256: Option<&'a str>,
    pub order_number: Option<&'a str>,
    pub visit_id: Option<&'a str>,
}

/// The last entry's seq and manifest hash (0 and None for an empty chain).
pub(crate) fn head(conn: &Connection) -> rusqlite::Result<(u64, Option<String>)> {
    Ok(conn
        .query_row("SELECT seq, manifest_hash FROM entries ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get::<_, i64>(0)? as u64, Some(r.get::<_, String>(1)?)))
        })
        .optional()?
        .unwrap_or((0, None)))
}

/// Appends an entry.
pub(crate) fn insert(conn: &Connection, e: &NewEntry<'_>, now_ms: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO entries (seq, item_id, kind, manifest_hash, manifest, signature, media_sha256,
            order_number, visit_id, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            e.seq as i64,
            e.item_id,
            e.kind,
            e.manifest_hash,
            e.signed.manifest,
            e.signed.signature,
            e.media_sha256,
            e.order_number,
            e.visit_id,
            now_ms
        ],
    )?;
    Ok(())
}

/// Files an entry under an order (after an attach entry recorded it).
pub(crate) fn file_under(conn: &Connection, item_id: &str, order_number: &str) -> rusqlite::Result<()> {
    conn.execute("UPDATE entries SET order_number = ?2 WHERE item_id = ?1", params![item_id, order_number])?;
    Ok(())
}

/// The follow-up entry recording a late fix for `item_id`, if one was signed: an attach entry
/// naming it and flagged `late_fix` (see `late_fix.rs`). Read from the signed text, which the
/// device wrote itself, so no column or migration is needed.
pub(crate) fn late_fix_of(conn: &Connection, item_id: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT e.item_id FROM entries e
         WHERE e.kind = ?1 AND json_extract(e.manifest, '$.attach.item_id') = ?2
           AND EXISTS (SELECT 1 FROM json_each(e.manifest, '$.flags') f WHERE f.value = ?3)
         ORDER BY e.seq LIMIT 1",
        params![EntryKind::Attach, item_id, crate::flags::LATE_FIX],
        |r| r.get(0),
    )
    .optional()
}

fn columns() -> String {
    format!("e.item_id, e.seq, e.kind, e.manifest_hash, e.manifest, e.signature, e.order_number, {}", receipts::ENTRY_HAS_RECEIPT)
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<(EvidenceItem, SignedManifest)> {
    let signed = SignedManifest { manifest: r.get(4)?, signature: r.get(5)? };
    // The row's copy of the manifest was written by us; verification re-checks it separately.
    let m: Manifest = serde_json::from_str(&signed.manifest)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e)))?;
    let item = EvidenceItem {
        item_id: r.get(0)?,
        seq: r.get::<_, i64>(1)? as u64,
        kind: r.get(2)?,
        manifest_hash: r.get(3)?,
        media_sha256: m.media.as_ref().map(|x| x.sha256.clone()),
        bytes: m.media.as_ref().map(|x| x.bytes).unwrap_or(0),
        media_type: m.media.as_ref().map(|x| x.media_type.clone()),
        order_number: r.get(6)?,
        visit_id: m.visit_id.clone(),
        flags: m.flags.clone(),
        device_time_ms: m.capture.device_time_ms,
        anchored_utc_ms: m.anchored.as_ref().map(|a| a.utc_ms),
        anchored_bound_ms: m.anchored.as_ref().map(|a| a.bound_ms),
        text: m.text.clone(),
        duration_ms: m.audio.as_ref().map(|a| a.duration_ms).or(m.video.as_ref().map(|v| v.duration_ms)),
        received_from: m.received.as_ref().map(|r| r.source.clone()),
        has_receipt: r.get::<_, bool>(7)?,
    };
    Ok((item, signed))
}

/// One entry and its signed manifest.
pub(crate) fn get(conn: &Connection, item_id: &str) -> rusqlite::Result<Option<(EvidenceItem, SignedManifest)>> {
    conn.query_row(&format!("SELECT {} FROM entries e WHERE e.item_id = ?1", columns()), [item_id], from_row).optional()
}

/// Entries in chain order; `order_number` filters to one order, `unfiled_only` to unfiled ones.
pub(crate) fn list(conn: &Connection, order_number: Option<&str>, unfiled_only: bool) -> rusqlite::Result<Vec<EvidenceItem>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM entries e
         WHERE (?1 IS NULL OR e.order_number = ?1) AND (?2 = 0 OR (e.order_number IS NULL AND e.kind != ?3))
         ORDER BY e.seq",
        columns()
    ))?;
    let items = stmt.query_map(params![order_number, unfiled_only, EntryKind::Attach], |r| from_row(r).map(|x| x.0))?.collect();
    items
}

/// One entry as `verify` re-checks it: what the row records beside the signed text.
pub(crate) struct StoredEntry {
    pub seq: u64,
    pub item_id: String,
    /// The manifest hash recorded at capture.
    pub manifest_hash: String,
    pub signed: SignedManifest,
    /// The media hash recorded at capture.
    pub media_sha256: Option<String>,
    /// The original was pruned after the server acknowledged it.
    pub pruned: bool,
}

/// Every entry in `seq` order, with whether its original was pruned.
pub(crate) fn all_for_verify(conn: &Connection) -> rusqlite::Result<Vec<StoredEntry>> {
    let mut stmt = conn.prepare(
        "SELECT e.seq, e.item_id, e.manifest_hash, e.manifest, e.signature, e.media_sha256,
                b.pruned_at_ms IS NOT NULL
         FROM entries e LEFT JOIN blobs b ON b.sha256 = e.media_sha256 ORDER BY e.seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredEntry {
            seq: r.get::<_, i64>(0)? as u64,
            item_id: r.get(1)?,
            manifest_hash: r.get(2)?,
            signed: SignedManifest { manifest: r.get(3)?, signature: r.get(4)? },
            media_sha256: r.get(5)?,
            pruned: r.get(6)?,
        })
    })?;
    rows.collect()
}
