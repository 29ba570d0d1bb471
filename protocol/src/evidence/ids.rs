//! The one rule for the identifiers a device mints and puts in a manifest:
//! item and visit ids are canonical UUIDs (the device makes v7), hashes are
//! 64 lowercase hex digits. The device makes ids with [`new_id`]; the server
//! checks what it is sent with [`check_manifest`], so nothing a console or a
//! packet shows, links or shortens can be other than what a device makes.

use super::manifest::Manifest;
use crate::error::{Error, Result};
use crate::text::{order_number, single_line};

/// Length of a canonical hyphenated UUID.
const UUID_LEN: usize = 36;

/// A fresh item or visit id: a time-ordered UUID (v7), lowercase and hyphenated.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Checks an item or visit id: a UUID in canonical lowercase hyphenated form, as [`new_id`] makes it.
pub fn check_id(zh: &str, en: &str, s: &str) -> Result<()> {
    let canonical = s.len() == UUID_LEN && uuid::Uuid::try_parse(s).is_ok_and(|u| u.hyphenated().to_string() == s);
    if !canonical {
        return Err(Error::invalid(
            format!("{zh}须为小写带连字符的 UUID"),
            format!("{en} must be a lowercase hyphenated UUID, not {:?}", crate::text::prefix(s, UUID_LEN)),
        ));
    }
    Ok(())
}

/// Checks a SHA-256 as manifests carry it: 64 lowercase hex digits.
pub fn check_sha256(zh: &str, en: &str, s: &str) -> Result<()> {
    if s.len() != 64 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(Error::invalid(
            format!("{zh}须为 64 位小写十六进制 SHA-256"),
            format!("{en} must be a 64-digit lowercase hex SHA-256, not {:?}", crate::text::prefix(s, 64)),
        ));
    }
    Ok(())
}

/// Checks every identifier in a manifest against the rules the device makes them by:
/// item, visit and attached item ids, chain and media hashes, the order number and the boot id.
pub fn check_manifest(m: &Manifest) -> Result<()> {
    check_id("条目编号", "item id", &m.item_id)?;
    if let Some(v) = &m.visit_id {
        check_id("走访编号", "visit id", v)?;
    }
    if let Some(a) = &m.attach {
        check_id("归档条目编号", "attached item id", &a.item_id)?;
        check_sha256("归档清单哈希", "attached manifest hash", &a.manifest_hash)?;
    }
    match (&m.share, m.kind) {
        (Some(sh), super::EntryKind::Share) => {
            check_id("分享副本来源条目编号", "shared item id", &sh.item_id)?;
            check_sha256("分享副本来源清单哈希", "shared manifest hash", &sh.manifest_hash)?;
            check_sha256("分享副本哈希", "share copy sha256", &sh.copy_sha256)?;
            if !super::is_share_code(&sh.code) {
                return Err(Error::invalid("分享副本核验码格式不对", "share copy code is not 10 Crockford base32 characters"));
            }
        }
        (None, super::EntryKind::Share) => return Err(Error::invalid("分享记录缺少副本信息", "a share entry names no copy")),
        (Some(_), _) => return Err(Error::invalid("只有分享记录可带副本信息", "only share entries name a share copy")),
        (None, _) => {}
    }
    if let Some(p) = &m.prev {
        check_sha256("前驱哈希", "prev", p)?;
    }
    if let Some(media) = &m.media {
        check_sha256("媒体哈希", "media sha256", &media.sha256)?;
    }
    if let Some(n) = &m.order_number {
        if order_number(n)? != *n {
            return Err(Error::invalid("工单号前后有空白", "order number has surrounding whitespace"));
        }
    }
    single_line("boot id", &m.capture.boot_id, 128)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_canonical_uuids() {
        let id = new_id();
        assert!(check_id("条目编号", "item id", &id).is_ok());
        assert!(check_id("条目编号", "item id", &uuid::Uuid::new_v4().to_string()).is_ok());
        for bad in ["中文中文中文", "", "x", &id.to_uppercase(), &id.replace('-', ""), &format!("{id}-x"), &format!("{{{id}}}")] {
            assert!(matches!(check_id("条目编号", "item id", bad), Err(Error::InvalidInput { .. })), "{bad:?}");
        }
        assert!(check_sha256("哈希", "hash", &"a".repeat(64)).is_ok());
        for bad in ["A".repeat(64), "a".repeat(63), "中".repeat(21) + "a"] {
            assert!(check_sha256("哈希", "hash", &bad).is_err(), "{bad:?}");
        }
    }

    fn entry(kind: super::super::EntryKind, share: Option<super::super::ShareRef>) -> Manifest {
        Manifest {
            format: super::super::MANIFEST_FORMAT.into(),
            device_id: "d".into(),
            device_key: "k".into(),
            seq: 2,
            prev: Some("a".repeat(64)),
            item_id: new_id(),
            kind,
            media: None,
            capture: super::super::CaptureRecord {
                device_time_ms: 1,
                utc_offset_min: 480,
                monotonic_ms: 1,
                boot_id: "b".into(),
                fix: None,
            },
            anchored: None,
            exif: None,
            audio: None,
            text: None,
            attach: None,
            flags: Vec::new(),
            order_number: None,
            visit_id: None,
            visit_purpose: None,
            video: None,
            received: None,
            share,
        }
    }

    #[test]
    fn share_entries_name_a_well_formed_copy_and_only_they_do() {
        use super::super::{EntryKind, ShareRef};
        let good = ShareRef { item_id: new_id(), manifest_hash: "b".repeat(64), copy_sha256: "c".repeat(64), code: "7KQ2MXD40P".into() };
        assert!(check_manifest(&entry(EntryKind::Share, Some(good.clone()))).is_ok());
        assert!(check_manifest(&entry(EntryKind::Share, None)).is_err(), "a share entry must name its copy");
        assert!(check_manifest(&entry(EntryKind::Note, Some(good.clone()))).is_err(), "only share entries name a copy");
        for bad in [
            ShareRef { code: "7kq2mxd40p".into(), ..good.clone() },
            ShareRef { code: "7KQ2M-XD40P".into(), ..good.clone() },
            ShareRef { code: "7KQ2MXD40".into(), ..good.clone() },
            ShareRef { copy_sha256: "C".repeat(64), ..good.clone() },
            ShareRef { manifest_hash: "b".repeat(63), ..good.clone() },
            ShareRef { item_id: "x".into(), ..good.clone() },
        ] {
            assert!(check_manifest(&entry(EntryKind::Share, Some(bad.clone()))).is_err(), "{bad:?}");
        }
    }
}
