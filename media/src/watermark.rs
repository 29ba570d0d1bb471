//! The watermarked share copy, as watermark cameras (今日水印相机) make them:
//! the photo upright and whole, with a dark band added below it carrying the
//! order, address, time, place and worker, and the verification code the
//! case server resolves. The band is added, not laid over the picture, so
//! nothing the photo shows is hidden. The original file is only read.

use std::path::Path;

use crate::error::{Error, Result};
use crate::stamp_text::{Rgb, StampFont};
use crate::upright::{decode_upright, encode_bare_jpeg};

const BAND_COLOUR: [u8; 3] = [24, 28, 36];
const TEXT_COLOUR: [u8; 3] = [255, 255, 255];
const CODE_COLOUR: [u8; 3] = [255, 214, 10];

/// What the band says, top to bottom: the facts, then the code larger and
/// in yellow, then where to check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandText {
    /// Order, address, time, place, worker: one entry each, wrapped when too long.
    pub lines: Vec<String>,
    /// The verification line, e.g. "核验码 Code 7KQ2M-XD40P".
    pub code_line: String,
    /// Where the code is checked, on a line of its own so an address is
    /// broken only when it cannot fit the width at all.
    pub check_line: Option<String>,
}

/// Text size for a picture this wide: legible on a phone screen for a
/// 4000 px photo and for a 640 px one alike.
fn text_px(width: u32) -> f32 {
    (width as f32 / 36.0).clamp(16.0, 120.0)
}

/// Makes the copy's JPEG bytes: the upright photo with the band below it; no metadata.
pub fn watermarked_copy(original: &Path, font: &Path, text: &BandText) -> Result<Vec<u8>> {
    let font = StampFont::load(font)?;
    let photo = decode_upright(original)?;
    let band = draw_band(&font, photo.width, text);
    let height = photo.height + band.height;
    if height > u16::MAX as u32 {
        return Err(Error::TooLarge(format!("a {}×{height} copy is too large to encode as JPEG", photo.width)));
    }
    let mut data = photo.data;
    data.extend_from_slice(&band.data);
    encode_bare_jpeg(&Rgb { width: photo.width, height, data })
}

fn draw_band(font: &StampFont, width: u32, text: &BandText) -> Rgb {
    let px = text_px(width);
    let code_px = px * 1.25;
    let pad = px * 0.6;
    let max_width = width as f32 - 2.0 * pad;
    let lines: Vec<String> = text.lines.iter().flat_map(|l| font.wrap(l, px, max_width)).collect();
    let code_lines = font.wrap(&text.code_line, code_px, max_width);
    let check_lines: Vec<String> = text.check_line.iter().flat_map(|l| font.wrap(l, px, max_width)).collect();
    let body = (lines.len() + check_lines.len()) as f32 * font.line_height(px) + code_lines.len() as f32 * font.line_height(code_px);
    let height = (body + 2.0 * pad).ceil() as u32;
    let mut band = Rgb::filled(width, height, BAND_COLOUR);
    let rows = lines
        .iter()
        .map(|l| (l, px, TEXT_COLOUR))
        .chain(code_lines.iter().map(|l| (l, code_px, CODE_COLOUR)))
        .chain(check_lines.iter().map(|l| (l, px, TEXT_COLOUR)));
    let mut y = pad;
    for (line, size, colour) in rows {
        font.draw(&mut band, line, pad, y, size, colour);
        y += font.line_height(size);
    }
    band
}
