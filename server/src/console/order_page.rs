//! `GET /console/orders/{number}`: one order on one page — facts and change
//! history, the status/tag form, follow-up windows, before/after pairs, and
//! the timeline of visits and evidence with a verification badge per item.
//! Opening the page is audited.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};

use super::badges::badge;
use super::clips;
use super::errors::ConsoleResult;
use super::evidence::{self, Item};
use super::followups::{self, Followup};
use super::i18n::{fmt_ms, fmt_ms_secs, Lang};
use super::layout::{html_response, page};
use super::path_segment;
use super::session::ConsoleUser;
use super::stamps::{axis_name, term_stamp};
use crate::domain::accounts::{self, audit};
use crate::domain::gcj02::{in_mainland_china, map_link, wgs84_to_gcj02};
use crate::domain::orders::{self, HistoryEntry, Order};
use crate::domain::pairs::{self, Pair};
use crate::repo;
use crate::state::AppState;
use siteproof_protocol::text::prefix;
use siteproof_protocol::vocab::{TagAxis, ORDER_KINDS, ORDER_STATUSES, VISIT_PURPOSES};

/// Everything the order page shows.
pub struct OrderView {
    /// The order (contact unmasked: coordinators see it).
    pub order: Order,
    /// Change history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Evidence, oldest capture first.
    pub items: Vec<Item>,
    /// Before/after pairs.
    pub pairs: Vec<Pair>,
    /// Follow-up windows.
    pub followups: Vec<Followup>,
    /// The assigned worker as documents name people ("王小明（wang）").
    pub assignee_label: Option<String>,
    /// The order's latest packet export, for its third-party time outcome.
    pub last_export: Option<crate::repo::packet_exports::PacketExport>,
}

/// Loads the page's data; 404 when the order is not in the user's communities.
pub async fn load(st: &AppState, u: &ConsoleUser, number: String) -> ConsoleResult<OrderView> {
    let comms = u.principal.communities.clone();
    let st2 = st.clone();
    let uid = u.principal.user_id;
    Ok(st
        .db
        .call(move |c| {
            let order = orders::get_visible(c, &number, &comms)?;
            let history = orders::history_of(c, order.id)?;
            let items = evidence::for_order(c, order.community_id, &order.number, &st2.key_hex, st2.storage.as_ref())?;
            let manual = pairs::manual(c, order.community_id, &items)?;
            let pairs = pairs::pairs(&items, &manual);
            let followups = followups::of_order(c, order.id)?;
            let last_export = crate::repo::packet_exports::last(c, order.community_id, &order.number)?;
            audit(c, Some(uid), "view_order", &format!("order:{}", order.number))?;
            let assignee_label = match &order.assignee {
                Some(login) => Some(accounts::person_label(login, &repo::accounts::real_name_of(c, login)?.unwrap_or_default())),
                None => None,
            };
            Ok(OrderView { order, history, items, pairs, followups, assignee_label, last_export })
        })
        .await?)
}

/// `GET /console/orders/{number}`.
pub async fn show(u: ConsoleUser, State(st): State<AppState>, Path(number): Path<String>) -> ConsoleResult<Response> {
    let v = load(&st, &u, number).await?;
    let here = format!("/console/orders/{}", path_segment(&v.order.number));
    let title = format!("{} {}", u.lang.t("工单", "Order"), v.order.number);
    Ok(html_response(page(&u, &title, &here, body(&u, &v, &here))))
}

fn field_label(l: Lang, f: &str) -> &str {
    if let Some(axis) = TagAxis::of_field(f) {
        return axis_name(l, axis);
    }
    match f {
        "created" => l.t("创建", "created"),
        "status" => l.t("状态", "status"),
        "notes" => l.t("备注", "notes"),
        "assignee" => l.t("承办社工", "assignee"),
        other => other,
    }
}

fn value_label<'a>(l: Lang, field: &str, v: &'a str) -> &'a str {
    match field {
        "status" => l.label(ORDER_STATUSES, v),
        _ => match TagAxis::of_field(field).and_then(TagAxis::terms) {
            Some(vocab) => l.label(vocab, v),
            None => v,
        },
    }
}

fn select(name: &str, vocab: siteproof_protocol::vocab::Vocab, current: Option<&str>, l: Lang, allow_empty: bool) -> Markup {
    html! {
        select name=(name) id=(name) {
            @if allow_empty { option value="" selected[current.is_none()] { "—" } }
            @for (code, _, _) in vocab {
                option value=(code) selected[current == Some(*code)] { (l.label(vocab, code)) }
            }
        }
    }
}

fn facts(u: &ConsoleUser, o: &Order, assignee: Option<&str>) -> Markup {
    let l = u.lang;
    html! {
        dl.facts {
            dt { (l.t("工单号", "Number")) } dd data-test="order-number" { (o.number) }
            dt { (l.t("社区", "Community")) } dd { (o.community) }
            dt { (l.t("诉求类型", "Kind")) } dd { (l.label(ORDER_KINDS, o.kind.as_str())) }
            dt { (l.t("分类", "Category")) } dd { (o.category) }
            dt { (l.t("地址 / 点位", "Address / spot")) } dd {
                (o.address)
                @if let (Some(lat), Some(lon)) = (o.spot_lat, o.spot_lon) { " " (place(l, lat, lon, None, &o.address)) }
            }
            dt { (l.t("诉求内容", "Request")) } dd.note-text { (o.content) }
            dt { (l.t("诉求人（保密）", "Complainant (confidential)")) } dd { (o.complainant) }
            dt { (l.t("派单时间", "Dispatched")) } dd { (o.dispatched_at_ms.map(fmt_ms).unwrap_or_else(|| "—".into())) }
            dt { (l.t("办理时限", "Deadline")) } dd { (o.deadline_ms.map(fmt_ms).unwrap_or_else(|| "—".into())) }
            dt { (l.t("状态", "Status")) } dd data-test="status" { (l.label(ORDER_STATUSES, o.status.as_str())) }
            @for axis in TagAxis::ALL {
                dt { (axis_name(l, axis)) }
                dd data-test=(format!("stamp-{}", axis.field())) {
                    @match tag_of(o, axis) {
                        Some(code) => (term_stamp(l, axis, code)),
                        None => span.muted { "—" },
                    }
                }
            }
            dt { (l.t("承办社工", "Assignee")) } dd data-test="assignee" { (assignee.unwrap_or("—")) }
            @if o.assignee.is_some() {
                dt { (l.t("社工真实姓名", "Worker's real name")) }
                dd {
                    form.inline method="post" action=(format!("/console/orders/{}/assignee-name", path_segment(&o.number))) data-test="assignee-name" {
                        input type="hidden" name="csrf" value=(u.csrf);
                        input type="text" name="real_name" maxlength="32" placeholder=(l.t("如 王小明（证据包中显示）", "e.g. 王小明 (printed in packets)"));
                        " " button type="submit" { (l.t("保存", "Save")) }
                    }
                }
            }
        }
    }
}

/// The order's stamp on one axis, if it has one.
fn tag_of(o: &Order, axis: TagAxis) -> Option<&str> {
    match axis {
        TagAxis::Type => o.tag_type.as_deref(),
        TagAxis::Handling => o.tag_handling.as_deref(),
        TagAxis::Callback => o.tag_callback.as_deref(),
        TagAxis::Knowledge => Some(o.knowledge.as_str()).filter(|k| !k.is_empty()),
    }
}

/// WGS-84 coordinates with a map link (GCJ-02 for Amap inside mainland China).
fn place(l: Lang, lat: f64, lon: f64, accuracy: Option<f64>, label: &str) -> Markup {
    let link = map_link(lat, lon, label);
    let china = in_mainland_china(lat, lon);
    let (glat, glon) = wgs84_to_gcj02(lat, lon);
    html! {
        span.place data-lat=(format!("{lat:.6}")) data-lon=(format!("{lon:.6}")) {
            "WGS-84 " (format!("{lat:.6}, {lon:.6}"))
            @if let Some(a) = accuracy { " ±" (format!("{a:.0}")) " m" }
            " · "
            a href=(link) target="_blank" rel="noopener noreferrer" data-test="map-link" title=(if china { format!("GCJ-02 {glat:.6}, {glon:.6}") } else { String::new() }) {
                @if china { (l.t("在高德地图查看", "Open in Amap")) } @else { (l.t("在地图查看", "Open map")) }
            }
        }
    }
}

fn edit_form(u: &ConsoleUser, o: &Order) -> Markup {
    let l = u.lang;
    html! {
        form method="post" action=(format!("/console/orders/{}/edit", path_segment(&o.number))) data-test="edit-form" {
            input type="hidden" name="csrf" value=(u.csrf);
            input type="hidden" name="version" value=(o.version);
            div.grid2 {
                div { label for="status" { (l.t("状态", "Status")) } (select("status", ORDER_STATUSES, Some(o.status.as_str()), l, false)) }
                @for axis in [TagAxis::Type, TagAxis::Handling, TagAxis::Callback] {
                    @if let Some(vocab) = axis.terms() {
                        div { label for=(axis.field()) { (axis_name(l, axis)) } (select(axis.field(), vocab, tag_of(o, axis), l, true)) }
                    }
                }
            }
            label for="knowledge" { (axis_name(l, TagAxis::Knowledge)) (l.t("（政策要点）", " (policy points to keep)")) }
            textarea name="knowledge" id="knowledge" { (o.knowledge) }
            label for="notes" { (l.t("备注", "Notes")) }
            textarea name="notes" id="notes" { (o.notes) }
            p { button type="submit" { (l.t("保存", "Save")) } }
        }
    }
}

fn history(l: Lang, h: &[HistoryEntry]) -> Markup {
    html! {
        table data-test="history" {
            thead { tr { th { (l.t("时间", "When")) } th { (l.t("人员", "Who")) } th { (l.t("字段", "Field")) } th { (l.t("原值", "Before")) } th { (l.t("新值", "After")) } } }
            tbody {
                @for e in h {
                    tr {
                        td { (fmt_ms(e.at_ms)) }
                        td { (e.actor.as_deref().map(|a| accounts::person_label(a, e.actor_real_name.as_deref().unwrap_or(""))).unwrap_or_else(|| "—".into())) @if e.device_id.is_some() { span.muted { " (" (l.t("手机", "phone")) ")" } } }
                        td { (field_label(l, &e.field)) }
                        td { (e.old_value.as_deref().map(|v| value_label(l, &e.field, v)).unwrap_or("—")) }
                        td { (e.new_value.as_deref().map(|v| value_label(l, &e.field, v)).unwrap_or("—")) }
                    }
                }
            }
        }
    }
}

fn followups_section(u: &ConsoleUser, o: &Order, fs: &[Followup]) -> Markup {
    let l = u.lang;
    html! {
        @if fs.is_empty() { p.muted { (l.t("尚未安排跟进观察", "No follow-up scheduled")) } }
        @else {
            table data-test="followups" {
                thead { tr { th { (l.t("窗口", "Window")) } th { (l.t("要看什么", "What to check")) } th { (l.t("状态", "State")) } th {} } }
                tbody { @for f in fs {
                    @let (zh, en) = f.state.words();
                    tr data-state=(f.state.code()) {
                        td { (fmt_ms(f.from_ms)) " – " (fmt_ms(f.due_ms)) }
                        td { (f.note) }
                        td class=(match f.state.code() { "missed" => "bad", "due" => "warn", "observed" => "ok", _ => "muted" }) {
                            (l.t(zh, en)) @if f.observed_items > 0 { " (" (f.observed_items) ")" }
                        }
                        td { form.inline method="post" action=(format!("/console/orders/{}/followups/{}/cancel", path_segment(&o.number), f.id)) {
                            input type="hidden" name="csrf" value=(u.csrf);
                            button.plain type="submit" { (l.t("取消", "Cancel")) }
                        } }
                    }
                } }
            }
        }
        form method="post" action=(format!("/console/orders/{}/followups", path_segment(&o.number))) data-test="followup-form" {
            input type="hidden" name="csrf" value=(u.csrf);
            div.grid2 {
                div { label for="from" { (l.t("开始（北京时间）", "From (China time)")) } input type="datetime-local" name="from" id="from" required; }
                div { label for="due" { (l.t("截止（回访前）", "Until (before the callback)")) } input type="datetime-local" name="due" id="due" required; }
            }
            label for="fu_note" { (l.t("要看什么", "What to check")) }
            input type="text" name="note" id="fu_note" maxlength="1000";
            p { button type="submit" { (l.t("安排跟进观察", "Schedule follow-up")) } }
        }
    }
}

fn thumb(l: Lang, i: &Item) -> Markup {
    html! {
        @match (&i.thumbnail, &i.media_sha256) {
            (Some(t), Some(orig)) => a href=(format!("/console/blobs/{orig}")) target="_blank" title=(l.t("查看原图", "Open original")) {
                img src=(format!("/console/blobs/{t}")) alt=(l.t("照片缩略图", "photo thumbnail")) loading="lazy";
            },
            (None, Some(orig)) => a href=(format!("/console/blobs/{orig}")) target="_blank" { (l.t("查看原图（无缩略图）", "Open original (no thumbnail)")) },
            _ => span.muted { (l.t("原图未上传", "original not uploaded")) },
        }
    }
}

fn item_card(u: &ConsoleUser, i: &Item) -> Markup {
    let l = u.lang;
    let m = i.manifest.as_ref();
    html! {
        div.item id=(format!("item-{}", i.item_id)) data-kind=(i.kind) data-item=(i.item_id) {
            // Only proven items are ticked by default; exporting any other asks for confirmation.
            @let proven = !i.trust.standing.needs_confirmation();
            label.pick data-test="export-pick" data-standing=(i.trust.standing.code()) {
                input type="checkbox" name="item" value=(i.item_id) form="export-form" checked[proven]; " " (l.t("导出", "export"))
                @if !proven { " " span.warn { (l.t("（存疑或未证实，默认不导出）", "(doubtful or not proven: not ticked by default)")) } }
            }
            div.media {
                @match i.kind.as_str() {
                    "photo" => (thumb(l, i)),
                    "voice" => @if let Some(sha) = &i.media_sha256 {
                        @if i.original_type().is_some_and(siteproof_media::browsers_play) {
                            audio controls preload="none" src=(format!("/console/blobs/{sha}")) data-test="voice" {}
                        } @else {
                            // AMR (and anything else browsers cannot play): the file itself, for a player that can.
                            p data-test="voice-download" {
                                a href=(format!("/console/blobs/{sha}?download=1")) { (l.t("下载录音", "Download the recording")) }
                                br;
                                span.muted data-test="voice-unplayable" {
                                    (l.t("浏览器无法播放此格式（如 AMR），请下载后用手机或播放器打开", "Browsers cannot play this format (such as AMR): download it and open it in a phone or media player"))
                                }
                            }
                        }
                        @if let Some(a) = m.and_then(|m| m.audio.as_ref()) { div.muted { (format!("{:.1}", a.duration_ms as f64 / 1000.0)) " " (l.t("秒", "s")) " · " (a.codec) } }
                    },
                    "video" => (clips::video(l, i)),
                    "received" => (clips::received(l, i)),
                    _ => {},
                }
            }
            div.body {
                strong { @match i.kind.as_str() { "photo" => (l.t("照片", "Photo")), "voice" => (l.t("录音", "Voice note")), "video" => (l.t("视频", "Video clip")), "received" => (l.t("收到的材料", "Received file")), "note" => (l.t("现场记录", "On-site note")), other => (other) } }
                " · " span.muted { (i.device_label) }
                @if let Some(t) = i.captured_at_ms() { " · " (fmt_ms_secs(t)) }
                (clips::provenance(l, i))
                @if let Some(text) = m.and_then(|m| m.text.as_deref()) { p.note-text data-test="note" { (text) } }
                div {
                    @match i.place() {
                        Some((lat, lon, acc)) => (place(l, lat, lon, Some(acc), "")),
                        None => span.muted { (l.t("无定位", "no location")) },
                    }
                }
                @if let Some(sha) = &i.media_sha256 {
                    div { a href=(format!("/console/blobs/{sha}?download=1")) data-test="download-original" { (l.t("下载原始文件", "Download original")) }
                        @if let Some(b) = i.media_bytes { span.muted { " (" (format!("{:.1}", b as f64 / 1024.0)) " KiB)" } } }
                }
                (badge(l, i))
            }
        }
    }
}

fn pair_card(u: &ConsoleUser, p: &Pair, items: &[Item]) -> Markup {
    let l = u.lang;
    let find = |id: &str| items.iter().find(|i| i.item_id == id);
    html! {
        div.pair data-test="pair" data-before=(p.before) data-after=(p.after) {
            @for (label, id) in [(l.t("整改前", "Before"), &p.before), (l.t("整改后", "After"), &p.after)] {
                div {
                    strong { (label) }
                    @if let Some(i) = find(id) {
                        " " span.muted { (i.captured_at_ms().map(fmt_ms_secs).unwrap_or_default()) }
                        @if i.trust.standing.needs_confirmation() {
                            @let (zh, en) = i.trust.standing.word();
                            " " span.warn data-test="pair-standing" { (l.t(zh, en)) }
                        }
                        (thumb(l, i))
                    }
                }
            }
            div.muted.pair-note {
                @if let Some(d) = p.distance_m { (l.t("相距", "Distance")) " " (format!("{d:.0}")) " m · " }
                @if p.manual { (l.t("人工配对", "paired by hand")) } @else { (l.t("按位置自动配对（30 米内、较早一次走访）", "proposed by place (within 30 m, an earlier visit)")) }
            }
        }
    }
}

fn pair_form(u: &ConsoleUser, o: &Order, items: &[Item]) -> Markup {
    let l = u.lang;
    let photos: Vec<&Item> = items.iter().filter(|i| i.kind == "photo").collect();
    let name = |i: &Item| format!("{} · {}", i.captured_at_ms().map(fmt_ms_secs).unwrap_or_default(), prefix(&i.item_id, 8));
    html! {
        @if photos.len() >= 2 {
            form method="post" action=(format!("/console/orders/{}/pairs", path_segment(&o.number))) data-test="pair-form" {
                input type="hidden" name="csrf" value=(u.csrf);
                div.grid2 {
                    div { label for="after" { (l.t("整改后照片", "After photo")) }
                        select name="after" id="after" { @for p in &photos { option value=(p.item_id) { (name(p)) } } } }
                    div { label for="before" { (l.t("整改前照片（留空＝不配对）", "Before photo (empty = no pair)")) }
                        select name="before" id="before" { option value="" { "—" } @for p in &photos { option value=(p.item_id) { (name(p)) } } } }
                }
                p { button.plain type="submit" { (l.t("设置配对", "Set pairing")) } }
            }
        }
    }
}

fn timeline(u: &ConsoleUser, items: &[Item]) -> Markup {
    let l = u.lang;
    // Group by visit; items captured outside a visit form their own group.
    let mut groups: BTreeMap<(i64, String), Vec<&Item>> = BTreeMap::new();
    let mut first_of: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for i in items {
        let key = i.visit_id().map(str::to_string).unwrap_or_default();
        let t = i.captured_at_ms().unwrap_or(i64::MAX);
        let e = first_of.entry(key).or_insert(t);
        *e = (*e).min(t);
    }
    for i in items {
        let key = i.visit_id().map(str::to_string).unwrap_or_default();
        groups.entry((first_of[&key], key)).or_default().push(i);
    }
    html! {
        @if items.is_empty() { p.muted data-test="no-evidence" { (l.t("暂无证据", "No evidence yet")) } }
        @for ((start, visit), its) in &groups {
            section.visit data-visit=(visit) {
                h3 {
                    @if visit.is_empty() { (l.t("未归入走访的证据", "Evidence outside a visit")) }
                    @else {
                        (l.t("走访", "Visit")) " "
                        // The purpose the phone signed into the visit's entries; the id only when none did.
                        @match its.iter().find_map(|i| i.manifest.as_ref()?.visit_purpose.as_deref()) {
                            Some(p) => span data-test="visit-purpose" { (l.label(VISIT_PURPOSES, p)) },
                            None => (prefix(visit, 8)),
                        }
                    }
                    @if *start != i64::MAX { span.muted { " · " (fmt_ms(*start)) } }
                }
                @for i in its { (item_card(u, i)) }
            }
        }
    }
}

fn body(u: &ConsoleUser, v: &OrderView, here: &str) -> Markup {
    let l = u.lang;
    let o = &v.order;
    html! {
        p { a href="/console/orders" { (l.t("« 工单列表", "« Order list")) } }
        h1 { (l.t("工单", "Order")) " " (o.number) }
        div.grid2 {
            div { h2 { (l.t("基本情况", "Facts")) } (facts(u, o, v.assignee_label.as_deref())) }
            div { h2 { (l.t("状态与标签", "Status and tags")) } (edit_form(u, o)) }
        }
        h2 { (l.t("跟进观察", "Follow-up observation")) }
        (followups_section(u, o, &v.followups))
        h2 { (l.t("整改前后对比", "Before / after")) }
        @if v.pairs.is_empty() { p.muted { (l.t("没有可对比的照片", "No photo pairs")) } }
        @for p in &v.pairs { (pair_card(u, p, &v.items)) }
        (pair_form(u, o, &v.items))
        h2 { (l.t("走访与证据", "Visits and evidence")) " (" (v.items.len()) ")" }
        @if !v.items.is_empty() { (super::export::form(u, o, &v.items, v.last_export.as_ref())) }
        (timeline(u, &v.items))
        h2 { (l.t("变更记录", "Change history")) }
        (history(l, &v.history))
        p.muted { a href=(here) { (l.t("刷新", "Reload")) } }
    }
}
