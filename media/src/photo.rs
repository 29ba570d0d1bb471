//! Facts about a photo read from its headers only: format, stored size and
//! EXIF. Capture calls this while the worker waits, so it must never decode
//! pixels; and it is the first gate against decompression bombs, because the
//! size a header claims is checked here before anything allocates for it.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::exif_summary::{read_exif_and_dims, ExifSummary};
use super::sniff::{sniff, MediaKind, SNIFF_LEN};
use crate::error::{Error, Result};

/// Largest photo accepted, in pixels (width × height); bigger headers are treated as bombs.
pub const MAX_PIXELS: u64 = 100_000_000;

// HEIF keeps item properties in the meta box; real ones are kilobytes, so a
// meta box larger than this is hostile, not a photo.
const MAX_HEIF_META_BYTES: u64 = 16 << 20;

/// What Siteproof records about a photo without decoding it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoInfo {
    /// IANA media type from the magic bytes, e.g. "image/jpeg".
    pub media_type: String,
    /// Stored width in pixels, before EXIF orientation (0 for a HEIF whose size is not recorded).
    pub width: u32,
    /// Stored height in pixels, before EXIF orientation.
    pub height: u32,
    /// The EXIF claims (empty when there is no usable EXIF).
    pub exif: ExifSummary,
}

impl PhotoInfo {
    /// Width and height as a person sees the photo, after EXIF orientation.
    pub fn upright_size(&self) -> (u32, u32) {
        if self.exif.orientation >= 5 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Reads format, stored size and EXIF from a photo's headers; fails on non-photos, broken headers and over-large images.
pub fn read_photo_info(path: &Path) -> Result<PhotoInfo> {
    super::guard("reading photo headers", || {
        let (kind, mut file) = open_and_sniff(path)?;
        if !kind.is_photo() {
            return Err(Error::UnsupportedFormat(format!("{} is {}, not a photo", path.display(), kind.media_type())));
        }
        let (width, height, exif) = match kind {
            MediaKind::Jpeg => {
                let f = jpeg_frame(&mut BufReader::new(&mut file))?;
                let (exif, _) = read_exif_and_dims(path);
                (f.width, f.height, exif)
            }
            MediaKind::Heif => {
                let ispe = heif_dims(&mut file)?;
                let (exif, exif_dims) = read_exif_and_dims(path);
                let (w, h) = ispe.or(exif_dims).unwrap_or((0, 0));
                (w, h, exif)
            }
            MediaKind::Png | MediaKind::Webp | MediaKind::Tiff => {
                let (w, h) = image_dims(file, kind)?;
                let (exif, _) = read_exif_and_dims(path);
                (w, h, exif)
            }
            MediaKind::M4a | MediaKind::Ogg | MediaKind::Wav | MediaKind::Mp4Video | MediaKind::QuickTime | MediaKind::ThreeGpp => {
                unreachable!("audio and video rejected above")
            }
        };
        if kind != MediaKind::Heif && (width == 0 || height == 0) {
            return Err(Error::CorruptMedia(format!("{} header gives a size of {width}×{height}", kind.media_type())));
        }
        check_pixels(width, height)?;
        Ok(PhotoInfo { media_type: kind.media_type().to_string(), width, height, exif })
    })
}

/// Fails with TooLarge when width × height exceeds [`MAX_PIXELS`].
pub fn check_pixels(width: u32, height: u32) -> Result<()> {
    let px = width as u64 * height as u64;
    if px > MAX_PIXELS {
        return Err(Error::TooLarge(format!(
            "image of {width}×{height} pixels ({:.0} MP) exceeds the {} MP limit",
            px as f64 / 1e6,
            MAX_PIXELS / 1_000_000
        )));
    }
    Ok(())
}

/// Opens a file and identifies it by magic bytes; the file is returned rewound.
pub(crate) fn open_and_sniff(path: &Path) -> Result<(MediaKind, File)> {
    let ctx = || format!("{}", path.display());
    let meta = std::fs::metadata(path).map_err(|e| Error::from_io(&ctx(), e))?;
    if meta.is_dir() {
        return Err(Error::NotAFile(path.to_path_buf()));
    }
    let mut file = File::open(path).map_err(|e| Error::from_io(&ctx(), e))?;
    let mut header = Vec::with_capacity(SNIFF_LEN);
    (&mut file).take(SNIFF_LEN as u64).read_to_end(&mut header).map_err(|e| Error::from_io(&ctx(), e))?;
    let kind = sniff(&header)?;
    file.seek(SeekFrom::Start(0)).map_err(|e| Error::from_io(&ctx(), e))?;
    Ok((kind, file))
}

/// What a JPEG frame header (SOFn) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JpegFrame {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    pub precision: u8,
    /// The SOF marker's low nibble: 0/1 baseline/extended, 2 progressive, 3 lossless, 9+ arithmetic.
    pub process: u8,
}

/// Walks JPEG markers up to the first frame header; any coding process counts, so a JPEG we cannot decode still has a size.
pub(crate) fn jpeg_frame<R: Read + Seek>(r: &mut R) -> Result<JpegFrame> {
    let eof = |e: io::Error| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            Error::CorruptMedia("JPEG is truncated before its frame header".into())
        } else {
            Error::from_io("reading JPEG header", e)
        }
    };
    let mut b2 = [0u8; 2];
    r.read_exact(&mut b2).map_err(eof)?;
    if b2 != [0xFF, 0xD8] {
        return Err(Error::CorruptMedia("JPEG does not start with a start-of-image marker".into()));
    }
    let mut junk = 0u32;
    loop {
        let mut b = [0u8; 1];
        r.read_exact(&mut b).map_err(eof)?;
        if b[0] != 0xFF {
            // Some writers leave stray bytes between segments; decoders skip
            // them, but not forever.
            junk += 1;
            if junk > 1 << 16 {
                return Err(Error::CorruptMedia("JPEG has no marker where one is expected".into()));
            }
            continue;
        }
        let mut m = 0xFF;
        while m == 0xFF {
            r.read_exact(&mut b).map_err(eof)?;
            m = b[0];
        }
        match m {
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            0xD9 => return Err(Error::CorruptMedia("JPEG ends before its frame header".into())),
            0xDA => return Err(Error::CorruptMedia("JPEG scan starts before its frame header".into())),
            _ => {}
        }
        r.read_exact(&mut b2).map_err(eof)?;
        let len = u16::from_be_bytes(b2) as i64;
        if len < 2 {
            return Err(Error::CorruptMedia(format!("JPEG segment 0xFF{m:02X} has an impossible length {len}")));
        }
        let is_sof = (0xC0..=0xCF).contains(&m) && m != 0xC4 && m != 0xC8 && m != 0xCC;
        if !is_sof {
            r.seek(SeekFrom::Current(len - 2)).map_err(eof)?;
            continue;
        }
        if len < 8 {
            return Err(Error::CorruptMedia("JPEG frame header is too short".into()));
        }
        let mut sof = [0u8; 6];
        r.read_exact(&mut sof).map_err(eof)?;
        return Ok(JpegFrame {
            precision: sof[0],
            height: u16::from_be_bytes([sof[1], sof[2]]) as u32,
            width: u16::from_be_bytes([sof[3], sof[4]]) as u32,
            components: sof[5],
            process: m & 0x0F,
        });
    }
}

/// Maps an `image` crate error to the core's typed error.
pub(crate) fn image_error(what: &str, e: image::ImageError) -> Error {
    use image::ImageError as E;
    let msg = super::one_line(&e.to_string());
    match e {
        E::Limits(_) => Error::TooLarge(format!("{what}: {msg}")),
        E::Unsupported(_) => Error::UnsupportedFormat(format!("{what}: {msg}")),
        E::IoError(io) if io.kind() == io::ErrorKind::UnexpectedEof => Error::CorruptMedia(format!("{what}: file is truncated")),
        // Decoders report bad compressed data as io::Error too; only an
        // error from the operating system is a real I/O failure.
        E::IoError(io) if io.raw_os_error().is_some() => Error::from_io(what, io),
        E::IoError(_) => Error::CorruptMedia(format!("{what}: {msg}")),
        E::Decoding(_) | E::Parameter(_) | E::Encoding(_) => Error::CorruptMedia(format!("{what}: {msg}")),
    }
}

pub(crate) fn image_format(kind: MediaKind) -> Option<image::ImageFormat> {
    match kind {
        MediaKind::Png => Some(image::ImageFormat::Png),
        MediaKind::Webp => Some(image::ImageFormat::WebP),
        MediaKind::Tiff => Some(image::ImageFormat::Tiff),
        MediaKind::Jpeg => Some(image::ImageFormat::Jpeg),
        _ => None,
    }
}

fn image_dims(file: File, kind: MediaKind) -> Result<(u32, u32)> {
    let fmt = image_format(kind).ok_or_else(|| Error::UnsupportedFormat(kind.media_type().into()))?;
    let what = format!("reading {} header", kind.media_type());
    image::ImageReader::with_format(BufReader::new(file), fmt).into_dimensions().map_err(|e| image_error(&what, e))
}

/// Finds the primary item's size in a HEIF file's `ispe` property; None if the file does not record one.
fn heif_dims(file: &mut File) -> Result<Option<(u32, u32)>> {
    let len = file.metadata().map_err(|e| Error::from_io("reading HEIF", e))?.len();
    let mut r = BufReader::new(file);
    let mut pos = 0u64;
    while pos + 8 <= len {
        r.seek(SeekFrom::Start(pos)).map_err(|e| Error::from_io("reading HEIF", e))?;
        let mut h = [0u8; 8];
        r.read_exact(&mut h).map_err(|_| Error::CorruptMedia("HEIF box header is truncated".into()))?;
        let mut size = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as u64;
        let mut header = 8u64;
        if size == 1 {
            let mut l = [0u8; 8];
            r.read_exact(&mut l).map_err(|_| Error::CorruptMedia("HEIF box header is truncated".into()))?;
            size = u64::from_be_bytes(l);
            header = 16;
        } else if size == 0 {
            size = len - pos;
        }
        if size < header || pos.checked_add(size).is_none_or(|end| end > len) {
            return Err(Error::CorruptMedia(format!("HEIF box '{}' runs past the end of the file", super::fourcc(&h[4..8]))));
        }
        if &h[4..8] == b"meta" {
            let body_len = size - header;
            if body_len > MAX_HEIF_META_BYTES {
                return Err(Error::CorruptMedia("HEIF meta box is implausibly large".into()));
            }
            let mut body = vec![0u8; body_len as usize];
            r.read_exact(&mut body).map_err(|_| Error::CorruptMedia("HEIF meta box is truncated".into()))?;
            return Ok(heif_meta_ispe(&body));
        }
        pos += size;
    }
    Err(Error::CorruptMedia("HEIF file has no meta box".into()))
}

// Child boxes of a container body, as (type, payload) pairs; stops at the
// first malformed box since what follows cannot be located.
fn boxes(mut b: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut out = Vec::new();
    while b.len() >= 8 {
        let size = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let (hdr, size) = match size {
            0 => (8, b.len()),
            1 if b.len() >= 16 => (16, u64::from_be_bytes(b[8..16].try_into().unwrap()).min(usize::MAX as u64) as usize),
            1 => break,
            s => (8, s),
        };
        if size < hdr || size > b.len() {
            break;
        }
        out.push((&b[4..8], &b[hdr..size]));
        b = &b[size..];
    }
    out
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn heif_meta_ispe(meta: &[u8]) -> Option<(u32, u32)> {
    // meta is a full box: 4 bytes of version and flags before its children.
    let children = boxes(meta.get(4..)?);
    let primary = children.iter().find(|(t, _)| *t == b"pitm").and_then(|(_, p)| match p.first()? {
        0 => be_u16(p, 4).map(u32::from),
        _ => be_u32(p, 4),
    });
    let iprp = children.iter().find(|(t, _)| *t == b"iprp")?.1;
    let iprp = boxes(iprp);
    let ipco = boxes(iprp.iter().find(|(t, _)| *t == b"ipco")?.1);
    let ispe = |i: usize| -> Option<(u32, u32)> {
        let (t, p) = ipco.get(i)?;
        if *t != b"ispe" {
            return None;
        }
        let (w, h) = (be_u32(p, 4)?, be_u32(p, 8)?);
        (w > 0 && h > 0).then_some((w, h))
    };
    if let (Some(primary), Some((_, ipma))) = (primary, iprp.iter().find(|(t, _)| *t == b"ipma")) {
        if let Some(found) = ipma_ispe(ipma, primary, &ispe) {
            return Some(found);
        }
    }
    // No usable association: the largest ispe is the full image (tiles and
    // thumbnails are smaller).
    (0..ipco.len()).filter_map(ispe).max_by_key(|(w, h)| *w as u64 * *h as u64)
}

fn ipma_ispe(ipma: &[u8], primary: u32, ispe: &dyn Fn(usize) -> Option<(u32, u32)>) -> Option<(u32, u32)> {
    let version = *ipma.first()?;
    let wide_index = ipma.get(3)? & 1 == 1;
    let count = be_u32(ipma, 4)?;
    let mut at = 8;
    for _ in 0..count {
        let item = if version < 1 {
            let v = be_u16(ipma, at)? as u32;
            at += 2;
            v
        } else {
            let v = be_u32(ipma, at)?;
            at += 4;
            v
        };
        let n = *ipma.get(at)? as usize;
        at += 1;
        for _ in 0..n {
            let index = if wide_index {
                let v = (be_u16(ipma, at)? & 0x7FFF) as usize;
                at += 2;
                v
            } else {
                let v = (*ipma.get(at)? & 0x7F) as usize;
                at += 1;
                v
            };
            // Property indices are 1-based; 0 means "no property".
            if item == primary && index > 0 {
                if let Some(d) = ispe(index - 1) {
                    return Some(d);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn sof_jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        v.extend_from_slice(&[0xFF, 0xE0, 0, 6, b'J', b'F', b'I', b'F']);
        v.extend_from_slice(&[0xFF, 0xFF, 0xC2, 0, 11, 8]);
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&[1, 1, 0x11, 0]);
        v
    }

    #[test]
    fn jpeg_frame_walk() {
        let f = jpeg_frame(&mut Cursor::new(sof_jpeg(640, 480))).unwrap();
        assert_eq!((f.width, f.height, f.components, f.process), (640, 480, 1, 2));
        let mut t = sof_jpeg(640, 480);
        t.truncate(12);
        assert!(matches!(jpeg_frame(&mut Cursor::new(t)), Err(Error::CorruptMedia(_))));
        assert!(matches!(jpeg_frame(&mut Cursor::new(vec![0xFF, 0xD8, 0xFF, 0xD9])), Err(Error::CorruptMedia(_))));
        assert!(matches!(jpeg_frame(&mut Cursor::new(vec![0xFF, 0xD8, 0xFF, 0xE1, 0, 1])), Err(Error::CorruptMedia(_))));
    }

    #[test]
    fn pixel_cap() {
        assert!(check_pixels(10_000, 10_000).is_ok());
        assert!(matches!(check_pixels(10_001, 10_000), Err(Error::TooLarge(_))));
        assert!(matches!(check_pixels(u32::MAX, u32::MAX), Err(Error::TooLarge(_))));
    }

    fn bx(t: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(t);
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn heif_primary_ispe() {
        let ispe = |w: u32, h: u32| bx(b"ispe", &[&[0u8; 4][..], &w.to_be_bytes(), &h.to_be_bytes()].concat());
        let ipco = bx(b"ipco", &[bx(b"hvcC", &[1, 2, 3]), ispe(512, 512), ispe(4032, 3024)].concat());
        // item 1 (a tile) -> property 2; item 7 (primary grid) -> property 3.
        let ipma = bx(b"ipma", &[0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 2, 0x81, 0x02, 0, 7, 1, 0x83]);
        let iprp = bx(b"iprp", &[ipco, ipma].concat());
        let pitm = bx(b"pitm", &[0, 0, 0, 0, 0, 7]);
        let meta = [&[0u8; 4][..], &pitm, &iprp].concat();
        assert_eq!(heif_meta_ispe(&meta), Some((4032, 3024)));
        assert_eq!(heif_meta_ispe(&meta[..meta.len() - 3]), None);
        assert_eq!(heif_meta_ispe(&[]), None);
    }
}
