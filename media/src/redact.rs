//! The redacted share copy for complainants and the public: the photo
//! upright, chosen rectangles (faces, plates, house numbers) destroyed, a
//! "not evidence" mark, and no metadata at all. Each rectangle is pixelated
//! into coarse blocks (the detail is thrown away, not hidden, so no
//! deblurring brings it back) and then blurred so the blocks do not invite
//! guessing. The original file is only read.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::stamp_text::{Rgb, StampFont};
use crate::upright::{decode_upright, encode_bare_jpeg};

/// The mark's wording, zh-CN first.
pub const NOT_EVIDENCE_MARK: &str = "非证据副本 / not evidence";

/// A rectangle in the upright photo, pixels from its top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PixelRect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl PixelRect {
    /// Whether the rectangle is non-empty and lies inside a `width`×`height` picture.
    pub fn fits(&self, width: u32, height: u32) -> bool {
        self.w > 0
            && self.h > 0
            && self.x.checked_add(self.w).is_some_and(|r| r <= width)
            && self.y.checked_add(self.h).is_some_and(|b| b <= height)
    }
}

/// A redacted copy: its JPEG bytes, its size, and where the mark is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactedCopy {
    /// The JPEG, with no metadata.
    pub jpeg: Vec<u8>,
    /// Width of the copy (the upright photo's).
    pub width: u32,
    /// Height of the copy.
    pub height: u32,
    /// The rectangle the "not evidence" mark covers.
    pub mark: PixelRect,
}

/// Makes the redacted copy; rectangles outside the picture are clipped to it.
pub fn redacted_copy(original: &Path, font: &Path, blur: &[PixelRect]) -> Result<RedactedCopy> {
    let font = StampFont::load(font)?;
    let mut img = decode_upright(original)?;
    for r in blur {
        destroy(&mut img, *r);
    }
    let mark = draw_mark(&font, &mut img);
    let jpeg = encode_bare_jpeg(&img)?;
    Ok(RedactedCopy { jpeg, width: img.width, height: img.height, mark })
}

/// Pixelates the rectangle into blocks about an eighth of its longer side, then box-blurs it twice.
fn destroy(img: &mut Rgb, r: PixelRect) {
    let x1 = (r.x.saturating_add(r.w)).min(img.width);
    let y1 = (r.y.saturating_add(r.h)).min(img.height);
    if r.x >= x1 || r.y >= y1 {
        return;
    }
    let block = ((x1 - r.x).max(y1 - r.y) / 8).max(12);
    let stride = img.width as usize * 3;
    for by in (r.y..y1).step_by(block as usize) {
        for bx in (r.x..x1).step_by(block as usize) {
            let (ex, ey) = ((bx + block).min(x1), (by + block).min(y1));
            let mut sum = [0u64; 3];
            for y in by..ey {
                for x in bx..ex {
                    let i = y as usize * stride + x as usize * 3;
                    for (total, v) in sum.iter_mut().zip(&img.data[i..i + 3]) {
                        *total += u64::from(*v);
                    }
                }
            }
            let n = ((ex - bx) * (ey - by)) as u64;
            let mean = sum.map(|s| (s / n) as u8);
            for y in by..ey {
                for x in bx..ex {
                    let i = y as usize * stride + x as usize * 3;
                    img.data[i..i + 3].copy_from_slice(&mean);
                }
            }
        }
    }
    let radius = (block / 2).max(1) as usize;
    for _ in 0..2 {
        box_blur(img, r.x as usize, r.y as usize, x1 as usize, y1 as usize, radius);
    }
}

/// Averages each pixel of the region with its neighbours within `radius`, reading only pixels inside the region.
fn box_blur(img: &mut Rgb, x0: usize, y0: usize, x1: usize, y1: usize, radius: usize) {
    let stride = img.width as usize * 3;
    let src = img.data.clone();
    // Horizontal then vertical pass, each a running sum along the line.
    let mut tmp = src.clone();
    for y in y0..y1 {
        for x in x0..x1 {
            let (a, b) = (x.saturating_sub(radius).max(x0), (x + radius + 1).min(x1));
            let mut sum = [0u32; 3];
            for xx in a..b {
                let i = y * stride + xx * 3;
                for (total, v) in sum.iter_mut().zip(&src[i..i + 3]) {
                    *total += u32::from(*v);
                }
            }
            let i = y * stride + x * 3;
            for (out, total) in tmp[i..i + 3].iter_mut().zip(sum) {
                *out = (total / (b - a) as u32) as u8;
            }
        }
    }
    for y in y0..y1 {
        for x in x0..x1 {
            let (a, b) = (y.saturating_sub(radius).max(y0), (y + radius + 1).min(y1));
            let mut sum = [0u32; 3];
            for yy in a..b {
                let i = yy * stride + x * 3;
                for (total, v) in sum.iter_mut().zip(&tmp[i..i + 3]) {
                    *total += u32::from(*v);
                }
            }
            let i = y * stride + x * 3;
            for (out, total) in img.data[i..i + 3].iter_mut().zip(sum) {
                *out = (total / (b - a) as u32) as u8;
            }
        }
    }
}

/// Draws the mark in the bottom-left corner on a dark box; returns the box.
fn draw_mark(font: &StampFont, img: &mut Rgb) -> PixelRect {
    let px = (img.width.min(img.height) as f32 / 24.0).clamp(14.0, 96.0);
    let pad = (px * 0.4).ceil();
    let w = ((font.measure(NOT_EVIDENCE_MARK, px) + 2.0 * pad).ceil() as u32).min(img.width);
    let h = ((font.line_height(px) + 2.0 * pad).ceil() as u32).min(img.height);
    let (x, y) = (0, img.height - h);
    img.shade(x, y, w, h, [0, 0, 0], 0.65);
    font.draw(img, NOT_EVIDENCE_MARK, pad, y as f32 + pad, px, [255, 255, 255]);
    PixelRect { x, y, w, h }
}
