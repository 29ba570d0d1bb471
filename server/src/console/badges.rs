//! The verification badge of one evidence item, in words a coordinator can
//! repeat to the city: is it signed by the worker's phone, is the chain
//! whole, when did the server receive it, how sure is the capture time, and
//! what doubts the phone recorded. Green only when nothing is in doubt.

use maud::{html, Markup};

use super::evidence::Item;
use super::i18n::{fmt_bound, fmt_ms_secs, Lang};
use siteproof_protocol::flags;

/// How an item stands overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Signed, received, chain whole, no flags.
    Verified,
    /// Authentic, but with doubts worth reading (flags, gaps, unanchored time).
    Caution,
    /// Signature or receipt fails, chain broken, or the original is missing.
    Failed,
}

/// Sorts an item into a standing.
pub fn standing(i: &Item) -> Standing {
    let v = &i.verification;
    if !v.signature_ok || !v.receipt_ok || !v.anomalies.is_empty() || v.media_present == Some(false) {
        return Standing::Failed;
    }
    let has_flags = i.manifest.as_ref().is_some_and(|m| !m.flags.is_empty());
    if has_flags || !v.missing_before.is_empty() {
        Standing::Caution
    } else {
        Standing::Verified
    }
}

fn anomaly_words(l: Lang, kind: &str) -> &'static str {
    match kind {
        "fork" => l.t("同一序号出现两条不同记录（记录链分叉）", "two different entries at one position (chain fork)"),
        "broken_link" => l.t("记录链断开：前后记录对不上", "chain broken: entries do not link up"),
        _ => l.t("记录链异常", "chain anomaly"),
    }
}

/// The badge markup.
pub fn badge(l: Lang, i: &Item) -> Markup {
    let v = &i.verification;
    let s = standing(i);
    let (class, headline) = match s {
        Standing::Verified => ("ok", l.t("✔ 已核验：签名有效，记录链完整", "✔ Verified: signature valid, chain intact")),
        Standing::Caution => ("warn", l.t("⚠ 真实有效，但有需要注意的情况", "⚠ Authentic, with points to note")),
        Standing::Failed => ("bad", l.t("✘ 核验未通过", "✘ Verification failed")),
    };
    let m = i.manifest.as_ref();
    html! {
        div class=(format!("badge {class}")) data-test="badge" data-standing=(class) {
            strong { (headline) }
            ul {
                @if v.signature_ok {
                    li.ok { (l.t("签名：由登记的手机签名，内容未被改动", "Signature: signed by the enrolled phone, content unchanged")) }
                } @else {
                    li.bad { (l.t("签名：无效", "Signature: invalid")) " — " (v.signature_error.as_deref().unwrap_or("")) }
                }
                @if v.anomalies.is_empty() && v.missing_before.is_empty() {
                    li.ok { (l.t("记录链：完整", "Chain: intact")) " (#" (i.seq) ")" }
                }
                @for (kind, detail) in &v.anomalies {
                    li.bad data-flag=(kind) { (anomaly_words(l, kind)) span.muted { " — " (detail) } }
                }
                @for (from, to) in &v.missing_before {
                    li.warn data-flag="gap" {
                        (l.t("记录链：此前有记录尚未收到", "Chain: earlier entries not yet received"))
                        " (#" (from) "–" (to) ")"
                    }
                }
                @if v.receipt_ok {
                    li { (l.t("服务器收到时间：", "Received by server: ")) (fmt_ms_secs(v.received_at_ms)) span.muted { " (" (l.t("回执", "receipt")) " #" (v.log_index) ")" } }
                } @else {
                    li.bad { (l.t("服务器回执：无法核验", "Server receipt: does not verify")) }
                }
                @if let Some(m) = m {
                    @match &m.anchored {
                        Some(a) => li {
                            (l.t("拍摄时间（经服务器校准）：", "Capture time (anchored to server): "))
                            (fmt_ms_secs(a.utc_ms)) " " (fmt_bound(l, a.bound_ms))
                        },
                        None => li.warn {
                            (l.t("拍摄时间（仅手机时钟，未经校准）：", "Capture time (phone clock only, not anchored): "))
                            (fmt_ms_secs(m.capture.device_time_ms))
                        },
                    }
                    @for f in &m.flags {
                        @let (zh, en) = flags::describe(f);
                        li.warn data-flag=(f) { (l.t(zh, en)) }
                    }
                }
                @if v.media_present == Some(false) {
                    li.bad { (l.t("原始文件缺失或大小不符", "Original file missing or wrong size")) }
                }
            }
        }
    }
}
