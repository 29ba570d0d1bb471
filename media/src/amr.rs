//! Duration of an AMR voice note (the format of many Android recorders and
//! of Chinese feature phones), read by walking its frames. lofty does not read
//! AMR, and the storage format (RFC 4867 §5) is simple enough to check whole:
//! a magic line (`#!AMR\n` narrowband, `#!AMR-WB\n` wideband), then frames of
//! one table-of-contents byte whose frame type fixes the size of the speech
//! bits after it. Every frame, speech or silence, is 20 ms of sound, so the
//! length is the frame count; a file that ends inside a frame, or whose frame
//! header is not one a recorder writes, is refused rather than guessed at.

use std::io::{BufReader, Read, Seek};

use crate::error::{Error, Result};

/// Magic line of a narrowband (8 kHz) AMR file.
pub const AMR_NB_MAGIC: &[u8] = b"#!AMR\n";
/// Magic line of a wideband (16 kHz) AMR file.
pub const AMR_WB_MAGIC: &[u8] = b"#!AMR-WB\n";
// Multi-channel variants begin with these; nobody records voice notes in them.
const AMR_MC_MAGICS: &[&[u8]] = &[b"#!AMR_MC1.0\n", b"#!AMR-WB_MC1.0\n"];

/// Sound per frame, whatever the frame type.
pub const FRAME_MS: u64 = 20;

/// Which AMR codec a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmrBand {
    /// AMR-NB, 8 kHz.
    Narrow,
    /// AMR-WB, 16 kHz.
    Wide,
}

impl AmrBand {
    /// The codec name recorded in the manifest.
    pub fn codec(self) -> &'static str {
        match self {
            AmrBand::Narrow => "amr_nb",
            AmrBand::Wide => "amr_wb",
        }
    }

    /// Sample rate of the decoded sound.
    pub fn sample_rate(self) -> u32 {
        match self {
            AmrBand::Narrow => 8_000,
            AmrBand::Wide => 16_000,
        }
    }

    fn magic(self) -> &'static [u8] {
        match self {
            AmrBand::Narrow => AMR_NB_MAGIC,
            AmrBand::Wide => AMR_WB_MAGIC,
        }
    }

    /// Bytes of speech data after the table-of-contents byte for a frame type (RFC 4867 §3.6 and
    /// §5.3: the class A+B+C bits of 3GPP TS 26.101 / 26.201 rounded up to octets); None for a frame
    /// type no AMR recorder writes (reserved, or the legacy GSM/TDMA/PDC comfort-noise frames).
    fn speech_bytes(self, frame_type: u8) -> Option<u64> {
        const NB: [Option<u64>; 16] = [
            Some(12), // 4.75 kbit/s
            Some(13), // 5.15
            Some(15), // 5.90
            Some(17), // 6.70
            Some(19), // 7.40
            Some(20), // 7.95
            Some(26), // 10.2
            Some(31), // 12.2
            Some(5),  // comfort noise (SID)
            None,
            None,
            None,
            None,
            None,
            None,
            Some(0), // no data (silence not sent)
        ];
        const WB: [Option<u64>; 16] = [
            Some(17), // 6.60 kbit/s
            Some(23), // 8.85
            Some(32), // 12.65
            Some(36), // 14.25
            Some(40), // 15.85
            Some(46), // 18.25
            Some(50), // 19.85
            Some(58), // 23.05
            Some(60), // 23.85
            Some(5),  // comfort noise (SID)
            None,
            None,
            None,
            None,
            Some(0), // speech lost
            Some(0), // no data
        ];
        match self {
            AmrBand::Narrow => NB[frame_type as usize & 15],
            AmrBand::Wide => WB[frame_type as usize & 15],
        }
    }
}

/// What the frame walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmrInfo {
    /// Narrowband or wideband.
    pub band: AmrBand,
    /// Frames in the file (speech, comfort noise and no-data alike).
    pub frames: u64,
}

impl AmrInfo {
    /// Length of the sound in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.frames.saturating_mul(FRAME_MS)
    }
}

/// The band an AMR file announces in its first bytes; None when it is not single-channel AMR.
pub fn band_of(header: &[u8]) -> Option<AmrBand> {
    if header.starts_with(AMR_WB_MAGIC) {
        Some(AmrBand::Wide)
    } else if header.starts_with(AMR_NB_MAGIC) {
        Some(AmrBand::Narrow)
    } else {
        None
    }
}

/// True when the header is a multi-channel AMR file (refused: not a voice-note format).
pub fn is_multichannel(header: &[u8]) -> bool {
    AMR_MC_MAGICS.iter().any(|m| header.starts_with(m))
}

/// Walks every frame of an AMR file (read from the start); fails on a cut-off or garbled file.
pub fn read_amr<R: Read + Seek>(r: R) -> Result<AmrInfo> {
    let mut r = BufReader::new(r);
    let mut magic = [0u8; 9];
    let got = read_up_to(&mut r, &mut magic)?;
    let band = band_of(&magic[..got]).ok_or_else(|| Error::CorruptMedia("AMR file does not start with #!AMR".into()))?;
    // The narrowband magic is three bytes shorter than the buffer: go back to the first frame.
    let header_len = band.magic().len() as u64;
    r.seek(std::io::SeekFrom::Start(header_len)).map_err(|e| Error::from_io("reading AMR", e))?;
    let mut frames = 0u64;
    let mut offset = header_len;
    loop {
        let mut toc = [0u8; 1];
        if read_up_to(&mut r, &mut toc)? == 0 {
            break;
        }
        // Storage format: F (bit 7) is always 0, FT is bits 6..3, Q bit 2, two padding bits.
        if toc[0] & 0x80 != 0 {
            return Err(Error::CorruptMedia(format!("AMR frame {} at byte {offset} is not a storage-format frame header", frames + 1)));
        }
        let frame_type = (toc[0] >> 3) & 0x0F;
        let Some(size) = band.speech_bytes(frame_type) else {
            return Err(Error::CorruptMedia(format!(
                "AMR frame {} at byte {offset} has frame type {frame_type}, which no recorder writes",
                frames + 1
            )));
        };
        let mut skipped = 0u64;
        let mut chunk = [0u8; 64];
        while skipped < size {
            let want = (size - skipped).min(chunk.len() as u64) as usize;
            let n = read_up_to(&mut r, &mut chunk[..want])?;
            if n == 0 {
                return Err(Error::CorruptMedia(format!(
                    "AMR audio is cut off inside frame {} (byte {offset}: {skipped} of its {size} bytes are there)",
                    frames + 1
                )));
            }
            skipped += n as u64;
        }
        frames += 1;
        offset += 1 + size;
    }
    if frames == 0 {
        return Err(Error::CorruptMedia("AMR file holds no audio frames".into()));
    }
    Ok(AmrInfo { band, frames })
}

// Reads until the buffer is full or the file ends; returns how much was read.
fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::from_io("reading AMR", e)),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn nb(frames: &[(u8, usize)]) -> Vec<u8> {
        let mut v = AMR_NB_MAGIC.to_vec();
        for &(ft, len) in frames {
            v.push((ft << 3) | 0x04);
            v.extend(std::iter::repeat_n(0x55, len));
        }
        v
    }

    #[test]
    fn counts_every_kind_of_frame() {
        // Two 12.2k frames, a comfort-noise frame and a no-data frame: four times 20 ms.
        let info = read_amr(Cursor::new(nb(&[(7, 31), (7, 31), (8, 5), (15, 0)]))).unwrap();
        assert_eq!((info.band, info.frames, info.duration_ms()), (AmrBand::Narrow, 4, 80));
        let mut wb = AMR_WB_MAGIC.to_vec();
        for _ in 0..50 {
            wb.push(2 << 3 | 0x04);
            wb.extend([0u8; 32]);
        }
        let info = read_amr(Cursor::new(wb)).unwrap();
        assert_eq!((info.band, info.duration_ms()), (AmrBand::Wide, 1000));
        assert_eq!(AmrBand::Wide.codec(), "amr_wb");
    }

    #[test]
    fn refuses_cut_and_garbled_files() {
        let mut cut = nb(&[(7, 31), (7, 31)]);
        cut.truncate(cut.len() - 1);
        assert!(matches!(read_amr(Cursor::new(cut)), Err(Error::CorruptMedia(m)) if m.contains("cut off inside frame 2")));
        // Reserved frame type 12.
        assert!(matches!(read_amr(Cursor::new(nb(&[(7, 31), (12, 0)]))), Err(Error::CorruptMedia(m)) if m.contains("frame type 12")));
        // The F bit is never set in a file.
        let mut f = nb(&[(7, 31)]);
        f[6] |= 0x80;
        assert!(matches!(read_amr(Cursor::new(f)), Err(Error::CorruptMedia(_))));
        // Magic alone: no sound.
        assert!(matches!(read_amr(Cursor::new(AMR_NB_MAGIC.to_vec())), Err(Error::CorruptMedia(_))));
        assert!(matches!(read_amr(Cursor::new(b"#!AM".to_vec())), Err(Error::CorruptMedia(_))));
    }

    #[test]
    fn tells_the_bands_apart() {
        assert_eq!(band_of(b"#!AMR\n\x3c"), Some(AmrBand::Narrow));
        assert_eq!(band_of(b"#!AMR-WB\n\x04"), Some(AmrBand::Wide));
        assert_eq!(band_of(b"#!AMR_MC1.0\n"), None);
        assert!(is_multichannel(b"#!AMR_MC1.0\n\0\0\0\x01"));
    }
}
