//! What the PDF report says, separate from how it is set: a 12345 dispute
//! document in Chinese. The 申诉书 cover (`cover`), the order's facts and
//! history, the visits and distances, then for each item its picture, trust
//! statement (proven / 存疑 with why / cannot be checked, decided in
//! `domain::trust` exactly as the console shows it), place, full hashes and
//! text, the chain of custody, the before/after page of a rectification order
//! and the timeline, and a plain-Chinese appendix on checking the packet. The
//! complainant's contact is left out on purpose (投诉人信息保密).

use std::collections::BTreeMap;

use chrono::{FixedOffset, TimeZone};
use siteproof_protocol::evidence::{AnchoredTime, EntryKind, LocationFix};
use siteproof_protocol::vocab::{zh_label, TagAxis, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};

use super::dispute::Dispute;
use super::map::MapData;
use super::{appendix, before_after, cover, custody, distances, history, timeline, visits};
use crate::domain::orders::{HistoryEntry, Order};
use crate::domain::pairs::Pair;
use crate::domain::trust::{Line, Standing, Statement};

/// One block of the report, in reading order.
#[derive(Debug, Clone)]
pub enum Block {
    /// The document title.
    Title(String),
    /// A section or item heading.
    Heading(String),
    /// "label: value", wrapped as one paragraph.
    Field(String, String),
    /// Small grey explanatory text.
    Note(String),
    /// A label line then a hash set on one line in the fixed-pitch face.
    Hash(String, String),
    /// A JPEG picture (preview size) with its pixel size.
    Picture { jpeg: Vec<u8>, width: u32, height: u32 },
    /// A thin horizontal rule.
    Rule,
    /// Running text without a label, e.g. the grounds of the dispute.
    Paragraph(String),
    /// Signature, date and a framed place for the unit's stamp (盖章处).
    StampBlock,
    /// The next block starts a new page (unless the page is still empty).
    PageBreak,
    /// Blocks kept on one page when they fit one (an item entry, a visit).
    Group(Vec<Block>),
    /// The evidence points and the order's address, drawn to scale.
    Map(MapData),
    /// Two pictures side by side, each under its caption (the before/after page); None: no preview to show.
    SideBySide([(String, Option<Preview>); 2]),
    /// Events in time order on a drawn line, each marked by the clock its time comes from.
    Timeline(Vec<TimelineRow>),
}

/// A preview JPEG with its pixel size.
pub type Preview = (Vec<u8>, u32, u32);

/// Which clock a time on the timeline comes from: told apart by the mark's shape and a word, so print in black and white keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The phone's capture time corrected by a server time anchor, with a known bound.
    Anchored,
    /// The phone's own clock, not anchored: whatever the phone was set to.
    Phone,
    /// The community server's clock (receipts, changes, the export).
    Server,
    /// A time entered from the 12345 system (dispatch, deadline).
    Order,
}

impl Clock {
    /// The word printed beside the mark.
    pub fn zh(self) -> &'static str {
        match self {
            Clock::Anchored => "锚定时间",
            Clock::Phone => "手机时钟",
            Clock::Server => "服务器",
            Clock::Order => "工单系统",
        }
    }
}

/// One event of the timeline.
#[derive(Debug, Clone)]
pub struct TimelineRow {
    /// When, Beijing time as printed.
    pub when: String,
    /// The clock the time comes from.
    pub clock: Clock,
    /// What happened.
    pub what: String,
}

/// One evidence item as the report shows it.
#[derive(Debug, Clone)]
pub struct ReportItem {
    /// What the entry records.
    pub kind: EntryKind,
    /// Item id.
    pub item_id: String,
    /// Signing device.
    pub device_id: String,
    /// Position in the device chain.
    pub seq: u64,
    /// SHA-256 of the signed manifest text.
    pub manifest_hash: String,
    /// SHA-256 of the original media, when the entry has media.
    pub media_sha256: Option<String>,
    /// Path of the original inside the packet.
    pub original_path: Option<String>,
    /// Phone clock at capture, Unix ms.
    pub device_time_ms: i64,
    /// Server-anchored capture time, if any.
    pub anchored: Option<AnchoredTime>,
    /// Location fix at capture.
    pub fix: Option<LocationFix>,
    /// When the server first held the manifest, Unix ms.
    pub received_at_ms: i64,
    /// What the checks made while exporting prove, what is doubtful, what cannot be checked.
    pub trust: Statement,
    /// Note text.
    pub text: Option<String>,
    /// Voice note or video clip duration, ms.
    pub audio_ms: Option<u64>,
    /// For attach entries: the item filed under the order.
    pub attach_item: Option<String>,
    /// Preview JPEG (bytes, width, height) for photos.
    pub preview: Option<(Vec<u8>, u32, u32)>,
    /// The site visit the item was captured in.
    pub visit_id: Option<String>,
    /// That visit's purpose code, as the device signed it.
    pub visit_purpose: Option<String>,
}

/// Facts about the packet itself and the order around the evidence.
#[derive(Debug, Default)]
pub struct PacketFacts {
    /// Server clock at export, Unix ms.
    pub created_at_ms: i64,
    /// Server key fingerprint.
    pub server_fingerprint: String,
    /// Entries left out of the packet, with the reason.
    pub left_out: Vec<String>,
    /// The order's change history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Who carries each device (device id → name), as the server enrolled it.
    pub workers: BTreeMap<String, String>,
    /// The assigned worker as documents name people ("王小明（wang）").
    pub assignee: Option<String>,
    /// Every worker the history assigns, login → name as documents print it.
    pub people: BTreeMap<String, String>,
    /// Before/after pairs whose two photos are both in the packet.
    pub pairs: Vec<Pair>,
}

/// Beijing time (UTC+8), the time every 12345 party reads.
pub fn beijing(ms: i64) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    match tz.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => format!("{ms} ms"),
    }
}

/// The Beijing date of a time, as a Chinese document writes it.
pub fn beijing_date(ms: i64) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    match tz.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y年%-m月%-d日").to_string(),
        None => format!("{ms} ms"),
    }
}

fn opt_time(ms: Option<i64>) -> String {
    ms.map(beijing).unwrap_or_else(|| "未填写".into())
}

pub fn kind_label(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Photo => "照片",
        EntryKind::Voice => "录音",
        EntryKind::Video => "视频",
        EntryKind::Received => "收到的材料",
        EntryKind::Note => "文字记录",
        EntryKind::Attach => "归档记录",
        EntryKind::Share => "分享副本登记",
    }
}

/// Builds the blocks of the whole report: the cover, the body in Chinese, the appendix.
pub fn blocks(order: &Order, facts: &PacketFacts, dispute: &Dispute, items: &[ReportItem]) -> Vec<Block> {
    let mut b = order_section(order, facts, dispute, items);
    b.extend(verification_appendix(facts));
    b
}

/// The plain-Chinese appendix on checking the packet: once per packet, however many orders it holds.
pub fn verification_appendix(facts: &PacketFacts) -> Vec<Block> {
    appendix::verification_blocks(&facts.server_fingerprint)
}

/// One order's part of a report: its 申诉书 cover and body, everything but the appendix.
pub fn order_section(order: &Order, facts: &PacketFacts, dispute: &Dispute, items: &[ReportItem]) -> Vec<Block> {
    let mut b = cover::cover_blocks(order, facts.assignee.as_deref(), dispute, facts.created_at_ms, &facts.server_fingerprint);
    b.extend(order_blocks(order, facts));
    b.extend(history::history_blocks(&facts.history, &facts.people));
    b.push(Block::Heading(format!("五、证据明细（共 {} 条）", items.len())));
    let details_at = b.len() - 1;
    b.push(Block::Note("时间均为北京时间（UTC+8）。".into()));
    if items.is_empty() {
        b.push(Block::Note("本工单没有收到证据。".into()));
    }
    for s in &facts.left_out {
        b.push(Block::Note(format!("未收入：{s}")));
    }
    for (i, item) in items.iter().enumerate() {
        let mut entry = vec![Block::Rule];
        entry.extend(item_blocks(i + 1, item));
        b.push(Block::Group(entry));
    }
    // Visits and distances are read before the details they point to.
    let mut overview = visits::visit_blocks(items, &facts.workers);
    overview.extend(distances::distance_blocks(order, items));
    b.splice(details_at..details_at, overview);
    b.extend(custody::custody_blocks(items, &facts.workers, facts.created_at_ms));
    // Sections 七 and 八 follow the custody chain so the numbers before stay as offices know them.
    let before_after = before_after::before_after_blocks("七", &facts.pairs, items, &facts.workers);
    let timeline_section = if before_after.is_empty() { "七" } else { "八" };
    b.extend(before_after);
    b.extend(timeline::timeline_blocks(timeline_section, order, facts, items));
    b
}

fn order_blocks(order: &Order, facts: &PacketFacts) -> Vec<Block> {
    let mut b = vec![
        Block::Title("12345 工单争议证据报告".into()),
        Block::Heading("一、工单情况".into()),
        Block::Field("工单号".into(), order.number.clone()),
        Block::Field("社区".into(), order.community.clone()),
        Block::Field("诉求类型".into(), order.kind.zh().to_string()),
        Block::Field("类别".into(), order.category.clone()),
        Block::Field("地址".into(), order.address.clone()),
        Block::Field("诉求内容".into(), if order.content.is_empty() { "（无）".into() } else { order.content.clone() }),
        Block::Field("派单时间".into(), opt_time(order.dispatched_at_ms)),
        Block::Field("办理时限".into(), opt_time(order.deadline_ms)),
        Block::Field("状态".into(), order.status.zh().to_string()),
        Block::Field("承办社工".into(), facts.assignee.clone().unwrap_or_else(|| "未派给社工".into())),
    ];
    let tag = |axis: TagAxis, v: &Option<String>, vocab| {
        format!("{} {}", axis.zh(), v.as_deref().map(|c| zh_label(vocab, c).to_string()).unwrap_or_else(|| "—".into()))
    };
    b.push(Block::Field(
        "标签".into(),
        [
            tag(TagAxis::Type, &order.tag_type, TAG_TYPES),
            tag(TagAxis::Handling, &order.tag_handling, TAG_HANDLING),
            tag(TagAxis::Callback, &order.tag_callback, TAG_CALLBACK),
        ]
        .join("；"),
    ));
    if !order.knowledge.is_empty() {
        b.push(Block::Field(TagAxis::Knowledge.zh().into(), order.knowledge.clone()));
    }
    b.push(Block::Field("证据包生成时间".into(), beijing(facts.created_at_ms)));
    b.push(Block::Field("服务器公钥指纹".into(), facts.server_fingerprint.clone()));
    b.push(Block::Note("投诉人联系方式保密，未列入本报告。".into()));
    b
}

/// Lines of one kind as one paragraph: the Chinese sentences, then the English ones.
fn joined(lines: &[Line]) -> String {
    lines.iter().map(|l| l.zh.as_str()).collect::<Vec<_>>().join("；")
}

/// One item's entry, in Chinese like the rest of the body: what the checks
/// prove, what is in doubt and why, what cannot be checked, then the facts.
fn item_blocks(n: usize, item: &ReportItem) -> Vec<Block> {
    let t = &item.trust;
    let (word, _) = t.standing.word();
    let mut b = vec![Block::Heading(format!("证据 {n}：{} — {word}", kind_label(item.kind)))];
    if let Some((jpeg, w, h)) = &item.preview {
        b.push(Block::Picture { jpeg: jpeg.clone(), width: *w, height: *h });
        b.push(Block::Note("预览图（原图见证据包 originals/ 目录）".into()));
    }
    b.push(Block::Field(
        "可信程度".into(),
        match t.standing {
            Standing::Proven => word.to_string(),
            _ => format!("{word}：{}", t.reasons_zh()),
        },
    ));
    if !t.proven.is_empty() {
        b.push(Block::Field("已证实".into(), joined(&t.proven)));
    }
    if !t.cannot_check.is_empty() {
        b.push(Block::Field("无法核实".into(), joined(&t.cannot_check)));
    }
    b.push(Block::Field("手机时间".into(), beijing(item.device_time_ms)));
    b.push(Block::Field(
        "地点（WGS-84）".into(),
        match &item.fix {
            Some(f) => format!("纬度 {:.6}，经度 {:.6}（精度 ±{:.0} 米，{}）", f.lat, f.lon, f.accuracy_m, f.provider),
            None => "无定位".into(),
        },
    ));
    if let Some(sha) = &item.media_sha256 {
        b.push(Block::Hash("原件 SHA-256".into(), sha.clone()));
    }
    b.push(Block::Hash("记录 SHA-256".into(), item.manifest_hash.clone()));
    b.push(Block::Field("设备".into(), format!("{}，第 {} 条", item.device_id, item.seq)));
    if let Some(ms) = item.audio_ms {
        let label = match item.kind {
            EntryKind::Video => "视频时长",
            EntryKind::Received => "时长",
            _ => "录音时长",
        };
        b.push(Block::Field(label.into(), format!("{:.1} 秒", ms as f64 / 1000.0)));
    }
    if let Some(text) = &item.text {
        b.push(Block::Field("记录文字".into(), text.clone()));
    }
    if let Some(target) = &item.attach_item {
        b.push(Block::Field("归档的证据".into(), target.clone()));
    }
    b.push(Block::Field("证据编号".into(), item.item_id.clone()));
    b
}
