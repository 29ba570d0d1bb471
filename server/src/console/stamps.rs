//! The four-colour stamps (四色标注法, seed 001) as the console draws them:
//! each tag is a stamp in its axis's colour, named by its axis, both taken
//! from the protocol glossary ([`TagAxis`]) so the console cannot drift from
//! the phone and the packet. The stylesheet knows one `.stamp` rule; the
//! colour arrives as the `--stamp` custom property from the glossary.

use maud::{html, Markup};
use siteproof_protocol::vocab::TagAxis;

use super::i18n::Lang;

/// The axis's name in the page's language.
pub fn axis_name(l: Lang, axis: TagAxis) -> &'static str {
    match l {
        Lang::Zh => axis.zh(),
        Lang::En => axis.en(),
    }
}

/// A stamp reading "axis：text" in the axis's colour.
pub fn stamp(l: Lang, axis: TagAxis, text: &str) -> Markup {
    let name = axis_name(l, axis);
    html! {
        span.stamp data-axis=(axis.field()) data-colour=(axis.colour().en()) style=(format!("--stamp:{}", axis.colour().hex())) title=(name) {
            (name) "：" (text)
        }
    }
}

/// The stamp of a tag stored as a code: its label in the page's language
/// (the code itself when this build does not know it, so nothing is hidden).
pub fn term_stamp(l: Lang, axis: TagAxis, code: &str) -> Markup {
    match axis.terms() {
        Some(vocab) => stamp(l, axis, l.label(vocab, code)),
        None => stamp(l, axis, code),
    }
}
