//! The few EXIF facts Siteproof records about a photo: when and where the
//! camera says it was taken, which camera, and which way is up. EXIF is
//! written by whoever made the file, so it is a claim to compare against the
//! phone's own clock and fix, never a fact; and because a photo without EXIF
//! is still evidence, reading it never fails: broken or hostile EXIF just
//! yields an empty summary.

use std::fs::File;
use std::io::{BufReader, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use chrono::NaiveDateTime;
use exif::{Exif, In, Rational, Tag, Value};

/// Longest make/model string kept, in characters.
pub const MAX_TEXT_CHARS: usize = 128;

// kamadak-exif reads a whole TIFF into memory to find its IFDs; past this we
// read only the head, which is where cameras put the IFDs anyway.
const MAX_TIFF_EXIF_BYTES: u64 = 64 << 20;

pub use siteproof_protocol::evidence::exif::{ExifSummary, GpsPoint};

/// Reads the EXIF summary of a photo; any failure gives an empty summary.
pub fn read_exif(path: &Path) -> ExifSummary {
    read_exif_and_dims(path).0
}

/// Parses an EXIF summary from raw EXIF (TIFF-structured) bytes; any failure gives an empty summary.
pub fn exif_from_raw(raw: Vec<u8>) -> ExifSummary {
    guarded(|| parse_raw(raw)).map(|e| summarize(&e)).unwrap_or_default()
}

/// The summary plus the PixelX/YDimension pair, which HEIF needs as a fallback size.
pub(crate) fn read_exif_and_dims(path: &Path) -> (ExifSummary, Option<(u32, u32)>) {
    match guarded(|| load(path)) {
        Some(e) => (summarize(&e), pixel_dims(&e)),
        None => (ExifSummary::default(), None),
    }
}

// kamadak-exif is careful, but it parses attacker-controlled offsets; a
// panic there must cost the EXIF, not the capture.
fn guarded<T>(f: impl FnOnce() -> Option<T>) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok().flatten()
}

fn reader() -> exif::Reader {
    let mut r = exif::Reader::new();
    // Keep the fields that did parse when a later IFD is broken.
    r.continue_on_error(true);
    r
}

fn accept(r: Result<Exif, exif::Error>) -> Option<Exif> {
    r.or_else(|e| e.distill_partial_result(|_| {})).ok()
}

fn parse_raw(raw: Vec<u8>) -> Option<Exif> {
    accept(reader().read_raw(raw))
}

fn load(path: &Path) -> Option<Exif> {
    let file = File::open(path).ok()?;
    let mut head = [0u8; 4];
    let n = (&file).take(4).read(&mut head).ok()?;
    let is_tiff = n == 4 && (head == *b"II*\0" || head == *b"MM\0*");
    if is_tiff {
        let mut buf = Vec::new();
        File::open(path).ok()?.take(MAX_TIFF_EXIF_BYTES).read_to_end(&mut buf).ok()?;
        return parse_raw(buf);
    }
    let mut r = BufReader::new(File::open(path).ok()?);
    accept(reader().read_from_container(&mut r))
}

fn summarize(e: &Exif) -> ExifSummary {
    ExifSummary { taken_at: taken_at(e), gps: gps(e), make: ascii(e, Tag::Make), model: ascii(e, Tag::Model), orientation: orientation(e) }
}

fn field(e: &Exif, tag: Tag) -> Option<&Value> {
    e.get_field(tag, In::PRIMARY).map(|f| &f.value)
}

fn ascii_raw(e: &Exif, tag: Tag) -> Option<&[u8]> {
    match field(e, tag)? {
        Value::Ascii(parts) => parts.first().map(|v| v.as_slice()),
        // Some writers store strings as UNDEFINED.
        Value::Undefined(bytes, _) => Some(bytes.as_slice()),
        _ => None,
    }
}

fn ascii(e: &Exif, tag: Tag) -> Option<String> {
    clean_text(ascii_raw(e, tag)?)
}

/// Makes an EXIF string safe to show and store: NULs, control characters and surrounding whitespace removed, at most [`MAX_TEXT_CHARS`] characters; None if nothing is left.
pub fn clean_text(raw: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(raw);
    let s = s.split('\0').next().unwrap_or("");
    let cleaned: String = s.chars().filter(|c| !c.is_control() && !is_invisible_format(*c)).collect();
    let t = siteproof_protocol::text::prefix(cleaned.trim(), MAX_TEXT_CHARS);
    let t = t.trim_end().to_string();
    (!t.is_empty()).then_some(t)
}

// Bidi overrides and zero-width characters let a string display as
// something other than what it is; they never belong in a camera name.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn orientation(e: &Exif) -> u8 {
    match field(e, Tag::Orientation).and_then(|v| v.get_uint(0)) {
        Some(o @ 1..=8) => o as u8,
        _ => 1,
    }
}

fn taken_at(e: &Exif) -> Option<String> {
    let raw = ascii_raw(e, Tag::DateTimeOriginal)?;
    let offset = ascii_raw(e, Tag::OffsetTimeOriginal).and_then(parse_offset);
    format_taken_at(raw, offset.as_deref())
}

/// Turns EXIF "YYYY:MM:DD HH:MM:SS" (plus an optional "+HH:MM" offset) into RFC 3339; None if malformed.
pub fn format_taken_at(raw: &[u8], offset: Option<&str>) -> Option<String> {
    let s = std::str::from_utf8(raw).ok()?.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    // Exactly 19 characters: sub-seconds live in a separate tag, and
    // anything longer is not what the standard allows.
    if s.len() != 19 {
        return None;
    }
    let t = NaiveDateTime::parse_from_str(s, "%Y:%m:%d %H:%M:%S").ok()?;
    let mut out = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    if let Some(o) = offset {
        out.push_str(o);
    }
    Some(out)
}

// OffsetTimeOriginal is "+HH:MM" or "-HH:MM"; cameras without a timezone
// write blanks or "   :  ", which must mean "no offset", not "UTC".
fn parse_offset(raw: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(raw).ok()?.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    let b = s.as_bytes();
    // Every byte is checked to be ASCII before any slicing, so the slices below fall on characters.
    if b.len() != 6 || !(b[0] == b'+' || b[0] == b'-') || b[3] != b':' || ![b[1], b[2], b[4], b[5]].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let hh: u32 = s[1..3].parse().ok()?;
    let mm: u32 = s[4..6].parse().ok()?;
    if hh > 14 || mm > 59 {
        return None;
    }
    Some(s.to_string())
}

fn rationals(e: &Exif, tag: Tag) -> Option<Vec<f64>> {
    match field(e, tag)? {
        Value::Rational(v) => v.iter().map(rational).collect(),
        // Not what the standard says, but some phones (HMD/Nokia) write
        // signed rationals; dms() still rejects negative parts.
        Value::SRational(v) => v.iter().map(|r| (r.denom != 0).then(|| r.num as f64 / r.denom as f64)).collect(),
        _ => None,
    }
}

fn rational(r: &Rational) -> Option<f64> {
    (r.denom != 0).then(|| r.num as f64 / r.denom as f64)
}

fn gps(e: &Exif) -> Option<GpsPoint> {
    // "V" (void) means the receiver had no fix when the photo was taken.
    if ascii_raw(e, Tag::GPSStatus).map(|s| s.first() == Some(&b'V')).unwrap_or(false) {
        return None;
    }
    let lat = dms(&rationals(e, Tag::GPSLatitude)?)?;
    let lon = dms(&rationals(e, Tag::GPSLongitude)?)?;
    let lat_ref = ascii_raw(e, Tag::GPSLatitudeRef).and_then(|s| s.first().copied());
    let lon_ref = ascii_raw(e, Tag::GPSLongitudeRef).and_then(|s| s.first().copied());
    let alt = rationals(e, Tag::GPSAltitude).and_then(|v| v.first().copied());
    let alt_ref = field(e, Tag::GPSAltitudeRef).and_then(|v| v.get_uint(0));
    gps_point(lat, lat_ref, lon, lon_ref, alt, alt_ref)
}

/// Degrees, minutes, seconds (the first 1 to 3 of them) as decimal degrees; None if any is negative or not finite.
pub fn dms(parts: &[f64]) -> Option<f64> {
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| !p.is_finite() || *p < 0.0) {
        return None;
    }
    let scale = [1.0, 60.0, 3600.0];
    Some(parts.iter().zip(scale).map(|(p, s)| p / s).sum())
}

/// Applies hemisphere and altitude references and validates ranges; None when the point is unusable.
pub fn gps_point(lat: f64, lat_ref: Option<u8>, lon: f64, lon_ref: Option<u8>, alt: Option<f64>, alt_ref: Option<u32>) -> Option<GpsPoint> {
    // A missing or unknown reference leaves the hemisphere unknown; a point
    // in the wrong hemisphere is worse evidence than none.
    let lat = match lat_ref? {
        b'N' | b'n' => lat,
        b'S' | b's' => -lat,
        _ => return None,
    };
    let lon = match lon_ref? {
        b'E' | b'e' => lon,
        b'W' | b'w' => -lon,
        _ => return None,
    };
    if !lat.is_finite() || !lon.is_finite() || !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return None;
    }
    let alt = alt.filter(|a| a.is_finite()).and_then(|a| match alt_ref.unwrap_or(0) {
        0 => Some(a),
        1 => Some(-a),
        _ => None,
    });
    Some(GpsPoint { lat, lon, alt })
}

fn pixel_dims(e: &Exif) -> Option<(u32, u32)> {
    let w = field(e, Tag::PixelXDimension)?.get_uint(0)?;
    let h = field(e, Tag::PixelYDimension)?.get_uint(0)?;
    (w > 0 && h > 0).then_some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gps_signs_and_ranges() {
        let d = dms(&[33.0, 51.0, 36.0]).unwrap();
        assert!((d - 33.86).abs() < 1e-12);
        let p = gps_point(d, Some(b'S'), 151.2, Some(b'E'), Some(12.5), Some(0)).unwrap();
        assert_eq!((p.lat, p.lon, p.alt), (-33.86, 151.2, Some(12.5)));
        let p = gps_point(40.0, Some(b'N'), 74.0, Some(b'W'), Some(3.0), Some(1)).unwrap();
        assert_eq!((p.lat, p.lon, p.alt), (40.0, -74.0, Some(-3.0)));
        // Bad altitude reference drops only the altitude.
        assert_eq!(gps_point(1.0, Some(b'N'), 1.0, Some(b'E'), Some(3.0), Some(7)).unwrap().alt, None);
        assert_eq!(gps_point(1.0, Some(b'N'), 1.0, Some(b'E'), None, None).unwrap().alt, None);
        assert_eq!(gps_point(1.0, Some(b'N'), 1.0, Some(b'E'), Some(f64::NAN), None).unwrap().alt, None);
        assert!(gps_point(91.0, Some(b'N'), 0.0, Some(b'E'), None, None).is_none());
        assert!(gps_point(0.0, Some(b'N'), 180.5, Some(b'W'), None, None).is_none());
        assert!(gps_point(f64::NAN, Some(b'N'), 0.0, Some(b'E'), None, None).is_none());
        assert!(gps_point(1.0, None, 1.0, Some(b'E'), None, None).is_none());
        assert!(gps_point(1.0, Some(b'X'), 1.0, Some(b'E'), None, None).is_none());
        assert!(dms(&[]).is_none());
        assert!(dms(&[1.0, -2.0]).is_none());
        assert!(dms(&[f64::INFINITY]).is_none());
        assert!((dms(&[10.5]).unwrap() - 10.5).abs() < 1e-12);
    }

    #[test]
    fn zero_denominator_is_malformed() {
        assert_eq!(rational(&Rational { num: 1, denom: 0 }), None);
        assert_eq!(rational(&Rational { num: 3, denom: 2 }), Some(1.5));
    }

    #[test]
    fn taken_at_formats() {
        assert_eq!(format_taken_at(b"2008:10:22 16:29:49", None).as_deref(), Some("2008-10-22T16:29:49"));
        assert_eq!(format_taken_at(b"2008:10:22 16:29:49", Some("+08:00")).as_deref(), Some("2008-10-22T16:29:49+08:00"));
        assert_eq!(format_taken_at(b"0000:00:00 00:00:00", None), None);
        assert_eq!(format_taken_at(b"2008:13:22 16:29:49", None), None);
        assert_eq!(format_taken_at(b"    :  :     :  :  ", None), None);
        assert_eq!(format_taken_at(b"2008-10-22T16:29:49", None), None);
        assert_eq!(format_taken_at(b"\xff\xfe", None), None);
        assert_eq!(parse_offset(b"+08:00").as_deref(), Some("+08:00"));
        assert_eq!(parse_offset(b"-03:30").as_deref(), Some("-03:30"));
        assert_eq!(parse_offset(b"   :  "), None);
        assert_eq!(parse_offset(b"+8:00"), None);
        assert_eq!(parse_offset(b"+25:00"), None);
        assert_eq!(parse_offset(b"+0a:00"), None);
    }

    #[test]
    fn text_is_cleaned() {
        assert_eq!(clean_text(b"  Canon\0\0\0").as_deref(), Some("Canon"));
        assert_eq!(clean_text(b"EOS\x07 40D\n").as_deref(), Some("EOS 40D"));
        assert_eq!(clean_text(b"   \0junk after nul"), None);
        assert_eq!(clean_text(&[b'x'; 500]).unwrap().chars().count(), MAX_TEXT_CHARS);
        assert_eq!(clean_text("ÄÖ\u{202e}x".as_bytes()).as_deref(), Some("ÄÖx"));
    }

    #[test]
    fn garbage_gives_empty_summary() {
        assert!(exif_from_raw(vec![]).is_empty());
        assert!(exif_from_raw(b"II*\0\xff\xff\xff\xff".to_vec()).is_empty());
        assert!(read_exif(Path::new("/nonexistent/photo.jpg")).is_empty());
    }
}
