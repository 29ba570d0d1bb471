//! Labels the apps show, taken from the core so that a tag, a status or a
//! capture flag reads the same on the phone, the CLI and the server console.

use siteproof_core::vocab::{self, Vocab};

/// Which closed vocabulary to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VocabKind {
    /// 诉求类型: inquiry, complaint, ...
    OrderKind,
    /// 工单状态.
    OrderStatus,
    /// Tag 1: 一般 / 重点 / 疑难.
    TagType,
    /// Tag 2: 已解决 / 未解决 / 部分解决 / 已解释.
    TagHandling,
    /// Tag 3: 满意 / 理解 / 不满意 / 重办.
    TagCallback,
    /// 走访目的.
    VisitPurpose,
}

/// One term: the stored code and its zh-CN and English labels.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VocabTerm {
    /// Stable code stored in orders and manifests.
    pub code: String,
    /// zh-CN label (shown first).
    pub zh: String,
    /// English label.
    pub en: String,
}

/// A capture flag in plain words for the evidence view.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FlagText {
    /// The flag code as signed in the manifest.
    pub flag: String,
    /// zh-CN wording.
    pub zh: String,
    /// English wording.
    pub en: String,
}

fn table(kind: VocabKind) -> Vocab {
    match kind {
        VocabKind::OrderKind => vocab::ORDER_KINDS,
        VocabKind::OrderStatus => vocab::ORDER_STATUSES,
        VocabKind::TagType => vocab::TAG_TYPES,
        VocabKind::TagHandling => vocab::TAG_HANDLING,
        VocabKind::TagCallback => vocab::TAG_CALLBACK,
        VocabKind::VisitPurpose => vocab::VISIT_PURPOSES,
    }
}

/// Every term of a vocabulary, in display order.
#[uniffi::export]
pub fn vocabulary(kind: VocabKind) -> Vec<VocabTerm> {
    table(kind).iter().map(|(code, zh, en)| VocabTerm { code: code.to_string(), zh: zh.to_string(), en: en.to_string() }).collect()
}

/// The wording of a capture flag.
#[uniffi::export]
pub fn describe_flag(flag: String) -> FlagText {
    let (zh, en) = siteproof_core::flags::describe(&flag);
    FlagText { flag, zh: zh.into(), en: en.into() }
}
