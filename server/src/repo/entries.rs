//! The `entries` table: accepted manifests with their chain position, as
//! stored. "The entries of an order" (filed directly or by a later attach
//! entry of the same device) is answered here once, for the API's evidence
//! list, the console's timeline and the dispute packet; so is "which
//! sequence numbers has the server not received" (open gaps).

use rusqlite::{params, Connection, OptionalExtension, Row};
use siteproof_protocol::evidence::ChainLink;

use super::id_list;

/// One stored entry with its receipt, device key and media facts.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    /// Hash of the manifest text, as recorded at ingest.
    pub manifest_hash: String,
    /// Signing device.
    pub device_id: String,
    /// Community of the device when the entry arrived.
    pub community_id: i64,
    /// Chain position.
    pub seq: i64,
    /// Item id.
    pub item_id: String,
    /// Entry kind code.
    pub kind: String,
    /// Media hash, when the entry has media.
    pub media_sha256: Option<String>,
    /// Order the entry is filed under.
    pub order_number: Option<String>,
    /// For attach entries, the filed item.
    pub attach_item_id: Option<String>,
    /// Manifest text as signed.
    pub manifest: String,
    /// Device signature over `manifest`, hex.
    pub signature: String,
    /// When the server first accepted it, Unix ms.
    pub received_at_ms: i64,
    /// Position in the receipt log.
    pub log_index: i64,
    /// Receipt text from the log.
    pub receipt: String,
    /// Server signature over `receipt`, hex.
    pub receipt_signature: String,
    /// The device's enrolled public key, hex (None: not enrolled here).
    pub device_key: Option<String>,
    /// Stored media type of the original.
    pub media_type: Option<String>,
    /// Stored size of the original, bytes.
    pub media_bytes: Option<i64>,
}

const SELECT: &str = "SELECT e.manifest_hash, e.device_id, e.community_id, e.seq, e.item_id, e.kind, e.media_sha256, e.order_number,
        e.attach_item_id, e.manifest, e.signature, e.received_at_ms, e.log_index, r.receipt, r.signature, d.public_key,
        b.media_type, b.bytes
    FROM entries e
    JOIN receipt_log r ON r.manifest_hash = e.manifest_hash
    LEFT JOIN devices d ON d.device_id = e.device_id
    LEFT JOIN blobs b ON b.sha256 = e.media_sha256";

fn stored(r: &Row<'_>) -> rusqlite::Result<StoredEntry> {
    Ok(StoredEntry {
        manifest_hash: r.get(0)?,
        device_id: r.get(1)?,
        community_id: r.get(2)?,
        seq: r.get(3)?,
        item_id: r.get(4)?,
        kind: r.get(5)?,
        media_sha256: r.get(6)?,
        order_number: r.get(7)?,
        attach_item_id: r.get(8)?,
        manifest: r.get(9)?,
        signature: r.get(10)?,
        received_at_ms: r.get(11)?,
        log_index: r.get(12)?,
        receipt: r.get(13)?,
        receipt_signature: r.get(14)?,
        device_key: r.get(15)?,
        media_type: r.get(16)?,
        media_bytes: r.get(17)?,
    })
}

/// Every entry filed under an order in a community, in receipt-log order:
/// entries naming the order (attach entries included) and the items an
/// attach entry files, which must be its own device's. Two index lookups
/// joined by UNION rather than one OR, which SQLite cannot serve from `entries_order`.
pub fn of_order(c: &Connection, community_id: i64, number: &str) -> rusqlite::Result<Vec<StoredEntry>> {
    let mut s = c.prepare_cached(&format!(
        "{SELECT}
         WHERE e.manifest_hash IN (
             SELECT manifest_hash FROM entries WHERE community_id = ?1 AND order_number = ?2
             UNION
             SELECT t.manifest_hash FROM entries a
                 JOIN entries t ON t.item_id = a.attach_item_id AND t.community_id = ?1 AND t.device_id = a.device_id
             WHERE a.community_id = ?1 AND a.order_number = ?2 AND a.kind = 'attach')
         ORDER BY e.log_index"
    ))?;
    let rows = s.query_map(params![community_id, number], stored)?.collect();
    rows
}

/// Every entry with an item id (normally one; two is itself suspicious), in receipt-log order.
pub fn of_item(c: &Connection, item_id: &str) -> rusqlite::Result<Vec<StoredEntry>> {
    let mut s = c.prepare_cached(&format!("{SELECT} WHERE e.item_id = ?1 ORDER BY e.log_index"))?;
    let rows = s.query_map([item_id], stored)?.collect();
    rows
}

/// The chain links a device has at positions `from..=to`, the first received
/// at each position only (a second one there is a fork, already recorded):
/// an arriving entry's neighbours in one query.
pub fn links_between(c: &Connection, device_id: &str, from: i64, to: i64) -> rusqlite::Result<Vec<ChainLink>> {
    let mut s = c.prepare_cached(
        "SELECT seq, manifest_hash, prev, item_id FROM entries WHERE device_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq, log_index",
    )?;
    let mut links: Vec<ChainLink> = Vec::new();
    for row in s.query_map(params![device_id, from, to], |r| {
        Ok(ChainLink { seq: r.get::<_, i64>(0)? as u64, hash: r.get(1)?, prev: r.get(2)?, item_id: r.get(3)? })
    })? {
        let link = row?;
        if links.last().is_none_or(|l| l.seq != link.seq) {
            links.push(link);
        }
    }
    Ok(links)
}

/// Whether another device already has an entry with this item id.
pub fn item_taken_by_other(c: &Connection, item_id: &str, device_id: &str) -> rusqlite::Result<bool> {
    Ok(c.prepare_cached("SELECT 1 FROM entries WHERE item_id = ?1 AND device_id != ?2 LIMIT 1")?
        .query_row(params![item_id, device_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The device that signed an item, if the server has its entry.
pub fn signer_of_item(c: &Connection, item_id: &str) -> rusqlite::Result<Option<String>> {
    c.prepare_cached("SELECT device_id FROM entries WHERE item_id = ?1 LIMIT 1")?.query_row([item_id], |r| r.get(0)).optional()
}

/// Whether some entry covers this blob as its original media.
pub fn covers_media(c: &Connection, sha256: &str) -> rusqlite::Result<bool> {
    Ok(c.prepare_cached("SELECT 1 FROM entries WHERE media_sha256 = ?1 LIMIT 1")?.query_row([sha256], |_| Ok(())).optional()?.is_some())
}

/// A new entry, as `insert` stores it.
pub struct NewEntry<'a> {
    /// Hash of the manifest text.
    pub manifest_hash: &'a str,
    /// Signing device.
    pub device_id: &'a str,
    /// The device's community.
    pub community_id: i64,
    /// Chain position.
    pub seq: i64,
    /// Predecessor's manifest hash.
    pub prev: Option<&'a str>,
    /// Item id.
    pub item_id: &'a str,
    /// Kind code.
    pub kind: &'a str,
    /// Media hash.
    pub media_sha256: Option<&'a str>,
    /// Order filed under.
    pub order_number: Option<&'a str>,
    /// For attach entries, the filed item.
    pub attach_item_id: Option<&'a str>,
    /// Manifest text.
    pub manifest: &'a str,
    /// Device signature.
    pub signature: &'a str,
    /// Receive time, Unix ms.
    pub received_at_ms: i64,
    /// Receipt log position.
    pub log_index: i64,
}

/// Stores an accepted entry.
pub fn insert(c: &Connection, e: &NewEntry<'_>) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO entries (manifest_hash, device_id, community_id, seq, prev, item_id, kind, media_sha256, order_number,
            attach_item_id, manifest, signature, received_at_ms, log_index)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            e.manifest_hash,
            e.device_id,
            e.community_id,
            e.seq,
            e.prev,
            e.item_id,
            e.kind,
            e.media_sha256,
            e.order_number,
            e.attach_item_id,
            e.manifest,
            e.signature,
            e.received_at_ms,
            e.log_index
        ],
    )?;
    Ok(())
}

/// Moves a device's head forward to an entry (never backward: entries arrive in any order).
pub fn advance_head(c: &Connection, device_id: &str, seq: i64, hash: &str) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO device_heads (device_id, seq, hash) VALUES (?1, ?2, ?3)
         ON CONFLICT(device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash WHERE excluded.seq > device_heads.seq",
        params![device_id, seq, hash],
    )?;
    Ok(())
}

/// Whose chains to read held sequence numbers of.
#[derive(Debug, Clone, Copy)]
pub enum GapScope<'a> {
    /// Every device of these communities.
    Communities(&'a [i64]),
    /// One device, up to and including a sequence number.
    DeviceUpTo(&'a str, i64),
}

/// (device, sequence number) of every number the server holds in scope, sorted and distinct:
/// what the protocol's gap rule reads. A device whose numbers 1..seq are all held
/// (the common case, one count over its index range) yields nothing.
pub fn held_seqs(c: &Connection, scope: GapScope<'_>) -> rusqlite::Result<Vec<(String, i64)>> {
    let map = |r: &Row<'_>| Ok((r.get(0)?, r.get(1)?));
    match scope {
        GapScope::Communities([]) => Ok(Vec::new()),
        GapScope::Communities(ids) => {
            let mut s = c.prepare(&format!(
                "SELECT DISTINCT device_id, seq FROM entries WHERE community_id IN ({}) AND seq >= 1 ORDER BY device_id, seq",
                id_list(ids)
            ))?;
            let v = s.query_map([], map)?.collect();
            v
        }
        GapScope::DeviceUpTo(device, seq) => {
            let held: i64 = c
                .prepare_cached("SELECT COUNT(DISTINCT seq) FROM entries WHERE device_id = ?1 AND seq >= 1 AND seq < ?2")?
                .query_row(params![device, seq], |r| r.get(0))?;
            if held >= seq - 1 {
                return Ok(Vec::new());
            }
            let mut s = c.prepare_cached(
                "SELECT DISTINCT device_id, seq FROM entries WHERE device_id = ?1 AND seq >= 1 AND seq <= ?2 ORDER BY seq",
            )?;
            let v = s.query_map(params![device, seq], map)?.collect();
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(c: &Connection, device: &str, community: i64, seq: i64, item: &str, order: Option<&str>, attach: Option<&str>) {
        let hash = format!("{device}-{seq}");
        let kind = if attach.is_some() { "attach" } else { "photo" };
        let log_index: i64 = c.query_row("SELECT COALESCE(MAX(log_index), 0) + 1 FROM receipt_log", [], |r| r.get(0)).unwrap();
        let e = NewEntry {
            manifest_hash: &hash,
            device_id: device,
            community_id: community,
            seq,
            prev: None,
            item_id: item,
            kind,
            media_sha256: None,
            order_number: order,
            attach_item_id: attach,
            manifest: "{}",
            signature: "",
            received_at_ms: 1,
            log_index,
        };
        insert(c, &e).unwrap();
        crate::repo::receipts::append(c, log_index, &hash, "{}", "", &format!("r{log_index}")).unwrap();
    }

    fn db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::db::schema::migrate(&mut c).unwrap();
        c
    }

    #[test]
    fn an_order_holds_its_own_entries_and_what_the_same_device_attached() {
        let c = db();
        entry(&c, "d1", 1, 1, "i1", Some("A-1"), None);
        entry(&c, "d1", 1, 2, "i2", None, None);
        entry(&c, "d1", 1, 3, "i3", Some("A-1"), Some("i2"));
        entry(&c, "d2", 1, 1, "i4", None, None);
        entry(&c, "d1", 1, 4, "i5", Some("A-1"), Some("i4")); // another device's item: not filed
        entry(&c, "d3", 2, 1, "i6", Some("A-1"), None); // another community's order with the same number
        let items: Vec<String> = of_order(&c, 1, "A-1").unwrap().into_iter().map(|e| e.item_id).collect();
        assert_eq!(items, ["i1", "i2", "i3", "i5"]);
    }

    #[test]
    fn held_numbers_are_read_per_community_or_below_a_device_seq() {
        let c = db();
        for seq in [1, 2, 5, 6, 9] {
            entry(&c, "d1", 1, seq, &format!("i{seq}"), None, None);
        }
        entry(&c, "d2", 2, 3, "j3", None, None);
        let d1 = |seqs: &[i64]| seqs.iter().map(|s| ("d1".to_string(), *s)).collect::<Vec<_>>();
        assert_eq!(held_seqs(&c, GapScope::Communities(&[1])).unwrap(), d1(&[1, 2, 5, 6, 9]));
        assert_eq!(held_seqs(&c, GapScope::DeviceUpTo("d1", 6)).unwrap(), d1(&[1, 2, 5, 6]));
        assert_eq!(held_seqs(&c, GapScope::DeviceUpTo("d1", 2)).unwrap(), vec![], "nothing missing below 2: no rows read");
        assert_eq!(held_seqs(&c, GapScope::Communities(&[])).unwrap(), vec![]);
        assert_eq!(held_seqs(&c, GapScope::Communities(&[2])).unwrap(), vec![("d2".to_string(), 3)]);
    }
}
