//! Exporting an order's dispute packet from the console: the order page's
//! checkboxes choose the items, the coordinator writes the dispute (grounds
//! prefilled with a suggestion built from the evidence, the requested
//! outcome, the submitting unit and their contact), the form posts here, and
//! the ZIP built by `packet::export_order_packet` (which also writes the
//! audit row) comes back as a download.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use maud::{html, Markup};

use super::actions::checked_form;
use super::errors::ConsoleResult;
use super::evidence::Item;
use super::path_segment;
use super::session::ConsoleUser;
use crate::domain::orders::{self, Order};
use crate::error::ApiError;
use crate::packet::dispute::{suggested_grounds, Dispute, DisputeFields, EvidenceFact, MAX_GROUNDS_CHARS, MAX_SHORT_CHARS};
use crate::packet::{export_order_packet, file_name_for};
use crate::state::AppState;
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

/// The export form; item checkboxes elsewhere on the page join it by `form="export-form"`.
pub fn form(u: &ConsoleUser, o: &Order, items: &[Item]) -> Markup {
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
        }
    }
}

/// `POST /console/orders/{number}/packet` - the ZIP as a download.
pub async fn export(
    u: ConsoleUser,
    State(st): State<AppState>,
    Path(number): Path<String>,
    h: HeaderMap,
    body: Body,
) -> ConsoleResult<Response> {
    let f = checked_form(&u, &h, body).await?;
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
    // One folder per request; the file is unlinked as soon as it is open, so nothing stays behind.
    let dir = st.config.data.join("packets").join(uuid::Uuid::new_v4().to_string());
    siteproof_fs::create_dir_all(&dir).map_err(ApiError::from)?;
    let out = dir.join(file_name_for(&number));
    let result = export_order_packet(&st, Some(u.principal.user_id), community_id, &number, Some(&items), dispute, &out).await;
    let file = result.as_ref().ok().map(|_| std::fs::File::open(&out));
    let _ = std::fs::remove_dir_all(&dir);
    let summary = result?;
    let file = file.ok_or_else(|| ApiError::internal("packet vanished"))?.map_err(ApiError::from)?;
    let stream = futures_util::stream::unfold((tokio::fs::File::from_std(file), vec![0u8; 256 * 1024]), |(mut f, mut buf)| async move {
        use tokio::io::AsyncReadExt;
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => Some((Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(&buf[..n])), (f, buf))),
            Err(e) => Some((Err(e), (f, buf))),
        }
    })
    .boxed();
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_LENGTH, summary.bytes.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", summary.file_name)),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
