//! The `audit` table: who viewed, downloaded, exported or changed what, and when.

use rusqlite::{params, Connection};

/// Writes an audit record.
pub fn record(c: &Connection, user_id: Option<i64>, action: &str, target: &str, at_ms: i64) -> rusqlite::Result<()> {
    c.execute("INSERT INTO audit (at_ms, user_id, action, target) VALUES (?1, ?2, ?3, ?4)", params![at_ms, user_id, action, target])?;
    Ok(())
}

/// One audit record with the account that made it.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// Row id (the paging cursor).
    pub id: i64,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Who.
    pub username: String,
    /// What ("view_original", "export", ...).
    pub action: String,
    /// On what.
    pub target: String,
}

/// Whose records an audit page shows.
#[derive(Debug, Clone, Copy)]
pub enum AuditScope<'a> {
    /// Every account of an office (its admins).
    Office(i64),
    /// Accounts of these communities within an office (coordinators).
    Communities(i64, &'a [i64]),
}

/// Audit records before a row id, newest first.
pub fn page(c: &Connection, scope: AuditScope<'_>, before: i64, limit: i64) -> rusqlite::Result<Vec<AuditRow>> {
    let (office, communities) = match scope {
        AuditScope::Office(o) => (o, "1".to_string()),
        AuditScope::Communities(o, []) => (o, "0".to_string()),
        AuditScope::Communities(o, ids) => (o, format!("u.community_id IN ({})", super::id_list(ids))),
    };
    let mut s = c.prepare(&format!(
        "SELECT a.id, a.at_ms, u.username, a.action, a.target FROM audit a JOIN users u ON u.id = a.user_id
         WHERE a.id < ?1 AND u.office_id = ?2 AND ({communities})
         ORDER BY a.id DESC LIMIT ?3"
    ))?;
    let v = s
        .query_map(params![before, office, limit], |r| {
            Ok(AuditRow { id: r.get(0)?, at_ms: r.get(1)?, username: r.get(2)?, action: r.get(3)?, target: r.get(4)? })
        })?
        .collect();
    v
}
