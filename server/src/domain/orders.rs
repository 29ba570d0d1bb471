//! Work orders on the server: creation, status and the four tags, assignment,
//! and the history of every change. The history is also what settles edit
//! conflicts between a device and a coordinator (see [`apply_update`]).

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::db::now_ms;
use crate::domain::mask;
use crate::error::{ApiError, ApiResult};
use siteproof_protocol::text::{multi_line, order_number, single_line};
use siteproof_protocol::vocab::{normalize, ORDER_KINDS, ORDER_STATUSES, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};

/// A work order as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Order {
    /// City platform order number (unique within the street office).
    pub number: String,
    /// Community name.
    pub community: String,
    /// Kind code.
    pub kind: String,
    /// Category.
    pub category: String,
    /// Address / spot.
    pub address: String,
    /// Spot latitude.
    pub spot_lat: Option<f64>,
    /// Spot longitude.
    pub spot_lon: Option<f64>,
    /// Complainant contact (masked for workers and devices).
    pub complainant: String,
    /// What the resident asked.
    pub content: String,
    /// Dispatch time, Unix ms.
    pub dispatched_at_ms: Option<i64>,
    /// Deadline, Unix ms.
    pub deadline_ms: Option<i64>,
    /// Status code.
    pub status: String,
    /// Tag: order type.
    pub tag_type: Option<String>,
    /// Tag: handling result.
    pub tag_handling: Option<String>,
    /// Tag: callback result.
    pub tag_callback: Option<String>,
    /// Tag: knowledge to keep.
    pub knowledge: String,
    /// Free notes.
    pub notes: String,
    /// Assigned worker's username.
    pub assignee: Option<String>,
    /// Increments with every change.
    pub version: i64,
    /// Server-wide change counter (device cursors).
    pub change_seq: i64,
    /// Created, Unix ms.
    pub created_at_ms: i64,
    /// Last change, Unix ms.
    pub updated_at_ms: i64,
    #[serde(skip)]
    pub(crate) id: i64,
    #[serde(skip)]
    pub(crate) community_id: i64,
    #[serde(skip)]
    pub(crate) assignee_id: Option<i64>,
}

impl Order {
    /// Masks the complainant contact when the caller may not see it.
    pub fn masked(mut self, mask_it: bool) -> Order {
        if mask_it {
            self.complainant = mask::contact(&self.complainant);
        }
        self
    }
}

const SELECT: &str = "SELECT o.id, o.number, c.name, o.kind, o.category, o.address, o.spot_lat, o.spot_lon,
    o.complainant, o.content, o.dispatched_at_ms, o.deadline_ms, o.status, o.tag_type, o.tag_handling,
    o.tag_callback, o.knowledge, o.notes, u.username, o.version, o.change_seq, o.created_at_ms,
    o.updated_at_ms, o.community_id, o.assignee_id
    FROM orders o JOIN communities c ON c.id = o.community_id LEFT JOIN users u ON u.id = o.assignee_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Order> {
    Ok(Order {
        id: r.get(0)?,
        number: r.get(1)?,
        community: r.get(2)?,
        kind: r.get(3)?,
        category: r.get(4)?,
        address: r.get(5)?,
        spot_lat: r.get(6)?,
        spot_lon: r.get(7)?,
        complainant: r.get(8)?,
        content: r.get(9)?,
        dispatched_at_ms: r.get(10)?,
        deadline_ms: r.get(11)?,
        status: r.get(12)?,
        tag_type: r.get(13)?,
        tag_handling: r.get(14)?,
        tag_callback: r.get(15)?,
        knowledge: r.get(16)?,
        notes: r.get(17)?,
        assignee: r.get(18)?,
        version: r.get(19)?,
        change_seq: r.get(20)?,
        created_at_ms: r.get(21)?,
        updated_at_ms: r.get(22)?,
        community_id: r.get(23)?,
        assignee_id: r.get(24)?,
    })
}

/// Who makes a change, for history and conflict resolution.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Account id.
    pub user_id: i64,
    /// Account role.
    pub role: Role,
    /// Device that made the change, if any.
    pub device_id: Option<String>,
}

/// A new order as entered or imported.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// Order number.
    pub number: String,
    /// Kind code or Chinese label.
    pub kind: String,
    /// Category.
    pub category: String,
    /// Address.
    pub address: String,
    /// Spot latitude.
    #[serde(default)]
    pub spot_lat: Option<f64>,
    /// Spot longitude.
    #[serde(default)]
    pub spot_lon: Option<f64>,
    /// Complainant contact.
    #[serde(default)]
    pub complainant: String,
    /// Content.
    #[serde(default)]
    pub content: String,
    /// Dispatch time, Unix ms.
    #[serde(default)]
    pub dispatched_at_ms: Option<i64>,
    /// Deadline, Unix ms.
    #[serde(default)]
    pub deadline_ms: Option<i64>,
    /// Community name (admins only; others use their own).
    #[serde(default)]
    pub community: Option<String>,
}

/// Status and tag edits; absent fields stay, an empty tag clears it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderUpdate {
    /// Status.
    #[serde(default)]
    pub status: Option<String>,
    /// Tag: order type.
    #[serde(default)]
    pub tag_type: Option<String>,
    /// Tag: handling.
    #[serde(default)]
    pub tag_handling: Option<String>,
    /// Tag: callback.
    #[serde(default)]
    pub tag_callback: Option<String>,
    /// Tag: knowledge.
    #[serde(default)]
    pub knowledge: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// The version the edit was based on (devices send it).
    #[serde(default)]
    pub base_version: Option<i64>,
}

/// A field whose edit lost to a coordinator's later change.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    /// Field name.
    pub field: String,
    /// The value kept.
    pub server_value: Option<String>,
    /// The value that was not applied.
    pub your_value: Option<String>,
}

/// Checked, normalized fields of a new order.
pub fn validate_new(n: &NewOrder) -> ApiResult<NewOrder> {
    let mut v = n.clone();
    v.number = order_number(&n.number)?;
    if v.number.contains("..") || v.number.starts_with('/') {
        return Err(ApiError::invalid("invalid_number", "工单号不能包含 .. 或以 / 开头 / order number may not contain .. or start with /"));
    }
    v.kind = normalize(ORDER_KINDS, "工单类型 order kind", &n.kind)?;
    v.category = single_line("category", &n.category, 64)?;
    v.address = single_line("address", &n.address, 256)?;
    v.content = multi_line("content", &n.content, 4000)?;
    v.complainant = if n.complainant.trim().is_empty() { String::new() } else { single_line("complainant", &n.complainant, 128)? };
    match (n.spot_lat, n.spot_lon) {
        (None, None) => {}
        (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
        _ => {
            return Err(ApiError::invalid(
                "invalid_spot",
                "点位需同时给出经纬度且在范围内 / spot needs both latitude and longitude, in range",
            ))
        }
    }
    Ok(v)
}

/// Bumps and returns the server-wide order change counter.
pub fn next_change(conn: &Connection) -> ApiResult<i64> {
    Ok(conn.query_row("UPDATE counters SET value = value + 1 WHERE name = 'order_change' RETURNING value", [], |r| r.get(0))?)
}

/// Whether an order number is taken in the street office of a community.
/// Numbers are unique per office: another office's orders neither block a
/// number nor tell anyone they exist.
pub fn exists(conn: &Connection, community_id: i64, number: &str) -> ApiResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM orders WHERE number = ?2 AND office_id = (SELECT office_id FROM communities WHERE id = ?1)",
            params![community_id, number],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Inserts a validated order in a community.
pub fn insert(conn: &Connection, community_id: i64, n: &NewOrder, actor: &Actor) -> ApiResult<i64> {
    if exists(conn, community_id, &n.number)? {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "order_exists",
            &format!("工单 {} 已存在", n.number),
            &format!("order {} already exists", n.number),
        ));
    }
    let now = now_ms();
    let seq = next_change(conn)?;
    conn.execute(
        "INSERT INTO orders (office_id, number, community_id, kind, category, address, spot_lat, spot_lon, complainant, content,
            dispatched_at_ms, deadline_ms, change_seq, created_at_ms, updated_at_ms)
         VALUES ((SELECT office_id FROM communities WHERE id = ?2), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
        params![
            n.number,
            community_id,
            n.kind,
            n.category,
            n.address,
            n.spot_lat,
            n.spot_lon,
            n.complainant,
            n.content,
            n.dispatched_at_ms,
            n.deadline_ms,
            seq,
            now
        ],
    )?;
    let id = conn.last_insert_rowid();
    history(conn, id, 1, "created", None, Some(&n.number), actor)?;
    Ok(id)
}

fn history(conn: &Connection, order_id: i64, version: i64, field: &str, old: Option<&str>, new: Option<&str>, a: &Actor) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO order_history (order_id, version, field, old_value, new_value, actor_id, actor_role, device_id, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![order_id, version, field, old, new, a.user_id, a.role.as_str(), a.device_id, now_ms()],
    )?;
    Ok(())
}

/// One order by number among the caller's communities (404 otherwise, never
/// 403, and the same 404 whether or not another office uses the number).
pub fn get_visible(conn: &Connection, number: &str, communities: &[i64]) -> ApiResult<Order> {
    let not_found = || ApiError::not_found(&format!("工单 {number} "), &format!("order {number}"));
    if communities.is_empty() {
        return Err(not_found());
    }
    let ids = communities.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut found = conn
        .prepare(&format!("{SELECT} WHERE o.number = ?1 AND o.community_id IN ({ids})"))?
        .query_map([number], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Communities of one office never share a number; callers outside one office (the operator) name it.
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(not_found()),
        _ => Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "order_ambiguous",
            &format!("多个街道都有工单 {number}，请指明街道"),
            &format!("order {number} exists in more than one street office; name the office"),
        )),
    }
}

/// Filters for listing orders.
#[derive(Debug, Default)]
pub struct ListFilter {
    /// Only this status.
    pub status: Option<String>,
    /// Only orders assigned to this username.
    pub assignee: Option<String>,
    /// Page size (default 200, at most 1000).
    pub limit: Option<u32>,
    /// Skip this many.
    pub offset: Option<u32>,
}

/// Orders of the given communities, nearest deadline first.
pub fn list(conn: &Connection, communities: &[i64], f: &ListFilter) -> ApiResult<Vec<Order>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let ids = communities.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",");
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE o.community_id IN ({ids}) AND (?1 IS NULL OR o.status = ?1) AND (?2 IS NULL OR u.username = ?2)
         ORDER BY o.deadline_ms IS NULL, o.deadline_ms, o.number LIMIT ?3 OFFSET ?4"
    ))?;
    let limit = f.limit.unwrap_or(200).min(1000);
    let rows =
        stmt.query_map(params![f.status, f.assignee, limit, f.offset.unwrap_or(0)], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Orders that concern a worker (assigned now or before), changed after `cursor`.
pub fn changed_for_worker(conn: &Connection, community_id: i64, user_id: i64, cursor: i64, limit: u32) -> ApiResult<Vec<Order>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE o.community_id = ?1 AND o.change_seq > ?3
            AND (o.assignee_id = ?2 OR o.id IN (SELECT order_id FROM order_watchers WHERE user_id = ?2))
         ORDER BY o.change_seq LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![community_id, user_id, cursor, limit], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn field_value(o: &Order, field: &str) -> Option<String> {
    match field {
        "status" => Some(o.status.clone()),
        "tag_type" => o.tag_type.clone(),
        "tag_handling" => o.tag_handling.clone(),
        "tag_callback" => o.tag_callback.clone(),
        "knowledge" => Some(o.knowledge.clone()),
        "notes" => Some(o.notes.clone()),
        _ => None,
    }
}

fn normalized(field: &str, v: &str) -> ApiResult<Option<String>> {
    let tag = |vocab, what: &str| -> ApiResult<Option<String>> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            Ok(Some(normalize(vocab, what, v)?))
        }
    };
    match field {
        "status" => Ok(Some(normalize(ORDER_STATUSES, "状态 status", v)?)),
        "tag_type" => tag(TAG_TYPES, "工单类别 order type"),
        "tag_handling" => tag(TAG_HANDLING, "办理情况 handling"),
        "tag_callback" => tag(TAG_CALLBACK, "回访结果 callback"),
        "knowledge" => Ok(Some(multi_line("knowledge", v, 4000)?)),
        "notes" => Ok(Some(multi_line("notes", v, 4000)?)),
        _ => Err(ApiError::internal("unknown order field")),
    }
}

/// Applies status/tag edits and records history.
///
/// Conflict rule: each field is last-writer-wins in server receive order,
/// except that an edit carrying `base_version` does not overwrite a field a
/// coordinator or admin changed after that version; such fields are
/// returned as conflicts and the coordinator's value stays.
pub fn apply_update(conn: &Connection, order: &Order, u: &OrderUpdate, actor: &Actor) -> ApiResult<(Vec<String>, Vec<Conflict>)> {
    let wanted = [
        ("status", &u.status),
        ("tag_type", &u.tag_type),
        ("tag_handling", &u.tag_handling),
        ("tag_callback", &u.tag_callback),
        ("knowledge", &u.knowledge),
        ("notes", &u.notes),
    ];
    let mut changes: Vec<(&str, Option<String>, Option<String>)> = Vec::new();
    let mut conflicts = Vec::new();
    for (field, value) in wanted {
        let Some(value) = value else { continue };
        let new = normalized(field, value)?;
        let old = field_value(order, field);
        if let Some(base) = u.base_version {
            if base < order.version {
                let overridden: bool = conn
                    .query_row(
                        "SELECT 1 FROM order_history WHERE order_id = ?1 AND version > ?2 AND field = ?3
                           AND actor_role IN ('coordinator', 'admin') AND device_id IS NULL LIMIT 1",
                        params![order.id, base, field],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some();
                if overridden && (actor.device_id.is_some() || actor.role < Role::Coordinator) {
                    if old != new {
                        conflicts.push(Conflict { field: field.to_string(), server_value: old, your_value: new });
                    }
                    continue;
                }
            }
        }
        if old != new {
            changes.push((field, old, new));
        }
    }
    if changes.is_empty() {
        return Ok((Vec::new(), conflicts));
    }
    let version = order.version + 1;
    let seq = next_change(conn)?;
    for (field, old, new) in &changes {
        let col = match *field {
            "status" | "tag_type" | "tag_handling" | "tag_callback" | "knowledge" | "notes" => *field,
            _ => unreachable!(),
        };
        conn.execute(&format!("UPDATE orders SET {col} = ?2 WHERE id = ?1"), params![order.id, new])?;
        history(conn, order.id, version, field, old.as_deref(), new.as_deref(), actor)?;
    }
    conn.execute(
        "UPDATE orders SET version = ?2, change_seq = ?3, updated_at_ms = ?4 WHERE id = ?1",
        params![order.id, version, seq, now_ms()],
    )?;
    Ok((changes.into_iter().map(|(f, _, _)| f.to_string()).collect(), conflicts))
}

/// Assigns an order to a worker of its community (or unassigns with None).
pub fn assign(conn: &Connection, order: &Order, worker: Option<&str>, actor: &Actor) -> ApiResult<()> {
    let new_id = match worker {
        Some(w) => {
            let (id, role, _, community) = crate::domain::accounts::user(conn, w)?;
            if role != Role::Worker || community != Some(order.community_id) {
                return Err(ApiError::invalid(
                    "not_a_worker_here",
                    format!("{w} 不是本社区的社工 / {w} is not a worker of this community"),
                ));
            }
            Some(id)
        }
        None => None,
    };
    if new_id == order.assignee_id {
        return Ok(());
    }
    let version = order.version + 1;
    let seq = next_change(conn)?;
    conn.execute(
        "UPDATE orders SET assignee_id = ?2, version = ?3, change_seq = ?4, updated_at_ms = ?5 WHERE id = ?1",
        params![order.id, new_id, version, seq, now_ms()],
    )?;
    if let Some(id) = new_id {
        conn.execute("INSERT OR IGNORE INTO order_watchers (order_id, user_id) VALUES (?1, ?2)", params![order.id, id])?;
    }
    history(conn, order.id, version, "assignee", order.assignee.as_deref(), worker, actor)?;
    Ok(())
}

/// One recorded change.
#[derive(Debug, Serialize)]
pub struct HistoryEntry {
    /// Order version the change produced.
    pub version: i64,
    /// Field changed ("created", "assignee", "status", tags, notes).
    pub field: String,
    /// Value before.
    pub old_value: Option<String>,
    /// Value after.
    pub new_value: Option<String>,
    /// Who.
    pub actor: Option<String>,
    /// Their role then.
    pub actor_role: Option<String>,
    /// Through which device, if any.
    pub device_id: Option<String>,
    /// When, Unix ms.
    pub at_ms: i64,
}

/// The full change history of an order, oldest first.
pub fn history_of(conn: &Connection, order_id: i64) -> ApiResult<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare(
        "SELECT h.version, h.field, h.old_value, h.new_value, u.username, h.actor_role, h.device_id, h.at_ms
         FROM order_history h LEFT JOIN users u ON u.id = h.actor_id WHERE h.order_id = ?1 ORDER BY h.id",
    )?;
    let rows = stmt
        .query_map([order_id], |r| {
            Ok(HistoryEntry {
                version: r.get(0)?,
                field: r.get(1)?,
                old_value: r.get(2)?,
                new_value: r.get(3)?,
                actor: r.get(4)?,
                actor_role: r.get(5)?,
                device_id: r.get(6)?,
                at_ms: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
