//! Tells what a file is from its first bytes. File names and extensions come
//! from the phone's gallery or a worker's laptop and lie; the magic bytes are
//! what the decoders will actually see, so they alone decide the format.

use super::{amr, fourcc};
use crate::error::{Error, Result};

/// How many leading bytes [`sniff`] wants to see; fewer still works for most formats.
pub const SNIFF_LEN: usize = 64;

/// A format Siteproof accepts as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// JPEG (JFIF or EXIF).
    Jpeg,
    /// PNG.
    Png,
    /// WebP (lossy or lossless).
    Webp,
    /// TIFF (classic or BigTIFF).
    Tiff,
    /// HEIF/HEIC still image (ISO BMFF with a HEIF brand).
    Heif,
    /// MPEG-4 audio (AAC in an ISO BMFF container, usually `.m4a`).
    M4a,
    /// Ogg with Opus or Vorbis audio.
    Ogg,
    /// RIFF WAVE audio.
    Wav,
    /// MPEG-1/2 audio (MP3, and its older layers), with or without an ID3v2 tag in front.
    Mp3,
    /// AAC in ADTS frames (a raw `.aac` recording, no container).
    Aac,
    /// AMR narrowband (`#!AMR`), the 8 kHz speech codec of many Android recorders.
    Amr,
    /// AMR wideband (`#!AMR-WB`), 16 kHz.
    AmrWb,
    /// MP4 video clip (ISO BMFF with a video track).
    Mp4Video,
    /// QuickTime movie (`.mov`, iPhones).
    QuickTime,
    /// 3GPP video clip (older Android phones).
    ThreeGpp,
}

impl MediaKind {
    /// The IANA media type stored in manifests.
    pub fn media_type(&self) -> &'static str {
        match self {
            MediaKind::Jpeg => "image/jpeg",
            MediaKind::Png => "image/png",
            MediaKind::Webp => "image/webp",
            MediaKind::Tiff => "image/tiff",
            MediaKind::Heif => "image/heic",
            MediaKind::M4a => "audio/mp4",
            MediaKind::Ogg => "audio/ogg",
            MediaKind::Wav => "audio/wav",
            MediaKind::Mp3 => "audio/mpeg",
            MediaKind::Aac => "audio/aac",
            MediaKind::Amr => "audio/amr",
            MediaKind::AmrWb => "audio/amr-wb",
            MediaKind::Mp4Video => "video/mp4",
            MediaKind::QuickTime => "video/quicktime",
            MediaKind::ThreeGpp => "video/3gpp",
        }
    }

    /// True for still images, false for audio and video.
    pub fn is_photo(&self) -> bool {
        matches!(self, MediaKind::Jpeg | MediaKind::Png | MediaKind::Webp | MediaKind::Tiff | MediaKind::Heif)
    }

    /// True for video clips.
    pub fn is_video(&self) -> bool {
        matches!(self, MediaKind::Mp4Video | MediaKind::QuickTime | MediaKind::ThreeGpp)
    }
}

// Brands that mark an ISO BMFF file as a HEIF still image. AVIF ("avif",
// "avis") is HEIF-based too but is a different codec we do not claim.
const HEIF_BRANDS: &[&[u8; 4]] = &[b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"];
// Brands an audio recorder writes. The generic ISO brands are here because
// Android recorders use them for voice notes; read_voice_info then insists
// on an audio track, so a video passed off as audio still fails there.
const AUDIO_BRANDS: &[&[u8; 4]] = &[b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"3gp4", b"3gp5", b"3gp6", b"3g2a"];
// Brands only video is written under. The ambiguous ones above become video
// only when a video track is found (`video::sniff_with_tracks`).
const VIDEO_BRANDS: &[&[u8; 4]] = &[b"qt  ", b"M4V ", b"M4VH", b"M4VP"];

/// Identifies the format from the first bytes of a file (pass up to [`SNIFF_LEN`] bytes).
pub fn sniff(header: &[u8]) -> Result<MediaKind> {
    let h = header;
    if h.is_empty() {
        return Err(Error::EmptyFile);
    }
    if h.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(MediaKind::Jpeg);
    }
    if h.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(MediaKind::Png);
    }
    if h.len() >= 12 && (&h[0..4] == b"RIFF" || &h[0..4] == b"RF64") {
        match &h[8..12] {
            b"WEBP" if &h[0..4] == b"RIFF" => return Ok(MediaKind::Webp),
            b"WAVE" => return Ok(MediaKind::Wav),
            other => return Err(unsupported(&format!("RIFF file of type {}", fourcc(other)))),
        }
    }
    if h.starts_with(b"II*\0") || h.starts_with(b"MM\0*") || h.starts_with(b"II+\0") || h.starts_with(b"MM\0+") {
        return Ok(MediaKind::Tiff);
    }
    if h.len() >= 12 && &h[4..8] == b"ftyp" {
        return sniff_iso_bmff(h);
    }
    if h.starts_with(b"OggS") {
        return sniff_ogg(h);
    }
    if let Some(kind) = sniff_voice_stream(h) {
        return kind;
    }
    Err(unsupported(&describe(h)))
}

fn sniff_iso_bmff(h: &[u8]) -> Result<MediaKind> {
    let major: &[u8] = &h[8..12];
    let box_len = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as usize;
    // Compatible brands follow major brand and minor version; only look at
    // the ones inside both the ftyp box and the bytes we were given.
    let end = box_len.min(h.len());
    let compatible: Vec<&[u8]> = if end > 16 { h[16..end].chunks_exact(4).collect() } else { Vec::new() };
    let is = |set: &[&[u8; 4]], b: &[u8]| set.iter().any(|s| &s[..] == b);
    if major == b"avif" || major == b"avis" {
        return Err(unsupported("AVIF image"));
    }
    if is(HEIF_BRANDS, major) || compatible.iter().any(|b| is(HEIF_BRANDS, b)) {
        return Ok(MediaKind::Heif);
    }
    if is(VIDEO_BRANDS, major) {
        return Ok(video_kind_for_brand(h));
    }
    if is(AUDIO_BRANDS, major) || compatible.iter().any(|b| is(AUDIO_BRANDS, b)) {
        return Ok(MediaKind::M4a);
    }
    Err(unsupported(&format!("ISO media file with brand {}", fourcc(major))))
}

/// Which video kind an ISO BMFF file with a video track is, by its major brand.
pub fn video_kind_for_brand(h: &[u8]) -> MediaKind {
    match h.get(8..12) {
        Some(b"qt  ") => MediaKind::QuickTime,
        Some(b) if b.starts_with(b"3g") => MediaKind::ThreeGpp,
        _ => MediaKind::Mp4Video,
    }
}

fn sniff_ogg(h: &[u8]) -> Result<MediaKind> {
    // First page: 27-byte header, then a segment table whose length is at
    // byte 26; the first packet names the codec.
    if h.len() < 27 {
        return Ok(MediaKind::Ogg);
    }
    let start = 27 + h[26] as usize;
    let packet = h.get(start..).unwrap_or(&[]);
    if packet.len() < 8 {
        // Too little to tell; lofty will decide.
        return Ok(MediaKind::Ogg);
    }
    if packet.starts_with(b"OpusHead") || packet.starts_with(b"\x01vorbis") {
        Ok(MediaKind::Ogg)
    } else {
        Err(unsupported("Ogg stream that is neither Opus nor Vorbis"))
    }
}

// Voice formats with no container, told apart by a magic line (AMR), a tag
// (ID3) or the sync word of their first frame (MPEG audio, ADTS AAC).
fn sniff_voice_stream(h: &[u8]) -> Option<Result<MediaKind>> {
    if let Some(band) = amr::band_of(h) {
        return Some(Ok(match band {
            amr::AmrBand::Narrow => MediaKind::Amr,
            amr::AmrBand::Wide => MediaKind::AmrWb,
        }));
    }
    if amr::is_multichannel(h) {
        return Some(Err(unsupported("multi-channel AMR audio")));
    }
    if h.starts_with(b"ID3") {
        return Some(Ok(MediaKind::Mp3));
    }
    if h.len() < 4 || h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    // ADTS: a 12-bit sync word, then the MPEG id bit and a layer field that is always 00.
    if h[1] & 0xF6 == 0xF0 {
        // Sampling-frequency indices 13..15 are reserved.
        return ((h[2] >> 2) & 0x0F < 13).then_some(Ok(MediaKind::Aac));
    }
    // MPEG audio frame header: version 01 and layer 00 are reserved, as are
    // bitrate index 15 and sample-rate index 3.
    let (version, layer) = ((h[1] >> 3) & 3, (h[1] >> 1) & 3);
    let (bitrate, rate) = (h[2] >> 4, (h[2] >> 2) & 3);
    (version != 1 && layer != 0 && bitrate != 15 && rate != 3).then_some(Ok(MediaKind::Mp3))
}

fn unsupported(what: &str) -> Error {
    Error::UnsupportedFormat(format!(
        "{what}; accepted are JPEG, PNG, WebP, TIFF, HEIC photos, M4A/AAC, MP3, AMR, Opus, Ogg Vorbis, WAV voice notes and MP4, MOV, 3GP video clips"
    ))
}

// Names a few common formats people will try, so the message says what the
// file is rather than only what it is not.
fn describe(h: &[u8]) -> String {
    let known: &[(&[u8], &str)] = &[
        (b"GIF8", "GIF image"),
        (b"BM", "BMP image"),
        (b"%PDF", "PDF document"),
        (b"PK\x03\x04", "ZIP archive (or office document)"),
        (b"fLaC", "FLAC audio"),
        (b"\x1aE\xdf\xa3", "Matroska/WebM media"),
        (b"\0\0\x01\0", "icon file"),
    ];
    for (magic, name) in known {
        if h.starts_with(magic) {
            return (*name).to_string();
        }
    }
    if h.len() >= 2 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0 {
        return "MPEG audio frame with reserved header values".into();
    }
    let text = h.iter().take(SNIFF_LEN).all(|&c| c == b'\n' || c == b'\r' || c == b'\t' || (0x20..0x7f).contains(&c) || c >= 0x80);
    if text {
        "text file".into()
    } else {
        "unrecognised file".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compat: &[&[u8; 4]]) -> Vec<u8> {
        let len = 16 + 4 * compat.len();
        let mut v = (len as u32).to_be_bytes().to_vec();
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(major);
        v.extend_from_slice(&[0, 0, 0, 0]);
        for c in compat {
            v.extend_from_slice(*c);
        }
        v.extend_from_slice(&[0, 0, 0, 8, b'm', b'd', b'a', b't']);
        v
    }

    fn ogg(packet: &[u8]) -> Vec<u8> {
        let mut v = b"OggS".to_vec();
        v.extend_from_slice(&[0; 22]);
        v.push(1); // one segment
        v.push(packet.len() as u8);
        v.extend_from_slice(packet);
        v
    }

    #[test]
    fn images_by_magic() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE1, 0, 0]).unwrap(), MediaKind::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap(), MediaKind::Png);
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 ").unwrap(), MediaKind::Webp);
        assert_eq!(sniff(b"II*\0\x08\0\0\0").unwrap(), MediaKind::Tiff);
        assert_eq!(sniff(b"MM\0*\0\0\0\x08").unwrap(), MediaKind::Tiff);
        assert_eq!(sniff(&ftyp(b"heic", &[b"mif1", b"heic"])).unwrap(), MediaKind::Heif);
        assert_eq!(sniff(&ftyp(b"mif1", &[b"heic"])).unwrap(), MediaKind::Heif);
        assert_eq!(MediaKind::Heif.media_type(), "image/heic");
        assert!(MediaKind::Tiff.is_photo() && !MediaKind::Wav.is_photo());
    }

    #[test]
    fn audio_by_magic() {
        assert_eq!(sniff(&ftyp(b"M4A ", &[b"M4A ", b"mp42", b"isom"])).unwrap(), MediaKind::M4a);
        assert_eq!(sniff(&ftyp(b"isom", &[b"iso2", b"mp41"])).unwrap(), MediaKind::M4a);
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt ").unwrap(), MediaKind::Wav);
        assert_eq!(sniff(&ogg(b"OpusHead\x01\x01")).unwrap(), MediaKind::Ogg);
        assert_eq!(sniff(&ogg(b"\x01vorbis\0\0\0\0")).unwrap(), MediaKind::Ogg);
        assert_eq!(MediaKind::M4a.media_type(), "audio/mp4");
        assert_eq!(MediaKind::Ogg.media_type(), "audio/ogg");
    }

    #[test]
    fn voice_streams_by_magic() {
        // MP3 with an ID3v2 tag, and bare (MPEG-1 and MPEG-2 layer III frame headers).
        assert_eq!(sniff(b"ID3\x04\0\0\0\0\0\x23TSSE").unwrap(), MediaKind::Mp3);
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x64, 0]).unwrap(), MediaKind::Mp3);
        assert_eq!(sniff(&[0xFF, 0xF3, 0x40, 0xC4, 0]).unwrap(), MediaKind::Mp3);
        // ADTS AAC (MPEG-4, 16 kHz, no CRC).
        assert_eq!(sniff(&[0xFF, 0xF1, 0x60, 0x40, 0x12]).unwrap(), MediaKind::Aac);
        assert_eq!(sniff(b"#!AMR\n\x3c\x48").unwrap(), MediaKind::Amr);
        assert_eq!(sniff(b"#!AMR-WB\n\x04\x10").unwrap(), MediaKind::AmrWb);
        assert_eq!(MediaKind::Mp3.media_type(), "audio/mpeg");
        assert_eq!(MediaKind::AmrWb.media_type(), "audio/amr-wb");
        assert!(!MediaKind::Amr.is_photo());
        // Reserved values in a frame header, and multi-channel AMR, are refused with what they are.
        for (bytes, says) in [
            (&[0xFF, 0xFB, 0xF0, 0x64][..], "reserved"),
            (&[0xFF, 0xEB, 0x90, 0x64][..], "reserved"),
            (&[0xFF, 0xF1, 0x3C, 0x40][..], "reserved"),
            (&b"#!AMR_MC1.0\n\0\0\0\x01"[..], "multi-channel AMR"),
        ] {
            match sniff(bytes) {
                Err(Error::UnsupportedFormat(m)) => assert!(m.contains(says), "{m}"),
                other => panic!("{bytes:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn video_only_brands_are_video() {
        assert_eq!(sniff(&ftyp(b"qt  ", &[b"qt  "])).unwrap(), MediaKind::QuickTime);
        assert_eq!(sniff(&ftyp(b"M4V ", &[b"M4V ", b"isom"])).unwrap(), MediaKind::Mp4Video);
        assert_eq!(video_kind_for_brand(&ftyp(b"3gp5", &[b"isom"])), MediaKind::ThreeGpp);
        assert_eq!(video_kind_for_brand(&ftyp(b"isom", &[b"avc1"])), MediaKind::Mp4Video);
        assert!(MediaKind::QuickTime.is_video() && !MediaKind::QuickTime.is_photo() && !MediaKind::M4a.is_video());
        assert_eq!(MediaKind::ThreeGpp.media_type(), "video/3gpp");
    }

    #[test]
    fn rejects_others_with_a_reason() {
        assert!(matches!(sniff(&[]), Err(Error::EmptyFile)));
        for (bytes, says) in [
            (&b"GIF89a\x01\0"[..], "GIF"),
            (b"%PDF-1.7", "PDF"),
            (b"hello, world\n", "text"),
            (b"RIFF\0\0\0\0AVI LIST", "AVI"),
            (b"\x00\x01\x02\x03\xfe", "unrecognised"),
        ] {
            match sniff(bytes) {
                Err(Error::UnsupportedFormat(m)) => assert!(m.contains(says), "{m}"),
                other => panic!("{bytes:?}: {other:?}"),
            }
        }
        assert!(matches!(sniff(&ftyp(b"avif", &[b"avif", b"mif1"])), Err(Error::UnsupportedFormat(_))));
        assert!(matches!(sniff(&ogg(b"\x80theora\0\0")), Err(Error::UnsupportedFormat(_))));
        // A JPEG needs its third magic byte; two bytes alone are not enough.
        assert!(matches!(sniff(&[0xFF, 0xD8]), Err(Error::UnsupportedFormat(_))));
    }
}
