//! Duration and codec of a voice note, read from its container headers with
//! lofty (no audio is decoded, so this is fast even for long recordings); AMR,
//! which lofty does not read, and bare ADTS AAC, whose length lofty can only
//! estimate, by walking their frames (`amr`, `adts`).
//! A voice note whose length cannot be told is not trustworthy evidence of
//! anything, so no duration is an error here, unlike missing photo EXIF.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

use lofty::config::{ParseOptions, ParsingMode};
use lofty::error::{ErrorKind, LoftyError};
use lofty::file::AudioFile;
use lofty::iff::wav::{WavFile, WavFormat};
use lofty::mp4::{Mp4Codec, Mp4File};
use lofty::mpeg::{Layer, MpegFile};
use lofty::ogg::{OpusFile, VorbisFile};
use serde::{Deserialize, Serialize};

use super::photo::open_and_sniff;
use super::sniff::{MediaKind, SNIFF_LEN};
use crate::error::{Error, Result};

/// What Siteproof records about a voice note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceInfo {
    /// IANA media type from the magic bytes, e.g. "audio/mp4".
    pub media_type: String,
    /// Length in milliseconds (never 0).
    pub duration_ms: u64,
    /// Codec: "aac", "alac", "mp3", "mp2", "mp1", "flac", "opus", "vorbis", "amr_nb", "amr_wb", "pcm", "pcm_float" or "unknown".
    pub codec: String,
    /// Sample rate in Hz, when the container says.
    pub sample_rate: Option<u32>,
    /// Channel count, when the container says.
    pub channels: Option<u8>,
}

/// Reads duration, codec and format of an M4A, AAC, MP3, AMR, Ogg (Opus/Vorbis) or WAV voice note from its headers.
pub fn read_voice_info(path: &Path) -> Result<VoiceInfo> {
    super::guard("reading voice note", || {
        let (kind, file) = open_and_sniff(path)?;
        if kind.is_photo() || kind.is_video() {
            return Err(Error::UnsupportedFormat(format!("{} is {}, not a voice note", path.display(), kind.media_type())));
        }
        let mut r = BufReader::new(file);
        // Tags and cover art are the recorder's to write and ours to ignore;
        // skipping them also skips their allocations.
        let opts = ParseOptions::new().read_tags(false).read_cover_art(false).parsing_mode(ParsingMode::BestAttempt);
        let (duration, codec, rate, channels) = match kind {
            MediaKind::M4a => {
                let f = Mp4File::read_from(&mut r, opts).map_err(lofty_error)?;
                let p = f.properties();
                let codec = match p.codec() {
                    Mp4Codec::AAC => "aac",
                    Mp4Codec::ALAC => "alac",
                    Mp4Codec::MP3 => "mp3",
                    Mp4Codec::FLAC => "flac",
                    _ => "unknown",
                };
                // lofty takes the media header's length, which counts the
                // encoder's priming samples; the movie header's length is
                // what players (and ffprobe) show, after the edit list.
                let duration = movie_duration(&mut r).unwrap_or_else(|| p.duration());
                (duration, codec, p.sample_rate(), p.channels())
            }
            MediaKind::Ogg if is_opus(&mut r)? => {
                let f = OpusFile::read_from(&mut r, opts).map_err(lofty_error)?;
                let p = f.properties();
                // Opus always runs at 48 kHz whatever the input rate was.
                (p.duration(), "opus", 48_000, p.channels())
            }
            MediaKind::Ogg => {
                let f = VorbisFile::read_from(&mut r, opts).map_err(lofty_error)?;
                let p = f.properties();
                (p.duration(), "vorbis", p.sample_rate(), p.channels())
            }
            MediaKind::Wav => {
                let f = WavFile::read_from(&mut r, opts).map_err(lofty_error)?;
                let p = f.properties();
                let codec = match p.format() {
                    WavFormat::PCM => "pcm",
                    WavFormat::IEEE_FLOAT => "pcm_float",
                    _ => "unknown",
                };
                (p.duration(), codec, p.sample_rate(), p.channels())
            }
            MediaKind::Mp3 => {
                // Duration from the Xing/VBRI header when the encoder wrote one, else from the bitrate.
                let f = MpegFile::read_from(&mut r, opts).map_err(lofty_error)?;
                let p = f.properties();
                let codec = match p.layer() {
                    Layer::Layer3 => "mp3",
                    Layer::Layer2 => "mp2",
                    Layer::Layer1 => "mp1",
                };
                (p.duration(), codec, p.sample_rate(), p.channels())
            }
            MediaKind::Aac => {
                // lofty would estimate from the first frame's bitrate; the frames say exactly.
                let a = super::adts::read_adts(r.into_inner())?;
                (Duration::from_millis(a.duration_ms()), "aac", a.sample_rate, a.channels)
            }
            MediaKind::Amr | MediaKind::AmrWb => {
                let a = super::amr::read_amr(r.into_inner())?;
                (Duration::from_millis(a.duration_ms()), a.band.codec(), a.band.sample_rate(), 1)
            }
            _ => unreachable!("photos rejected above"),
        };
        let duration_ms = duration.as_millis().min(u64::MAX as u128) as u64;
        if duration_ms == 0 {
            return Err(Error::CorruptMedia("no audio duration".into()));
        }
        Ok(VoiceInfo {
            media_type: kind.media_type().to_string(),
            duration_ms,
            codec: codec.to_string(),
            sample_rate: (rate > 0).then_some(rate),
            channels: (channels > 0).then_some(channels),
        })
    })
}

/// Whether the browsers coordinators use (Chromium, Firefox, Safari) play this audio media type in an
/// `<audio>` element. AMR they do not: the console offers it as a download instead.
pub fn browsers_play(media_type: &str) -> bool {
    [MediaKind::M4a, MediaKind::Aac, MediaKind::Mp3, MediaKind::Ogg, MediaKind::Wav].iter().any(|k| k.media_type() == media_type)
}

/// The presentation length from the `moov/mvhd` box of an MP4; None if absent or unknown.
fn movie_duration<R: Read + Seek>(r: &mut R) -> Option<Duration> {
    let len = r.seek(SeekFrom::End(0)).ok()?;
    let mut pos = 0u64;
    let mut in_moov_until = None;
    while pos + 8 <= in_moov_until.unwrap_or(len) {
        r.seek(SeekFrom::Start(pos)).ok()?;
        let mut h = [0u8; 8];
        r.read_exact(&mut h).ok()?;
        let mut size = u32::from_be_bytes(h[0..4].try_into().ok()?) as u64;
        let mut header = 8;
        if size == 1 {
            let mut l = [0u8; 8];
            r.read_exact(&mut l).ok()?;
            size = u64::from_be_bytes(l);
            header = 16;
        } else if size == 0 {
            size = len - pos;
        }
        if size < header {
            return None;
        }
        match &h[4..8] {
            b"moov" if in_moov_until.is_none() => {
                in_moov_until = Some(pos.checked_add(size)?.min(len));
                pos += header;
                continue;
            }
            b"mvhd" if in_moov_until.is_some() => {
                let mut b = [0u8; 32];
                let n = r.read(&mut b).ok()?;
                let b = &b[..n];
                let (timescale, duration) = match b.first()? {
                    0 => (be32(b, 12)? as u64, be32(b, 16)? as u64),
                    1 => (be32(b, 20)? as u64, u64::from_be_bytes(b.get(24..32)?.try_into().ok()?)),
                    _ => return None,
                };
                // All ones means "unknown" in both versions.
                if timescale == 0 || duration == 0 || duration == u32::MAX as u64 || duration == u64::MAX {
                    return None;
                }
                let ms = (duration as u128 * 1000 / timescale as u128).min(u64::MAX as u128) as u64;
                return Some(Duration::from_millis(ms));
            }
            _ => {}
        }
        pos = pos.checked_add(size)?;
    }
    None
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

// The first Ogg packet names the codec; sniff has already refused others.
fn is_opus<R: Read + Seek>(r: &mut R) -> Result<bool> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    r.by_ref().take(SNIFF_LEN as u64).read_to_end(&mut head).map_err(|e| Error::from_io("reading Ogg header", e))?;
    r.seek(SeekFrom::Start(0)).map_err(|e| Error::from_io("reading Ogg header", e))?;
    Ok(head.windows(8).any(|w| w == b"OpusHead"))
}

fn lofty_error(e: LoftyError) -> Error {
    let msg = super::one_line(&e.to_string());
    match e.kind() {
        ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => Error::CorruptMedia("audio file is truncated".into()),
        ErrorKind::Io(io) => Error::from_io("reading audio", std::io::Error::new(io.kind(), io.to_string())),
        ErrorKind::TooMuchData | ErrorKind::Alloc(_) => Error::TooLarge(format!("audio headers: {msg}")),
        ErrorKind::UnknownFormat => Error::UnsupportedFormat(format!("audio: {msg}")),
        _ => Error::CorruptMedia(format!("audio: {msg}")),
    }
}
