//! Hostile media bytes through the sniffer, the EXIF reader (raw TIFF and
//! every container kamadak-exif opens), the JPEG layout walker (segment
//! lengths, scans, trailers), the photo header reader and the voice-note
//! readers (lofty's containers, the AMR and ADTS frame walks) and the video
//! clip reader (ISO BMFF boxes, `moov` and its place atoms): each must answer
//! with a value or a typed error, never a panic or a hang.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use siteproof_media::adts::read_adts;
use siteproof_media::amr::read_amr;
use siteproof_media::exif_summary::exif_from_raw;
use siteproof_media::{jpeg_layout, read_exif, read_photo_info, read_video_info, read_voice_info, sniff, sniff_with_tracks, SNIFF_LEN};

/// The readers take a path (they stream files); one scratch file per fuzzing process.
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| std::env::temp_dir().join(format!("siteproof-fuzz-media-{}", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    let _ = sniff(&data[..data.len().min(SNIFF_LEN)]);
    let _ = exif_from_raw(data.to_vec());
    let _ = jpeg_layout(std::io::Cursor::new(data));
    let _ = read_amr(std::io::Cursor::new(data));
    let _ = read_adts(std::io::Cursor::new(data));
    std::fs::write(scratch(), data).expect("write scratch file");
    let _ = read_exif(scratch());
    let _ = read_photo_info(scratch());
    let _ = read_voice_info(scratch());
    let _ = sniff_with_tracks(&data[..data.len().min(SNIFF_LEN)], scratch());
    let _ = read_video_info(scratch());
});
