//! The packet's first page: the 申诉书 a 12345 office reads before anything
//! else. It says which order, who submits the dispute, what is asked and why,
//! whom to call, and leaves room for a signature and the unit's stamp (盖章处),
//! without which an office does not accept a paper dispute. A field the
//! coordinator left empty is printed as a line to fill in by hand.

use siteproof_protocol::vocab::REQUESTED_OUTCOMES;

use super::dispute::Dispute;
use super::report::{beijing_date, Block};
use crate::domain::orders::Order;

/// A blank to write on by hand.
const BLANK: &str = "＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿";

fn or_blank(v: &str) -> String {
    if v.trim().is_empty() {
        BLANK.to_string()
    } else {
        v.to_string()
    }
}

/// The cover page's blocks, ending with a page break.
pub fn cover_blocks(order: &Order, assignee: Option<&str>, dispute: &Dispute, created_at_ms: i64, server_fingerprint: &str) -> Vec<Block> {
    let unit = match (dispute.street_office.trim(), dispute.submitting_unit.trim()) {
        ("", "") => order.community.clone(),
        ("", u) => u.to_string(),
        (s, "") => format!("{s} {}", order.community),
        (s, u) => format!("{s} {u}"),
    };
    // With no outcome chosen, every choice is printed with a box to tick by hand.
    let outcome = match dispute.outcome {
        Some(o) => o.zh().to_string(),
        None => REQUESTED_OUTCOMES.iter().map(|(_, zh, _)| format!("□{zh}")).collect::<Vec<_>>().join("　"),
    };
    let mut b = vec![
        Block::Title("12345 工单申诉书".into()),
        Block::Field("工单编号".into(), order.number.clone()),
        Block::Field("诉求地址".into(), order.address.clone()),
        Block::Field("承办社工".into(), or_blank(assignee.unwrap_or(""))),
        Block::Field("申诉单位".into(), unit),
        Block::Field("申请事项".into(), outcome),
        Block::Heading("申诉理由".into()),
    ];
    if dispute.grounds.trim().is_empty() {
        b.extend((0..4).map(|_| Block::Paragraph(format!("{BLANK}{BLANK}"))));
    } else {
        b.extend(dispute.grounds.split('\n').filter(|p| !p.trim().is_empty()).map(|p| Block::Paragraph(p.trim().to_string())));
    }
    b.push(Block::Paragraph(
        "所附证据见本证据包：工单情况与办理经过、走访记录、证据点位与距离、证据明细（照片、录音、文字记录）、保管链、整改前后对比（整改类工单）、时间线，以及核验说明。".into(),
    ));
    b.push(Block::Field("联系人".into(), or_blank(&dispute.coordinator_name)));
    b.push(Block::Field("联系电话".into(), or_blank(&dispute.coordinator_phone)));
    b.push(Block::Field("申诉日期".into(), beijing_date(created_at_ms)));
    // What the district office compares with the fingerprint the street office publishes (console, /v1/server-key)
    // before trusting the packet: `siteproof verify --server-key` takes it as printed.
    b.push(Block::Field("证据包签名公钥指纹".into(), server_fingerprint.to_string()));
    b.push(Block::StampBlock);
    b.push(Block::PageBreak);
    b
}
