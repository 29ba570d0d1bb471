//! The 时间线 page: everything that happened to the order, in one time
//! order — dispatch and deadline, each change (reply, callback, reopen), each
//! visit's arrival and departure, each capture, each receipt by the server,
//! and this export. An office weighing a dispute asks "what came first?";
//! the sections before answer it piecemeal. Times come from different
//! clocks of different trust (a phone clock may be set wrong; an anchored
//! time has a bound; the server signs what it records), so every event says
//! which, by the shape of its mark and a word: black-and-white print keeps both.

use siteproof_protocol::evidence::EntryKind;

use super::history::change_zh;
use super::report::{beijing, Block, Clock, PacketFacts, ReportItem, TimelineRow};
use super::visits::{capture_clock, captured_ms, visits, worker_zh};
use crate::domain::orders::{HistoryEntry, Order};

/// Among events at the same millisecond, the order a reader expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Dispatch,
    Change,
    Arrival,
    Capture,
    Departure,
    Receipt,
    Deadline,
    Export,
}

/// What a change is called on the timeline: the 12345 words for replies, callbacks and reopening.
fn change_word(e: &HistoryEntry) -> &'static str {
    match (e.field.as_str(), e.new_value.as_deref()) {
        ("created", _) => "建单",
        ("status", Some("answered")) => "答复",
        ("status", Some("reopened")) => "重办",
        ("status", Some("returned")) => "退单",
        ("status", Some("closed")) => "办结",
        ("tag_callback", _) => "回访",
        ("assignee", _) => "派给社工",
        _ => "变更",
    }
}

/// The 时间线 section numbered `section` (e.g. "八"). `items` are in report order: item n is `items[n - 1]`.
pub fn timeline_blocks(section: &str, order: &Order, facts: &PacketFacts, items: &[ReportItem]) -> Vec<Block> {
    let mut events: Vec<(i64, Rank, Clock, String)> = Vec::new();
    if let Some(at) = order.dispatched_at_ms {
        events.push((at, Rank::Dispatch, Clock::Order, "12345 派单".into()));
    }
    if let Some(at) = order.deadline_ms {
        events.push((at, Rank::Deadline, Clock::Order, "办理时限届满".into()));
    }
    for e in &facts.history {
        events.push((e.at_ms, Rank::Change, Clock::Server, format!("{}　{}", change_word(e), change_zh(e, &facts.people))));
    }
    for (k, v) in visits(items).iter().enumerate().filter(|(_, v)| v.recorded) {
        let who = worker_zh(&facts.workers, &v.first.device_id);
        events.push((captured_ms(v.first), Rank::Arrival, capture_clock(v.first), format!("走访 {} 到达现场（首条证据），{who}", k + 1)));
        events.push((captured_ms(v.last), Rank::Departure, capture_clock(v.last), format!("走访 {} 离开现场（末条证据）", k + 1)));
    }
    for (i, item) in items.iter().enumerate() {
        let n = i + 1;
        if item.kind != EntryKind::Attach {
            let who = worker_zh(&facts.workers, &item.device_id);
            events.push((
                captured_ms(item),
                Rank::Capture,
                capture_clock(item),
                format!(
                    "{} 证据 {n}（{}），{who}",
                    if item.kind.is_on_site_capture() { "拍摄" } else { "导入" },
                    super::report::kind_label(item.kind)
                ),
            ));
        }
        events.push((item.received_at_ms, Rank::Receipt, Clock::Server, n.to_string()));
    }
    events.push((facts.created_at_ms, Rank::Export, Clock::Server, "导出本证据包".into()));
    // Stable: events of one rank at one time keep report order.
    events.sort_by_key(|(at, rank, _, _)| (*at, *rank));
    let rows = merge_receipts(events);
    vec![
        Block::Heading(format!("{section}、时间线")),
        Block::Note(
            "按时间先后排列，北京时间。时间来源以标记形状区分：实心圆点为锚定时间（手机拍摄时间经服务器时间校准，误差见证据明细）；\
             空心圆点为手机时钟（未经校准，手机时间设错时可能偏早或偏晚）；实心方块为社区服务器记录的时间；空心方块为 12345 工单系统的时间。"
                .into(),
        ),
        Block::Timeline(rows),
    ]
}

/// Rows of the sorted events; receipts with nothing else between them (one sync delivers many items) become one row.
/// A receipt event's text is its item number until here.
fn merge_receipts(events: Vec<(i64, Rank, Clock, String)>) -> Vec<TimelineRow> {
    let mut rows = Vec::new();
    let mut run: Vec<(i64, usize)> = Vec::new();
    let flush = |run: &mut Vec<(i64, usize)>, rows: &mut Vec<TimelineRow>| {
        let (Some(&(first, _)), Some(&(last, _))) = (run.first(), run.last()) else { return };
        let numbers: Vec<usize> = run.iter().map(|(_, n)| *n).collect();
        let what = if numbers.len() == 1 {
            format!("服务器收到 证据 {} 并签发回执", numbers[0])
        } else {
            format!("服务器收到 证据 {} 并签发回执（共 {} 条，至 {}）", number_ranges(&numbers), numbers.len(), beijing(last))
        };
        rows.push(TimelineRow { when: beijing(first), clock: Clock::Server, what });
        run.clear();
    };
    for (at, rank, clock, what) in events {
        if rank == Rank::Receipt {
            run.push((at, what.parse().unwrap_or(0)));
            continue;
        }
        flush(&mut run, &mut rows);
        rows.push(TimelineRow { when: beijing(at), clock, what });
    }
    flush(&mut run, &mut rows);
    rows
}

/// Item numbers as a reader writes them: "1–3、5、7–8" (runs of consecutive numbers joined).
fn number_ranges(numbers: &[usize]) -> String {
    let mut sorted = numbers.to_vec();
    sorted.sort_unstable();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        parts.push(if end == start { start.to_string() } else { format!("{start}–{end}") });
        i += 1;
    }
    parts.join("、")
}

#[cfg(test)]
mod tests {
    use super::number_ranges;

    #[test]
    fn item_numbers_are_written_as_runs() {
        assert_eq!(number_ranges(&[3, 1, 2, 5, 7, 8]), "1–3、5、7–8");
        assert_eq!(number_ranges(&[4]), "4");
    }
}
