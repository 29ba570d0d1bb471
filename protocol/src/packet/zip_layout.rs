//! Reads a ZIP's structure straight from its bytes and refuses any archive
//! whose parts disagree. An unzipper that walks local headers (a streaming
//! one) and one that reads the central directory must see the same files,
//! or a packet could carry a file the verifier never checked: so every local
//! header must repeat its directory entry (name, method, flags, CRC, sizes),
//! the entries must tile the file from byte 0 to the directory with nothing
//! hidden between or overlapping, and the declared sizes must stay within
//! bounds that keep a zip bomb from costing memory or hours. Names are kept
//! duplicates and all (the `zip` crate keeps one per name), so the verifier
//! can name a second file stored under one name.

use std::io::{Read, Seek, SeekFrom};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_EXTRA: u16 = 0x0001;
const LOCAL_HEADER_LEN: u64 = 30;
const EOCD_LEN: u64 = 22;
const ZIP64_LOCATOR_LEN: u64 = 20;
/// Flag bit 0: the entry is encrypted; a packet never is.
const FLAG_ENCRYPTED: u16 = 1;
/// Flag bit 3: CRC and sizes follow the data in a data descriptor.
const FLAG_DESCRIPTOR: u16 = 1 << 3;

/// Compression methods a packet may use.
pub const METHOD_STORED: u16 = 0;
/// Deflate.
pub const METHOD_DEFLATED: u16 = 8;

/// Most entries a packet may hold: an order with thousands of items stays far below.
pub const MAX_ENTRIES: u64 = 20_000;
/// Largest inflated entry: an original may be a long recording (the server's upload limit defaults to 4 GiB).
pub const MAX_ENTRY_BYTES: u64 = 8 << 30;
/// Largest sum of inflated entries.
pub const MAX_TOTAL_BYTES: u64 = 32 << 30;
/// Most an entry larger than [`RATIO_FREE_BYTES`] may inflate per stored byte. Packets store
/// media and the report uncompressed; even a re-zipped packet's photos and voice notes
/// compress a few times at most, while a zip bomb inflates about a thousandfold.
pub const MAX_RATIO: u64 = 100;
/// Entries up to this size may compress any amount (small JSON of repeated text).
pub const RATIO_FREE_BYTES: u64 = 1 << 20;
/// The central directory of a packet is small; refuse to read absurd ones.
const MAX_DIRECTORY: u64 = 64 << 20;

/// One file of the archive, as its directory entry and local header both describe it.
#[derive(Debug, Clone)]
pub struct ZipEntry {
    /// Name, lossily decoded (what tools show).
    pub name: String,
    /// Compression method.
    pub method: u16,
    /// CRC-32 of the inflated bytes.
    pub crc32: u32,
    /// Stored bytes.
    pub compressed: u64,
    /// Inflated bytes.
    pub uncompressed: u64,
    /// Where the stored bytes start.
    pub data_offset: u64,
}

/// Why an archive is refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    /// No end-of-directory record, or one that cannot be read.
    NotZip,
    /// The directory is malformed or larger than a packet's can be.
    BadDirectory,
    /// Split across disks.
    MultiDisk,
    /// More entries than a packet may hold.
    TooManyEntries(u64),
    /// An entry is encrypted.
    Encrypted(String),
    /// A local header is missing or disagrees with its directory entry on the named field.
    LocalMismatch { name: String, field: &'static str },
    /// Bytes no entry accounts for (before, between or after entries).
    HiddenBytes { at: u64, len: u64 },
    /// Two entries share bytes.
    Overlap { name: String },
    /// An entry inflates to more than one entry may.
    EntryTooLarge { name: String, bytes: u64 },
    /// The entries together inflate to more than a packet may.
    TotalTooLarge(u64),
    /// An entry inflates far more than any packet file does (a zip bomb).
    Ratio { name: String, compressed: u64, uncompressed: u64 },
}

impl LayoutError {
    /// zh-CN and English explanation.
    pub fn text(&self) -> (String, String) {
        match self {
            LayoutError::NotZip => ("找不到 ZIP 目录".into(), "no ZIP end-of-directory record".into()),
            LayoutError::BadDirectory => ("ZIP 目录损坏或过大".into(), "the ZIP directory is malformed or too large".into()),
            LayoutError::MultiDisk => ("分卷 ZIP 不是证据包".into(), "a multi-disk ZIP is not a packet".into()),
            LayoutError::TooManyEntries(n) => {
                (format!("包含 {n} 个条目，超过上限 {MAX_ENTRIES}"), format!("{n} entries, more than the limit of {MAX_ENTRIES}"))
            }
            LayoutError::Encrypted(name) => (format!("{name} 已加密"), format!("{name} is encrypted")),
            LayoutError::LocalMismatch { name, field } => (
                format!("{name} 的本地文件头与目录不一致（{field}），解压工具可能取出未经校验的内容"),
                format!("the local header of {name} disagrees with the directory ({field}); an unzipper could extract content that was not checked"),
            ),
            LayoutError::HiddenBytes { at, len } => (
                format!("偏移 {at} 处有 {len} 字节不属于任何目录条目"),
                format!("{len} bytes at offset {at} belong to no directory entry"),
            ),
            LayoutError::Overlap { name } => (format!("{name} 与另一条目重叠"), format!("{name} overlaps another entry")),
            LayoutError::EntryTooLarge { name, bytes } => (
                format!("{name} 解压后 {bytes} 字节，超过单个文件上限 {MAX_ENTRY_BYTES}"),
                format!("{name} inflates to {bytes} bytes, more than the per-file limit of {MAX_ENTRY_BYTES}"),
            ),
            LayoutError::TotalTooLarge(n) => (
                format!("全部解压后 {n} 字节，超过上限"),
                format!("the entries inflate to {n} bytes in total, more than the limit"),
            ),
            LayoutError::Ratio { name, compressed, uncompressed } => (
                format!("{name} 由 {compressed} 字节解压为 {uncompressed} 字节，疑似压缩炸弹"),
                format!("{name} inflates from {compressed} to {uncompressed} bytes, a zip bomb"),
            ),
        }
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

fn read_at<R: Read + Seek>(r: &mut R, at: u64, len: u64) -> Option<Vec<u8>> {
    r.seek(SeekFrom::Start(at)).ok()?;
    let mut buf = Vec::new();
    r.take(len).read_to_end(&mut buf).ok()?;
    (buf.len() as u64 == len).then_some(buf)
}

/// Sizes and offset, widened by a ZIP64 extra field where the 32-bit fields are saturated
/// (the field holds, in this order, only the values whose 32-bit field is all ones).
fn widen(extra: &[u8], usize32: u32, csize32: u32, offset32: Option<u32>) -> Option<(u64, u64, Option<u64>)> {
    let mut at = 0usize;
    let mut z64: Option<&[u8]> = None;
    while at + 4 <= extra.len() {
        let id = u16_at(extra, at)?;
        let len = usize::from(u16_at(extra, at + 2)?);
        let body = extra.get(at + 4..at + 4 + len)?;
        if id == ZIP64_EXTRA {
            z64 = Some(body);
        }
        at += 4 + len;
    }
    let mut pos = 0usize;
    let mut next = |v32: u32| -> Option<u64> {
        if v32 != u32::MAX {
            return Some(u64::from(v32));
        }
        let v = u64_at(z64?, pos)?;
        pos += 8;
        Some(v)
    };
    let usize64 = next(usize32)?;
    let csize64 = next(csize32)?;
    let offset64 = match offset32 {
        Some(o) => Some(next(o)?),
        None => None,
    };
    Some((usize64, csize64, offset64))
}

/// The end of the archive: where the directory is, how many entries, and where the
/// bytes after the directory (ZIP64 records, end record) start.
struct Tail {
    count: u64,
    dir_offset: u64,
    dir_size: u64,
    /// First byte after the directory that belongs to the end records.
    records_start: u64,
}

fn read_tail<R: Read + Seek>(r: &mut R, len: u64) -> Result<Tail, LayoutError> {
    let tail_len = len.min(EOCD_LEN + 65_535);
    let tail = read_at(r, len - tail_len, tail_len).ok_or(LayoutError::NotZip)?;
    // The end record whose comment reaches exactly to the end of the file: nothing may trail it.
    let eocd = (0..tail.len().saturating_sub(EOCD_LEN as usize - 1))
        .rev()
        .find(|&i| {
            u32_at(&tail, i) == Some(EOCD_SIG) && u16_at(&tail, i + 20).map(|c| i + EOCD_LEN as usize + usize::from(c)) == Some(tail.len())
        })
        .ok_or(LayoutError::NotZip)?;
    let eocd_at = len - tail_len + eocd as u64;
    let disk = u16_at(&tail, eocd + 4).ok_or(LayoutError::NotZip)?;
    let dir_disk = u16_at(&tail, eocd + 6).ok_or(LayoutError::NotZip)?;
    let on_disk = u16_at(&tail, eocd + 8).ok_or(LayoutError::NotZip)?;
    let count16 = u16_at(&tail, eocd + 10).ok_or(LayoutError::NotZip)?;
    let size32 = u32_at(&tail, eocd + 12).ok_or(LayoutError::NotZip)?;
    let offset32 = u32_at(&tail, eocd + 16).ok_or(LayoutError::NotZip)?;
    if disk != 0 && disk != u16::MAX || dir_disk != 0 && dir_disk != u16::MAX || on_disk != count16 {
        return Err(LayoutError::MultiDisk);
    }
    let zip64 = count16 == u16::MAX || size32 == u32::MAX || offset32 == u32::MAX;
    if !zip64 {
        return Ok(Tail {
            count: u64::from(count16),
            dir_offset: u64::from(offset32),
            dir_size: u64::from(size32),
            records_start: eocd_at,
        });
    }
    let loc_at = eocd_at.checked_sub(ZIP64_LOCATOR_LEN).ok_or(LayoutError::BadDirectory)?;
    let loc = read_at(r, loc_at, ZIP64_LOCATOR_LEN).ok_or(LayoutError::BadDirectory)?;
    if u32_at(&loc, 0) != Some(ZIP64_LOCATOR_SIG) || u32_at(&loc, 16) != Some(1) {
        return Err(LayoutError::BadDirectory);
    }
    let z64_at = u64_at(&loc, 8).ok_or(LayoutError::BadDirectory)?;
    let z64 = read_at(r, z64_at, 56).ok_or(LayoutError::BadDirectory)?;
    if u32_at(&z64, 0) != Some(ZIP64_EOCD_SIG) {
        return Err(LayoutError::BadDirectory);
    }
    // The ZIP64 end record runs up to the locator (its size field excludes the first 12 bytes).
    let record_len = u64_at(&z64, 4).and_then(|n| n.checked_add(12)).ok_or(LayoutError::BadDirectory)?;
    if z64_at.checked_add(record_len) != Some(loc_at) {
        return Err(LayoutError::HiddenBytes { at: z64_at, len: loc_at.saturating_sub(z64_at) });
    }
    let (count, on_disk64) = (u64_at(&z64, 32).ok_or(LayoutError::BadDirectory)?, u64_at(&z64, 24).ok_or(LayoutError::BadDirectory)?);
    if u32_at(&z64, 16) != Some(0) || u32_at(&z64, 20) != Some(0) || on_disk64 != count {
        return Err(LayoutError::MultiDisk);
    }
    Ok(Tail {
        count,
        dir_size: u64_at(&z64, 40).ok_or(LayoutError::BadDirectory)?,
        dir_offset: u64_at(&z64, 48).ok_or(LayoutError::BadDirectory)?,
        records_start: z64_at,
    })
}

/// A directory entry before its local header is checked.
struct Listed {
    raw_name: Vec<u8>,
    name: String,
    flags: u16,
    method: u16,
    crc32: u32,
    compressed: u64,
    uncompressed: u64,
    local_offset: u64,
}

fn read_directory(dir: &[u8], count: u64) -> Result<Vec<Listed>, LayoutError> {
    let bad = || LayoutError::BadDirectory;
    let mut out = Vec::new();
    let mut at = 0usize;
    for _ in 0..count {
        if u32_at(dir, at) != Some(CENTRAL_SIG) {
            return Err(bad());
        }
        let flags = u16_at(dir, at + 8).ok_or_else(bad)?;
        let method = u16_at(dir, at + 10).ok_or_else(bad)?;
        let crc32 = u32_at(dir, at + 16).ok_or_else(bad)?;
        let csize32 = u32_at(dir, at + 20).ok_or_else(bad)?;
        let usize32 = u32_at(dir, at + 24).ok_or_else(bad)?;
        let name_len = usize::from(u16_at(dir, at + 28).ok_or_else(bad)?);
        let extra_len = usize::from(u16_at(dir, at + 30).ok_or_else(bad)?);
        let comment_len = usize::from(u16_at(dir, at + 32).ok_or_else(bad)?);
        let disk = u16_at(dir, at + 34).ok_or_else(bad)?;
        let offset32 = u32_at(dir, at + 42).ok_or_else(bad)?;
        let raw_name = dir.get(at + 46..at + 46 + name_len).ok_or_else(bad)?.to_vec();
        let extra = dir.get(at + 46 + name_len..at + 46 + name_len + extra_len).ok_or_else(bad)?;
        let (uncompressed, compressed, offset) = widen(extra, usize32, csize32, Some(offset32)).ok_or_else(bad)?;
        if disk != 0 && disk != u16::MAX {
            return Err(LayoutError::MultiDisk);
        }
        let name = String::from_utf8_lossy(&raw_name).into_owned();
        out.push(Listed { raw_name, name, flags, method, crc32, compressed, uncompressed, local_offset: offset.ok_or_else(bad)? });
        at += 46 + name_len + extra_len + comment_len;
    }
    // The directory's stated size must be exactly its entries: no room for anything else.
    if at != dir.len() {
        return Err(bad());
    }
    Ok(out)
}

/// Checks an entry's local header against its directory entry; returns where its data
/// starts and where the entry (data and any data descriptor) ends.
fn check_local<R: Read + Seek>(r: &mut R, e: &Listed) -> Result<(u64, u64), LayoutError> {
    let mismatch = |field: &'static str| LayoutError::LocalMismatch { name: e.name.clone(), field };
    let head = read_at(r, e.local_offset, LOCAL_HEADER_LEN).ok_or_else(|| mismatch("header"))?;
    if u32_at(&head, 0) != Some(LOCAL_SIG) {
        return Err(mismatch("signature"));
    }
    let field = |at: usize| u16_at(&head, at).ok_or_else(|| mismatch("header"));
    let field32 = |at: usize| u32_at(&head, at).ok_or_else(|| mismatch("header"));
    if field(6)? != e.flags {
        return Err(mismatch("flags"));
    }
    if field(8)? != e.method {
        return Err(mismatch("method"));
    }
    let (crc32, csize32, usize32) = (field32(14)?, field32(18)?, field32(22)?);
    let (name_len, extra_len) = (u64::from(field(26)?), u64::from(field(28)?));
    let rest = read_at(r, e.local_offset + LOCAL_HEADER_LEN, name_len + extra_len).ok_or_else(|| mismatch("header"))?;
    let (name, extra) = rest.split_at(name_len as usize);
    if name != e.raw_name.as_slice() {
        return Err(mismatch("name"));
    }
    let data_offset = e.local_offset + LOCAL_HEADER_LEN + name_len + extra_len;
    let data_end = data_offset.checked_add(e.compressed).ok_or_else(|| mismatch("size"))?;
    if e.flags & FLAG_DESCRIPTOR == 0 {
        let (uncompressed, compressed, _) = widen(extra, usize32, csize32, None).ok_or_else(|| mismatch("size"))?;
        if crc32 != e.crc32 {
            return Err(mismatch("CRC"));
        }
        if (uncompressed, compressed) != (e.uncompressed, e.compressed) {
            return Err(mismatch("size"));
        }
        return Ok((data_offset, data_end));
    }
    // A data descriptor after the data: optional signature, CRC, then 4- or 8-byte sizes.
    let desc = read_at(r, data_end, 24)
        .or_else(|| read_at(r, data_end, 16))
        .or_else(|| read_at(r, data_end, 12))
        .ok_or_else(|| mismatch("data descriptor"))?;
    let skip = if u32_at(&desc, 0) == Some(DESCRIPTOR_SIG) { 4 } else { 0 };
    let wide = e.compressed > u64::from(u32::MAX - 1) || e.uncompressed > u64::from(u32::MAX - 1);
    let (crc, csize, usize64, len) = if wide {
        (u32_at(&desc, skip), u64_at(&desc, skip + 4), u64_at(&desc, skip + 12), skip + 20)
    } else {
        (u32_at(&desc, skip), u32_at(&desc, skip + 4).map(u64::from), u32_at(&desc, skip + 8).map(u64::from), skip + 12)
    };
    if crc != Some(e.crc32) || csize != Some(e.compressed) || usize64 != Some(e.uncompressed) {
        return Err(mismatch("data descriptor"));
    }
    Ok((data_offset, data_end + len as u64))
}

/// Reads and checks the whole structure. Entries come in directory order.
pub fn read_layout<R: Read + Seek>(r: &mut R) -> Result<Vec<ZipEntry>, LayoutError> {
    let len = r.seek(SeekFrom::End(0)).map_err(|_| LayoutError::NotZip)?;
    let tail = read_tail(r, len)?;
    if tail.count > MAX_ENTRIES {
        return Err(LayoutError::TooManyEntries(tail.count));
    }
    if tail.dir_size > MAX_DIRECTORY || tail.dir_offset.checked_add(tail.dir_size) != Some(tail.records_start) {
        return Err(LayoutError::BadDirectory);
    }
    let dir = read_at(r, tail.dir_offset, tail.dir_size).ok_or(LayoutError::BadDirectory)?;
    let listed = read_directory(&dir, tail.count)?;

    // Bounds first, from what the directory declares; the reader later holds every entry to its declaration.
    let mut total = 0u64;
    for e in &listed {
        if e.flags & FLAG_ENCRYPTED != 0 {
            return Err(LayoutError::Encrypted(e.name.clone()));
        }
        if e.uncompressed > MAX_ENTRY_BYTES {
            return Err(LayoutError::EntryTooLarge { name: e.name.clone(), bytes: e.uncompressed });
        }
        if e.uncompressed > RATIO_FREE_BYTES && e.uncompressed / MAX_RATIO > e.compressed {
            return Err(LayoutError::Ratio { name: e.name.clone(), compressed: e.compressed, uncompressed: e.uncompressed });
        }
        total = total.saturating_add(e.uncompressed);
    }
    // Many small entries may each compress well; together they may not outgrow the file by more than the ratio.
    if total > MAX_TOTAL_BYTES || total > len.saturating_mul(MAX_RATIO).saturating_add(64 * RATIO_FREE_BYTES) {
        return Err(LayoutError::TotalTooLarge(total));
    }

    // Every byte before the directory belongs to exactly one entry, in offset order.
    let mut spans = Vec::with_capacity(listed.len());
    for (i, e) in listed.iter().enumerate() {
        let (data_offset, end) = check_local(r, e)?;
        spans.push((e.local_offset, end, i, data_offset));
    }
    spans.sort_unstable();
    let mut expected = 0u64;
    for &(start, end, i, _) in &spans {
        if start < expected {
            return Err(LayoutError::Overlap { name: listed[i].name.clone() });
        }
        if start > expected {
            return Err(LayoutError::HiddenBytes { at: expected, len: start - expected });
        }
        expected = end;
    }
    if expected > tail.dir_offset {
        let name = spans.last().map(|s| listed[s.2].name.clone()).unwrap_or_default();
        return Err(LayoutError::Overlap { name });
    }
    if expected < tail.dir_offset {
        return Err(LayoutError::HiddenBytes { at: expected, len: tail.dir_offset - expected });
    }

    let mut data_offsets = vec![0u64; listed.len()];
    for &(_, _, i, data_offset) in &spans {
        data_offsets[i] = data_offset;
    }
    Ok(listed
        .into_iter()
        .zip(data_offsets)
        .map(|(e, data_offset)| ZipEntry {
            name: e.name,
            method: e.method,
            crc32: e.crc32,
            compressed: e.compressed,
            uncompressed: e.uncompressed,
            data_offset,
        })
        .collect())
}
