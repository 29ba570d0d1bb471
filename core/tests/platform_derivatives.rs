//! A phone's own decoder makes the HEIC previews the phones' core cannot
//! (no libheif there) and hands them over: they are kept and queued like the
//! core's own, and only complete, upright JPEGs no larger than the core's are
//! accepted.

use std::path::{Path, PathBuf};

use siteproof_core::vocab::DerivativeRole;
use siteproof_core::{media, CaptureContext, Device, Error, JobPart};

const SECRET: &[u8] = b"test-secret-0123456789abcdef";

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-samples").join(rel)
}

fn ctx() -> CaptureContext {
    CaptureContext {
        fix: None,
        device_time_ms: 1_795_000_000_000,
        utc_offset_min: 480,
        monotonic_ms: 1_000,
        boot_id: "boot-1".into(),
        order_number: None,
        visit_id: None,
    }
}

/// What a phone's decoder would hand over: upright JPEGs of the core's sizes (made here from a JPEG sample).
fn platform_pictures(dir: &Path) -> (PathBuf, PathBuf) {
    let src = sample("jpg/hdr/iphone_hdr_NO.jpg");
    let d = media::make_derivatives(&src, &media::read_photo_info(&src).unwrap()).unwrap();
    let (t, p) = (dir.join("thumb.jpg"), dir.join("preview.jpg"));
    std::fs::write(&t, &d.thumbnail.jpeg).unwrap();
    std::fs::write(&p, &d.preview.jpeg).unwrap();
    (t, p)
}

#[test]
fn platform_heic_previews_are_kept_and_queued() {
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let d = Device::open(home.path(), SECRET).unwrap();
    let heic = d.capture_photo(&sample("heic/mobile/iphone_13_pro_max.HEIC"), ctx()).unwrap();
    let (thumb, preview) = platform_pictures(dir.path());

    let stored = d.store_platform_derivatives(&heic.item_id, &thumb, &preview).unwrap();
    let roles: Vec<(DerivativeRole, u32)> = stored.iter().map(|x| (x.role, x.width.max(x.height))).collect();
    assert_eq!(roles, [(DerivativeRole::Thumbnail, 320), (DerivativeRole::Preview, 1280)]);
    assert_eq!(d.derivative_failure(&heic.item_id).unwrap(), None);
    // Nothing left for the core to make, and the thumbnail waits in the queue like any other.
    assert_eq!(d.make_pending_derivatives().unwrap(), 0);
    let jobs = d.queue_jobs().unwrap();
    assert!(jobs.iter().any(|j| j.part == JobPart::Thumbnail && j.item_id == heic.item_id), "{jobs:?}");
    // The stored blob is the platform's JPEG, byte for byte.
    let kept = d.blob_path(&stored[0].sha256).expect("thumbnail blob");
    assert_eq!(std::fs::read(kept).unwrap(), std::fs::read(&thumb).unwrap());
}

#[test]
fn only_complete_upright_small_jpegs_are_accepted() {
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let d = Device::open(home.path(), SECRET).unwrap();
    let heic = d.capture_photo(&sample("heic/mobile/iphone_13_pro_max.HEIC"), ctx()).unwrap();
    let (thumb, preview) = platform_pictures(dir.path());
    let refused = |t: &Path, p: &Path| d.store_platform_derivatives(&heic.item_id, t, p).unwrap_err();

    // The full-size original passed off as a thumbnail.
    let big = sample("jpg/hdr/iphone_hdr_NO.jpg");
    assert!(matches!(refused(&big, &preview), Error::InvalidInput(m) if m.contains("at most 320")));
    // A preview cut short.
    let bytes = std::fs::read(&preview).unwrap();
    let cut = dir.path().join("cut.jpg");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(refused(&thumb, &cut), Error::CorruptMedia(_)));
    // Not a JPEG.
    assert!(matches!(refused(&sample("heic/samplefilehub.heif"), &preview), Error::InvalidInput(m) if m.contains("must be a JPEG")));
    // Stored sideways with an EXIF orientation: the console shows pictures as stored.
    assert!(matches!(refused(&sample("jpg/orientation/portrait_6.jpg"), &preview), Error::InvalidInput(_)));
    // A voice note has no thumbnails.
    let voice = d.capture_voice(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/audio/note.amr"), ctx()).unwrap();
    assert!(matches!(d.store_platform_derivatives(&voice.item_id, &thumb, &preview), Err(Error::InvalidInput(_))));
    assert!(d.derivatives(&heic.item_id).unwrap().is_empty());
}
