//! The media module against real files: every camera sample in the shared
//! fixtures (including broken and hostile ones), our generated voice notes,
//! and a decompression bomb. The point is that no file, however bad, makes
//! the core panic, and that good files give the right facts.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use siteproof_media::{self as media, Derivatives, Error, MediaKind, PhotoInfo};

fn samples_dir() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-samples");
    assert!(p.is_dir(), "camera samples missing: expected {} (shared/ beside the repository)", p.display());
    p
}

fn sample(rel: &str) -> PathBuf {
    samples_dir().join(rel)
}

fn our_fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(rel)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn variant(e: &Error) -> &'static str {
    match e {
        Error::EmptyFile => "EmptyFile",
        Error::NotAFile(_) => "NotAFile",
        Error::UnsupportedFormat(_) => "UnsupportedFormat",
        Error::CorruptMedia(_) => "CorruptMedia",
        Error::Truncated(_) => "Truncated",
        Error::TooLarge(_) => "TooLarge",
        Error::Io { .. } => "Io",
    }
}

/// Runs `f`, failing the test on a panic and on an error without a usable one-line
/// bilingual message (the kind in zh-CN, then " / " and the detail in English).
fn no_panic<T>(what: &str, path: &Path, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    let r = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| panic!("{what} panicked on {}", path.display()));
    if let Err(e) = &r {
        let msg = e.to_string();
        let inner = msg.split_once(" / ").map(|(_, m)| m).unwrap_or("");
        assert!(!inner.trim().is_empty(), "{what} on {}: empty error message {e:?}", path.display());
        assert!(!msg.contains('\n'), "{what} on {}: multi-line error message {msg:?}", path.display());
    }
    r
}

fn sniff_file(path: &Path) -> Result<MediaKind, Error> {
    let mut head = Vec::new();
    fs::File::open(path).unwrap().take(media::SNIFF_LEN as u64).read_to_end(&mut head).unwrap();
    media::sniff(&head)
}

fn decode_jpeg(bytes: &[u8]) -> image::RgbImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg).expect("derivative is a valid JPEG").into_rgb8()
}

/// Checks what every derivative must be: valid JPEGs of the announced, upright, never-upscaled sizes.
fn check_derivatives(path: &Path, info: &PhotoInfo, d: &Derivatives) {
    let (mut uw, mut uh) = info.upright_size();
    // A HEIF file states its rotation in irot as well as EXIF; which one rules
    // (and each phone sample's upright size) is tests/heic_derivatives.rs's to check.
    if info.media_type == "image/heic" && (d.preview.width > d.preview.height) != (uw > uh) {
        (uw, uh) = (uh, uw);
    }
    for (name, der, max) in [("thumbnail", &d.thumbnail, media::THUMBNAIL_MAX_SIDE), ("preview", &d.preview, media::PREVIEW_MAX_SIDE)] {
        let img = decode_jpeg(&der.jpeg);
        assert_eq!((img.width(), img.height()), (der.width, der.height), "{name} of {}", path.display());
        assert!(der.width.max(der.height) <= max, "{name} of {} too big", path.display());
        assert!(der.width <= uw && der.height <= uh, "{name} of {} upscaled", path.display());
        // Same aspect as the upright original, to within rounding.
        let want = uw as f64 / uh as f64;
        let got = der.width as f64 / der.height as f64;
        let tol = 1.0 / der.width.min(der.height) as f64 + 1e-9;
        assert!((want - got).abs() / want <= tol * 1.5, "{name} of {}: aspect {got} vs {want}", path.display());
    }
}

#[derive(Default)]
struct Tally {
    files: u32,
    info_ok: u32,
    derivatives_ok: u32,
    errors: BTreeMap<String, u32>,
}

#[test]
fn every_sample_file_is_handled_cleanly() {
    let root = samples_dir();
    let mut files = Vec::new();
    walk(&root, &mut files);
    assert!(files.len() > 80, "expected the whole sample set, found {} files", files.len());
    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    println!("{:<48} {:<10} {:<28} {:<34} {:>6}", "file", "sniff", "info", "derivatives", "ms");
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap().to_string_lossy().to_string();
        let category = match rel.rsplit_once('/') {
            Some((dir, _)) => dir.to_string(),
            None => "(top)".into(),
        };
        let t = tally.entry(category).or_default();
        t.files += 1;
        let started = Instant::now();
        let kind = no_panic("sniff", path, || sniff_file(path));
        let exif = catch_unwind(|| media::read_exif(path)).unwrap_or_else(|_| panic!("read_exif panicked on {}", path.display()));
        if let Ok(kind) = &kind {
            let _ = no_panic("read_trailer", path, || media::read_trailer(path, *kind));
        }
        let info = no_panic("read_photo_info", path, || media::read_photo_info(path));
        let ders = match &info {
            Ok(i) => Some(no_panic("make_derivatives", path, || media::make_derivatives(path, i))),
            Err(_) => None,
        };
        let ms = started.elapsed().as_millis();

        let name = path.file_name().unwrap().to_string_lossy();
        let not_media = matches!(&*name, "README" | "NOTICE.md" | "README.rst" | "dump");
        if not_media {
            assert!(matches!(kind, Err(Error::UnsupportedFormat(_))), "{rel}: {kind:?}");
            assert!(matches!(info, Err(Error::UnsupportedFormat(_))), "{rel}: {info:?}");
        }
        if let Ok(i) = &info {
            assert_eq!(i.exif, exif, "{rel}: read_photo_info and read_exif disagree");
            assert!((1..=8).contains(&i.exif.orientation));
            t.info_ok += 1;
        }
        if let (Ok(i), Some(Ok(d))) = (&info, &ders) {
            check_derivatives(path, i, d);
            t.derivatives_ok += 1;
        }
        let show = |r: Result<String, &Error>| match r {
            Ok(s) => s,
            Err(e) => {
                let m = e.to_string();
                format!("{}: {}", variant(e), m.chars().take(22).collect::<String>())
            }
        };
        let info_s = show(info.as_ref().map(|i| {
            format!(
                "{}x{} o{}{}{}",
                i.width,
                i.height,
                i.exif.orientation,
                if i.exif.gps.is_some() { " gps" } else { "" },
                if i.exif.taken_at.is_some() { " t" } else { "" }
            )
        }));
        let ders_s = match &ders {
            None => "-".into(),
            Some(r) => {
                show(r.as_ref().map(|d| format!("{}x{} / {}x{}", d.thumbnail.width, d.thumbnail.height, d.preview.width, d.preview.height)))
            }
        };
        for e in [info.as_ref().err(), ders.as_ref().and_then(|r| r.as_ref().err())].into_iter().flatten() {
            *t.errors.entry(variant(e).to_string()).or_default() += 1;
        }
        let kind_s = kind.map(|k| format!("{k:?}")).unwrap_or_else(|e| variant(&e).chars().take(10).collect());
        println!("{:<48} {:<10} {:<28} {:<34} {:>6}", rel.chars().take(48).collect::<String>(), kind_s, info_s, ders_s, ms);
    }
    println!("\n{:<16} {:>5} {:>8} {:>12}  errors", "category", "files", "info ok", "derivs ok");
    for (cat, t) in &tally {
        println!("{:<16} {:>5} {:>8} {:>12}  {:?}", cat, t.files, t.info_ok, t.derivatives_ok, t.errors);
    }
}

// Ground truth from exiftool 12.57 (Debian libimage-exiftool-perl), not from
// kamadak-exif: `exiftool -n -GPSLatitude -GPSLongitude -GPSAltitude
// -DateTimeOriginal -OffsetTimeOriginal -j <files>`.
/// (file, lat, lon, alt, taken_at)
type ExiftoolGps = (&'static str, f64, f64, Option<f64>, Option<&'static str>);
const EXIFTOOL_GPS: &[ExiftoolGps] = &[
    ("jpg/gps/DSCN0010.jpg", 43.4674483333333, 11.8851266666639, None, Some("2008-10-22T16:28:39")),
    ("jpg/gps/DSCN0012.jpg", 43.4671566666639, 11.8853949999972, None, Some("2008-10-22T16:29:49")),
    ("jpg/gps/DSCN0021.jpg", 43.4670816666639, 11.8845383333306, None, Some("2008-10-22T16:38:20")),
    ("jpg/gps/DSCN0025.jpg", 43.468365, 11.8816349999722, None, Some("2008-10-22T16:43:21")),
    ("jpg/gps/DSCN0027.jpg", 43.4684416666667, 11.881515, None, Some("2008-10-22T16:44:01")),
    ("jpg/gps/DSCN0029.jpg", 43.4682433333306, 11.8801716666389, None, Some("2008-10-22T16:46:53")),
    ("jpg/gps/DSCN0038.jpg", 43.4672549999972, 11.8792133333333, None, Some("2008-10-22T16:52:15")),
    ("jpg/gps/DSCN0040.jpg", 43.4660116666389, 11.8791116666389, None, Some("2008-10-22T16:55:37")),
    ("jpg/gps/DSCN0042.jpg", 43.464455, 11.8814783333333, None, Some("2008-10-22T17:00:07")),
    // Southern and western hemispheres, altitudes and time offsets.
    ("jpg/Kodak_CX7530.jpg", -0.3713, 36.0564166666667, None, Some("2005-08-13T09:47:23")),
    ("jpg/hdr/iphone_hdr_NO.jpg", 40.4469722222222, -3.72475277777778, Some(639.5878788), Some("2015-04-10T20:12:23")),
    ("jpg/mobile/HMD_Nokia_8.3_5G.jpg", 60.1467055555556, 24.9067722222222, None, Some("2022-08-14T14:12:31+03:00")),
    ("heic/IMG_5195.HEIC", 39.0513444444444, -94.2887722222222, Some(260.5606383), Some("2021-04-11T15:47:53-05:00")),
    ("heic/mobile/HMD_Nokia_8.3_5G.heif", 40.78868522, -4.00514085, Some(1942.4216), None),
];

#[test]
fn gps_and_time_match_exiftool() {
    for &(rel, lat, lon, alt, taken_at) in EXIFTOOL_GPS {
        let exif = media::read_exif(&sample(rel));
        let gps = exif.gps.as_ref().unwrap_or_else(|| panic!("{rel}: no GPS"));
        assert!((gps.lat - lat).abs() < 1e-6, "{rel}: lat {} vs exiftool {lat}", gps.lat);
        assert!((gps.lon - lon).abs() < 1e-6, "{rel}: lon {} vs exiftool {lon}", gps.lon);
        match (gps.alt, alt) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{rel}: alt {a} vs exiftool {b}"),
            (a, b) => assert_eq!(a, b, "{rel}: altitude"),
        }
        assert_eq!(exif.taken_at.as_deref(), taken_at, "{rel}: taken_at");
    }
}

#[test]
fn camera_facts() {
    let e = media::read_exif(&sample("jpg/Canon_40D.jpg"));
    assert_eq!((e.make.as_deref(), e.model.as_deref()), (Some("Canon"), Some("Canon EOS 40D")));
    assert_eq!(e.taken_at.as_deref(), Some("2008-05-30T15:56:01"));
    assert_eq!(e.gps, None);
    let e = media::read_exif(&sample("jpg/xmp/no_exif.jpg"));
    assert!(e.is_empty(), "{e:?}");
    let i = media::read_photo_info(&sample("heic/mobile/iphone_13_pro_max.HEIC")).unwrap();
    assert_eq!((i.media_type.as_str(), i.width, i.height, i.exif.orientation), ("image/heic", 4032, 3024, 6));
    assert_eq!(i.upright_size(), (3024, 4032));
    assert_eq!(i.exif.taken_at.as_deref(), Some("2022-02-16T12:55:41+01:00"));
    let i = media::read_photo_info(&sample("jpg/hdr/iphone_hdr_NO.jpg")).unwrap();
    assert_eq!((i.media_type.as_str(), i.width, i.height), ("image/jpeg", 3264, 2448));
    let i = media::read_photo_info(&sample("tiff/BSG1.tiff")).unwrap();
    assert_eq!((i.media_type.as_str(), i.width, i.height), ("image/tiff", 635, 348));
}

// Without the `heic` feature (the phones' build) there is no HEIF decoder: the platform makes the previews.
#[cfg(not(feature = "heic"))]
#[test]
fn heif_keeps_original_without_previews() {
    for rel in ["heic/IMG_5195.HEIC", "heic/samplefilehub.heif", "heic/mobile/HMD_Nokia_8.3_5G.heif"] {
        let p = sample(rel);
        let info = media::read_photo_info(&p).unwrap();
        assert!(info.width > 0 && info.height > 0, "{rel}: {info:?}");
        match media::make_derivatives(&p, &info) {
            Err(Error::UnsupportedFormat(m)) => assert!(m.contains("HEIF"), "{m}"),
            other => panic!("{rel}: {:?}", other.map(|_| "derivatives")),
        }
    }
}

fn rgb_thumbnail(rel: &str) -> image::RgbImage {
    let p = sample(rel);
    let info = media::read_photo_info(&p).unwrap();
    decode_jpeg(&media::make_derivatives(&p, &info).unwrap().thumbnail.jpeg)
}

/// Mean absolute difference of two same-sized RGB images after normalising
/// each one's luma to zero mean and unit variance: the orientation samples
/// were colour-graded differently, so raw pixel values differ even when the
/// picture is the same.
fn normalized_diff(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let norm = |px: &[u8]| {
        let luma: Vec<f64> = px.chunks_exact(3).map(|p| 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64).collect();
        let mean = luma.iter().sum::<f64>() / luma.len() as f64;
        let sd = (luma.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / luma.len() as f64).sqrt().max(1e-9);
        luma.into_iter().map(move |v| (v - mean) / sd).collect::<Vec<_>>()
    };
    let (x, y) = (norm(a), norm(b));
    x.iter().zip(&y).map(|(p, q)| (p - q).abs()).sum::<f64>() / x.len() as f64
}

#[test]
fn orientation_thumbnails_are_upright() {
    // The folder's images show the same scene, each stored so that its EXIF
    // orientation makes it upright (with its orientation number drawn on it).
    for series in ["landscape", "portrait"] {
        let reference = rgb_thumbnail(&format!("jpg/orientation/{series}_1.jpg"));
        let (w, h) = reference.dimensions();
        assert_eq!(w > h, series == "landscape", "{series}_1 thumbnail is {w}x{h}");
        // Wrong answers of the same shape: the reference mirrored or turned over.
        let wrong: Vec<(u8, Vec<u8>)> =
            [2u8, 3, 4].into_iter().map(|o| (o, media::apply_orientation(reference.as_raw(), w, h, 3, o).0)).collect();
        for n in 1..=8 {
            let thumb = rgb_thumbnail(&format!("jpg/orientation/{series}_{n}.jpg"));
            assert_eq!(thumb.dimensions(), (w, h), "{series}_{n}: thumbnail not upright-sized");
            let right = normalized_diff(thumb.as_raw(), reference.as_raw());
            let nearest_wrong = wrong.iter().map(|(_, px)| normalized_diff(thumb.as_raw(), px)).fold(f64::MAX, f64::min);
            println!("{series}_{n}: diff to upright {right:.3}, to nearest wrong orientation {nearest_wrong:.3}");
            assert!(right < 0.2, "{series}_{n}: differs from orientation 1 by {right:.3}");
            assert!(right * 3.0 < nearest_wrong, "{series}_{n}: {right:.3} is not clearly better than {nearest_wrong:.3}");
        }
    }
}

fn expect_clean<T: std::fmt::Debug>(what: &str, path: &Path, r: &Result<T, Error>) {
    if let Err(e) = r {
        assert!(
            matches!(e, Error::UnsupportedFormat(_) | Error::CorruptMedia(_) | Error::TooLarge(_) | Error::EmptyFile),
            "{what} on {}: unexpected error kind {e:?}",
            path.display()
        );
    }
}

/// All four entry points on one file: never a panic, only the media error kinds.
fn hammer(path: &Path) -> (Result<PhotoInfo, Error>, Option<Result<Derivatives, Error>>) {
    let _ = no_panic("sniff", path, || sniff_file(path));
    catch_unwind(|| media::read_exif(path)).unwrap_or_else(|_| panic!("read_exif panicked on {}", path.display()));
    let info = no_panic("read_photo_info", path, || media::read_photo_info(path));
    expect_clean("read_photo_info", path, &info);
    let ders = info.as_ref().ok().map(|i| no_panic("make_derivatives", path, || media::make_derivatives(path, i)));
    if let Some(d) = &ders {
        expect_clean("make_derivatives", path, d);
    }
    let voice = no_panic("read_voice_info", path, || media::read_voice_info(path));
    expect_clean("read_voice_info", path, &voice);
    if info.is_ok() {
        let font = media::find_cjk_font(None).expect("a CJK font (fonts-wqy-microhei)");
        let rect = media::PixelRect { x: 0, y: 0, w: 8, h: 8 };
        let copy = no_panic("redacted_copy", path, || media::redacted_copy(path, &font, &[rect]));
        expect_clean("redacted_copy", path, &copy);
    }
    (info, ders)
}

#[test]
fn broken_and_hostile_files_fail_cleanly() {
    let mut files = Vec::new();
    for dir in ["jpg/invalid", "jpg/tests"] {
        walk(&sample(dir), &mut files);
    }
    files.push(sample("jpg/corrupted.jpg"));
    for p in &files {
        let _ = hammer(p);
    }
    // corrupted.jpg has a good header and EXIF but broken image data.
    let (info, ders) = hammer(&sample("jpg/corrupted.jpg"));
    assert!(info.is_ok());
    assert!(matches!(ders, Some(Err(Error::CorruptMedia(_)))), "{:?}", ders.map(|r| r.map(|_| ())));

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jpg");
    fs::write(&empty, b"").unwrap();
    let _ = hammer(&empty);
    assert!(matches!(media::read_photo_info(&empty), Err(Error::EmptyFile)));
    assert!(matches!(media::read_voice_info(&empty), Err(Error::EmptyFile)));

    // Half a real photo: the header survives, the image data does not.
    let full = fs::read(sample("jpg/hdr/iphone_hdr_NO.jpg")).unwrap();
    let half = dir.path().join("half.jpg");
    fs::write(&half, &full[..full.len() / 2]).unwrap();
    let (info, _) = hammer(&half);
    assert_eq!(info.as_ref().map(|i| (i.width, i.height)).ok(), Some((3264, 2448)));
    // Cut inside the headers: no size can be read.
    let stub = dir.path().join("stub.jpg");
    fs::write(&stub, &full[..300]).unwrap();
    assert!(matches!(hammer(&stub).0, Err(Error::CorruptMedia(_))));

    // Random bytes, with and without a JPEG/PNG/TIFF/RIFF/ftyp disguise.
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let disguises: [&[u8]; 6] =
        [b"", b"\xFF\xD8\xFF", b"\x89PNG\r\n\x1a\n", b"II*\0", b"RIFF\0\0\0\0WEBP", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"];
    for (i, prefix) in disguises.iter().enumerate() {
        let mut bytes = prefix.to_vec();
        bytes.extend((0..4096).map(|_| rng.gen::<u8>()));
        let p = dir.path().join(format!("random{i}.bin"));
        fs::write(&p, &bytes).unwrap();
        let (info, _) = hammer(&p);
        if prefix.is_empty() {
            assert!(matches!(info, Err(Error::UnsupportedFormat(_))), "{info:?}");
        }
    }

    // A directory and a missing file are not media.
    assert!(matches!(media::read_photo_info(dir.path()), Err(Error::NotAFile(_))));
    let missing = media::read_photo_info(&dir.path().join("nope.jpg"));
    assert!(matches!(&missing, Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound), "{missing:?}");
}

#[test]
fn mutated_photos_never_panic() {
    // Cheap fuzzing: flip bytes in small real files and truncate them at
    // random points, then run every entry point.
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let dir = tempfile::tempdir().unwrap();
    for rel in ["jpg/Canon_40D.jpg", "jpg/orientation/portrait_6.jpg", "tiff/Arbitro.tiff", "jpg/invalid/image01551.jpg"] {
        let original = fs::read(sample(rel)).unwrap();
        for round in 0..40 {
            let mut bytes = original.clone();
            for _ in 0..rng.gen_range(1..16) {
                let at = rng.gen_range(0..bytes.len());
                bytes[at] = rng.gen();
            }
            if round % 4 == 0 {
                bytes.truncate(rng.gen_range(1..bytes.len()));
            }
            let ext = rel.rsplit('.').next().unwrap();
            let p = dir.path().join(format!("m{round}.{ext}"));
            fs::write(&p, &bytes).unwrap();
            let _ = hammer(&p);
        }
    }
}

#[test]
fn decompression_bombs_are_refused() {
    let bomb = our_fixture("bomb.png");
    assert!(fs::metadata(&bomb).unwrap().len() < 1024);
    let err = media::read_photo_info(&bomb).unwrap_err();
    assert!(matches!(err, Error::TooLarge(_)), "{err:?}");
    // Even when the caller skips the header check.
    let fake = PhotoInfo { media_type: "image/png".into(), width: 1, height: 1, exif: media::ExifSummary::default() };
    let err = media::make_derivatives(&bomb, &fake).unwrap_err();
    assert!(matches!(err, Error::TooLarge(_)), "{err:?}");

    // Under the pixel cap but 16-bit RGBA: 9000 x 9000 x 8 bytes is over the
    // decoder's allocation limit.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("deep.png");
    fs::write(&p, png_header_only(9000, 9000, 16, 6)).unwrap();
    let info = media::read_photo_info(&p).unwrap();
    let err = media::make_derivatives(&p, &info).unwrap_err();
    assert!(matches!(err, Error::TooLarge(_)), "{err:?}");

    // A JPEG header claiming 65535 x 65535.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0xFF, 0xFF, 0xFF, 0xFF, 3];
    jpeg.extend_from_slice(&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    let p = dir.path().join("huge.jpg");
    fs::write(&p, &jpeg).unwrap();
    assert!(matches!(media::read_photo_info(&p), Err(Error::TooLarge(_))));
    assert!(matches!(media::make_derivatives(&p, &fake), Err(Error::TooLarge(_))));
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_header_only(w: u32, h: u32, depth: u8, color: u8) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&crc32(&[kind, data].concat()).to_be_bytes());
        c
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[depth, color, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    // An empty stored zlib stream: the header is all a bomb needs.
    png.extend(chunk(b"IDAT", &[0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(chunk(b"IEND", b""));
    png
}

// Durations from ffprobe 5.1 (`ffprobe -show_entries format=duration`), see
// tests/fixtures/audio/README.md. (file, media type, codec, ms, rate, channels)
const FFPROBE_AUDIO: &[(&str, &str, &str, u64, u32, u8)] = &[
    ("audio/note.m4a", "audio/mp4", "aac", 3203, 16_000, 1),
    ("audio/note.opus", "audio/ogg", "opus", 3209, 48_000, 1),
    ("audio/note.ogg", "audio/ogg", "vorbis", 3202, 16_000, 1),
    ("audio/note.wav", "audio/wav", "pcm", 3202, 8_000, 1),
    ("audio/note.mp3", "audio/mpeg", "mp3", 3265, 22_050, 1),
    // Bare ADTS: ffprobe's format duration is an estimate (3.206 s); its 52 packets of 1024 samples end at 3.328 s.
    ("audio/note.aac", "audio/aac", "aac", 3328, 16_000, 1),
    // For AMR ffprobe's format duration is a guess from the bitrate (3.303 s); its packets, 20 ms
    // each, end at 3.200 s and 3.220 s, and those are the lengths to match.
    ("audio/note.amr", "audio/amr", "amr_nb", 3200, 8_000, 1),
    ("audio/note_wb.amr", "audio/amr-wb", "amr_wb", 3220, 16_000, 1),
];

#[test]
fn voice_notes_match_ffprobe() {
    for &(rel, media_type, codec, ms, rate, channels) in FFPROBE_AUDIO {
        let p = our_fixture(rel);
        assert!(fs::metadata(&p).unwrap().len() < 60_000, "{rel} should stay small");
        assert_eq!(no_panic("sniff", &p, || sniff_file(&p)).unwrap().media_type(), media_type);
        let v = media::read_voice_info(&p).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!((v.media_type.as_str(), v.codec.as_str()), (media_type, codec), "{rel}");
        assert!(v.duration_ms.abs_diff(ms) <= 50, "{rel}: {} ms vs ffprobe {ms} ms", v.duration_ms);
        assert_eq!((v.sample_rate, v.channels), (Some(rate), Some(channels)), "{rel}");
        // Not a photo.
        assert!(matches!(media::read_photo_info(&p), Err(Error::UnsupportedFormat(_))));
        assert!(matches!(
            media::make_derivatives(&p, &PhotoInfo { media_type: media_type.into(), width: 1, height: 1, exif: Default::default() }),
            Err(Error::UnsupportedFormat(_))
        ));
    }
    // And a photo is not a voice note.
    assert!(matches!(media::read_voice_info(&sample("jpg/Canon_40D.jpg")), Err(Error::UnsupportedFormat(_))));
}

#[test]
fn truncated_voice_notes_fail_cleanly() {
    for (rel, full_ms) in [
        ("audio/note_truncated.m4a", 3203),
        ("audio/note_truncated.opus", 3209),
        ("audio/note_truncated.ogg", 3202),
        ("audio/note_truncated.wav", 3202),
        ("audio/note_truncated.mp3", 3265),
        ("audio/note_truncated.aac", 3328),
    ] {
        let p = our_fixture(rel);
        let r = no_panic("read_voice_info", &p, || media::read_voice_info(&p));
        println!("{rel}: {:?}", r);
        match r {
            Ok(v) => assert!(v.duration_ms > 0 && v.duration_ms <= full_ms + 50, "{rel}: {v:?}"),
            Err(e) => assert!(matches!(e, Error::CorruptMedia(_)), "{rel}: {e:?}"),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    // A WAV whose header promises no samples at all.
    let wav = fs::read(our_fixture("audio/note.wav")).unwrap();
    let p = dir.path().join("header_only.wav");
    fs::write(&p, &wav[..44]).unwrap();
    let r = no_panic("read_voice_info", &p, || media::read_voice_info(&p));
    assert!(r.as_ref().map(|v| v.duration_ms > 0).unwrap_or(true), "{r:?}");
    // Mutations of each voice note.
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    for (rel, ..) in FFPROBE_AUDIO {
        let original = fs::read(our_fixture(rel)).unwrap();
        for round in 0..30 {
            let mut bytes = original.clone();
            for _ in 0..rng.gen_range(1..8) {
                let at = rng.gen_range(0..bytes.len().min(2048));
                bytes[at] = rng.gen();
            }
            if round % 3 == 0 {
                bytes.truncate(rng.gen_range(1..bytes.len()));
            }
            let p = dir.path().join(format!("v{round}"));
            fs::write(&p, &bytes).unwrap();
            let r = no_panic("read_voice_info", &p, || media::read_voice_info(&p));
            expect_clean("read_voice_info", &p, &r);
        }
    }
}

#[test]
fn cut_amr_is_refused_not_shortened() {
    // AMR has no header giving its length: a file cut inside a frame is damaged, and saying
    // "half as long" would misstate the evidence.
    for rel in ["audio/note_truncated.amr", "audio/note_wb_truncated.amr"] {
        let p = our_fixture(rel);
        match no_panic("read_voice_info", &p, || media::read_voice_info(&p)) {
            Err(Error::CorruptMedia(m)) => assert!(m.contains("cut off inside frame"), "{rel}: {m}"),
            other => panic!("{rel}: {other:?}"),
        }
    }
    // Whole frames only (cut at a frame boundary) is a shorter, intact recording.
    let full = fs::read(our_fixture("audio/note.amr")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("first_second.amr");
    fs::write(&p, &full[..6 + 50 * 32]).unwrap();
    assert_eq!(media::read_voice_info(&p).unwrap().duration_ms, 1000);
}

/// JPEG marker segments before the scan, as (marker, length) pairs.
fn segments_before_scan(jpeg: &[u8]) -> Vec<u8> {
    let mut at = 2;
    let mut markers = Vec::new();
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA {
        markers.push(jpeg[at + 1]);
        at += 2 + u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
    }
    markers
}

#[test]
fn share_copies_are_upright_bare_jpegs() {
    let font = media::find_cjk_font(None).expect("a CJK font (fonts-wqy-microhei)");
    let dir = tempfile::tempdir().unwrap();
    // Stored 600x450 and turned by EXIF orientation 6: a person sees it 450 wide and 600 tall.
    let photo = sample("jpg/orientation/portrait_6.jpg");
    let upright = media::upright::decode_upright(&photo).unwrap();
    assert_eq!((upright.width, upright.height), (450, 600));
    let band = media::BandText {
        lines: vec!["工单 Order 2026113000456 幸福里小区5号楼".into()],
        code_line: "核验码 Code 7KQ2M-XD40P".into(),
        check_line: Some("核验 Verify: https://case.example.cn/v/7KQ2MXD40P".into()),
    };
    let stamped = media::watermarked_copy(&photo, &font, &band).unwrap();
    let redacted = media::redacted_copy(&photo, &font, &[media::PixelRect { x: 10, y: 10, w: 100, h: 100 }]).unwrap();
    assert_eq!((redacted.width, redacted.height), (450, 600));
    for (name, jpeg) in [("watermarked", &stamped), ("redacted", &redacted.jpeg)] {
        let p = dir.path().join(format!("{name}.jpg"));
        fs::write(&p, jpeg).unwrap();
        let info = media::read_photo_info(&p).unwrap();
        assert_eq!(info.width, 450, "{name}: upright in its pixels");
        assert_eq!(info.exif, media::ExifSummary::default(), "{name}: no EXIF");
        // No APP1 (EXIF, XMP) or APP2 (ICC, MPF) and the like: only JFIF, tables and the frame.
        let markers = segments_before_scan(jpeg);
        assert!(markers.iter().all(|m| *m == 0xE0 || !(0xE1..=0xEF).contains(m)), "{name}: {markers:x?}");
        assert_eq!(media::read_trailer(&p, MediaKind::Jpeg).unwrap(), None, "{name}: nothing after the image");
    }
    let stamped_info = media::read_photo_info(&{
        let p = dir.path().join("w.jpg");
        fs::write(&p, &stamped).unwrap();
        p
    })
    .unwrap();
    assert!(stamped_info.height > 600 + 30, "a band of {} rows below the photo", stamped_info.height - 600);
}
