//! Hand-made ZIP archives for the packet verifier's structural tests. ZIP
//! writers refuse to produce the archives an attacker would (a local header
//! naming another file than the directory, bytes hidden between entries, a
//! thousandfold zip bomb reusing one compressed stream), so the tests write
//! the bytes themselves.

use std::io::Write;

/// One entry to write.
#[derive(Clone)]
pub struct CraftEntry {
    /// Name in the central directory.
    pub name: String,
    /// Name in the local header, when it should differ from the directory's.
    pub local_name: Option<String>,
    /// 0 stored, 8 deflate.
    pub method: u16,
    /// The bytes as stored.
    pub stored: Vec<u8>,
    /// CRC-32 of the inflated bytes.
    pub crc32: u32,
    /// Inflated size the directory declares.
    pub uncompressed: u64,
}

impl CraftEntry {
    /// A stored entry.
    pub fn stored(name: &str, content: &[u8]) -> Self {
        CraftEntry {
            name: name.into(),
            local_name: None,
            method: 0,
            stored: content.to_vec(),
            crc32: crc32fast::hash(content),
            uncompressed: content.len() as u64,
        }
    }

    /// A deflated entry.
    pub fn deflated(name: &str, content: &[u8]) -> Self {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(content).unwrap();
        CraftEntry {
            name: name.into(),
            local_name: None,
            method: 8,
            stored: enc.finish().unwrap(),
            crc32: crc32fast::hash(content),
            uncompressed: content.len() as u64,
        }
    }
}

/// Writes the archive; `hidden` bytes go right after entry `hidden.0`'s data, unreferenced.
pub fn build_zip(entries: &[CraftEntry], hidden: Option<(usize, &[u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        offsets.push(out.len() as u32);
        let local_name = e.local_name.as_deref().unwrap_or(&e.name);
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
        out.extend_from_slice(&e.crc32.to_le_bytes());
        out.extend_from_slice(&(e.stored.len() as u32).to_le_bytes());
        out.extend_from_slice(&(e.uncompressed as u32).to_le_bytes());
        out.extend_from_slice(&(local_name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(local_name.as_bytes());
        out.extend_from_slice(&e.stored);
        if let Some((after, bytes)) = hidden {
            if after == i {
                out.extend_from_slice(bytes);
            }
        }
    }
    let dir_offset = out.len() as u32;
    for (e, off) in entries.iter().zip(&offsets) {
        out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // made by
        out.extend_from_slice(&20u16.to_le_bytes()); // needed
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0x21, 0]);
        out.extend_from_slice(&e.crc32.to_le_bytes());
        out.extend_from_slice(&(e.stored.len() as u32).to_le_bytes());
        out.extend_from_slice(&(e.uncompressed as u32).to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
        out.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        out.extend_from_slice(&off.to_le_bytes());
        out.extend_from_slice(e.name.as_bytes());
    }
    let dir_size = out.len() as u32 - dir_offset;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&dir_size.to_le_bytes());
    out.extend_from_slice(&dir_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// Inserts `bytes` at offset `at` of a small (non-ZIP64-directory) archive and moves every
/// directory offset behind it, so the directory stays right and the bytes are simply unlisted.
pub fn insert_unlisted(zip: &[u8], at: usize, bytes: &[u8]) -> Vec<u8> {
    let eocd = (0..zip.len() - 21).rev().find(|&i| u32_at(zip, i) == 0x0605_4b50).expect("end record");
    let count = usize::from(u16_at(zip, eocd + 10));
    let dir = u32_at(zip, eocd + 16) as usize;
    let shift = bytes.len() as u32;
    let mut out = zip.to_vec();
    let mut p = dir;
    for _ in 0..count {
        assert_eq!(u32_at(zip, p), 0x0201_4b50, "central entry");
        let offset = u32_at(zip, p + 42);
        assert_ne!(offset, u32::MAX, "small archives only");
        if offset as usize >= at {
            out[p + 42..p + 46].copy_from_slice(&(offset + shift).to_le_bytes());
        }
        p += 46 + usize::from(u16_at(zip, p + 28)) + usize::from(u16_at(zip, p + 30)) + usize::from(u16_at(zip, p + 32));
    }
    out[eocd + 16..eocd + 20].copy_from_slice(&(dir as u32 + shift).to_le_bytes());
    out.splice(at..at, bytes.iter().copied());
    out
}

/// Offset of the second local header (the end of the first entry).
pub fn second_local_header(zip: &[u8]) -> usize {
    (4..zip.len() - 4).find(|&i| u32_at(zip, i) == 0x0403_4b50).expect("a second entry")
}
