//! How the order page shows a video clip and a received file: the clip in a
//! `<video>` player that streams with Range from `/console/blobs` (nothing is
//! fetched until the coordinator presses play), the file's own time and place
//! as unverified claims, and a received file's stated source, so nobody reads
//! a forwarded WeChat photo as the worker's own capture.

use maud::{html, Markup};

use super::evidence::Item;
use super::i18n::Lang;
use crate::domain::file_claims;
use siteproof_protocol::evidence::EntryKind;

/// The player, length and codec of a video clip; a neutral placeholder until it is uploaded.
pub fn video(l: Lang, i: &Item) -> Markup {
    let m = i.manifest.as_ref();
    html! {
        @match &i.media_sha256 {
            Some(sha) => {
                video controls preload="none" src=(format!("/console/blobs/{sha}")) poster=[i.thumbnail.as_ref().map(|t| format!("/console/blobs/{t}"))] data-test="video" {}
                @if i.thumbnail.is_none() { div.muted data-test="video-placeholder" { (l.t("视频（无封面）", "video (no poster)")) } }
            },
            None => span.muted { (l.t("视频未上传", "clip not uploaded")) },
        }
        @if let Some(v) = m.and_then(|m| m.video.as_ref()) {
            div.muted data-test="video-facts" {
                (format!("{:.1}", v.duration_ms as f64 / 1000.0)) " " (l.t("秒", "s"))
                @if let (Some(w), Some(h)) = (v.width, v.height) { " · " (w) "×" (h) }
                " · " (v.codec)
            }
        }
    }
}

/// A received file: what it is, by media type (picture, player or download link).
pub fn received(l: Lang, i: &Item) -> Markup {
    let ct = i.original_type().unwrap_or("");
    html! {
        @match &i.media_sha256 {
            Some(_) if ct.starts_with("video/") => (video(l, i)),
            Some(sha) if ct.starts_with("audio/") => audio controls preload="none" src=(format!("/console/blobs/{sha}")) {},
            Some(sha) => a href=(format!("/console/blobs/{sha}")) target="_blank" {
                @match &i.thumbnail {
                    Some(t) => img src=(format!("/console/blobs/{t}")) alt=(l.t("收到的材料", "received file")) loading="lazy";,
                    None => (l.t("查看收到的文件", "Open the received file")),
                }
            },
            None => span.muted { (l.t("文件未上传", "file not uploaded")) },
        }
    }
}

/// The stated source of a received file and the file's own claims, under the item's heading.
pub fn provenance(l: Lang, i: &Item) -> Markup {
    let Some(m) = i.manifest.as_ref() else { return html! {} };
    html! {
        @if let Some((zh, en)) = file_claims::received(m) { div.warn data-test="received-from" { (l.t(&zh, &en)) } }
        @if let Some((zh, en)) = matches!(m.kind, EntryKind::Video | EntryKind::Received).then(|| file_claims::describe(m)).flatten() { div.muted data-test="file-claims" { (l.t(&zh, &en)) } }
    }
}
