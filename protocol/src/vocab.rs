//! The closed vocabularies of 12345 work: order kinds, statuses, the four
//! tags and visit purposes. Stored as stable English codes; each has its
//! zh-CN label for display, and the Chinese label is accepted as input too,
//! because that is how coordinators and the city platform write them. The
//! phone, the server and the packet report share these lists through the
//! protocol crate, so a term means the same on every side.

use crate::error::{Error, Result};

/// A vocabulary: (code, zh-CN label, English label).
pub type Vocab = &'static [(&'static str, &'static str, &'static str)];

/// Work order kinds (诉求类型).
pub const ORDER_KINDS: Vocab = &[
    ("inquiry", "咨询", "inquiry"),
    ("complaint", "投诉", "complaint"),
    ("help", "求助", "request for help"),
    ("report", "举报", "report"),
    ("suggestion", "建议", "suggestion"),
];

/// Order handling status on the device and server.
pub const ORDER_STATUSES: Vocab = &[
    ("new", "待处理", "new"),
    ("in_progress", "处理中", "in progress"),
    ("answered", "已答复", "answered"),
    ("reopened", "重办", "reopened"),
    ("returned", "已退单", "returned"),
    ("closed", "已办结", "closed"),
];

/// Tag 1: order type (一般 / 重点 / 疑难).
pub const TAG_TYPES: Vocab = &[("ordinary", "一般", "ordinary"), ("key", "重点", "key"), ("difficult", "疑难", "difficult")];

/// Tag 2: handling result.
pub const TAG_HANDLING: Vocab = &[
    ("resolved", "已解决", "resolved"),
    ("unresolved", "未解决", "unresolved"),
    ("partly_resolved", "部分解决", "partly resolved"),
    ("explained", "已解释", "explained"),
];

/// Tag 3: the city's callback result.
pub const TAG_CALLBACK: Vocab = &[
    ("satisfied", "满意", "satisfied"),
    ("understands", "理解", "understands"),
    ("dissatisfied", "不满意", "dissatisfied"),
    ("reopened", "重办", "reopened"),
];

/// Site visit purposes.
pub const VISIT_PURPOSES: Vocab = &[
    ("initial_verification", "现场核实", "initial verification"),
    ("remediation", "整改", "remediation"),
    ("follow_up", "跟进观察", "follow-up observation"),
    ("jurisdiction", "权属取证", "jurisdiction evidence"),
];

/// Normalizes a code or a Chinese label to the code, or explains the choices.
pub fn normalize(vocab: Vocab, what: &str, input: &str) -> Result<String> {
    let t = input.trim();
    vocab.iter().find(|(code, zh, _)| *code == t || *zh == t).map(|(code, _, _)| code.to_string()).ok_or_else(|| {
        let choices: Vec<String> = vocab.iter().map(|(c, zh, _)| format!("{zh} ({c})")).collect();
        Error::invalid(
            format!("无效的{what}；可选：{}", choices.join(", ")),
            format!("invalid {what} {t:?}; choose: {}", choices.join(", ")),
        )
    })
}

/// The zh-CN label of a code, or the code itself if unknown.
pub fn zh_label(vocab: Vocab, code: &str) -> &str {
    vocab.iter().find(|(c, _, _)| *c == code).map(|(_, zh, _)| *zh).unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_codes_and_chinese_labels() {
        assert_eq!(normalize(ORDER_KINDS, "kind", "投诉").unwrap(), "complaint");
        assert_eq!(normalize(TAG_CALLBACK, "callback", "reopened").unwrap(), "reopened");
        let e = normalize(TAG_TYPES, "order type", "urgent").unwrap_err().to_string();
        assert!(e.contains("一般 (ordinary)"), "{e}");
    }
}
