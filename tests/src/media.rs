//! Media files made on the fly for end-to-end tests: WAV voice notes of any
//! size with distinct content, and photos made distinct from camera samples.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A PCM WAV header for `data_len` bytes of 16-bit mono 44.1 kHz audio.
pub fn wav_header(data_len: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&(36 + data_len).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes()); // PCM
    h.extend_from_slice(&1u16.to_le_bytes()); // mono
    h.extend_from_slice(&44_100u32.to_le_bytes());
    h.extend_from_slice(&88_200u32.to_le_bytes());
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&16u16.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data_len.to_le_bytes());
    h
}

/// Writes a `total`-byte WAV whose samples depend on `seed`, streaming (never whole in memory).
pub fn write_wav(path: &Path, total: u64, seed: u32) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(&wav_header((total - 44) as u32)).unwrap();
    // A low-volume tone rather than zeros, so nothing can shortcut the content;
    // the seed shifts it so two recordings never share bytes.
    let block: Vec<u8> = (0..1u32 << 20).map(|i| ((i.wrapping_mul(7).wrapping_add(seed.wrapping_mul(31))) % 251) as u8).collect();
    let mut left = total - 44;
    let mut first = true;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        if first {
            // Stamp the seed into the first samples too (the tone repeats every 251 bytes).
            let mut b = block[..n].to_vec();
            for (i, byte) in seed.to_le_bytes().iter().enumerate().take(n) {
                b[i] = *byte;
            }
            f.write_all(&b).unwrap();
            first = false;
        } else {
            f.write_all(&block[..n]).unwrap();
        }
        left -= n as u64;
    }
    f.flush().unwrap();
}

/// Writes a distinct copy of a camera sample (`jpg/gps/...` etc.) into `dir` and returns its path.
pub fn distinct_photo(dir: &Path, sample: &str, tag: &str) -> PathBuf {
    let src = std::fs::read(crate::exif_samples().join(sample)).unwrap();
    let p = dir.join(format!("{tag}.jpg"));
    std::fs::write(&p, crate::unique_jpeg(&src, tag)).unwrap();
    p
}

/// The GPS camera samples, for cycling through.
pub const GPS_SAMPLES: &[&str] = &[
    "jpg/gps/DSCN0010.jpg",
    "jpg/gps/DSCN0012.jpg",
    "jpg/gps/DSCN0021.jpg",
    "jpg/gps/DSCN0025.jpg",
    "jpg/gps/DSCN0027.jpg",
    "jpg/gps/DSCN0029.jpg",
    "jpg/gps/DSCN0038.jpg",
    "jpg/gps/DSCN0040.jpg",
    "jpg/gps/DSCN0042.jpg",
];
