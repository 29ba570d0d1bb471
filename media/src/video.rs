//! What a video clip's container (MP4, QuickTime MOV, 3GPP) says about
//! itself: length, picture size, codec, and the time and place the recorder
//! wrote. Clips run to hundreds of megabytes, so only the `moov` box (the
//! index, kilobytes to a few megabytes) is read; the media data is skipped
//! by seeking. The container's time and place are the recorder's claims,
//! recorded for comparison, never taken as facts.
//!
//! MP4 and M4A share one container and often one brand, so the brand alone
//! cannot say whether a file is a clip or a voice note; [`sniff_with_tracks`]
//! is the one place that decides, by looking for a video track.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use siteproof_protocol::evidence::exif::GpsPoint;

use super::sniff::{sniff, video_kind_for_brand, MediaKind};
use crate::error::{Error, Result};

/// The largest `moov` box read into memory (an hour of 60 fps video indexes in well under this).
pub const MAX_MOOV_BYTES: u64 = 64 << 20;

/// Seconds from 1904-01-01 (the ISO BMFF epoch) to 1970-01-01.
const EPOCH_1904_TO_1970_S: i64 = 2_082_844_800;

/// What Siteproof records about a video clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoInfo {
    /// IANA media type from the magic bytes and tracks, e.g. "video/mp4".
    pub media_type: String,
    /// Presentation length in milliseconds (never 0).
    pub duration_ms: u64,
    /// Picture width of the first video track, in pixels.
    pub width: Option<u32>,
    /// Picture height of the first video track, in pixels.
    pub height: Option<u32>,
    /// The video sample entry's four-character code, e.g. "avc1", "hvc1", "s263".
    pub codec: String,
    /// When the container says recording began, RFC 3339 (a claim).
    pub created_at: Option<String>,
    /// Where the container says it was recorded (a claim).
    pub place: Option<GpsPoint>,
}

/// The format of a file from its first bytes, telling MP4 and 3GPP clips
/// from M4A and 3GPP voice notes by whether the file holds a video track.
pub fn sniff_with_tracks(header: &[u8], path: &Path) -> Result<MediaKind> {
    let kind = sniff(header)?;
    if kind == MediaKind::M4a {
        let moov = read_moov(path)?;
        if moov.as_deref().is_some_and(|m| first_video_track(m).is_some()) {
            return Ok(video_kind_for_brand(header));
        }
    }
    Ok(kind)
}

/// Reads duration, picture size, codec and the container's time and place claims of a clip.
pub fn read_video_info(path: &Path) -> Result<VideoInfo> {
    super::guard("reading video clip", || {
        let mut header = Vec::new();
        let file = File::open(path).map_err(|e| Error::from_io(&path.display().to_string(), e))?;
        file.take(super::SNIFF_LEN as u64).read_to_end(&mut header).map_err(|e| Error::from_io(&path.display().to_string(), e))?;
        let kind = sniff_with_tracks(&header, path)?;
        if !kind.is_video() {
            return Err(Error::UnsupportedFormat(format!("{} is {}, not a video clip", path.display(), kind.media_type())));
        }
        let moov = read_moov(path)?.ok_or_else(|| Error::CorruptMedia("video has no moov box (index)".into()))?;
        let movie = children(&moov).find(|b| b.kind == *b"mvhd").ok_or_else(|| Error::CorruptMedia("video has no movie header".into()))?;
        let (created_s, duration_ms) = movie_header(movie.body).ok_or_else(|| Error::CorruptMedia("movie header is damaged".into()))?;
        if duration_ms == 0 {
            return Err(Error::CorruptMedia("no video duration".into()));
        }
        let track = first_video_track(&moov).ok_or_else(|| Error::CorruptMedia("no video track".into()))?;
        let (width, height) = track_size(track).unzip();
        let codec = sample_entry_code(track).unwrap_or_else(|| "unknown".into());
        let apple = apple_keys(&moov);
        let created_at = apple.creation_date.or_else(|| created_s.and_then(created_from_1904));
        let place = apple.location.or_else(|| udta_place(&moov));
        Ok(VideoInfo { media_type: kind.media_type().to_string(), duration_ms, width, height, codec, created_at, place })
    })
}

/// One box: its type and its body (after the header).
struct Bmff<'a> {
    kind: [u8; 4],
    body: &'a [u8],
}

/// The boxes inside `data`, stopping at the first that does not fit.
fn children(data: &[u8]) -> impl Iterator<Item = Bmff<'_>> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let h = data.get(pos..pos + 8)?;
        let mut size = u32::from_be_bytes(h[0..4].try_into().ok()?) as usize;
        let mut header = 8;
        if size == 1 {
            size = usize::try_from(u64::from_be_bytes(data.get(pos + 8..pos + 16)?.try_into().ok()?)).ok()?;
            header = 16;
        } else if size == 0 {
            size = data.len() - pos;
        }
        if size < header {
            return None;
        }
        let body = data.get(pos + header..pos.checked_add(size)?)?;
        let kind = h[4..8].try_into().ok()?;
        pos += size;
        Some(Bmff { kind, body })
    })
}

fn child<'a>(data: &'a [u8], path: &[&[u8; 4]]) -> Option<&'a [u8]> {
    let (first, rest) = path.split_first()?;
    let found = children(data).find(|b| &b.kind == *first)?.body;
    if rest.is_empty() {
        Some(found)
    } else {
        child(found, rest)
    }
}

/// Finds the top-level `moov` box by seeking over the others, and reads it. None: the file has none.
fn read_moov(path: &Path) -> Result<Option<Vec<u8>>> {
    let ctx = || path.display().to_string();
    let mut r = BufReader::new(File::open(path).map_err(|e| Error::from_io(&ctx(), e))?);
    let len = r.seek(SeekFrom::End(0)).map_err(|e| Error::from_io(&ctx(), e))?;
    let mut pos = 0u64;
    while pos + 8 <= len {
        r.seek(SeekFrom::Start(pos)).map_err(|e| Error::from_io(&ctx(), e))?;
        let mut h = [0u8; 8];
        r.read_exact(&mut h).map_err(|e| Error::from_io(&ctx(), e))?;
        let mut size = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as u64;
        let mut header = 8u64;
        if size == 1 {
            let mut l = [0u8; 8];
            r.read_exact(&mut l).map_err(|e| Error::from_io(&ctx(), e))?;
            size = u64::from_be_bytes(l);
            header = 16;
        } else if size == 0 {
            size = len - pos;
        }
        if size < header || pos + size > len {
            return Err(Error::CorruptMedia(format!("ISO media box at byte {pos} runs past the end of the file")));
        }
        if &h[4..8] == b"moov" {
            let body = size - header;
            if body > MAX_MOOV_BYTES {
                return Err(Error::TooLarge(format!("moov box of {body} bytes exceeds {MAX_MOOV_BYTES}")));
            }
            let mut moov = vec![0u8; body as usize];
            r.read_exact(&mut moov).map_err(|e| Error::from_io(&ctx(), e))?;
            return Ok(Some(moov));
        }
        pos += size;
    }
    Ok(None)
}

/// Creation time (seconds since 1904, None when 0) and duration in ms from `mvhd`.
fn movie_header(b: &[u8]) -> Option<(Option<u64>, u64)> {
    let (created, timescale, duration) = match *b.first()? {
        0 => (be32(b, 4)? as u64, be32(b, 12)? as u64, be32(b, 16)? as u64),
        1 => (be64(b, 4)?, be32(b, 20)? as u64, be64(b, 24)?),
        _ => return None,
    };
    // All ones means "unknown" in both versions.
    if timescale == 0 || duration == u32::MAX as u64 || duration == u64::MAX {
        return Some(((created > 0).then_some(created), 0));
    }
    let ms = (duration as u128 * 1000 / timescale as u128).min(u64::MAX as u128) as u64;
    Some(((created > 0).then_some(created), ms))
}

fn created_from_1904(s: u64) -> Option<String> {
    let unix = i64::try_from(s).ok()?.checked_sub(EPOCH_1904_TO_1970_S)?;
    let t: DateTime<Utc> = Utc.timestamp_opt(unix, 0).single()?;
    Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The first `trak` whose handler is `vide`.
fn first_video_track(moov: &[u8]) -> Option<&[u8]> {
    children(moov)
        .filter(|b| b.kind == *b"trak")
        .map(|b| b.body)
        .find(|t| child(t, &[b"mdia", b"hdlr"]).and_then(|h| h.get(8..12)) == Some(b"vide"))
}

/// Width and height from the track header (16.16 fixed point).
fn track_size(track: &[u8]) -> Option<(u32, u32)> {
    let tkhd = child(track, &[b"tkhd"])?;
    let at = match *tkhd.first()? {
        0 => 76,
        1 => 88,
        _ => return None,
    };
    let (w, h) = (be32(tkhd, at)? >> 16, be32(tkhd, at + 4)? >> 16);
    (w > 0 && h > 0).then_some((w, h))
}

/// The four-character code of the track's first sample entry.
fn sample_entry_code(track: &[u8]) -> Option<String> {
    let stsd = child(track, &[b"mdia", b"minf", b"stbl", b"stsd"])?;
    Some(super::fourcc(stsd.get(12..16)?)).filter(|c| !c.is_empty())
}

/// What Apple's `moov/meta` key list says (iPhones write time and place there).
#[derive(Default)]
struct AppleKeys {
    creation_date: Option<String>,
    location: Option<GpsPoint>,
}

fn apple_keys(moov: &[u8]) -> AppleKeys {
    let mut out = AppleKeys::default();
    let Some(meta) = child(moov, &[b"meta"]) else { return out };
    let (Some(keys), Some(ilst)) = (child(meta, &[b"keys"]), child(meta, &[b"ilst"])) else { return out };
    // keys: version/flags, count, then (size, namespace, name) entries, numbered from 1.
    let names: Vec<&[u8]> = keys.get(8..).map(|k| children(k).map(|b| b.body).collect()).unwrap_or_default();
    for item in children(ilst) {
        let index = u32::from_be_bytes(item.kind) as usize;
        let Some(name) = index.checked_sub(1).and_then(|i| names.get(i)) else { continue };
        // data box: type indicator (4), locale (4), value.
        let Some(value) = child(item.body, &[b"data"]).and_then(|d| d.get(8..)) else { continue };
        let Ok(text) = std::str::from_utf8(value) else { continue };
        match *name {
            b"com.apple.quicktime.location.ISO6709" => out.location = parse_iso6709(text),
            b"com.apple.quicktime.creationdate" => out.creation_date = parse_apple_date(text),
            _ => {}
        }
    }
    out
}

/// Apple writes "2026-11-01T16:00:00+0800"; RFC 3339 wants the colon in the offset.
fn parse_apple_date(s: &str) -> Option<String> {
    let t = DateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S%z").or_else(|_| DateTime::parse_from_rfc3339(s.trim())).ok()?;
    Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
}

/// The place in `moov/udta`: QuickTime's `©xyz` (ISO 6709 text) or 3GPP's `loci` (fixed point).
fn udta_place(moov: &[u8]) -> Option<GpsPoint> {
    let udta = child(moov, &[b"udta"])?;
    if let Some(xyz) = child(udta, &[b"\xa9xyz"]) {
        // 16-bit length, 16-bit language, text.
        let n = u16::from_be_bytes(xyz.get(0..2)?.try_into().ok()?) as usize;
        let text = std::str::from_utf8(xyz.get(4..4 + n)?).ok()?;
        return parse_iso6709(text);
    }
    let loci = child(udta, &[b"loci"])?;
    // version/flags (4), language (2), name (NUL-terminated), role (1), longitude, latitude, altitude.
    let name_end = 6 + loci.get(6..)?.iter().position(|&c| c == 0)?;
    let at = name_end + 2;
    let fixed = |i: usize| be32(loci, i).map(|v| v as i32 as f64 / 65536.0);
    let (lon, lat, alt) = (fixed(at)?, fixed(at + 4)?, fixed(at + 8));
    valid_place(lat, lon).then_some(GpsPoint { lat, lon, alt: alt.filter(|a| *a != 0.0) })
}

/// ISO 6709 decimal degrees as recorders write them: "+39.9087+116.3975/" or with "+050.000" altitude.
pub fn parse_iso6709(s: &str) -> Option<GpsPoint> {
    let s = s.trim().trim_end_matches('/');
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices().skip(1) {
        if c == '+' || c == '-' {
            parts.push(&s[start..i]);
            start = i;
        }
    }
    parts.push(&s[start..]);
    if parts.len() < 2 || !parts.iter().all(|p| p.starts_with(['+', '-'])) {
        return None;
    }
    let num = |p: &str| p.parse::<f64>().ok().filter(|v| v.is_finite());
    let (lat, lon) = (num(parts[0])?, num(parts[1])?);
    let alt = parts.get(2).and_then(|p| num(p));
    valid_place(lat, lon).then_some(GpsPoint { lat, lon, alt })
}

fn valid_place(lat: f64, lon: f64) -> bool {
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && !(lat == 0.0 && lon == 0.0)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso6709_as_phones_and_ffmpeg_write_it() {
        let p = parse_iso6709("+39.9087+116.3975/").unwrap();
        assert_eq!((p.lat, p.lon, p.alt), (39.9087, 116.3975, None));
        let p = parse_iso6709("-33.8568+151.2153+012.500/").unwrap();
        assert_eq!((p.lat, p.lon, p.alt), (-33.8568, 151.2153, Some(12.5)));
        assert!(parse_iso6709("").is_none());
        assert!(parse_iso6709("+95.0+10.0/").is_none());
        assert!(parse_iso6709("north").is_none());
    }

    #[test]
    fn apple_dates_become_rfc3339() {
        assert_eq!(parse_apple_date("2026-11-01T16:00:00+0800").as_deref(), Some("2026-11-01T16:00:00+08:00"));
        assert_eq!(created_from_1904(EPOCH_1904_TO_1970_S as u64).as_deref(), Some("1970-01-01T00:00:00Z"));
    }

    #[test]
    fn boxes_that_overrun_stop_the_walk() {
        let mut data = 16u32.to_be_bytes().to_vec();
        data.extend_from_slice(b"free");
        assert_eq!(children(&data).count(), 0);
        data.extend_from_slice(&[0; 8]);
        assert_eq!(children(&data).count(), 1);
    }
}
