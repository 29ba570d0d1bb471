//! Exporting an order's dispute packet from the console: the order page's
//! Exporting an order's dispute packet from the console: the order page's
//! checkboxes choose the items, the coordinator writes the dispute (grounds
//! prefilled with a suggestion built from the evidence, the requested
//! outcome, the submitting unit and their contact), the form posts here, and
//! the ZIP built by `packet::export_order_packet` (which also writes the
//! audit row) comes back as a download. Choosing an item that is not proven
//! (doubtful or failed, by its trust statement) first answers with a page
//! that lists those items and why, and exports only once that page is
//! confirmed (`confirm_doubtful=1`): the console needs no script for it.

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};

use super::errors::ConsoleResult;
use super::evidence::{self, Item};
use super::form::{CheckedPost, Form};
use super::i18n::{fmt_ms_secs, Lang};
use super::layout::{html_response, page};
use super::path_segment;
use super::session::ConsoleUser;
use crate::domain::orders::{self, Order};
use crate::error::ApiError;
use crate::packet::dispute::{suggested_grounds, Dispute, DisputeFields, EvidenceFact, MAX_GROUNDS_CHARS, MAX_SHORT_CHARS};
use crate::packet::{export_order_packet, file_name_for};
use crate::repo::packet_exports::PacketExport;
use crate::state::AppState;
use crate::web::zip_download::{zip_response, DownloadDir, ZipDownload};
use siteproof_protocol::packet::ThirdPartyTime;
use siteproof_protocol::text::prefix;
use siteproof_protocol::vocab::REQUESTED_OUTCOMES;
use siteproof_protocol::wire::error_code::ErrorCode;

/// The evidence as the grounds suggestion counts it.
fn facts_of(items: &[Item]) -> Vec<EvidenceFact> {
    items
        .iter()
        .filter_map(|i| {
            let m = i.manifest.as_ref()?;
            Some(EvidenceFact { at_ms: i.captured_at_ms()?, kind: m.kind, text: m.text.clone() })
        })
        .collect()
}

/// What the order's last export got for third-party time, so the coordinator knows before sending the packet
/// whether it carries a TSA token, and if not, why (the server has none configured, or it was down and why).
fn last_export_note(l: Lang, last: Option<&PacketExport>) -> Markup {
    let Some(last) = last else {
        return html! { p.muted data-test="last-export" data-tsa="none" { (l.t("本工单尚未导出过证据包。", "No packet has been exported for this order yet.")) } };
    };
    let at = fmt_ms_secs(last.at_ms);
    let (state, zh, en) = match &last.third_party_time {
        ThirdPartyTime::Stamped { tsa_url } => (
            "stamped",
            format!("已取得可信时间戳（{tsa_url}）：证据包含第三方时间，收件方可自行核验。"),
            format!("trusted timestamp obtained from {tsa_url}: the packet carries third-party time the recipient can check."),
        ),
        ThirdPartyTime::NotConfigured => (
            "not_configured",
            "服务器未配置可信时间戳服务：证据包不含第三方时间，时间只有本服务器的签名为证。".to_string(),
            "the server has no time-stamping authority configured: the packet has no third-party time; its times rest on this server's signature only."
                .to_string(),
        ),
        ThirdPartyTime::Unavailable { tsa_url, reason } => (
            "unavailable",
            format!("时间戳服务（{tsa_url}）不可用，证据包不含第三方时间；可稍后重新导出。原因：{reason}"),
            format!("the time-stamping authority ({tsa_url}) was unavailable, so the packet has no third-party time; export again later. Why: {reason}"),
        ),
    };
    let class = if state == "stamped" { "muted" } else { "warn" };
    html! {
        p class=(class) data-test="last-export" data-tsa=(state) {
            (l.t("上次导出", "Last export")) " " (at) "：" (l.t(&zh, &en))
            " " span.muted { "SHA-256 " (prefix(&last.sha256, 16)) "…" }
        }
    }
}

/// The export form; item checkboxes elsewhere on the page join it by `form="export-form"`.
pub fn form(u: &ConsoleUser, o: &Order, items: &[Item], last: Option<&PacketExport>) -> Markup {
    let l = u.lang;
    let short = MAX_SHORT_CHARS.to_string();
    html! {
        form #export-form method="post" action=(format!("/console/orders/{}/packet", path_segment(&o.number))) {
            input type="hidden" name="csrf" value=(u.csrf);
            fieldset data-test="dispute-fields" {
                legend { (l.t("申诉书（证据包首页）", "Dispute letter (the packet's first page)")) }
                p {
                    label for="grounds" { (l.t("申诉理由（已按证据生成建议，请核对修改）", "Grounds (suggested from the evidence: check and edit)")) }
                    br;
                    textarea #grounds name="grounds" rows="6" cols="80" maxlength=(MAX_GROUNDS_CHARS) { (suggested_grounds(o, &facts_of(items))) }
                }
                p {
                    label for="outcome" { (l.t("申请事项", "Requested outcome")) } " "
                    select #outcome name="outcome" {
                        option value="" { (l.t("— 打印后手写勾选 —", "— tick by hand on paper —")) }
                        @for (code, _, _) in REQUESTED_OUTCOMES { option value=(code) { (l.label(REQUESTED_OUTCOMES, code)) } }
                    }
                }
                p {
                    label for="submitting_unit" { (l.t("申诉单位", "Submitting unit")) } " "
                    input #submitting_unit name="submitting_unit" value=(o.community) maxlength=(short);
                    " " label for="street_office" { (l.t("所属街道", "Street office")) } " "
                    input #street_office name="street_office" maxlength=(short);
                }
                p {
                    label for="coordinator_name" { (l.t("联系人", "Coordinator")) } " "
                    input #coordinator_name name="coordinator_name" value=(u.principal.username) maxlength=(short);
                    " " label for="coordinator_phone" { (l.t("联系电话", "Phone")) } " "
                    input #coordinator_phone name="coordinator_phone" type="tel" maxlength=(short);
                }
                p.muted { (l.t("留空的栏目在申诉书上印成横线，可打印后手写。", "Fields left empty are printed as lines to fill in by hand.")) }
            }
            p {
                button type="submit" data-test="export-button" { (l.t("导出争议证据包（ZIP，含中文 PDF）", "Export dispute packet (ZIP with a Chinese PDF)")) }
                " " span.muted { (l.t("只导出下方勾选的证据", "only the evidence ticked below")) }
            }
            (last_export_note(l, last))
        }
    }
}

/// The form field that confirms exporting items that are not proven.
pub const CONFIRM_FIELD: &str = "confirm_doubtful";

/// The posted fields again as hidden inputs (all but the CSRF token, the confirmation and the items `drop` names).
fn carried(f: &Form, drop: &[&str]) -> Markup {
    html! {
        @for (k, v) in &f.0 {
            @if k != "csrf" && k != CONFIRM_FIELD && !(k == "item" && drop.contains(&v.as_str())) {
                input type="hidden" name=(k) value=(v);
            }
        }
    }
}

fn kind_word(l: super::i18n::Lang, kind: &str) -> &str {
    match kind {
        "photo" => l.t("照片", "Photo"),
        "voice" => l.t("录音", "Voice note"),
        "video" => l.t("视频", "Video clip"),
        "received" => l.t("收到的材料", "Received file"),
        "note" => l.t("现场记录", "On-site note"),
        other => other,
    }
}

/// The confirmation step: the chosen items that are not proven, each with why, and two ways on.
fn confirm_page(u: &ConsoleUser, number: &str, f: &Form, unproven: &[Item]) -> Markup {
    let l = u.lang;
    let action = format!("/console/orders/{}/packet", path_segment(number));
    let unproven_ids: Vec<&str> = unproven.iter().map(|i| i.item_id.as_str()).collect();
    let proven_left = f.all("item").iter().filter(|id| !unproven_ids.contains(&id.as_str())).count();
    html! {
        h1 { (l.t("确认导出存疑证据", "Confirm exporting doubtful evidence")) }
        p {
            (l.t(
                "下列勾选的证据存疑或未能证实。仍然导出时，证据包报告会把每一项标为「存疑」或「核验失败」并写明原因。",
                "The ticked items below are doubtful or not proven. If you export them anyway, the packet's report marks each one 存疑 (doubtful) or 核验失败 (check failed) and says why.",
            ))
        }
        ul data-test="doubtful-list" {
            @for i in unproven {
                @let (wz, we) = i.trust.standing.word();
                li data-item=(i.item_id) data-standing=(i.trust.standing.code()) {
                    strong.warn { (l.t(wz, we)) } " · "
                    (kind_word(l, &i.kind)) " · " span.muted { (i.device_label) }
                    @if let Some(t) = i.captured_at_ms() { " · " (fmt_ms_secs(t)) }
                    br;
                    (l.t(&i.trust.reasons_zh(), &i.trust.reasons_en()))
                }
            }
        }
        form method="post" action=(action) data-test="confirm-form" {
            input type="hidden" name="csrf" value=(u.csrf);
            input type="hidden" name=(CONFIRM_FIELD) value="1";
            (carried(f, &[]))
            button type="submit" data-test="confirm-export" { (l.t("仍然导出（报告中标为存疑）", "Export anyway (marked doubtful in the report)")) }
        }
        @if proven_left > 0 {
            form method="post" action=(action) data-test="proven-only-form" {
                input type="hidden" name="csrf" value=(u.csrf);
                (carried(f, &unproven_ids))
                button.plain type="submit" data-test="export-proven-only" { (l.t("只导出已证实的证据", "Export only the proven items")) }
            }
        }
        p { a href=(format!("/console/orders/{}", path_segment(number))) { (l.t("« 返回工单，重新勾选", "« Back to the order to choose again")) } }
    }
}

/// `POST /console/orders/{number}/packet` - the ZIP as a download, or first the confirmation step.
pub async fn export(
    State(st): State<AppState>,
    Path(number): Path<String>,
    CheckedPost { user: u, form: f }: CheckedPost,
) -> ConsoleResult<Response> {
    let (wanted, comms) = (number.clone(), u.principal.communities.clone());
    let community_id = st.db.call(move |c| Ok(orders::get_visible(c, &wanted, &comms)?.community_id)).await?;
    let items = f.all("item");
    if items.is_empty() {
        return Err(ApiError::invalid(ErrorCode::NoItems, "请至少勾选一项证据 / tick at least one evidence item").into());
    }
    let field = |k: &str| f.get(k).unwrap_or_default().to_string();
    let dispute = Dispute::from_fields(&DisputeFields {
        grounds: field("grounds"),
        outcome: field("outcome"),
        submitting_unit: field("submitting_unit"),
        street_office: field("street_office"),
        coordinator_name: field("coordinator_name"),
        coordinator_phone: field("coordinator_phone"),
    })?;
    if f.get(CONFIRM_FIELD) != Some("1") {
        let (wanted, key_hex, storage) = (number.clone(), st.key_hex.clone(), st.storage.clone());
        let on_order = st.db.call(move |c| evidence::for_order(c, community_id, &wanted, &key_hex, storage.as_ref())).await?;
        let unproven: Vec<Item> =
            on_order.into_iter().filter(|i| items.contains(&i.item_id) && i.trust.standing.needs_confirmation()).collect();
        if !unproven.is_empty() {
            let title = u.lang.t("确认导出存疑证据", "Confirm exporting doubtful evidence");
            let here = format!("/console/orders/{}", path_segment(&number));
            return Ok(html_response(page(&u, title, &here, confirm_page(&u, &number, &f, &unproven))));
        }
    }
    // One folder per request; the file is unlinked as soon as it is open, so nothing stays behind.
    let dir = DownloadDir::new(&st.config.data)?;
    let out = dir.file(&file_name_for(&number));
    let result = export_order_packet(&st, Some(u.principal.user_id), community_id, &number, Some(&items), dispute, &out).await;
    let (summary, file) = dir.open(&out, result)?;
    Ok(zip_response(file, ZipDownload { bytes: summary.bytes, file_name: &summary.file_name, packet_sha256: Some(&summary.sha256) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_exports_third_party_time_is_said_in_both_languages_with_why() {
        let export = |third_party_time| PacketExport { at_ms: 1_795_000_000_000, sha256: "ab".repeat(32), third_party_time };
        let down = export(ThirdPartyTime::Unavailable { tsa_url: "http://tsa.example".into(), reason: "连接超时 / timed out".into() });
        let zh = last_export_note(Lang::Zh, Some(&down)).into_string();
        assert!(zh.contains("data-tsa=\"unavailable\"") && zh.contains("不可用") && zh.contains("连接超时"), "{zh}");
        let en = last_export_note(Lang::En, Some(&down)).into_string();
        assert!(en.contains("was unavailable") && en.contains("timed out"), "{en}");
        let stamped = last_export_note(Lang::Zh, Some(&export(ThirdPartyTime::Stamped { tsa_url: "http://tsa.example".into() })));
        assert!(stamped.into_string().contains("已取得可信时间戳"));
        let none = last_export_note(Lang::En, Some(&export(ThirdPartyTime::NotConfigured))).into_string();
        assert!(none.contains("data-tsa=\"not_configured\"") && none.contains("no time-stamping authority"), "{none}");
        assert!(last_export_note(Lang::Zh, None).into_string().contains("尚未导出"));
    }
}
