//! Where a JPEG's image really ends, and what the phone put after it.
//!
//! Phones append to JPEGs: a motion photo's MP4 (Xiaomi, Google, Samsung),
//! Samsung's SEF trailer, a multi-picture secondary image or depth map. A
//! look at the file's last bytes cannot tell such a file from one cut short,
//! and an EOI found by searching can be an EXIF thumbnail's. So the image is
//! walked as a decoder reads it: marker segments from SOI by their lengths
//! (a thumbnail inside APP1 is skipped whole), the entropy-coded data after
//! each SOS scanned for the next real marker (0xFF00 stuffing and RST0–7 are
//! data; a progressive JPEG has several scans), until EOI. No EOI means the
//! file was cut short, and it is refused; bytes after EOI are part of the
//! original the worker shot, kept and described, never a reason to refuse.
//!
//! Capture and `siteproof inspect` both ask [`read_trailer`], so they never
//! disagree about whether a file is a complete JPEG.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use siteproof_protocol::evidence::{JpegTrailer, TrailerKind, TrailerPart};

use crate::error::{Error, Result};
use crate::sniff::MediaKind;

/// Read-ahead of the walker: entropy-coded data is scanned through it, so a
/// 30 MB photo costs one buffer of memory, not the file.
const READ_AHEAD: usize = 64 * 1024;
/// More SEF directory entries than any phone writes; a larger count is not a SEF trailer.
const MAX_SEF_ENTRIES: u32 = 4096;

/// Where a JPEG's image ends and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JpegLayout {
    /// Offset just past the image's EOI marker.
    pub image_end: u64,
    /// Length of the whole file.
    pub file_len: u64,
    /// What follows the image; None when the file ends at its EOI marker.
    pub trailer: Option<JpegTrailer>,
}

/// The one decision capture and inspect share about a photo file's extent:
/// a JPEG must be complete (refused with [`Error::Truncated`] otherwise) and
/// what follows its image is described; other formats have no trailer here.
pub fn read_trailer(path: &Path, kind: MediaKind) -> Result<Option<JpegTrailer>> {
    if kind != MediaKind::Jpeg {
        return Ok(None);
    }
    let file = File::open(path).map_err(|e| Error::from_io(&format!("open {}", path.display()), e))?;
    Ok(jpeg_layout(file)?.trailer)
}

/// Walks a JPEG from its SOI marker to its EOI and describes the bytes after it.
pub fn jpeg_layout<R: Read + Seek>(mut reader: R) -> Result<JpegLayout> {
    let file_len = reader.seek(SeekFrom::End(0)).map_err(|e| Error::from_io("read JPEG", e))?;
    reader.seek(SeekFrom::Start(0)).map_err(|e| Error::from_io("read JPEG", e))?;
    let mut src = Source { reader: BufReader::with_capacity(READ_AHEAD, reader), pos: 0 };
    let image_end = match image_end(&mut src, 0, file_len) {
        Ok(end) => end,
        Err(Stop::NotJpeg) => return Err(Error::CorruptMedia("the file does not start with a JPEG SOI marker".into())),
        Err(Stop::Truncated(why)) => return Err(Error::Truncated(why)),
        Err(Stop::Corrupt(why)) => return Err(Error::CorruptMedia(why)),
        Err(Stop::Io(e)) => return Err(Error::from_io("read JPEG", e)),
    };
    let trailer = if image_end < file_len {
        let parts = describe_after_image(&mut src, image_end, file_len).map_err(|e| Error::from_io("read JPEG trailer", e))?;
        Some(JpegTrailer { image_end, parts })
    } else {
        None
    };
    Ok(JpegLayout { image_end, file_len, trailer })
}

/// Why a walk stopped short of EOI.
#[derive(Debug)]
enum Stop {
    /// No SOI where a JPEG should start.
    NotJpeg,
    /// The bytes ran out before EOI.
    Truncated(String),
    /// A segment that no encoder writes (a length below its own two bytes).
    Corrupt(String),
    /// The reader failed.
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

/// A buffered reader that knows its offset, reads up to a limit, and seeks within its buffer.
struct Source<R> {
    reader: BufReader<R>,
    pos: u64,
}

impl<R: Read + Seek> Source<R> {
    fn seek_to(&mut self, to: u64) -> io::Result<()> {
        if to != self.pos {
            let delta = i64::try_from(to).and_then(|t| i64::try_from(self.pos).map(|p| t - p)).map_err(io::Error::other)?;
            self.reader.seek_relative(delta)?;
            self.pos = to;
        }
        Ok(())
    }

    /// The buffered bytes from here, never past `limit`; empty at the limit or end of file.
    fn fill(&mut self, limit: u64) -> io::Result<&[u8]> {
        let room = limit.saturating_sub(self.pos);
        let buf = self.reader.fill_buf()?;
        let n = (buf.len() as u64).min(room) as usize;
        Ok(&buf[..n])
    }

    fn consume(&mut self, n: usize) {
        self.reader.consume(n);
        self.pos += n as u64;
    }

    fn byte(&mut self, limit: u64) -> io::Result<Option<u8>> {
        let b = self.fill(limit)?.first().copied();
        if b.is_some() {
            self.consume(1);
        }
        Ok(b)
    }

    /// Up to `n` bytes at `at`, fewer only where `limit` comes first.
    fn read_at(&mut self, at: u64, n: usize, limit: u64) -> io::Result<Vec<u8>> {
        self.seek_to(at)?;
        let n = (n as u64).min(limit.saturating_sub(at)) as usize;
        let mut out = vec![0; n];
        self.reader.read_exact(&mut out)?;
        self.pos += n as u64;
        Ok(out)
    }
}

/// The offset just past the EOI of the JPEG starting at `start`, reading no further than `limit`.
fn image_end<R: Read + Seek>(src: &mut Source<R>, start: u64, limit: u64) -> Result<u64, Stop> {
    if src.read_at(start, 2, limit)? != [0xFF, 0xD8] {
        return Err(Stop::NotJpeg);
    }
    let mut next = next_marker(src, limit)?;
    loop {
        let marker = next;
        match marker {
            0xD9 => return Ok(src.pos),
            // Standalone markers: no length follows.
            0x01 | 0xD0..=0xD8 => next = next_marker(src, limit)?,
            _ => {
                let at = src.pos - 2;
                let len = match (src.byte(limit)?, src.byte(limit)?) {
                    (Some(hi), Some(lo)) => u16::from_be_bytes([hi, lo]),
                    _ => return Err(cut(at, "its length")),
                };
                if len < 2 {
                    return Err(Stop::Corrupt(format!("JPEG marker FF{marker:02X} at byte {at} has length {len}")));
                }
                let body_end = src.pos + u64::from(len) - 2;
                if body_end > limit {
                    return Err(cut(at, &format!("its {len}-byte segment")));
                }
                src.seek_to(body_end)?;
                next = if marker == 0xDA { marker_after_scan(src, limit)? } else { next_marker(src, limit)? };
            }
        }
    }
}

fn cut(at: u64, missing: &str) -> Stop {
    Stop::Truncated(format!("the JPEG is truncated: the file ends inside the marker at byte {at}, before {missing}"))
}

fn no_eoi(pos: u64) -> Stop {
    Stop::Truncated(format!("the JPEG is truncated: no end-of-image marker in its {pos} bytes"))
}

/// The code of the next marker between segments. Stray bytes before it are
/// skipped, as libjpeg does; 0xFF fill bytes are allowed before any marker.
fn next_marker<R: Read + Seek>(src: &mut Source<R>, limit: u64) -> Result<u8, Stop> {
    loop {
        let buf = src.fill(limit)?;
        if buf.is_empty() {
            return Err(no_eoi(src.pos));
        }
        match memchr::memchr(0xFF, buf) {
            None => {
                let n = buf.len();
                src.consume(n);
            }
            Some(i) => {
                src.consume(i + 1);
                if let Some(code) = marker_code(src, limit)? {
                    return Ok(code);
                }
            }
        }
    }
}

/// The marker that ends a scan's entropy-coded data: 0xFF00 (a stuffed
/// 0xFF) and RST0–7 belong to the data, anything else is the next marker.
fn marker_after_scan<R: Read + Seek>(src: &mut Source<R>, limit: u64) -> Result<u8, Stop> {
    loop {
        let code = next_marker(src, limit)?;
        if !matches!(code, 0xD0..=0xD7) {
            return Ok(code);
        }
    }
}

/// Just after an 0xFF: skips fill bytes and returns the marker code, or None for 0xFF00.
fn marker_code<R: Read + Seek>(src: &mut Source<R>, limit: u64) -> Result<Option<u8>, Stop> {
    loop {
        match src.byte(limit)? {
            None => return Err(no_eoi(src.pos)),
            Some(0xFF) => continue,
            Some(0x00) => return Ok(None),
            Some(code) => return Ok(Some(code)),
        }
    }
}

/// Names the runs of bytes in `[image_end, file_len)`.
fn describe_after_image<R: Read + Seek>(src: &mut Source<R>, image_end: u64, file_len: u64) -> io::Result<Vec<TrailerPart>> {
    let mut parts = Vec::new();
    let sef = samsung_trailer(src, image_end, file_len)?;
    let limit = sef.as_ref().map_or(file_len, |s| s.start);
    describe_run(src, image_end, limit, &mut parts)?;
    if let Some(sef) = sef {
        parts.push(TrailerPart { kind: TrailerKind::SamsungTrailer, offset: sef.start, length: file_len - sef.start });
        if let Some((offset, length)) = sef.video {
            parts.push(TrailerPart { kind: TrailerKind::MotionPhotoVideo, offset, length });
        }
    }
    Ok(parts)
}

/// Names consecutive parts from `pos` up to `limit`; what is recognised as
/// nothing runs to the limit as unknown bytes.
fn describe_run<R: Read + Seek>(src: &mut Source<R>, mut pos: u64, limit: u64, parts: &mut Vec<TrailerPart>) -> io::Result<()> {
    while pos < limit {
        let first = src.read_at(pos, 2, limit)?;
        let (kind, end) = match structured_part(src, pos, limit)? {
            Some(found) => found,
            // An image that does not reach its EOI is not filler because it starts with 0xFF.
            None if is_padding(first[0]) && first != [0xFF, 0xD8] => (TrailerKind::Padding, padding_end(src, pos, limit)?),
            None => (TrailerKind::Unknown, limit),
        };
        parts.push(TrailerPart { kind, offset: pos, length: end - pos });
        pos = end;
    }
    Ok(())
}

/// A complete JPEG or an MP4 starting at `pos`, with where it ends.
fn structured_part<R: Read + Seek>(src: &mut Source<R>, pos: u64, limit: u64) -> io::Result<Option<(TrailerKind, u64)>> {
    let head = src.read_at(pos, 8, limit)?;
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return match image_end(src, pos, limit) {
            Ok(end) => Ok(Some((TrailerKind::Jpeg, end))),
            Err(Stop::Io(e)) => Err(e),
            Err(Stop::NotJpeg | Stop::Truncated(_) | Stop::Corrupt(_)) => Ok(None),
        };
    }
    let video = iso_bmff_len(src, pos, limit)?;
    Ok((video > 0).then_some((TrailerKind::MotionPhotoVideo, pos + video)))
}

fn is_padding(b: u8) -> bool {
    b == 0x00 || b == 0xFF
}

/// Where a run of filler bytes from `pos` ends: at the first other byte, or
/// earlier where a JPEG or an MP4 (whose box size starts with zeros) begins.
fn padding_end<R: Read + Seek>(src: &mut Source<R>, pos: u64, limit: u64) -> io::Result<u64> {
    src.seek_to(pos)?;
    let other = loop {
        let buf = src.fill(limit)?;
        if buf.is_empty() {
            return Ok(limit);
        }
        match buf.iter().position(|&b| !is_padding(b)) {
            Some(i) => {
                src.consume(i);
                break src.pos;
            }
            None => {
                let n = buf.len();
                src.consume(n);
            }
        }
    };
    for start in other.saturating_sub(3).max(pos + 1)..=other {
        if structured_part(src, start, limit)?.is_some() {
            return Ok(start);
        }
    }
    Ok(other)
}

/// The length of the ISO BMFF (MP4/MOV) file at `pos`: its top-level boxes,
/// the first an `ftyp`, as far as they are whole and within `limit`; 0 if none.
fn iso_bmff_len<R: Read + Seek>(src: &mut Source<R>, pos: u64, limit: u64) -> io::Result<u64> {
    let mut at = pos;
    while limit - at >= 8 {
        let head = src.read_at(at, 16, limit)?;
        let box_type = &head[4..8];
        let plausible = if at == pos { box_type == b"ftyp" } else { box_type.iter().all(|c| c.is_ascii_alphanumeric() || *c == b' ') };
        if !plausible {
            break;
        }
        let size = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
            0 => limit - at,
            1 if head.len() == 16 => u64::from_be_bytes(head[8..16].try_into().expect("eight bytes")),
            1 => break,
            n => u64::from(n),
        };
        if size < 8 || size > limit - at {
            break;
        }
        at += size;
    }
    Ok(at - pos)
}

/// Samsung's SEF trailer: data blocks, then a "SEFH" directory naming each
/// block by its distance back from the directory, the directory's size
/// (u32, little-endian) and "SEFT" as the file's last four bytes.
struct SefTrailer {
    /// Offset of its first data block.
    start: u64,
    /// A motion photo's MP4 inside one of its blocks (offset, length).
    video: Option<(u64, u64)>,
}

/// Reads a SEF trailer ending the file, if there is a well-formed one after the image.
fn samsung_trailer<R: Read + Seek>(src: &mut Source<R>, image_end: u64, file_len: u64) -> io::Result<Option<SefTrailer>> {
    if file_len - image_end < 20 {
        return Ok(None);
    }
    let tail = src.read_at(file_len - 8, 8, file_len)?;
    if &tail[4..8] != b"SEFT" {
        return Ok(None);
    }
    let dir_len = u64::from(le32(&tail[0..4]));
    let Some(dir) = (file_len - 8).checked_sub(dir_len).filter(|&d| d >= image_end && dir_len >= 12) else {
        return Ok(None);
    };
    let head = src.read_at(dir, 12, file_len)?;
    let count = le32(&head[8..12]);
    if &head[0..4] != b"SEFH" || count > MAX_SEF_ENTRIES || 12 + 12 * u64::from(count) > dir_len {
        return Ok(None);
    }
    let entries = src.read_at(dir + 12, 12 * count as usize, file_len)?;
    let mut sef = SefTrailer { start: dir, video: None };
    for entry in entries.chunks_exact(12) {
        let (back, len) = (u64::from(le32(&entry[4..8])), u64::from(le32(&entry[8..12])));
        let Some(block) = dir.checked_sub(back).filter(|&b| b >= image_end && b + len <= dir) else {
            return Ok(None);
        };
        sef.start = sef.start.min(block);
        if sef.video.is_none() {
            sef.video = video_in_sef_block(src, block, block + len)?;
        }
    }
    Ok(Some(sef))
}

/// A block is 2 zero bytes, a 2-byte type, a 4-byte name length and the name
/// ("MotionPhoto_Data" for a motion photo), then its payload.
fn video_in_sef_block<R: Read + Seek>(src: &mut Source<R>, block: u64, end: u64) -> io::Result<Option<(u64, u64)>> {
    if end - block < 8 {
        return Ok(None);
    }
    let head = src.read_at(block, 8, end)?;
    let payload = block + 8 + u64::from(le32(&head[4..8]));
    if payload >= end {
        return Ok(None);
    }
    let len = iso_bmff_len(src, payload, end)?;
    Ok((len > 0).then_some((payload, len)))
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    /// SOI, an APP1 holding a thumbnail with its own SOI/EOI, tables, and
    /// the given scans (each an SOS segment and its entropy-coded data), then EOI.
    fn jpeg(scans: &[&[u8]]) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        let mut app1 = b"Exif\0\0thumb:".to_vec();
        app1.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x02, 0xFF, 0xD9]);
        j.extend(segment(0xE1, &app1));
        j.extend(segment(0xDB, &[0; 65]));
        j.extend(segment(0xC0, &[8, 0, 16, 0, 16, 1, 1, 0x11, 0]));
        for scan in scans {
            j.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
            j.extend_from_slice(scan);
        }
        j.extend_from_slice(&[0xFF, 0xD9]);
        j
    }

    /// Entropy-coded data with a stuffed 0xFF, restart markers and a fill byte before one.
    const SCAN: &[u8] = &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xD1, 0xD9, 0x78];

    fn layout(bytes: &[u8]) -> Result<JpegLayout> {
        jpeg_layout(Cursor::new(bytes))
    }

    fn mp4(payload_len: usize) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&20u32.to_be_bytes());
        m.extend_from_slice(b"ftypisom\0\0\x02\0isom");
        m.extend_from_slice(&((payload_len + 8) as u32).to_be_bytes());
        m.extend_from_slice(b"mdat");
        m.extend(std::iter::repeat_n(0xAB, payload_len));
        m
    }

    fn part(kind: TrailerKind, offset: usize, length: usize) -> TrailerPart {
        TrailerPart { kind, offset: offset as u64, length: length as u64 }
    }

    #[test]
    fn a_complete_jpeg_ends_at_its_eoi_past_the_thumbnail_and_the_scan_markers() {
        let j = jpeg(&[SCAN]);
        let l = layout(&j).unwrap();
        assert_eq!((l.image_end, l.file_len, l.trailer), (j.len() as u64, j.len() as u64, None));
    }

    #[test]
    fn a_progressive_jpeg_with_several_scans_ends_at_the_last() {
        let j = jpeg(&[SCAN, &[0x01, 0x02], SCAN]);
        assert_eq!(layout(&j).unwrap().image_end, j.len() as u64);
    }

    #[test]
    fn a_jpeg_cut_anywhere_before_its_eoi_is_truncated() {
        let j = jpeg(&[SCAN, SCAN]);
        for cut_at in 3..j.len() - 1 {
            match layout(&j[..cut_at]) {
                Err(Error::Truncated(_)) => {}
                other => panic!("cut at {cut_at}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_marker_length_running_past_the_end_of_file_is_truncated_not_a_panic() {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xF0];
        j.extend_from_slice(b"Exif\0\0");
        assert!(matches!(layout(&j), Err(Error::Truncated(_))));
        let mut thumbnail_only = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x0A, 0xFF, 0xD8, 0, 0, 0xFF, 0xD9];
        thumbnail_only.truncate(10);
        assert!(matches!(layout(&thumbnail_only), Err(Error::Truncated(_))));
    }

    #[test]
    fn a_segment_length_below_two_is_corrupt() {
        let j = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xD9];
        assert!(matches!(layout(&j), Err(Error::CorruptMedia(_))));
    }

    #[test]
    fn an_appended_mp4_is_a_motion_photo_video() {
        let j = jpeg(&[SCAN]);
        let mut file = j.clone();
        file.extend(mp4(1000));
        let t = layout(&file).unwrap().trailer.unwrap();
        assert_eq!(t.image_end, j.len() as u64);
        assert_eq!(t.parts, vec![part(TrailerKind::MotionPhotoVideo, j.len(), file.len() - j.len())]);
    }

    #[test]
    fn padding_then_an_mp4_then_stray_bytes_are_three_parts() {
        let j = jpeg(&[SCAN]);
        let video = mp4(10);
        let mut file = j.clone();
        file.extend_from_slice(&[0, 0, 0xFF]);
        file.extend(&video);
        file.extend_from_slice(b"tail");
        let parts = layout(&file).unwrap().trailer.unwrap().parts;
        let v = j.len() + 3;
        assert_eq!(
            parts,
            vec![
                part(TrailerKind::Padding, j.len(), 3),
                part(TrailerKind::MotionPhotoVideo, v, video.len()),
                part(TrailerKind::Unknown, v + video.len(), 4),
            ]
        );
    }

    #[test]
    fn a_second_jpeg_and_one_stray_byte_are_named() {
        let j = jpeg(&[SCAN]);
        let mut file = j.clone();
        file.extend(jpeg(&[]));
        file.push(0x14);
        let parts = layout(&file).unwrap().trailer.unwrap().parts;
        let second = jpeg(&[]).len();
        assert_eq!(parts, vec![part(TrailerKind::Jpeg, j.len(), second), part(TrailerKind::Unknown, j.len() + second, 1)]);
    }

    /// Samsung's layout: a "MotionPhoto_Data" block holding the MP4, the SEFH directory, its size, "SEFT".
    fn sef_trailer(video: &[u8]) -> Vec<u8> {
        let mut block = vec![0, 0, 0x30, 0x0A];
        block.extend_from_slice(&16u32.to_le_bytes());
        block.extend_from_slice(b"MotionPhoto_Data");
        block.extend_from_slice(video);
        let mut dir = b"SEFH".to_vec();
        dir.extend_from_slice(&107u32.to_le_bytes());
        dir.extend_from_slice(&1u32.to_le_bytes());
        dir.extend_from_slice(&[0, 0, 0x30, 0x0A]);
        dir.extend_from_slice(&(block.len() as u32).to_le_bytes());
        dir.extend_from_slice(&(block.len() as u32).to_le_bytes());
        let mut t = block;
        let dir_len = dir.len() as u32;
        t.extend(dir);
        t.extend_from_slice(&dir_len.to_le_bytes());
        t.extend_from_slice(b"SEFT");
        t
    }

    #[test]
    fn a_second_jpeg_cut_short_is_unknown_bytes_not_filler() {
        let j = jpeg(&[SCAN]);
        let second = jpeg(&[SCAN]);
        let mut file = j.clone();
        file.extend_from_slice(&second[..second.len() - 4]);
        let parts = layout(&file).unwrap().trailer.unwrap().parts;
        assert_eq!(parts, vec![part(TrailerKind::Unknown, j.len(), second.len() - 4)]);
    }

    #[test]
    fn a_samsung_trailer_and_the_video_inside_it_are_named() {
        let j = jpeg(&[SCAN]);
        let video = mp4(500);
        let mut file = j.clone();
        file.extend(sef_trailer(&video));
        let parts = layout(&file).unwrap().trailer.unwrap().parts;
        assert_eq!(
            parts,
            vec![
                part(TrailerKind::SamsungTrailer, j.len(), file.len() - j.len()),
                part(TrailerKind::MotionPhotoVideo, j.len() + 24, video.len())
            ]
        );
    }

    #[test]
    fn a_sef_directory_pointing_before_the_image_is_not_taken_as_a_samsung_trailer() {
        let j = jpeg(&[SCAN]);
        let mut trailer = sef_trailer(&mp4(10));
        // The one entry's distance back from the directory (24 bytes before the size and "SEFT").
        let back = trailer.len() - 8 - 24 + 16;
        trailer[back..back + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut file = j.clone();
        file.extend(&trailer);
        let parts = layout(&file).unwrap().trailer.unwrap().parts;
        // The block's leading zero bytes read as filler; the rest is named as nothing.
        assert_eq!(parts, vec![part(TrailerKind::Padding, j.len(), 2), part(TrailerKind::Unknown, j.len() + 2, trailer.len() - 2)]);
    }

    #[test]
    fn real_camera_jpegs_end_at_their_eoi() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-samples/jpg");
        let canon = std::fs::read(dir.join("Canon_40D.jpg")).unwrap();
        let l = layout(&canon).unwrap();
        assert_eq!((l.image_end, l.trailer), (canon.len() as u64, None));
        let olympus = std::fs::read(dir.join("exif-org/olympus-d320l.jpg")).unwrap();
        let t = layout(&olympus).unwrap().trailer.unwrap();
        assert_eq!(t.parts, vec![part(TrailerKind::Unknown, olympus.len() - 1, 1)]);
        assert!(matches!(layout(&canon[..canon.len() / 2]), Err(Error::Truncated(_))));
    }
}
