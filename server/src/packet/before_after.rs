//! The 整改前后对比 page of a rectification order: each before/after pair of
//! photos side by side, with both capture times (and which clock each comes
//! from), the distance between the two capture points and each visit's
//! purpose. An office judging "was it fixed?" compares the same spot before
//! and after; the evidence list alone leaves that to the reader. The pairs
//! are the console's (`domain::pairs`: a coordinator's choice, else a
//! proposal by place and time), so the packet shows what the coordinator saw;
//! a pair with a photo left out of the export is left out here too.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use siteproof_protocol::evidence::{EntryKind, Manifest};
use siteproof_protocol::vocab::{zh_label, VISIT_PURPOSES};

use super::collect::EntryRow;
use super::report::{beijing, Block, ReportItem};
use super::visits::{capture_clock, captured_ms, worker_zh};
use crate::domain::pairs::{self, Pair, PairPhoto, PAIR_RADIUS_M};
use crate::error::ApiResult;

/// What pairing reads of one stored entry of the order, exported or not.
struct Candidate {
    item_id: String,
    photo: bool,
    manifest: Option<Manifest>,
}

impl PairPhoto for Candidate {
    fn item_id(&self) -> &str {
        &self.item_id
    }

    fn is_photo(&self) -> bool {
        self.photo
    }

    fn captured_at_ms(&self) -> Option<i64> {
        let m = self.manifest.as_ref()?;
        Some(m.anchored.as_ref().map(|a| a.utc_ms).unwrap_or(m.capture.device_time_ms))
    }

    fn place(&self) -> Option<(f64, f64, f64)> {
        let f = self.manifest.as_ref()?.capture.fix.as_ref()?;
        Some((f.lat, f.lon, f.accuracy_m))
    }

    fn visit_id(&self) -> Option<&str> {
        self.manifest.as_ref()?.visit_id.as_deref()
    }
}

/// The order's pairs as the console shows them, computed over every entry of the order (`all_rows`, so a
/// proposal does not change when items are left out), then kept only when both photos are in the packet.
pub fn packet_pairs(conn: &Connection, community_id: i64, all_rows: &[EntryRow], items: &[ReportItem]) -> ApiResult<Vec<Pair>> {
    let candidates: Vec<Candidate> = all_rows
        .iter()
        .filter(|r| r.attach_item_id.is_none())
        .map(|r| Candidate {
            item_id: r.item_id.clone(),
            photo: EntryKind::parse(&r.kind).ok() == Some(EntryKind::Photo),
            manifest: serde_json::from_str(&r.manifest.manifest).ok(),
        })
        .collect();
    let manual = pairs::manual(conn, community_id, &candidates)?;
    let exported = |id: &str| items.iter().any(|i| i.item_id == id && i.kind == EntryKind::Photo);
    Ok(pairs::pairs(&candidates, &manual).into_iter().filter(|p| exported(&p.before) && exported(&p.after)).collect())
}

/// A capture time with the clock it comes from, e.g. "2026-11-18 09:00:00（锚定时间，误差 ±180 毫秒）".
pub fn capture_time_zh(item: &ReportItem) -> String {
    let clock = capture_clock(item);
    match &item.anchored {
        Some(a) => format!("{}（{}，误差 {}）", beijing(captured_ms(item)), clock.zh(), crate::domain::trust::bound(a.bound_ms).0),
        None => format!("{}（{}，未经服务器校准）", beijing(captured_ms(item)), clock.zh()),
    }
}

fn purpose_of(item: &ReportItem) -> &str {
    item.visit_purpose.as_deref().map(|p| zh_label(VISIT_PURPOSES, p)).unwrap_or("未记录")
}

/// An item as the report numbers it: (number, item).
type Numbered<'a> = (usize, &'a ReportItem);

/// The 整改前后对比 section numbered `section` (e.g. "七"); nothing when the packet holds no pair.
/// `items` are in report order: item n is `items[n - 1]`.
pub fn before_after_blocks(section: &str, pairs: &[Pair], items: &[ReportItem], workers: &BTreeMap<String, String>) -> Vec<Block> {
    let numbered: HashMap<&str, Numbered<'_>> = items.iter().enumerate().map(|(i, item)| (item.item_id.as_str(), (i + 1, item))).collect();
    let shown: Vec<(&Pair, Numbered<'_>, Numbered<'_>)> =
        pairs.iter().filter_map(|p| Some((p, *numbered.get(p.before.as_str())?, *numbered.get(p.after.as_str())?))).collect();
    if shown.is_empty() {
        return Vec::new();
    }
    let mut b = vec![
        Block::Heading(format!("{section}、整改前后对比（共 {} 组）", shown.len())),
        Block::Note(format!(
            "每组左为整改前、右为整改后同一位置的照片（预览图，原图见证据包 originals/ 目录）。“锚定时间”经服务器时间校准，“手机时钟”为手机自身时间、可能不准。\
             相距为两张照片拍摄时定位点之间的直线距离。配对由专干确认，或由系统按位置（{PAIR_RADIUS_M:.0} 米内）与时间（不同走访）提议。"
        )),
    ];
    for (k, (pair, (nb, before), (na, after))) in shown.iter().enumerate() {
        let distance = match pair.distance_m {
            Some(d) => format!("{d:.0} 米"),
            None => "无法计算（缺少定位）".into(),
        };
        let how = if pair.manual { "专干确认" } else { "系统按位置与时间提议" };
        let mut people = vec![worker_zh(workers, &before.device_id), worker_zh(workers, &after.device_id)];
        people.dedup();
        b.push(Block::Group(vec![
            Block::Rule,
            Block::Field(format!("第 {} 组", k + 1), format!("证据 {nb}（整改前）→ 证据 {na}（整改后），{how}")),
            Block::SideBySide([
                (format!("整改前（证据 {nb}）"), before.preview.clone()),
                (format!("整改后（证据 {na}）"), after.preview.clone()),
            ]),
            Block::Field("整改前拍摄".into(), capture_time_zh(before)),
            Block::Field("整改后拍摄".into(), capture_time_zh(after)),
            Block::Field("两点相距".into(), distance),
            Block::Field("走访目的".into(), format!("整改前：{}；整改后：{}", purpose_of(before), purpose_of(after))),
            Block::Field("拍摄人".into(), people.join("；")),
        ]));
    }
    b
}
