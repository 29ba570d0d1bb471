//! What a media file says about itself (a received photo's EXIF, a clip's
//! container time and place), worded once for the console, the trust
//! statement and the dispute PDF. These are claims made by whoever wrote the
//! file, so they are always labelled 文件自带信息（未经核实）and never shown
//! where the device's own time and place are.

use siteproof_protocol::evidence::{EntryKind, GpsPoint, Manifest};

/// The label every claim line starts with.
pub const LABEL: (&str, &str) = ("文件自带信息（未经核实）", "the file's own information (unverified)");

/// The file's own time and place claims, in both languages, when it makes any.
pub fn describe(m: &Manifest) -> Option<(String, String)> {
    let (time, place) = claims(m);
    if time.is_none() && place.is_none() {
        return None;
    }
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if let Some(t) = time {
        zh.push(format!("时间 {t}"));
        en.push(format!("time {t}"));
    }
    if let Some(p) = place {
        zh.push(format!("地点 {:.5}, {:.5}", p.lat, p.lon));
        en.push(format!("place {:.5}, {:.5}", p.lat, p.lon));
    }
    Some((format!("{}：{}", LABEL.0, zh.join("，")), format!("{}: {}", LABEL.1, en.join(", "))))
}

/// Time (as the file wrote it) and place the file claims: a photo's EXIF or a clip's container.
fn claims(m: &Manifest) -> (Option<&str>, Option<&GpsPoint>) {
    if let Some(v) = &m.video {
        return (v.created_at.as_deref(), v.place.as_ref());
    }
    match &m.exif {
        Some(e) => (e.taken_at.as_deref(), e.gps.as_ref()),
        None => (None, None),
    }
}

/// The stated source of a received file, worded: "收到的材料，非本机拍摄，来源：居民微信".
pub fn received(m: &Manifest) -> Option<(String, String)> {
    if m.kind != EntryKind::Received {
        return None;
    }
    let source = m.received.as_ref().map(|r| r.source.as_str()).unwrap_or("未写明");
    Some((format!("收到的材料，非本机拍摄，来源：{source}"), format!("received material, not captured by this device, from: {source}")))
}
