//! The visits as the packet tells them (走访记录): who went, when they
//! arrived and left and where, and which evidence each visit produced. An
//! office judging a dispute asks "did someone really go, and who"; the
//! evidence list alone shows only device ids. Arrival and departure are the
//! first and last capture of the visit, because that is what is signed.

use std::collections::BTreeMap;

use siteproof_protocol::evidence::EntryKind;
use siteproof_protocol::text::prefix;
use siteproof_protocol::vocab::{zh_label, VISIT_PURPOSES};

use super::report::{beijing, beijing_date, Block, Clock, ReportItem};

/// A fix in words, WGS-84 as the phone recorded it.
pub fn place_zh(item: &ReportItem) -> String {
    match &item.fix {
        Some(f) => format!("纬度 {:.6}，经度 {:.6}（精度 ±{:.0} 米）", f.lat, f.lon, f.accuracy_m),
        None => "无定位".into(),
    }
}

/// When an item was captured: anchored time when known, else the phone clock.
pub fn captured_ms(item: &ReportItem) -> i64 {
    item.anchored.as_ref().map(|a| a.utc_ms).unwrap_or(item.device_time_ms)
}

/// Which clock an item's capture time comes from: anchored by the server, or the phone's own.
pub fn capture_clock(item: &ReportItem) -> Clock {
    if item.anchored.is_some() {
        Clock::Anchored
    } else {
        Clock::Phone
    }
}

/// Who carried a device, as the server enrolled it.
pub fn worker_zh(workers: &BTreeMap<String, String>, device_id: &str) -> String {
    workers.get(device_id).cloned().unwrap_or_else(|| format!("设备 {}（服务器未登记使用人）", prefix(device_id, 8)))
}

/// The purpose the visit's entries were signed with; entries made before phones signed it say so.
pub fn purpose_zh(items: &[(usize, &ReportItem)]) -> String {
    let mut purposes: Vec<&str> =
        items.iter().filter_map(|(_, i)| i.visit_purpose.as_deref()).map(|p| zh_label(VISIT_PURPOSES, p)).collect();
    purposes.sort();
    purposes.dedup();
    if purposes.is_empty() {
        "未记录（拍摄时的手机版本未签入走访目的）".into()
    } else {
        purposes.join("、")
    }
}

fn counts(items: &[(usize, &ReportItem)]) -> String {
    let mut parts = Vec::new();
    for (kind, name, unit) in [
        (EntryKind::Photo, "照片", "张"),
        (EntryKind::Voice, "录音", "段"),
        (EntryKind::Video, "视频", "段"),
        (EntryKind::Note, "文字记录", "条"),
    ] {
        let n = items.iter().filter(|(_, i)| i.kind == kind).count();
        if n > 0 {
            parts.push(format!("{name} {n} {unit}"));
        }
    }
    let numbers: Vec<String> = items.iter().map(|(n, _)| n.to_string()).collect();
    format!("{}（证据 {}）", parts.join("、"), numbers.join("、"))
}

/// One visit as the packet tells it: a recorded visit, or the evidence of one day captured outside any.
pub struct Visit<'a> {
    /// Whether the device recorded a visit (else: a day's evidence without one).
    pub recorded: bool,
    /// (report number, item) of its evidence.
    pub items: Vec<(usize, &'a ReportItem)>,
    /// Arrival: its first capture.
    pub first: &'a ReportItem,
    /// Departure: its last capture.
    pub last: &'a ReportItem,
}

/// The visits of the report's items, earliest first. `items` are in report order: item n is `items[n - 1]`.
pub fn visits(items: &[ReportItem]) -> Vec<Visit<'_>> {
    // Evidence captured outside a recorded visit is grouped by day, so every item belongs to one visit entry.
    let mut grouped: BTreeMap<String, Vec<(usize, &ReportItem)>> = BTreeMap::new();
    // Received files are not on-site evidence: they never make a visit.
    for (i, item) in items.iter().enumerate().filter(|(_, i)| i.kind.is_on_site_capture()) {
        let key = match &item.visit_id {
            Some(v) => format!("visit:{v}"),
            None => format!("day:{}", beijing_date(captured_ms(item))),
        };
        grouped.entry(key).or_default().push((i + 1, item));
    }
    let mut out: Vec<Visit<'_>> = grouped
        .into_iter()
        .map(|(key, its)| {
            let first = its.iter().min_by_key(|(_, i)| captured_ms(i)).map(|(_, i)| *i).expect("a visit has items");
            let last = its.iter().max_by_key(|(_, i)| captured_ms(i)).map(|(_, i)| *i).expect("a visit has items");
            Visit { recorded: key.starts_with("visit:"), items: its, first, last }
        })
        .collect();
    out.sort_by_key(|v| captured_ms(v.first));
    out
}

/// The 走访记录 section. `items` are in report order: item n is `items[n - 1]`.
pub fn visit_blocks(items: &[ReportItem], workers: &BTreeMap<String, String>) -> Vec<Block> {
    let mut b = vec![Block::Heading("三、走访记录".into())];
    let ordered = visits(items);
    if ordered.is_empty() {
        b.push(Block::Note("没有现场证据。".into()));
        return b;
    }
    for (k, v) in ordered.iter().enumerate() {
        let (its, first, last) = (&v.items, v.first, v.last);
        let mut people: Vec<String> = its.iter().map(|(_, i)| worker_zh(workers, &i.device_id)).collect();
        people.dedup();
        people.sort();
        people.dedup();
        let title = if v.recorded { format!("走访 {}", k + 1) } else { format!("现场记录 {}（未开始走访时拍摄）", k + 1) };
        b.push(Block::Group(vec![
            Block::Field(title, format!("{} 至 {}", beijing(captured_ms(first)), beijing(captured_ms(last)))),
            Block::Field("　走访目的".into(), purpose_zh(its)),
            Block::Field("　社工".into(), people.join("、")),
            Block::Field("　到达（首条证据）".into(), format!("{}，{}", beijing(captured_ms(first)), place_zh(first))),
            Block::Field("　离开（末条证据）".into(), format!("{}，{}", beijing(captured_ms(last)), place_zh(last))),
            Block::Field("　留存证据".into(), counts(its)),
        ]));
    }
    b
}
