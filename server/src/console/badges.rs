//! The verification badge of one evidence item, in words a coordinator can
//! repeat to the city: what is proven (who signed it, unaltered since, when
//! the server received it, the anchored capture time), what is doubtful
//! (each flag in plain words) and what cannot be checked. The words come
//! from the item's trust statement (`domain::trust`); this file only sets
//! them. Green only when nothing is in doubt.

use maud::{html, Markup};

use super::evidence::Item;
use super::i18n::Lang;
use crate::domain::trust::Line;

fn lines(l: Lang, class: &str, title: (&str, &str), ls: &[Line]) -> Markup {
    html! {
        @if !ls.is_empty() {
            li class=(format!("group {class}")) { (l.t(title.0, title.1)) }
            @for x in ls {
                li class=(class) data-flag=(x.code) { (l.t(&x.zh, &x.en)) }
            }
        }
    }
}

/// The badge markup.
pub fn badge(l: Lang, i: &Item) -> Markup {
    let t = &i.trust;
    let (zh, en) = t.standing.headline();
    html! {
        div class=(format!("badge {}", t.standing.code())) data-test="badge" data-standing=(t.standing.code()) {
            strong { (l.t(zh, en)) }
            ul {
                (lines(l, "bad", ("核验失败：", "Failed:"), &t.failed))
                (lines(l, "warn", ("存疑：", "In doubt:"), &t.doubtful))
                (lines(l, "ok", ("已证实：", "Proven:"), &t.proven))
                (lines(l, "muted", ("无法核实：", "Cannot be checked:"), &t.cannot_check))
            }
        }
    }
}
