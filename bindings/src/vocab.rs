//! Labels the apps show, taken from the core so that a tag, a status or a
//! capture flag reads the same on the phone, the CLI and the server console.

use siteproof_core::vocab::{self, TagAxis, Vocab};

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

/// One of the four stamp axes (四色标注法): its name and stamp colour from
/// the protocol glossary, so the phone colours a tag as the console and the
/// packet name it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TagAxisText {
    /// The order field holding the axis's stamp (`tag_type`, ..., `knowledge`).
    pub field: String,
    /// zh-CN axis name (工单类型, 办理情况, 回访情况, 知识点).
    pub zh: String,
    /// English axis name.
    pub en: String,
    /// The stamp colour as CSS-style hex (`#1f5fbf`).
    pub colour_hex: String,
    /// zh-CN colour name (蓝色, ...).
    pub colour_zh: String,
    /// The axis's closed vocabulary; none for the free-text knowledge axis.
    pub terms: Option<VocabKind>,
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

/// The four stamp axes, in the seed's order.
#[uniffi::export]
pub fn tag_axes() -> Vec<TagAxisText> {
    TagAxis::ALL
        .iter()
        .map(|&axis| TagAxisText {
            field: axis.field().to_string(),
            zh: axis.zh().to_string(),
            en: axis.en().to_string(),
            colour_hex: axis.colour().hex().to_string(),
            colour_zh: axis.colour().zh().to_string(),
            terms: match axis {
                TagAxis::Type => Some(VocabKind::TagType),
                TagAxis::Handling => Some(VocabKind::TagHandling),
                TagAxis::Callback => Some(VocabKind::TagCallback),
                TagAxis::Knowledge => None,
            },
        })
        .collect()
}

/// The wording of a capture flag.
#[uniffi::export]
pub fn describe_flag(flag: String) -> FlagText {
    let (zh, en) = siteproof_core::flags::describe(&flag);
    FlagText { flag, zh: zh.into(), en: en.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apps_get_the_four_axes_with_their_seed_names_colours_and_terms() {
        let axes = tag_axes();
        let named: Vec<(&str, &str)> = axes.iter().map(|a| (a.zh.as_str(), a.colour_zh.as_str())).collect();
        assert_eq!(named, [("工单类型", "蓝色"), ("办理情况", "橘色"), ("回访情况", "红色"), ("知识点", "绿色")]);
        for a in &axes {
            let axis = TagAxis::of_field(&a.field).unwrap();
            assert_eq!(a.colour_hex, axis.colour().hex());
            assert_eq!(a.terms.map(table), axis.terms(), "{}", a.zh);
        }
    }
}
