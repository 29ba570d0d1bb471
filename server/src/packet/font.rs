//! Finding and measuring the CJK font the report is set in. The font comes
//! from the operating system (Debian's fonts-wqy-microhei or fonts-noto-cjk),
//! never from the repository; the PDF embeds only the glyphs it uses. Text is
//! measured with the font's own advances so lines wrap where they really end
//! and a 64-digit hash is never cut.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skrifa::instance::{LocationRef, Size};
use skrifa::raw::FileRef;
use skrifa::{FontRef, MetadataProvider};

pub use siteproof_media::DEFAULT_FONT_PATHS;

/// A loaded CJK font file: the face for text and, when the file has one, a fixed-pitch face for hashes.
#[derive(Clone)]
pub struct CjkFont {
    /// File the font was read from.
    pub path: PathBuf,
    data: Arc<Vec<u8>>,
    /// Face index of the proportional face in the collection.
    pub text_index: u32,
    /// Face index used for hashes (a "Mono" face when present).
    pub mono_index: u32,
}

/// Why no font could be used; the message is for the operator, zh-CN first.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct FontError(pub String);

fn family_name(font: &FontRef<'_>) -> String {
    font.localized_strings(skrifa::string::StringId::FAMILY_NAME).english_or_first().map(|s| s.to_string()).unwrap_or_default()
}

impl CjkFont {
    /// Loads the configured font, or the first Debian default that exists.
    pub fn find(configured: Option<&Path>) -> Result<CjkFont, FontError> {
        if let Some(p) = configured {
            return Self::load(p);
        }
        for p in DEFAULT_FONT_PATHS {
            if Path::new(p).exists() {
                return Self::load(Path::new(p));
            }
        }
        Err(FontError(format!(
            "未找到中文字体，无法生成 PDF 报告：请安装 fonts-wqy-microhei（apt-get install fonts-wqy-microhei）或 fonts-noto-cjk，\
             或用 --cjk-font / SITEPROOF_CJK_FONT 指定字体文件 / no CJK font found, so the PDF report cannot be made: \
             install fonts-wqy-microhei or fonts-noto-cjk, or name a font file with --cjk-font / SITEPROOF_CJK_FONT \
             (looked in {})",
            DEFAULT_FONT_PATHS.join(", ")
        )))
    }

    /// Loads a font file (TTF, OTF or a TTC collection) and picks its faces.
    pub fn load(path: &Path) -> Result<CjkFont, FontError> {
        let data = std::fs::read(path)
            .map_err(|e| FontError(format!("无法读取字体文件 {p} / cannot read font file {p}: {e}", p = path.display())))?;
        let file = FileRef::new(&data)
            .map_err(|e| FontError(format!("不是可用的字体文件 {p} / not a usable font file {p}: {e}", p = path.display())))?;
        let names: Vec<String> = file.fonts().map(|f| f.map(|f| family_name(&f)).unwrap_or_default()).collect();
        // In Noto's collection the Simplified Chinese face is the one named "SC".
        let pick = |mono: bool| {
            let is_mono = |n: &str| n.contains("Mono");
            names.iter().position(|n| is_mono(n) == mono && n.contains(" SC")).or_else(|| names.iter().position(|n| is_mono(n) == mono))
        };
        let text_index = pick(false).unwrap_or(0) as u32;
        let mono_index = pick(true).map(|i| i as u32).unwrap_or(text_index);
        let font = CjkFont { path: path.to_path_buf(), data: Arc::new(data), text_index, mono_index };
        let face = font.face(text_index)?;
        if face.charmap().map('中').is_none() {
            return Err(FontError(format!("字体 {p} 不含中文字形 / font {p} has no Chinese glyphs", p = path.display())));
        }
        Ok(font)
    }

    fn face(&self, index: u32) -> Result<FontRef<'_>, FontError> {
        FontRef::from_index(&self.data, index).map_err(|e| FontError(format!("字体损坏 / damaged font {}: {e}", self.path.display())))
    }

    /// The raw font file, shared with the PDF writer.
    pub fn data(&self) -> Arc<Vec<u8>> {
        self.data.clone()
    }

    /// Width of `text` at `size` points in a face; characters the face lacks count as one em.
    pub fn width(&self, index: u32, text: &str, size: f32) -> f32 {
        let Ok(face) = self.face(index) else { return text.chars().count() as f32 * size };
        let charmap = face.charmap();
        let metrics = face.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars().map(|c| charmap.map(c).and_then(|g| metrics.advance_width(g)).unwrap_or(size)).sum()
    }
}
