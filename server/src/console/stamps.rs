//! The four-colour stamps (四色标注法, seed 001) as the console draws them:
//! each tag is a stamp in its axis's colour, named by its axis, both taken
//! from the protocol glossary ([`TagAxis`]) so the console cannot drift from
//! the phone and the packet. The stylesheet knows one `.stamp` rule; the
//! colour of each axis is a rule generated from the glossary and served with
//! the stylesheet ([`colour_rules`]): the console's Content-Security-Policy
//! (`style-src 'self'`) drops inline `style` attributes, so a colour carried in
//! the markup would never reach the screen.

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
        span.stamp data-axis=(axis.field()) data-colour=(axis.colour().en()) title=(name) {
            (name) "：" (text)
        }
    }
}

/// One stylesheet rule per axis giving its stamp colour, appended to the console stylesheet.
pub fn colour_rules() -> String {
    TagAxis::ALL.iter().map(|a| format!(".stamp[data-axis=\"{}\"] {{ --stamp:{}; }}\n", a.field(), a.colour().hex())).collect()
}

/// The stamp of a tag stored as a code: its label in the page's language
/// (the code itself when this build does not know it, so nothing is hidden).
pub fn term_stamp(l: Lang, axis: TagAxis, code: &str) -> Markup {
    match axis.terms() {
        Some(vocab) => stamp(l, axis, l.label(vocab, code)),
        None => stamp(l, axis, code),
    }
}
