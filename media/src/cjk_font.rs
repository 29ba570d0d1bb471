//! Where a CJK font comes from when nobody names one: the one list of
//! Debian's font files, read by the server's PDF report and by the share
//! copies' text band alike. The font is the operating system's, never a copy
//! in the repository; phones pass their own system font's path.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where Debian's CJK font packages put their fonts, most compact first.
pub const DEFAULT_FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
];

/// The named font file, or the first Debian default that exists.
pub fn find_cjk_font(configured: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = configured {
        return Ok(p.to_path_buf());
    }
    DEFAULT_FONT_PATHS.iter().map(Path::new).find(|p| p.exists()).map(Path::to_path_buf).ok_or_else(|| {
        Error::UnsupportedFormat(format!(
            "未找到中文字体：请安装 fonts-wqy-microhei 或 fonts-noto-cjk，或指定字体文件 / no CJK font found: install \
             fonts-wqy-microhei or fonts-noto-cjk, or name a font file (looked in {})",
            DEFAULT_FONT_PATHS.join(", ")
        ))
    })
}
