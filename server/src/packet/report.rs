//! What the PDF report says, separate from how it is set: the order's facts
//! and, for each item, its picture, trust statement (proven / 存疑 with why /
//! cannot be checked, decided in `domain::trust` exactly as the console
//! shows it), place, full hashes and text, all in Chinese first with English
//! beside it. The complainant's contact is left out on purpose (投诉人信息保密).

use chrono::{FixedOffset, TimeZone};
use siteproof_protocol::evidence::{AnchoredTime, EntryKind, LocationFix};
use siteproof_protocol::vocab::{zh_label, TAG_CALLBACK, TAG_HANDLING, TAG_TYPES};

use crate::domain::orders::Order;
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
    /// Voice note duration, ms.
    pub audio_ms: Option<u64>,
    /// For attach entries: the item filed under the order.
    pub attach_item: Option<String>,
    /// Preview JPEG (bytes, width, height) for photos.
    pub preview: Option<(Vec<u8>, u32, u32)>,
}

/// Facts about the packet itself, printed on the first page.
#[derive(Debug, Clone)]
pub struct PacketFacts {
    /// Server clock at export, Unix ms.
    pub created_at_ms: i64,
    /// Server key fingerprint.
    pub server_fingerprint: String,
}

/// Beijing time (UTC+8), the time every 12345 party reads.
pub fn beijing(ms: i64) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    match tz.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => format!("{ms} ms"),
    }
}

fn opt_time(ms: Option<i64>) -> String {
    ms.map(beijing).unwrap_or_else(|| "未填写 / not set".into())
}

fn kind_label(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Photo => "照片 / photo",
        EntryKind::Voice => "录音 / voice note",
        EntryKind::Note => "文字记录 / note",
        EntryKind::Attach => "归档记录 / filing entry",
    }
}

/// Builds the blocks of the whole report.
pub fn blocks(order: &Order, facts: &PacketFacts, items: &[ReportItem]) -> Vec<Block> {
    let mut b = vec![
        Block::Title("12345 工单争议证据报告".into()),
        Block::Note("Dispute evidence report (Siteproof) · 时间均为北京时间 UTC+8 / all times Beijing time, UTC+8".into()),
        Block::Heading("一、工单信息 / Work order".into()),
        Block::Field("工单号 / number".into(), order.number.clone()),
        Block::Field("社区 / community".into(), order.community.clone()),
        Block::Field("类型 / kind".into(), order.kind.zh().to_string()),
        Block::Field("类别 / category".into(), order.category.clone()),
        Block::Field("地址 / address".into(), order.address.clone()),
        Block::Field("诉求内容 / content".into(), if order.content.is_empty() { "（无）".into() } else { order.content.clone() }),
        Block::Field("派单时间 / dispatched".into(), opt_time(order.dispatched_at_ms)),
        Block::Field("办理时限 / deadline".into(), opt_time(order.deadline_ms)),
        Block::Field("状态 / status".into(), order.status.zh().to_string()),
    ];
    let tag = |v: &Option<String>, vocab| v.as_deref().map(|c| zh_label(vocab, c).to_string()).unwrap_or_else(|| "—".into());
    b.push(Block::Field(
        "标签 / tags".into(),
        format!(
            "工单类型 {}；办理结果 {}；回访结果 {}",
            tag(&order.tag_type, TAG_TYPES),
            tag(&order.tag_handling, TAG_HANDLING),
            tag(&order.tag_callback, TAG_CALLBACK)
        ),
    ));
    if !order.knowledge.is_empty() {
        b.push(Block::Field("应知应会 / knowledge".into(), order.knowledge.clone()));
    }
    b.push(Block::Field("证据包生成时间 / packet made".into(), beijing(facts.created_at_ms)));
    b.push(Block::Field("服务器公钥指纹 / server key fingerprint".into(), facts.server_fingerprint.clone()));
    b.push(Block::Note(
        "请将此指纹与街道办事处公布的指纹核对；核验方法见证据包内 GUIDE.txt。投诉人联系方式保密，未列入本报告。 / \
         Compare this fingerprint with the one the street office publishes; GUIDE.txt explains the checks. \
         The complainant's contact is confidential and not in this report."
            .into(),
    ));
    b.push(Block::Heading(format!("二、证据 / Evidence ({} 条 / items)", items.len())));
    if items.is_empty() {
        b.push(Block::Note("本工单没有收到证据 / no evidence was received for this order".into()));
    }
    for (i, item) in items.iter().enumerate() {
        b.push(Block::Rule);
        b.extend(item_blocks(i + 1, item));
    }
    b
}

/// Lines of one kind as one paragraph: the Chinese sentences, then the English ones.
fn joined(lines: &[Line]) -> String {
    let zh: Vec<&str> = lines.iter().map(|l| l.zh.as_str()).collect();
    let en: Vec<&str> = lines.iter().map(|l| l.en.as_str()).collect();
    format!("{} / {}", zh.join("；"), en.join("; "))
}

fn item_blocks(n: usize, item: &ReportItem) -> Vec<Block> {
    let t = &item.trust;
    let (word_zh, word_en) = t.standing.word();
    let mut b = vec![Block::Heading(format!("证据 {n}：{} — {word_zh} / {word_en}", kind_label(item.kind)))];
    if let Some((jpeg, w, h)) = &item.preview {
        b.push(Block::Picture { jpeg: jpeg.clone(), width: *w, height: *h });
        b.push(Block::Note("预览图（原图见证据包 originals/）/ preview; the original is in the packet's originals/".into()));
    }
    b.push(Block::Field(
        "可信程度 / trust".into(),
        match t.standing {
            Standing::Proven => format!("{word_zh} / {word_en}"),
            _ => format!("{word_zh}：{} / {word_en}: {}", t.reasons_zh(), t.reasons_en()),
        },
    ));
    if !t.proven.is_empty() {
        b.push(Block::Field("已证实 / proven".into(), joined(&t.proven)));
    }
    if !t.cannot_check.is_empty() {
        b.push(Block::Field("无法核实 / cannot be checked".into(), joined(&t.cannot_check)));
    }
    b.push(Block::Field("手机时间 / phone clock".into(), beijing(item.device_time_ms)));
    b.push(Block::Field(
        "地点（WGS-84）/ place".into(),
        match &item.fix {
            Some(f) => format!("纬度 lat {:.6}，经度 lon {:.6}（精度 ±{:.0} 米 / m，{}）", f.lat, f.lon, f.accuracy_m, f.provider),
            None => "无定位 / no location fix".into(),
        },
    ));
    if let Some(sha) = &item.media_sha256 {
        b.push(Block::Hash("原件 SHA-256 / original SHA-256".into(), sha.clone()));
    }
    b.push(Block::Hash("记录 SHA-256 / manifest SHA-256".into(), item.manifest_hash.clone()));
    b.push(Block::Field("设备 / device".into(), format!("{} 第 {} 条 / entry {}", item.device_id, item.seq, item.seq)));
    if let Some(ms) = item.audio_ms {
        b.push(Block::Field("录音时长 / duration".into(), format!("{:.1} 秒 / s", ms as f64 / 1000.0)));
    }
    if let Some(text) = &item.text {
        b.push(Block::Field("记录文字 / note text".into(), text.clone()));
    }
    if let Some(target) = &item.attach_item {
        b.push(Block::Field("归档的证据 / filed item".into(), target.clone()));
    }
    b.push(Block::Field("证据编号 / item id".into(), item.item_id.clone()));
    b
}
