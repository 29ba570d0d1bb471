//! The closed vocabularies of 12345 work: order kinds, statuses, the four
//! tags and visit purposes. Stored as stable English codes; each has its
//! zh-CN label for display, and the Chinese label is accepted as input too,
//! because that is how coordinators and the city platform write them. The
//! phone, the server and the packet report share these lists through the
//! protocol crate, so a term means the same on every side.
//!
//! Each vocabulary is declared once, by [`vocabulary!`]: the declaration
//! makes both the typed enum (serde, `as_str`, `FromStr`, SQL text) and the
//! `(code, zh, en)` table the apps and the console list, so the two cannot
//! drift apart.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// A vocabulary: (code, zh-CN label, English label).
pub type Vocab = &'static [(&'static str, &'static str, &'static str)];

/// Declares a vocabulary once: the enum, its table and its conversions.
/// `what` names the vocabulary in errors ("zh en").
/// What every declared vocabulary can do, so [`Term`] works over any of them.
pub trait Vocabulary: Sized + Copy {
    /// The stable code, as stored and sent.
    fn code(&self) -> &'static str;
    /// Reads a code or a zh-CN label.
    fn parse_term(input: &str) -> Result<Self>;
}

/// A vocabulary value read from a peer: one this build knows, or a code a
/// newer peer added, kept exactly as sent. A phone one release behind the
/// server must still pull, show and keep an order whose status the server
/// added later (a 12345 platform adds states; the worker cannot update on site).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term<T> {
    /// A term of this build's vocabulary.
    Known(T),
    /// A code this build does not know.
    Unknown(String),
}

impl<T: Vocabulary> Term<T> {
    /// The code as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Term::Known(t) => t.code(),
            Term::Unknown(s) => s,
        }
    }

    /// Reads a code (or zh-CN label) a peer or the store holds: a known term,
    /// or the code kept as given.
    pub fn from_code(code: &str) -> Term<T> {
        T::parse_term(code).map(Term::Known).unwrap_or_else(|_| Term::Unknown(code.to_string()))
    }

    /// The known term, if it is one.
    pub fn known(&self) -> Option<T> {
        match self {
            Term::Known(t) => Some(*t),
            Term::Unknown(_) => None,
        }
    }
}

impl<T> From<T> for Term<T> {
    fn from(t: T) -> Self {
        Term::Known(t)
    }
}

impl<T: Vocabulary> PartialEq<T> for Term<T>
where
    T: PartialEq,
{
    fn eq(&self, other: &T) -> bool {
        self.known().is_some_and(|t| t == *other)
    }
}

impl<T: Vocabulary> Serialize for Term<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de, T: Vocabulary> Deserialize<'de> for Term<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(T::parse_term(&s).map(Term::Known).unwrap_or(Term::Unknown(s)))
    }
}

/// A term read back from storage: the same reading as from the wire, so a
/// status a newer server sent and the device stored is read back as sent.
#[cfg(feature = "rusqlite")]
impl<T: Vocabulary> rusqlite::types::ToSql for Term<T> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
    }
}

#[cfg(feature = "rusqlite")]
impl<T: Vocabulary> rusqlite::types::FromSql for Term<T> {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let s = v.as_str()?;
        Ok(Term::from_code(s))
    }
}

macro_rules! vocabulary {
    ($(#[doc = $doc:literal])* $name:ident, $table:ident, $what:literal {
        $($(#[doc = $vdoc:literal])* $variant:ident = ($code:literal, $zh:literal, $en:literal),)*
    }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[doc = $vdoc])* $variant,)*
        }

        #[doc = concat!("The terms of [`", stringify!($name), "`]: (code, zh-CN label, English label), in display order.")]
        pub const $table: Vocab = &[$(($code, $zh, $en),)*];

        impl $name {
            /// Every term, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable code (snake_case), as stored and sent.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// The zh-CN label.
            pub fn zh(self) -> &'static str {
                match self {
                    $($name::$variant => $zh,)*
                }
            }

            /// The English label.
            pub fn en(self) -> &'static str {
                match self {
                    $($name::$variant => $en,)*
                }
            }

            /// Reads a code or a zh-CN label (surrounding spaces ignored).
            pub fn parse(input: &str) -> Result<$name> {
                let t = input.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == t || v.zh() == t).ok_or_else(|| unknown_term($table, $what, t))
            }
        }

        impl Vocabulary for $name {
            fn code(&self) -> &'static str {
                self.as_str()
            }
            fn parse_term(input: &str) -> Result<$name> {
                $name::parse(input)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<$name> {
                $name::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "rusqlite")]
        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        #[cfg(feature = "rusqlite")]
        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                $name::parse(v.as_str()?).map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

vocabulary! {
    /// Work order kinds (诉求类型).
    OrderKind, ORDER_KINDS, "诉求类型 order kind" {
        /// 咨询.
        Inquiry = ("inquiry", "咨询", "inquiry"),
        /// 投诉.
        Complaint = ("complaint", "投诉", "complaint"),
        /// 求助.
        Help = ("help", "求助", "request for help"),
        /// 举报.
        Report = ("report", "举报", "report"),
        /// 建议.
        Suggestion = ("suggestion", "建议", "suggestion"),
    }
}

vocabulary! {
    /// Order handling status on the device and server.
    OrderStatus, ORDER_STATUSES, "状态 status" {
        /// 待处理.
        New = ("new", "待处理", "new"),
        /// 处理中.
        InProgress = ("in_progress", "处理中", "in progress"),
        /// 已答复.
        Answered = ("answered", "已答复", "answered"),
        /// 重办.
        Reopened = ("reopened", "重办", "reopened"),
        /// 已退单.
        Returned = ("returned", "已退单", "returned"),
        /// 已办结.
        Closed = ("closed", "已办结", "closed"),
    }
}

impl OrderStatus {
    /// Statuses after which a deadline no longer matters.
    pub const FINISHED: [OrderStatus; 3] = [OrderStatus::Answered, OrderStatus::Closed, OrderStatus::Returned];
}

vocabulary! {
    /// Tag 1: order type (一般 / 重点 / 疑难).
    TagType, TAG_TYPES, "工单类型 order type" {
        /// 一般.
        Ordinary = ("ordinary", "一般", "ordinary"),
        /// 重点.
        Key = ("key", "重点", "key"),
        /// 疑难.
        Difficult = ("difficult", "疑难", "difficult"),
    }
}

vocabulary! {
    /// Tag 2: handling result (诉求办理情况).
    TagHandling, TAG_HANDLING, "办理情况 handling" {
        /// 已解决.
        Resolved = ("resolved", "已解决", "resolved"),
        /// 未解决.
        Unresolved = ("unresolved", "未解决", "unresolved"),
        /// 部分解决.
        PartlyResolved = ("partly_resolved", "部分解决", "partly resolved"),
        /// 已解释.
        Explained = ("explained", "已解释", "explained"),
    }
}

vocabulary! {
    /// Tag 3: the city's callback result (回访情况).
    TagCallback, TAG_CALLBACK, "回访情况 callback" {
        /// 满意.
        Satisfied = ("satisfied", "满意", "satisfied"),
        /// 理解.
        Understands = ("understands", "理解", "understands"),
        /// 不满意.
        Dissatisfied = ("dissatisfied", "不满意", "dissatisfied"),
        /// 重办.
        Reopened = ("reopened", "重办", "reopened"),
    }
}

/// The colour of one stamp of the 四色标注法 (seed 001): a hotline handler
/// marks each order with four stamps, and a colour always means the same
/// axis, so a page, the phone and the packet must not pick their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StampColour {
    /// 蓝色.
    Blue,
    /// 橘色.
    Orange,
    /// 红色.
    Red,
    /// 绿色.
    Green,
}

impl StampColour {
    /// The shade as CSS hex: dark enough that the stamp's text keeps a
    /// contrast of at least 4.5:1 on white (WCAG AA), since stamps are read,
    /// not only seen.
    pub fn hex(self) -> &'static str {
        match self {
            StampColour::Blue => "#1f5fbf",
            StampColour::Orange => "#a85400",
            StampColour::Red => "#c62828",
            StampColour::Green => "#2e7d32",
        }
    }

    /// The zh-CN colour name.
    pub fn zh(self) -> &'static str {
        match self {
            StampColour::Blue => "蓝色",
            StampColour::Orange => "橘色",
            StampColour::Red => "红色",
            StampColour::Green => "绿色",
        }
    }

    /// The English colour name.
    pub fn en(self) -> &'static str {
        match self {
            StampColour::Blue => "blue",
            StampColour::Orange => "orange",
            StampColour::Red => "red",
            StampColour::Green => "green",
        }
    }
}

/// The four tag axes of the 四色标注法, as seed 001 names and colours them:
/// the one glossary the console, the packet and the apps take an axis's
/// name and colour from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagAxis {
    /// 工单类型 (blue): [`TagType`].
    Type,
    /// 办理情况 (orange): [`TagHandling`].
    Handling,
    /// 回访情况 (red): [`TagCallback`].
    Callback,
    /// 知识点 (green): the free-text knowledge to learn from the order.
    Knowledge,
}

impl TagAxis {
    /// The four axes, in the seed's order.
    pub const ALL: [TagAxis; 4] = [TagAxis::Type, TagAxis::Handling, TagAxis::Callback, TagAxis::Knowledge];

    /// The order field that holds the axis's stamp.
    pub fn field(self) -> &'static str {
        match self {
            TagAxis::Type => "tag_type",
            TagAxis::Handling => "tag_handling",
            TagAxis::Callback => "tag_callback",
            TagAxis::Knowledge => "knowledge",
        }
    }

    /// The axis of an order field, if the field is one.
    pub fn of_field(field: &str) -> Option<TagAxis> {
        TagAxis::ALL.into_iter().find(|a| a.field() == field)
    }

    /// The zh-CN axis name.
    pub fn zh(self) -> &'static str {
        match self {
            TagAxis::Type => "工单类型",
            TagAxis::Handling => "办理情况",
            TagAxis::Callback => "回访情况",
            TagAxis::Knowledge => "知识点",
        }
    }

    /// The English axis name.
    pub fn en(self) -> &'static str {
        match self {
            TagAxis::Type => "order type",
            TagAxis::Handling => "handling",
            TagAxis::Callback => "callback",
            TagAxis::Knowledge => "knowledge",
        }
    }

    /// The stamp colour.
    pub fn colour(self) -> StampColour {
        match self {
            TagAxis::Type => StampColour::Blue,
            TagAxis::Handling => StampColour::Orange,
            TagAxis::Callback => StampColour::Red,
            TagAxis::Knowledge => StampColour::Green,
        }
    }

    /// The closed vocabulary of the axis; the knowledge axis is free text.
    pub fn terms(self) -> Option<Vocab> {
        match self {
            TagAxis::Type => Some(TAG_TYPES),
            TagAxis::Handling => Some(TAG_HANDLING),
            TagAxis::Callback => Some(TAG_CALLBACK),
            TagAxis::Knowledge => None,
        }
    }

    /// "zh en", as errors name the axis.
    pub fn what(self) -> String {
        format!("{} {}", self.zh(), self.en())
    }
}

vocabulary! {
    /// Site visit purposes.
    VisitPurpose, VISIT_PURPOSES, "走访目的 visit purpose" {
        /// 现场核实.
        InitialVerification = ("initial_verification", "现场核实", "initial verification"),
        /// 整改.
        Remediation = ("remediation", "整改", "remediation"),
        /// 跟进观察.
        FollowUp = ("follow_up", "跟进观察", "follow-up observation"),
        /// 权属取证.
        Jurisdiction = ("jurisdiction", "权属取证", "jurisdiction evidence"),
    }
}

vocabulary! {
    /// What a derivative of a photo is for: the small picture in lists, the larger one on screens and in packets.
    /// Sent as tus upload metadata and stored on both sides.
    DerivativeRole, DERIVATIVE_ROLES, "派生图用途 derivative role" {
        /// 缩略图: the list picture.
        Thumbnail = ("thumbnail", "缩略图", "thumbnail"),
        /// 预览图: the screen-size picture.
        Preview = ("preview", "预览图", "preview"),
    }
}

vocabulary! {
    /// What a dispute (申诉) asks the city to do about an order (申请事项).
    RequestedOutcome, REQUESTED_OUTCOMES, "申请事项 requested outcome" {
        /// 不计重办: the reopening is not counted against the office.
        NotCountedReopened = ("not_counted_reopened", "不计重办", "do not count the reopening"),
        /// 退回派单: the order goes back to the dispatcher (outside jurisdiction or duties).
        ReturnDispatch = ("return_dispatch", "退回派单", "return the order to the dispatcher"),
        /// 核减考核: the order is taken out of the office's assessment.
        AssessmentReduced = ("assessment_reduced", "核减考核", "remove the order from the assessment"),
        /// 更正回访结果: the callback result is corrected.
        CallbackCorrected = ("callback_corrected", "更正回访结果", "correct the callback result"),
    }
}

/// The bilingual refusal of a term not in `vocab`, listing the choices.
fn unknown_term(vocab: Vocab, what: &str, t: &str) -> Error {
    let choices: Vec<String> = vocab.iter().map(|(c, zh, _)| format!("{zh} ({c})")).collect();
    Error::invalid(format!("无效的{what}；可选：{}", choices.join(", ")), format!("invalid {what} {t:?}; choose: {}", choices.join(", ")))
}

/// Normalizes a code or a Chinese label to the code, or explains the choices.
pub fn normalize(vocab: Vocab, what: &str, input: &str) -> Result<String> {
    let t = input.trim();
    vocab
        .iter()
        .find(|(code, zh, _)| *code == t || *zh == t)
        .map(|(code, _, _)| code.to_string())
        .ok_or_else(|| unknown_term(vocab, what, t))
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

    #[test]
    fn the_enums_read_codes_and_labels_and_write_codes() {
        assert_eq!("投诉".parse::<OrderKind>().unwrap(), OrderKind::Complaint);
        assert_eq!(" in_progress ".parse::<OrderStatus>().unwrap(), OrderStatus::InProgress);
        assert_eq!(serde_json::to_string(&OrderStatus::InProgress).unwrap(), "\"in_progress\"");
        assert_eq!(serde_json::from_str::<OrderStatus>("\"重办\"").unwrap(), OrderStatus::Reopened);
        assert_eq!(OrderStatus::Closed.zh(), "已办结");
    }

    #[test]
    fn an_unknown_term_is_refused_in_both_languages() {
        let e = "催办".parse::<OrderKind>().unwrap_err().to_string();
        assert!(e.contains("无效的诉求类型") && e.contains("invalid 诉求类型 order kind"), "{e}");
        assert!(e.contains("投诉 (complaint)"), "{e}");
        let e = serde_json::from_str::<OrderStatus>("\"done\"").unwrap_err().to_string();
        assert!(e.contains("已办结 (closed)"), "{e}");
    }

    #[test]
    fn each_table_is_its_enum() {
        fn same<T: Copy + PartialEq + fmt::Debug + FromStr>(
            all: &[T],
            table: Vocab,
            code: fn(T) -> &'static str,
            zh: fn(T) -> &'static str,
        ) {
            assert_eq!(all.len(), table.len());
            for (v, (c, z, _)) in all.iter().zip(table) {
                assert_eq!((code(*v), zh(*v)), (*c, *z));
                assert!(c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'), "{c} is not snake_case");
            }
        }
        same(OrderKind::ALL, ORDER_KINDS, OrderKind::as_str, OrderKind::zh);
        same(OrderStatus::ALL, ORDER_STATUSES, OrderStatus::as_str, OrderStatus::zh);
        same(TagType::ALL, TAG_TYPES, TagType::as_str, TagType::zh);
        same(TagHandling::ALL, TAG_HANDLING, TagHandling::as_str, TagHandling::zh);
        same(TagCallback::ALL, TAG_CALLBACK, TagCallback::as_str, TagCallback::zh);
        same(VisitPurpose::ALL, VISIT_PURPOSES, VisitPurpose::as_str, VisitPurpose::zh);
        same(RequestedOutcome::ALL, REQUESTED_OUTCOMES, RequestedOutcome::as_str, RequestedOutcome::zh);
    }

    #[test]
    fn the_four_stamp_axes_are_named_and_coloured_as_seed_001_says() {
        let seed: Vec<(&str, StampColour, &str, &str)> = vec![
            ("工单类型", StampColour::Blue, "蓝色", "tag_type"),
            ("办理情况", StampColour::Orange, "橘色", "tag_handling"),
            ("回访情况", StampColour::Red, "红色", "tag_callback"),
            ("知识点", StampColour::Green, "绿色", "knowledge"),
        ];
        let glossary: Vec<_> = TagAxis::ALL.iter().map(|a| (a.zh(), a.colour(), a.colour().zh(), a.field())).collect();
        assert_eq!(glossary, seed);
        let hexes: Vec<&str> = TagAxis::ALL.iter().map(|a| a.colour().hex()).collect();
        assert_eq!(hexes, ["#1f5fbf", "#a85400", "#c62828", "#2e7d32"]);
        for a in TagAxis::ALL {
            assert_eq!(TagAxis::of_field(a.field()), Some(a));
        }
    }

    #[test]
    fn each_stamp_colour_is_readable_as_text_on_white() {
        fn luminance(hex: &str) -> f64 {
            let channel = |i: usize| {
                let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
        }
        for a in TagAxis::ALL {
            let contrast = 1.05 / (luminance(a.colour().hex()) + 0.05);
            assert!(contrast >= 4.5, "{} {} has contrast {contrast:.2}", a.zh(), a.colour().hex());
        }
    }

    #[test]
    fn a_tag_vocabulary_names_its_axis_in_errors() {
        let refusals = [
            (TagAxis::Type, "urgent".parse::<TagType>().unwrap_err().to_string()),
            (TagAxis::Handling, "urgent".parse::<TagHandling>().unwrap_err().to_string()),
            (TagAxis::Callback, "urgent".parse::<TagCallback>().unwrap_err().to_string()),
        ];
        for (axis, e) in refusals {
            assert!(e.contains(&format!("无效的{}", axis.zh())) && e.contains(&axis.what()), "{e}");
        }
    }
}
