//! The `photo_pairs` table: a coordinator's choice of the "before" photo for
//! an "after" photo (an empty before: no pair for this photo).

use rusqlite::{params, Connection, OptionalExtension};

/// The chosen before photo of an after photo in a community, if a choice was made.
pub fn before_of(c: &Connection, after_item_id: &str, community_id: i64) -> rusqlite::Result<Option<String>> {
    c.prepare_cached("SELECT before_item_id FROM photo_pairs WHERE after_item_id = ?1 AND community_id = ?2")?
        .query_row(params![after_item_id, community_id], |r| r.get(0))
        .optional()
}

/// Records (or replaces) a choice.
pub fn set(c: &Connection, after_item_id: &str, community_id: i64, before_item_id: &str, user_id: i64, at_ms: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT OR REPLACE INTO photo_pairs (after_item_id, community_id, before_item_id, paired_by, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![after_item_id, community_id, before_item_id, user_id, at_ms],
    )?;
    Ok(())
}
