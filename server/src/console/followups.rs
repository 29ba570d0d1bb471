//! Follow-up observation (跟进观察): a window before the city's callback in
//! which someone goes back to look whether the problem returned. A window is
//! kept when evidence of the order was captured inside it; the list shows
//! which windows are open now (due) and which closed with nothing (missed).

use rusqlite::Connection;

use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::repo;
use crate::repo::followups::FollowupRow;
use siteproof_protocol::text::multi_line;
use siteproof_protocol::wire::error_code::ErrorCode;

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

/// A scheduled follow-up (the stored row) with its state at the time of reading.
#[derive(Debug, Clone)]
pub struct Followup {
    /// The window as stored.
    pub row: FollowupRow,
    /// Derived state at the time of reading.
    pub state: FollowupState,
}

impl std::ops::Deref for Followup {
    type Target = FollowupRow;
    fn deref(&self) -> &FollowupRow {
        &self.row
    }
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

fn with_state(rows: Vec<FollowupRow>) -> Vec<Followup> {
    let now = now_ms();
    rows.into_iter().map(|row| Followup { state: state_of(row.from_ms, row.due_ms, row.observed_items, now), row }).collect()
}

/// Follow-ups of one order, by window end.
pub fn of_order(c: &Connection, order_id: i64) -> ApiResult<Vec<Followup>> {
    Ok(with_state(repo::followups::of_order(c, order_id)?))
}

/// Follow-ups of the given communities whose window ends after `since_ms`, by window end (at most 500).
pub fn of_communities(c: &Connection, communities: &[i64], since_ms: i64) -> ApiResult<Vec<Followup>> {
    Ok(with_state(repo::followups::of_communities(c, communities, since_ms)?))
}

/// Schedules a follow-up window on an order; returns its id.
pub fn schedule(c: &Connection, order_id: i64, from_ms: i64, due_ms: i64, note: &str, user_id: i64) -> ApiResult<i64> {
    if due_ms <= from_ms {
        return Err(ApiError::invalid(ErrorCode::BadWindow, "跟进截止须晚于开始 / the window must end after it starts"));
    }
    if due_ms - from_ms > 90 * 86_400_000 {
        return Err(ApiError::invalid(ErrorCode::BadWindow, "跟进窗口不能超过 90 天 / a follow-up window may not exceed 90 days"));
    }
    let now = now_ms();
    // A window that closed before it was scheduled can only ever read "missed": nobody can go and look any more.
    // One that opened already and is still running is fine (it is due now).
    if due_ms <= now {
        return Err(ApiError::invalid(
            ErrorCode::BadWindow,
            "跟进截止时间已过，请选择尚未过去的时间 / the window has already ended; choose a time still ahead",
        ));
    }
    let note = multi_line("note", note, 1000)?;
    Ok(repo::followups::insert(c, order_id, from_ms, due_ms, &note, user_id, now)?)
}

/// Cancels a follow-up of an order (kept, marked cancelled).
pub fn cancel(c: &Connection, order_id: i64, id: i64) -> ApiResult<()> {
    if !repo::followups::cancel(c, order_id, id, now_ms())? {
        return Err(ApiError::not_found("跟进", "follow-up"));
    }
    Ok(())
}

/// Parses a `datetime-local` form value ("2026-11-23T09:30") as China time, to Unix ms.
pub fn parse_local(field: &str, s: &str) -> ApiResult<i64> {
    let t = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| ApiError::invalid(ErrorCode::BadTime, format!("{field} 须为 年-月-日T时:分 / {field} must be YYYY-MM-DDTHH:MM")))?;
    use chrono::TimeZone;
    super::i18n::china()
        .from_local_datetime(&t)
        .single()
        .map(|d| d.timestamp_millis())
        .ok_or_else(|| ApiError::invalid(ErrorCode::BadTime, format!("{field} 无效 / {field} is not a valid time")))
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
