//! Drawing text onto RGB pixels for the share copies (the watermark band and
//! the "not evidence" mark): a CJK font read with `ab_glyph`, lines wrapped
//! by measured width so a long address never runs off the picture.

use std::path::Path;

use ab_glyph::{point, Font, FontVec, PxScale, ScaleFont};

use crate::error::{Error, Result};

/// An RGB image, 3 bytes a pixel, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgb {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes.
    pub data: Vec<u8>,
}

impl Rgb {
    /// A plain image of one colour.
    pub fn filled(width: u32, height: u32, colour: [u8; 3]) -> Rgb {
        let data = colour.iter().copied().cycle().take(width as usize * height as usize * 3).collect();
        Rgb { width, height, data }
    }

    /// Paints a rectangle (clipped to the image), mixing `alpha` (0..=1) of `colour` over what is there.
    pub fn shade(&mut self, x: u32, y: u32, w: u32, h: u32, colour: [u8; 3], alpha: f32) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                self.blend(xx as i64, yy as i64, colour, alpha);
            }
        }
    }

    fn blend(&mut self, x: i64, y: i64, colour: [u8; 3], alpha: f32) {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        let a = alpha.clamp(0.0, 1.0);
        for (c, px) in self.data[i..i + 3].iter_mut().enumerate() {
            *px = (*px as f32 * (1.0 - a) + colour[c] as f32 * a).round() as u8;
        }
    }
}

/// A font face ready to draw with.
pub struct StampFont {
    font: FontVec,
}

impl StampFont {
    /// Loads a TTF, OTF or TTC file; a collection's first face is used, and it must have Chinese glyphs.
    pub fn load(path: &Path) -> Result<StampFont> {
        let data = std::fs::read(path).map_err(|e| Error::from_io(&format!("reading font {}", path.display()), e))?;
        let font = FontVec::try_from_vec_and_index(data, 0)
            .map_err(|_| Error::UnsupportedFormat(format!("不是可用的字体文件 / {} is not a usable font file", path.display())))?;
        if font.glyph_id('中').0 == 0 {
            return Err(Error::UnsupportedFormat(format!("字体不含中文字形 / font {} has no Chinese glyphs", path.display())));
        }
        Ok(StampFont { font })
    }

    /// Width of `text` at `px` pixels.
    pub fn measure(&self, text: &str, px: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(px));
        let mut width = 0.0;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                width += scaled.kern(p, id);
            }
            width += scaled.h_advance(id);
            prev = Some(id);
        }
        width
    }

    /// Splits `text` into lines no wider than `max_width` at `px` pixels
    /// (between any two characters: Chinese has no spaces to break at).
    pub fn wrap(&self, text: &str, px: f32, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for c in text.chars() {
            line.push(c);
            if self.measure(&line, px) > max_width && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Draws one line with its top-left corner at (x, y).
    pub fn draw(&self, img: &mut Rgb, text: &str, x: f32, y: f32, px: f32, colour: [u8; 3]) {
        let scale = PxScale::from(px);
        let scaled = self.font.as_scaled(scale);
        let baseline = y + scaled.ascent();
        let mut caret = x;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(scale, point(caret, baseline));
            caret += scaled.h_advance(id);
            prev = Some(id);
            if let Some(outlined) = self.font.outline_glyph(glyph) {
                let b = outlined.px_bounds();
                outlined.draw(|gx, gy, coverage| {
                    img.blend(b.min.x as i64 + gx as i64, b.min.y as i64 + gy as i64, colour, coverage);
                });
            }
        }
    }

    /// Height of one line at `px` pixels, with its gap.
    pub fn line_height(&self, px: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(px));
        scaled.ascent() - scaled.descent() + scaled.line_gap()
    }
}
