//! Duration of a bare AAC recording (ADTS frames, no container: what
//! Android's `MediaRecorder` writes as `AAC_ADTS`), read by walking its frame
//! headers. An ADTS file states no length anywhere; lofty estimates one from
//! the first frame's bitrate, which for a voice note can be off by half.
//! Every ADTS frame carries 1024 samples per raw data block and gives its own
//! byte length, so the walk is exact and cheap; a file that ends inside a
//! frame, or loses its frame sync, is refused rather than guessed at.

use std::io::{BufReader, Read, Seek, SeekFrom};

use crate::error::{Error, Result};

// Sampling-frequency index → Hz (ISO/IEC 14496-3, 1.6.3.4); 13..15 are reserved.
const RATES: [u32; 13] = [96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000, 7_350];

/// What the frame walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdtsInfo {
    /// Sample rate in Hz (the same in every frame).
    pub sample_rate: u32,
    /// Channel configuration of the first frame (0: stated in the stream, not the header).
    pub channels: u8,
    /// Samples per channel in the whole file.
    pub samples: u64,
}

impl AdtsInfo {
    /// Length of the sound in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        (self.samples as u128 * 1000 / self.sample_rate as u128).min(u64::MAX as u128) as u64
    }
}

/// Walks every ADTS frame of a file (read from the start); fails on a cut-off or garbled file.
pub fn read_adts<R: Read + Seek>(r: R) -> Result<AdtsInfo> {
    let mut r = BufReader::new(r);
    let len = r.seek(SeekFrom::End(0)).map_err(|e| Error::from_io("reading AAC", e))?;
    let mut at = 0u64;
    let mut first: Option<(u32, u8)> = None;
    let mut samples = 0u64;
    let mut frames = 0u64;
    while at < len {
        r.seek(SeekFrom::Start(at)).map_err(|e| Error::from_io("reading AAC", e))?;
        let mut h = [0u8; 7];
        if len - at < 7 {
            return Err(cut(frames, at));
        }
        r.read_exact(&mut h).map_err(|e| Error::from_io("reading AAC", e))?;
        if h[0] != 0xFF || h[1] & 0xF6 != 0xF0 {
            return Err(Error::CorruptMedia(format!("AAC frame {} at byte {at} has no ADTS frame sync", frames + 1)));
        }
        let rate = RATES
            .get(((h[2] >> 2) & 0x0F) as usize)
            .copied()
            .ok_or_else(|| Error::CorruptMedia(format!("AAC frame {} at byte {at} has a reserved sample rate", frames + 1)))?;
        let channels = ((h[2] & 1) << 2) | (h[3] >> 6);
        let frame_len = (((h[3] & 0x03) as u64) << 11) | ((h[4] as u64) << 3) | ((h[5] >> 5) as u64);
        let header_len = if h[1] & 1 == 1 { 7 } else { 9 };
        if frame_len < header_len {
            return Err(Error::CorruptMedia(format!("AAC frame {} at byte {at} claims a length of {frame_len} bytes", frames + 1)));
        }
        match first {
            None => first = Some((rate, channels)),
            Some((r0, _)) if r0 != rate => {
                return Err(Error::CorruptMedia(format!("AAC frame {} changes the sample rate from {r0} to {rate} Hz", frames + 1)))
            }
            Some(_) => {}
        }
        if at + frame_len > len {
            return Err(cut(frames, at));
        }
        samples += 1024 * ((h[6] & 0x03) as u64 + 1);
        frames += 1;
        at += frame_len;
    }
    let (sample_rate, channels) = first.ok_or_else(|| Error::CorruptMedia("AAC file holds no frames".into()))?;
    Ok(AdtsInfo { sample_rate, channels, samples })
}

fn cut(frames: u64, at: u64) -> Error {
    Error::CorruptMedia(format!("AAC audio is cut off inside frame {} (byte {at})", frames + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    // One ADTS frame: MPEG-4, no CRC, 16 kHz (index 8), mono, `payload` bytes of audio.
    fn frame(payload: usize) -> Vec<u8> {
        let len = 7 + payload;
        let mut v = vec![
            0xFF,
            0xF1,
            (1 << 6) | (8 << 2),
            (1 << 6) | ((len >> 11) as u8 & 3),
            (len >> 3) as u8,
            ((len as u8) & 7) << 5 | 0x1F,
            0xFC,
        ];
        v.extend(std::iter::repeat_n(0x21, payload));
        v
    }

    #[test]
    fn counts_samples_frame_by_frame() {
        let file: Vec<u8> = (0..125).flat_map(|i| frame(20 + i % 7)).collect();
        let info = read_adts(Cursor::new(file)).unwrap();
        assert_eq!((info.sample_rate, info.channels, info.samples), (16_000, 1, 125 * 1024));
        assert_eq!(info.duration_ms(), 8000);
    }

    #[test]
    fn refuses_cut_and_garbled_files() {
        let mut file: Vec<u8> = (0..3).flat_map(|_| frame(30)).collect();
        file.truncate(file.len() - 5);
        assert!(matches!(read_adts(Cursor::new(file)), Err(Error::CorruptMedia(m)) if m.contains("cut off inside frame 3")));
        let mut file: Vec<u8> = (0..3).flat_map(|_| frame(30)).collect();
        file[37] = 0;
        assert!(matches!(read_adts(Cursor::new(file)), Err(Error::CorruptMedia(m)) if m.contains("frame 2")));
        assert!(matches!(read_adts(Cursor::new(Vec::new())), Err(Error::CorruptMedia(_))));
    }
}
