//! The page shell every console page shares: header with navigation, the
//! language switch and logout, and the stylesheet served from the binary
//! (nothing is loaded from outside the server).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use super::session::ConsoleUser;

/// The console stylesheet, compiled in.
pub const CSS: &str = include_str!("console.css");

/// `GET /console/static/console.css`: the compiled-in rules, then the stamp colours from the glossary.
pub async fn stylesheet() -> Response {
    let css = format!("{CSS}\n/* Stamp colours, from the glossary (protocol::vocab::TagAxis). */\n{}", super::stamps::colour_rules());
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], css).into_response()
}

/// The `<head>` every console page shares: one stylesheet and a viewport for tablets.
pub fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            link rel="stylesheet" href="/console/static/console.css";
        }
    }
}

/// Wraps page content in the shell. `here` is the current path and query, for the language switch.
pub fn page(u: &ConsoleUser, title: &str, here: &str, content: Markup) -> Markup {
    let l = u.lang;
    let other = if l == super::i18n::Lang::Zh { "en" } else { "zh" };
    let sep = if here.contains('?') { '&' } else { '?' };
    let switch = format!("{here}{sep}lang={other}");
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            (head(&format!("{title} · {}", l.t("社区证据工作台", "Siteproof console"))))
            body {
                header.top {
                    span.brand { (l.t("社区证据工作台", "Siteproof console")) }
                    nav {
                        a href="/console/orders" { (l.t("工单", "Orders")) }
                        a href="/console/followups" { (l.t("跟进观察", "Follow-ups")) }
                        a href="/console/audit" { (l.t("审计日志", "Audit log")) }
                        a href="/console/enroll" { (l.t("设备注册", "Enroll device")) }
                    }
                    div.right {
                        span.muted { (u.principal.username) }
                        a href=(switch) data-test="lang-switch" { (l.t("English", "中文")) }
                        form.inline method="post" action="/console/logout" {
                            input type="hidden" name="csrf" value=(u.csrf);
                            button.plain type="submit" { (l.t("退出", "Log out")) }
                        }
                    }
                }
                main { (content) }
            }
        }
    }
}

/// An HTML response that must not be cached (pages show evidence and personal data).
pub fn html_response(m: Markup) -> Response {
    ([(header::CACHE_CONTROL, "no-store"), (header::CONTENT_TYPE, "text/html; charset=utf-8")], m.into_string()).into_response()
}
