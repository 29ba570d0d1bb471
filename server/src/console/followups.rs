//! Follow-up observation (跟进观察): a window before the city's callback in
//! which someone goes back to look whether the problem returned. A window is
//! kept when evidence of the order was captured inside it; the list shows
//! which windows are open now (due) and which closed with nothing (missed).

use rusqlite::{params, Connection};

use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use siteproof_protocol::text::multi_line;

/// Where a follow-up window stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowupState {
    /// Window not yet open.
    Upcoming,
    /// Window open, nothing captured yet.
    Due,
    /// Evidence was captured inside the window.
    Observed,
    /// Window closed with nothing captured.
    Missed,
}

impl FollowupState {
    /// Stable name (CSS class, tests).
    pub fn code(self) -> &'static str {
        match self {
            FollowupState::Upcoming => "upcoming",
            FollowupState::Due => "due",
            FollowupState::Observed => "observed",
            FollowupState::Missed => "missed",
        }
    }

    /// Label, zh-CN and English.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            FollowupState::Upcoming => ("未开始", "upcoming"),
            FollowupState::Due => ("待跟进", "due now"),
            FollowupState::Observed => ("已跟进", "observed"),
            FollowupState::Missed => ("已错过", "missed"),
        }
    }
}

/// A scheduled follow-up with its state.
#[derive(Debug, Clone)]
pub struct Followup {
    /// Row id.
    pub id: i64,
    /// Order number.
    pub order_number: String,
    /// Window start, Unix ms.
    pub from_ms: i64,
    /// Window end (before the callback), Unix ms.
    pub due_ms: i64,
    /// What to look at.
    pub note: String,
    /// Who scheduled it.
    pub created_by: String,
    /// Evidence items captured in the window.
    pub observed_items: i64,
    /// Derived state at the time of reading.
    pub state: FollowupState,
}

/// The state of a window given what was captured in it.
pub fn state_of(from_ms: i64, due_ms: i64, observed: i64, now: i64) -> FollowupState {
    if observed > 0 {
        FollowupState::Observed
    } else if now > due_ms {
        FollowupState::Missed
    } else if now >= from_ms {
        FollowupState::Due
    } else {
        FollowupState::Upcoming
    }
}

// Capture time of an entry: the anchored time when the phone had one, else its clock.
const CAPTURED: &str = "coalesce(json_extract(e.manifest, '$.anchored.utc_ms'), json_extract(e.manifest, '$.capture.device_time_ms'))";

fn select(where_sql: &str) -> String {
    format!(
        "SELECT f.id, o.number, f.from_ms, f.due_ms, f.note, u.username,
            (SELECT COUNT(*) FROM entries e WHERE e.community_id = o.community_id AND e.order_number = o.number
               AND e.kind != 'attach' AND {CAPTURED} BETWEEN f.from_ms AND f.due_ms)
         FROM followups f JOIN orders o ON o.id = f.order_id JOIN users u ON u.id = f.created_by
         WHERE f.cancelled_at_ms IS NULL AND {where_sql}"
    )
}

fn read(c: &Connection, sql: &str, p: impl rusqlite::Params) -> ApiResult<Vec<Followup>> {
    let now = now_ms();
    let mut s = c.prepare(sql)?;
    let v = s
        .query_map(p, |r| {
            let (from_ms, due_ms, observed): (i64, i64, i64) = (r.get(2)?, r.get(3)?, r.get(6)?);
            Ok(Followup {
                id: r.get(0)?,
                order_number: r.get(1)?,
                from_ms,
                due_ms,
                note: r.get(4)?,
                created_by: r.get(5)?,
                observed_items: observed,
                state: state_of(from_ms, due_ms, observed, now),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// Follow-ups of one order, by window end.
pub fn of_order(c: &Connection, order_id: i64) -> ApiResult<Vec<Followup>> {
    read(c, &format!("{} ORDER BY f.due_ms, f.id", select("f.order_id = ?1")), [order_id])
}

/// Follow-ups of the given communities whose window ends after `since_ms`, by window end (at most 500).
pub fn of_communities(c: &Connection, communities: &[i64], since_ms: i64) -> ApiResult<Vec<Followup>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let ids = communities.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    read(c, &format!("{} ORDER BY f.due_ms, f.id LIMIT 500", select(&format!("o.community_id IN ({ids}) AND f.due_ms >= ?1"))), [since_ms])
}

/// Schedules a follow-up window on an order; returns its id.
pub fn schedule(c: &Connection, order_id: i64, from_ms: i64, due_ms: i64, note: &str, user_id: i64) -> ApiResult<i64> {
    if due_ms <= from_ms {
        return Err(ApiError::invalid("bad_window", "跟进截止须晚于开始 / the window must end after it starts"));
    }
    if due_ms - from_ms > 90 * 86_400_000 {
        return Err(ApiError::invalid("bad_window", "跟进窗口不能超过 90 天 / a follow-up window may not exceed 90 days"));
    }
    let note = multi_line("note", note, 1000)?;
    c.execute(
        "INSERT INTO followups (order_id, from_ms, due_ms, note, created_by, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![order_id, from_ms, due_ms, note, user_id, now_ms()],
    )?;
    Ok(c.last_insert_rowid())
}

/// Cancels a follow-up of an order (kept, marked cancelled).
pub fn cancel(c: &Connection, order_id: i64, id: i64) -> ApiResult<()> {
    let n = c.execute(
        "UPDATE followups SET cancelled_at_ms = ?3 WHERE id = ?1 AND order_id = ?2 AND cancelled_at_ms IS NULL",
        params![id, order_id, now_ms()],
    )?;
    if n == 0 {
        return Err(ApiError::not_found("跟进", "follow-up"));
    }
    Ok(())
}

/// Parses a `datetime-local` form value ("2026-11-23T09:30") as China time, to Unix ms.
pub fn parse_local(field: &str, s: &str) -> ApiResult<i64> {
    let t = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| ApiError::invalid("bad_time", format!("{field} 须为 年-月-日T时:分 / {field} must be YYYY-MM-DDTHH:MM")))?;
    use chrono::TimeZone;
    super::i18n::china()
        .from_local_datetime(&t)
        .single()
        .map(|d| d.timestamp_millis())
        .ok_or_else(|| ApiError::invalid("bad_time", format!("{field} 无效 / {field} is not a valid time")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_states() {
        assert_eq!(state_of(10, 20, 0, 5), FollowupState::Upcoming);
        assert_eq!(state_of(10, 20, 0, 15), FollowupState::Due);
        assert_eq!(state_of(10, 20, 0, 25), FollowupState::Missed);
        assert_eq!(state_of(10, 20, 2, 25), FollowupState::Observed);
    }

    #[test]
    fn local_times_are_china_time() {
        let ms = parse_local("from", "2026-11-23T08:00").unwrap();
        assert_eq!(ms, chrono::DateTime::parse_from_rfc3339("2026-11-23T00:00:00Z").unwrap().timestamp_millis());
        assert!(parse_local("from", "tomorrow").is_err());
    }
}
