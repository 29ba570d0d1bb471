//! Lists the names in a ZIP's central directory straight from the bytes.
//! The `zip` crate keeps one entry per name, so a second file under the same
//! name would be invisible to the verifier while `unzip` might extract it;
//! reading the directory ourselves lets the verifier name such duplicates.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
/// The central directory of a packet is small; refuse to read absurd ones.
const MAX_DIRECTORY: u64 = 64 << 20;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn read_at(f: &mut File, at: u64, len: u64) -> Option<Vec<u8>> {
    f.seek(SeekFrom::Start(at)).ok()?;
    let mut buf = vec![0u8; usize::try_from(len).ok()?];
    f.read_exact(&mut buf).ok()?;
    Some(buf)
}

/// Every name in the central directory, duplicates included; None when the directory cannot be read.
pub fn central_directory_names(path: &Path) -> Option<Vec<String>> {
    let mut f = File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let tail_len = len.min(22 + 65_535);
    let tail = read_at(&mut f, len - tail_len, tail_len)?;
    let eocd = (0..tail.len().saturating_sub(21)).rev().find(|&i| u32_at(&tail, i) == Some(EOCD_SIG))?;
    let mut count = u64::from(u16_at(&tail, eocd + 10)?);
    let mut size = u64::from(u32_at(&tail, eocd + 12)?);
    let mut offset = u64::from(u32_at(&tail, eocd + 16)?);
    if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        let loc = eocd.checked_sub(20)?;
        if u32_at(&tail, loc) != Some(ZIP64_LOCATOR_SIG) {
            return None;
        }
        let z64 = read_at(&mut f, u64_at(&tail, loc + 8)?, 56)?;
        if u32_at(&z64, 0) != Some(ZIP64_EOCD_SIG) {
            return None;
        }
        count = u64_at(&z64, 32)?;
        size = u64_at(&z64, 40)?;
        offset = u64_at(&z64, 48)?;
    }
    if size > MAX_DIRECTORY || offset.checked_add(size)? > len {
        return None;
    }
    let dir = read_at(&mut f, offset, size)?;
    let mut names = Vec::new();
    let mut at = 0usize;
    for _ in 0..count {
        if u32_at(&dir, at) != Some(CENTRAL_SIG) {
            return None;
        }
        let name_len = usize::from(u16_at(&dir, at + 28)?);
        let extra_len = usize::from(u16_at(&dir, at + 30)?);
        let comment_len = usize::from(u16_at(&dir, at + 32)?);
        let name = dir.get(at + 46..at + 46 + name_len)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}
