//! Work orders on the server: creation, status and the four tags, assignment,
//! and the history of every change. The history is also what settles edit
//! conflicts between a device and a coordinator (see [`apply_update`]).

use rusqlite::Connection;

use crate::db::now_ms;
use crate::domain::mask;
use crate::domain::role::Role;
use crate::domain::{DomainError, DomainResult};
use crate::repo;
use crate::repo::orders::{Field, NewHistory, NewOrderRow};
pub use crate::repo::orders::{HistoryEntry, Order};
use siteproof_protocol::text::{multi_line, order_number, single_line};
use siteproof_protocol::vocab::{normalize, OrderKind, OrderStatus, TagAxis, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};
use siteproof_protocol::wire::error_code::ErrorCode;
use siteproof_protocol::wire::order::WireOrder;
/// The order bodies are the wire contract's: a new order, a status/tag edit, and an edit that lost.
pub use siteproof_protocol::wire::order::{Conflict, NewOrder, OrderEdit};

impl Order {
    /// Masks the complainant contact when the caller may not see it.
    pub fn masked(mut self, mask_it: bool) -> Order {
        if mask_it {
            self.complainant = mask::contact(&self.complainant);
        }
        self
    }
}

/// The one place a stored order becomes the order the API sends.
impl From<Order> for WireOrder {
    fn from(o: Order) -> WireOrder {
        WireOrder {
            number: o.number,
            community: o.community,
            kind: o.kind.into(),
            category: o.category,
            address: o.address,
            spot_lat: o.spot_lat,
            spot_lon: o.spot_lon,
            complainant: o.complainant,
            content: o.content,
            dispatched_at_ms: o.dispatched_at_ms,
            deadline_ms: o.deadline_ms,
            status: o.status.into(),
            tag_type: o.tag_type,
            tag_handling: o.tag_handling,
            tag_callback: o.tag_callback,
            knowledge: o.knowledge,
            notes: o.notes,
            assignee: o.assignee,
            version: o.version,
            change_seq: o.change_seq,
            created_at_ms: o.created_at_ms,
            updated_at_ms: o.updated_at_ms,
        }
    }
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

/// Checked, normalized fields of a new order.
pub fn validate_new(n: &NewOrder) -> DomainResult<NewOrder> {
    let mut v = n.clone();
    v.number = order_number(&n.number)?;
    if v.number.contains("..") || v.number.starts_with('/') {
        return Err(DomainError::invalid(
            ErrorCode::InvalidNumber,
            "工单号不能包含 .. 或以 / 开头 / order number may not contain .. or start with /",
        ));
    }
    v.kind = OrderKind::parse(&n.kind)?.as_str().to_string();
    v.category = single_line("category", &n.category, 64)?;
    v.address = single_line("address", &n.address, 256)?;
    v.content = multi_line("content", &n.content, 4000)?;
    v.complainant = if n.complainant.trim().is_empty() { String::new() } else { single_line("complainant", &n.complainant, 128)? };
    match (n.spot_lat, n.spot_lon) {
        (None, None) => {}
        (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
        _ => {
            return Err(DomainError::invalid(
                ErrorCode::InvalidSpot,
                "点位需同时给出经纬度且在范围内 / spot needs both latitude and longitude, in range",
            ))
        }
    }
    Ok(v)
}

/// Whether an order number is taken in the street office of a community.
/// Numbers are unique per office: another office's orders neither block a
/// number nor tell anyone they exist.
pub fn exists(conn: &Connection, community_id: i64, number: &str) -> DomainResult<bool> {
    Ok(repo::orders::number_taken(conn, community_id, number)?)
}

/// Inserts a validated order in a community.
pub fn insert(conn: &Connection, community_id: i64, n: &NewOrder, actor: &Actor) -> DomainResult<i64> {
    if exists(conn, community_id, &n.number)? {
        return Err(DomainError::conflict(
            ErrorCode::OrderExists,
            &format!("工单 {} 已存在", n.number),
            &format!("order {} already exists", n.number),
        ));
    }
    let now = now_ms();
    let row = NewOrderRow {
        number: &n.number,
        community_id,
        kind: OrderKind::parse(&n.kind)?,
        category: &n.category,
        address: &n.address,
        spot_lat: n.spot_lat,
        spot_lon: n.spot_lon,
        complainant: &n.complainant,
        content: &n.content,
        dispatched_at_ms: n.dispatched_at_ms,
        deadline_ms: n.deadline_ms,
        change_seq: repo::orders::next_change(conn)?,
        at_ms: now,
    };
    let id = repo::orders::insert(conn, &row)?;
    history(conn, id, 1, "created", None, Some(&n.number), actor)?;
    Ok(id)
}

fn history(
    conn: &Connection,
    order_id: i64,
    version: i64,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
    a: &Actor,
) -> DomainResult<()> {
    let h = NewHistory {
        order_id,
        version,
        field,
        old,
        new,
        actor_id: a.user_id,
        actor_role: a.role.as_str(),
        device_id: a.device_id.as_deref(),
        at_ms: now_ms(),
    };
    Ok(repo::orders::record_history(conn, &h)?)
}

/// One order by number among the caller's communities (404 otherwise, never
/// 403, and the same 404 whether or not another office uses the number).
pub fn get_visible(conn: &Connection, number: &str, communities: &[i64]) -> DomainResult<Order> {
    let mut found = repo::orders::by_number(conn, number, communities)?;
    // Communities of one office never share a number; callers outside one office (the operator) name it.
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(DomainError::not_found(&format!("工单 {number} "), &format!("order {number}"))),
        _ => Err(DomainError::conflict(
            ErrorCode::OrderAmbiguous,
            &format!("多个街道都有工单 {number}，请指明街道"),
            &format!("order {number} exists in more than one street office; name the office"),
        )),
    }
}

fn field_value(o: &Order, field: Field) -> Option<String> {
    match field {
        Field::Status => Some(o.status.as_str().to_string()),
        Field::TagType => o.tag_type.clone(),
        Field::TagHandling => o.tag_handling.clone(),
        Field::TagCallback => o.tag_callback.clone(),
        Field::Knowledge => Some(o.knowledge.clone()),
        Field::Notes => Some(o.notes.clone()),
    }
}

fn normalized(field: Field, v: &str) -> DomainResult<Option<String>> {
    let tag = |vocab, what: &str| -> DomainResult<Option<String>> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            Ok(Some(normalize(vocab, what, v)?))
        }
    };
    match field {
        Field::Status => Ok(Some(OrderStatus::parse(v)?.as_str().to_string())),
        Field::TagType => tag(TAG_TYPES, &TagAxis::Type.what()),
        Field::TagHandling => tag(TAG_HANDLING, &TagAxis::Handling.what()),
        Field::TagCallback => tag(TAG_CALLBACK, &TagAxis::Callback.what()),
        Field::Knowledge => Ok(Some(multi_line("knowledge", v, 4000)?)),
        Field::Notes => Ok(Some(multi_line("notes", v, 4000)?)),
    }
}

/// The requested value of a field (None: leave it).
fn wanted(u: &OrderEdit, field: Field) -> Option<&String> {
    match field {
        Field::Status => u.status.as_ref(),
        Field::TagType => u.tag_type.as_ref(),
        Field::TagHandling => u.tag_handling.as_ref(),
        Field::TagCallback => u.tag_callback.as_ref(),
        Field::Knowledge => u.knowledge.as_ref(),
        Field::Notes => u.notes.as_ref(),
    }
}

/// Applies status/tag edits and records history.
///
/// Conflict rule: each field is last-writer-wins in server receive order,
/// except that an edit carrying `base_version` does not overwrite a field a
/// coordinator or admin changed after that version; such fields are
/// returned as conflicts and the coordinator's value stays.
pub fn apply_update(conn: &Connection, order: &Order, u: &OrderEdit, actor: &Actor) -> DomainResult<(Vec<String>, Vec<Conflict>)> {
    let mut changes: Vec<(Field, Option<String>, Option<String>)> = Vec::new();
    let mut conflicts = Vec::new();
    for field in Field::ALL {
        let Some(value) = wanted(u, field) else { continue };
        let new = normalized(field, value)?;
        let old = field_value(order, field);
        if let Some(base) = u.base_version {
            if base < order.version {
                let overridden = repo::orders::changed_by_staff_since(conn, order.id, base, field)?;
                if overridden && (actor.device_id.is_some() || actor.role < Role::Coordinator) {
                    if old != new {
                        conflicts.push(Conflict { field: field.column().to_string(), server_value: old, your_value: new });
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
    let seq = repo::orders::next_change(conn)?;
    for (field, old, new) in &changes {
        repo::orders::set_field(conn, order.id, *field, new.as_deref())?;
        history(conn, order.id, version, field.column(), old.as_deref(), new.as_deref(), actor)?;
    }
    repo::orders::bump_version(conn, order.id, version, seq, now_ms())?;
    Ok((changes.into_iter().map(|(f, _, _)| f.column().to_string()).collect(), conflicts))
}

/// Assigns an order to a worker of its community (or unassigns with None).
pub fn assign(conn: &Connection, order: &Order, worker: Option<&str>, actor: &Actor) -> DomainResult<()> {
    let new_id = match worker {
        Some(w) => {
            let u = crate::domain::accounts::user(conn, w)?;
            if u.role != Role::Worker || u.community_id != Some(order.community_id) {
                return Err(DomainError::invalid(
                    ErrorCode::NotAWorkerHere,
                    format!("{w} 不是本社区的社工 / {w} is not a worker of this community"),
                ));
            }
            Some(u.id)
        }
        None => None,
    };
    if new_id == order.assignee_id {
        return Ok(());
    }
    let version = order.version + 1;
    let seq = repo::orders::next_change(conn)?;
    repo::orders::set_assignee(conn, order.id, new_id, version, seq, now_ms())?;
    history(conn, order.id, version, "assignee", order.assignee.as_deref(), worker, actor)?;
    Ok(())
}

/// The full change history of an order, oldest first.
pub fn history_of(conn: &Connection, order_id: i64) -> DomainResult<Vec<HistoryEntry>> {
    Ok(repo::orders::history(conn, order_id)?)
}
