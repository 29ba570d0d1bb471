//! HEIC thumbnails and previews through libheif (the `heic` feature), checked
//! by pixels: HEIC files made by Debian's `heif-enc` from JPEGs whose scene has
//! one red corner, stored upright and stored sideways with EXIF orientation 6,
//! must come out with the red corner at the top left; and the phones' own
//! HEIC files, which state their rotation in `irot` *and* in EXIF, must be
//! turned once, not twice.
//!
//! Needs `heif-enc` (Debian's libheif-examples, installed by
//! scripts/test.d/15-media-tools.sh). Without it the generated-file test says
//! so and passes, except under `CI=true`, where it fails.
#![cfg(feature = "heic")]

use std::path::{Path, PathBuf};
use std::process::Command;

use siteproof_media::{self as media, Derivative};

const RED: [u8; 3] = [220, 20, 20];
const BLUE: [u8; 3] = [40, 60, 200];

/// An upright scene: the top-left quarter red, the rest blue.
fn scene(w: u32, h: u32) -> Vec<u8> {
    (0..h).flat_map(|y| (0..w).flat_map(move |x| if x < w / 2 && y < h / 2 { RED } else { BLUE })).collect()
}

/// A minimal EXIF block (little-endian TIFF, one IFD entry) saying the stored image needs `orientation`.
fn exif_orientation(orientation: u16) -> Vec<u8> {
    let mut v = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
    v.extend_from_slice(&1u16.to_le_bytes()); // one entry
    v.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    v.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    v.extend_from_slice(&1u32.to_le_bytes()); // one value
    v.extend_from_slice(&orientation.to_le_bytes());
    v.extend_from_slice(&[0, 0]);
    v.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    v
}

fn write_jpeg(path: &Path, px: &[u8], w: u32, h: u32, orientation: Option<u16>) {
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 95);
    if let Some(o) = orientation {
        enc.add_app_segment(1, &exif_orientation(o)).unwrap();
    }
    enc.encode(px, w as u16, h as u16, jpeg_encoder::ColorType::Rgb).unwrap();
    std::fs::write(path, out).unwrap();
}

/// Runs Debian's heif-enc; None when it is not installed (outside CI).
fn heif_enc(jpeg: &Path) -> Option<PathBuf> {
    let out = jpeg.with_extension("heic");
    match Command::new("heif-enc").arg("-q").arg("90").arg(jpeg).arg("-o").arg(&out).output() {
        Ok(o) => {
            assert!(o.status.success(), "heif-enc failed: {}", String::from_utf8_lossy(&o.stderr));
            Some(out)
        }
        Err(e) => {
            assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "heif-enc is needed under CI=true: {e}");
            eprintln!("SKIPPED: heif-enc not found ({e}); scripts/test.d/15-media-tools.sh installs libheif-examples");
            None
        }
    }
}

fn rgb(d: &Derivative) -> image::RgbImage {
    let img = image::load_from_memory_with_format(&d.jpeg, image::ImageFormat::Jpeg).expect("a JPEG").into_rgb8();
    assert_eq!((img.width(), img.height()), (d.width, d.height));
    img
}

fn near(p: &image::Rgb<u8>, want: [u8; 3]) -> bool {
    p.0.iter().zip(want).all(|(a, b)| a.abs_diff(b) <= 40)
}

/// The red quarter is at the top left and nowhere else.
fn assert_upright(what: &str, d: &Derivative) {
    let img = rgb(d);
    let (w, h) = (img.width(), img.height());
    let at = |fx: u32, fy: u32| img.get_pixel(w * fx / 8, h * fy / 8);
    assert!(near(at(1, 1), RED), "{what}: top left is {:?}, not red", at(1, 1));
    for (fx, fy) in [(7, 1), (1, 7), (7, 7)] {
        assert!(near(at(fx, fy), BLUE), "{what}: ({fx}/8, {fy}/8) is {:?}, not blue", at(fx, fy));
    }
}

#[test]
fn heif_enc_photos_get_upright_derivatives() {
    let dir = tempfile::tempdir().unwrap();
    // Stored upright, no orientation.
    let (w, h) = (800, 600);
    let jpeg = dir.path().join("upright.jpg");
    write_jpeg(&jpeg, &scene(w, h), w, h, None);
    let Some(heic) = heif_enc(&jpeg) else { return };
    let info = media::read_photo_info(&heic).unwrap();
    assert_eq!((info.media_type.as_str(), info.width, info.height), ("image/heic", w, h));
    let d = media::make_derivatives(&heic, &info).unwrap();
    assert_eq!((d.thumbnail.width, d.thumbnail.height, d.preview.width, d.preview.height), (320, 240, 800, 600));
    assert_upright("upright thumbnail", &d.thumbnail);
    assert_upright("upright preview", &d.preview);

    // Held sideways: the camera stored the scene turned a quarter counter-clockwise and says
    // "turn 90° clockwise to view" in EXIF. heif-enc 1.15 keeps that EXIF tag and writes no irot,
    // so libheif hands back the stored pixels and the EXIF orientation must be applied.
    let (uw, uh) = (600, 800);
    let (stored, sw, sh) = media::apply_orientation(&scene(uw, uh), uw, uh, 3, 8);
    let jpeg = dir.path().join("sideways.jpg");
    write_jpeg(&jpeg, &stored, sw, sh, Some(6));
    let heic = heif_enc(&jpeg).unwrap();
    let info = media::read_photo_info(&heic).unwrap();
    assert_eq!((info.width, info.height, info.exif.orientation), (sw, sh, 6), "heif-enc kept the stored size and EXIF orientation");
    let d = media::make_derivatives(&heic, &info).unwrap();
    assert_eq!((d.thumbnail.width, d.thumbnail.height, d.preview.width, d.preview.height), (240, 320, 600, 800));
    assert_upright("sideways thumbnail", &d.thumbnail);
    assert_upright("sideways preview", &d.preview);
}

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-samples").join(rel)
}

/// The phones' files, with the upright size libheif's `heif-info` reports for each.
pub const PHONE_HEIF_UPRIGHT: &[(&str, u32, u32)] = &[
    // irot 270° and EXIF orientation 6: the same turn said twice.
    ("heic/mobile/iphone_13_pro_max.HEIC", 3024, 4032),
    // irot 270° and EXIF orientation 1.
    ("heic/mobile/HMD_Nokia_8.3_5G.heif", 3456, 4608),
    // 10-bit, no rotation.
    ("heic/mobile/HMD_Nokia_8.3_5G_hdr.heif", 4608, 3456),
    ("heic/IMG_5195.HEIC", 2566, 3313),
    ("heic/samplefilehub.heif", 640, 426),
];

#[test]
fn phone_heic_files_are_turned_once() {
    for &(rel, uw, uh) in PHONE_HEIF_UPRIGHT {
        let p = sample(rel);
        let info = media::read_photo_info(&p).unwrap();
        let d = media::make_derivatives(&p, &info).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let (pw, ph) = media::derivatives::fit_within(uw, uh, media::PREVIEW_MAX_SIDE);
        let (tw, th) = media::derivatives::fit_within(uw, uh, media::THUMBNAIL_MAX_SIDE);
        assert_eq!((d.preview.width, d.preview.height), (pw, ph), "{rel}: preview");
        assert_eq!((d.thumbnail.width, d.thumbnail.height), (tw, th), "{rel}: thumbnail");
        // A real picture, not a blank buffer.
        let img = rgb(&d.thumbnail);
        let luma: Vec<f64> = img.pixels().map(|p| p.0.iter().map(|&c| c as f64).sum::<f64>() / 3.0).collect();
        let mean = luma.iter().sum::<f64>() / luma.len() as f64;
        let sd = (luma.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / luma.len() as f64).sqrt();
        assert!(sd > 10.0, "{rel}: thumbnail is nearly flat (sd {sd:.1})");
    }
}

#[test]
fn broken_heic_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(sample("heic/samplefilehub.heif")).unwrap();
    for (name, bytes) in [("half.heic", &full[..full.len() / 2]), ("head.heic", &full[..200])] {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let info = media::PhotoInfo { media_type: "image/heic".into(), width: 640, height: 426, exif: Default::default() };
        match media::make_derivatives(&p, &info) {
            Err(media::Error::CorruptMedia(_) | media::Error::UnsupportedFormat(_)) => {}
            other => panic!("{name}: {:?}", other.map(|_| "derivatives")),
        }
    }
}
