//! The dispute (申诉) a packet carries to the 12345 office: why the community
//! disagrees (申诉理由), what it asks for (申请事项), who submits it and how to
//! reach the coordinator. A packet without these is evidence nobody asked the
//! city to act on. The coordinator writes them in the export form (or the API
//! body); this file is the one place they are accepted or refused, and where
//! the form's suggested grounds are built from the evidence.

use std::collections::BTreeSet;

use chrono::{FixedOffset, TimeZone};
use serde::Deserialize;
use siteproof_protocol::evidence::EntryKind;
use siteproof_protocol::vocab::{RequestedOutcome, REQUESTED_OUTCOMES};
use siteproof_protocol::wire::error_code::ErrorCode;

use crate::domain::orders::Order;
use crate::error::{ApiError, ApiResult};

/// Longest grounds text accepted: a cover page and a half of Chinese.
pub const MAX_GROUNDS_CHARS: usize = 1500;
/// Longest name, unit or phone accepted.
pub const MAX_SHORT_CHARS: usize = 60;

/// The dispute as submitted, before any check: every field a string, empty when not given.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DisputeFields {
    /// 申诉理由.
    pub grounds: String,
    /// 申请事项: a code or zh-CN label of [`REQUESTED_OUTCOMES`].
    pub outcome: String,
    /// 申诉单位: the submitting community.
    pub submitting_unit: String,
    /// The street office above it.
    pub street_office: String,
    /// 联系人.
    pub coordinator_name: String,
    /// 联系电话.
    pub coordinator_phone: String,
}

/// A checked dispute. An empty field is printed as a blank line to fill in by hand.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dispute {
    /// 申诉理由.
    pub grounds: String,
    /// 申请事项.
    pub outcome: Option<RequestedOutcome>,
    /// 申诉单位 (community).
    pub submitting_unit: String,
    /// 所属街道.
    pub street_office: String,
    /// 联系人.
    pub coordinator_name: String,
    /// 联系电话.
    pub coordinator_phone: String,
}

fn invalid(zh: &str, en: &str) -> ApiError {
    ApiError::bad_request(ErrorCode::InvalidInput, zh, en)
}

fn short(value: &str, zh_name: &str, en_name: &str) -> ApiResult<String> {
    let v = value.trim();
    if v.chars().count() > MAX_SHORT_CHARS {
        return Err(invalid(
            &format!("{zh_name}过长（最多 {MAX_SHORT_CHARS} 字）"),
            &format!("{en_name} is too long (at most {MAX_SHORT_CHARS} characters)"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(invalid(
            &format!("{zh_name}不能含换行或控制字符"),
            &format!("{en_name} may not contain line breaks or control characters"),
        ));
    }
    Ok(v.to_string())
}

/// A phone number as people write it: digits with spaces, `+`, `-`, parentheses or a 转 extension.
fn phone(value: &str) -> ApiResult<String> {
    let v = short(value, "联系电话", "the phone number")?;
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v.chars().all(|c| c.is_ascii_digit() || " +-()（）转".contains(c));
    let looks_like_phone = allowed && (5..=20).contains(&digits);
    if !v.is_empty() && !looks_like_phone {
        return Err(invalid(
            "联系电话格式不对，请写数字（可含 +、-、空格，如 010-12345678 或 13800001111）",
            "the phone number is not valid: write digits (+, - and spaces allowed), e.g. 010-12345678 or 13800001111",
        ));
    }
    Ok(v)
}

impl Dispute {
    /// Checks what the coordinator submitted; every refusal names the field in both languages.
    pub fn from_fields(f: &DisputeFields) -> ApiResult<Dispute> {
        let grounds = f.grounds.trim().replace("\r\n", "\n");
        if grounds.chars().count() > MAX_GROUNDS_CHARS {
            return Err(invalid(
                &format!("申诉理由过长（最多 {MAX_GROUNDS_CHARS} 字）"),
                &format!("the grounds are too long (at most {MAX_GROUNDS_CHARS} characters)"),
            ));
        }
        let outcome = match f.outcome.trim() {
            "" => None,
            o => Some(RequestedOutcome::parse(o).map_err(|_| {
                let zh: Vec<&str> = REQUESTED_OUTCOMES.iter().map(|(_, zh, _)| *zh).collect();
                let en: Vec<String> = REQUESTED_OUTCOMES.iter().map(|(code, zh, _)| format!("{zh} ({code})")).collect();
                invalid(
                    &format!("申请事项无效，可选：{}", zh.join("、")),
                    &format!("invalid requested outcome {o:?}; choose: {}", en.join(", ")),
                )
            })?),
        };
        Ok(Dispute {
            grounds,
            outcome,
            submitting_unit: short(&f.submitting_unit, "申诉单位", "the submitting unit")?,
            street_office: short(&f.street_office, "所属街道", "the street office")?,
            coordinator_name: short(&f.coordinator_name, "联系人", "the coordinator's name")?,
            coordinator_phone: phone(&f.coordinator_phone)?,
        })
    }
}

/// One piece of evidence as the suggestion counts it.
#[derive(Debug, Clone)]
pub struct EvidenceFact {
    /// Capture time (anchored when known), Unix ms.
    pub at_ms: i64,
    /// What was captured.
    pub kind: EntryKind,
    /// A note's text.
    pub text: Option<String>,
}

fn beijing_day(ms: i64) -> Option<String> {
    let tz = FixedOffset::east_opt(8 * 3600)?;
    tz.timestamp_millis_opt(ms).single().map(|t| t.format("%Y年%-m月%-d日").to_string())
}

/// Grounds text the export form offers, built from the evidence: the days
/// someone was on site, what was recorded there, and the written notes. The
/// coordinator edits it; nothing here is sent unless they submit it.
pub fn suggested_grounds(order: &Order, evidence: &[EvidenceFact]) -> String {
    let visible: Vec<&EvidenceFact> = evidence.iter().filter(|e| e.kind.is_on_site_capture()).collect();
    if visible.is_empty() {
        return format!("工单 {}（{}）：", order.number, order.address);
    }
    let mut days: Vec<(i64, String)> = visible.iter().filter_map(|e| beijing_day(e.at_ms).map(|d| (e.at_ms, d))).collect();
    days.sort();
    let mut seen = BTreeSet::new();
    let days: Vec<String> = days.into_iter().filter(|(_, d)| seen.insert(d.clone())).map(|(_, d)| d).collect();
    let count = |k: EntryKind| visible.iter().filter(|e| e.kind == k).count();
    let mut held = Vec::new();
    for (kind, unit, name) in [
        (EntryKind::Photo, "张", "照片"),
        (EntryKind::Voice, "段", "录音"),
        (EntryKind::Video, "段", "视频"),
        (EntryKind::Note, "条", "文字记录"),
    ] {
        let n = count(kind);
        if n > 0 {
            held.push(format!("{name} {n} {unit}"));
        }
    }
    let notes: Vec<&str> = visible.iter().filter_map(|e| e.text.as_deref()).map(str::trim).filter(|t| !t.is_empty()).collect();
    let mut text = format!(
        "工单 {}（{}，{}）：我社区于 {} 到现场核实，留存{}。",
        order.number,
        order.category,
        order.address,
        days.join("、"),
        held.join("、")
    );
    if !notes.is_empty() {
        text.push_str(&format!("现场记录：{}。", notes.join("；")));
    }
    text.push_str("以上证据均在现场由手机签名，拍摄时间经社区服务器锚定，附证据包可离线核验。现场情况与回访所述不符，特此申诉。");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> DisputeFields {
        DisputeFields {
            grounds: " 垃圾已清运 ".into(),
            outcome: "不计重办".into(),
            submitting_unit: "幸福里社区".into(),
            street_office: "和平街道".into(),
            coordinator_name: "张专干".into(),
            coordinator_phone: "010-6123 4567".into(),
        }
    }

    #[test]
    fn a_full_dispute_is_accepted_trimmed_with_its_outcome_typed() {
        let d = Dispute::from_fields(&fields()).unwrap();
        assert_eq!(d.grounds, "垃圾已清运");
        assert_eq!(d.outcome, Some(RequestedOutcome::NotCountedReopened));
        assert_eq!(Dispute::from_fields(&DisputeFields::default()).unwrap(), Dispute::default(), "all blank: filled in by hand");
    }

    #[test]
    fn bad_fields_are_refused_in_both_languages() {
        let refused = |f: DisputeFields| Dispute::from_fields(&f).unwrap_err().message;
        let m = refused(DisputeFields { outcome: "撤单".into(), ..fields() });
        assert!(m.contains("申请事项无效") && m.contains("不计重办") && m.contains("invalid requested outcome"), "{m}");
        let m = refused(DisputeFields { coordinator_phone: "call me".into(), ..fields() });
        assert!(m.contains("联系电话") && m.contains("phone number"), "{m}");
        let m = refused(DisputeFields { grounds: "理".repeat(MAX_GROUNDS_CHARS + 1), ..fields() });
        assert!(m.contains("申诉理由过长") && m.contains("too long"), "{m}");
        let m = refused(DisputeFields { coordinator_name: "张\n三".into(), ..fields() });
        assert!(m.contains("联系人") && m.contains("line breaks"), "{m}");
    }
}
