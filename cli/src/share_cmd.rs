//! `siteproof share watermark|redact`: share copies of a photo for people
//! outside the evidence chain (the rules are in `siteproof_core::share`).

use std::path::PathBuf;

use clap::Subcommand;
use siteproof_core::media::PixelRect;
use siteproof_core::{Device, Result};

use crate::args::CaptureAt;
use crate::{home, output};

#[derive(Debug, Subcommand)]
pub enum ShareCmd {
    /// A watermarked copy (order, address, time, place, worker and a verification code in a band), registered as a
    /// signed share entry; the server's /v/CODE page resolves the code / 水印分享副本（带核验码）
    Watermark {
        /// The photo's item id
        item: String,
        /// Where to write the copy (JPEG)
        #[arg(long)]
        out: PathBuf,
        /// The worker's name printed in the band
        #[arg(long)]
        worker: String,
        /// CJK font file (default: Debian's wqy-microhei or noto-cjk)
        #[arg(long, env = "SITEPROOF_CJK_FONT")]
        font: Option<PathBuf>,
    },
    /// A redacted copy for complainants and the public: rectangles blurred beyond recovery, no EXIF/GPS/XMP or
    /// trailer, marked 非证据副本 / not evidence, not registered / 遮挡脱敏副本（非证据）
    Redact {
        /// The photo's item id
        item: String,
        /// A rectangle X,Y,W,H in pixels of the upright photo; repeat for more
        #[arg(long = "blur", value_name = "X,Y,W,H", value_parser = parse_rect)]
        blur: Vec<PixelRect>,
        /// Where to write the copy (JPEG)
        #[arg(long)]
        out: PathBuf,
        /// CJK font file (default: Debian's wqy-microhei or noto-cjk)
        #[arg(long, env = "SITEPROOF_CJK_FONT")]
        font: Option<PathBuf>,
    },
}

fn parse_rect(s: &str) -> std::result::Result<PixelRect, String> {
    let parts: Vec<u32> = s.split(',').map(|p| p.trim().parse::<u32>()).collect::<std::result::Result<_, _>>().map_err(|_| bad_rect(s))?;
    match parts[..] {
        [x, y, w, h] if w > 0 && h > 0 => Ok(PixelRect { x, y, w, h }),
        _ => Err(bad_rect(s)),
    }
}

fn bad_rect(s: &str) -> String {
    format!("遮挡区域须为 X,Y,W,H（像素，宽高大于 0）/ a blur rectangle is X,Y,W,H in pixels with W and H above 0, not {s:?}")
}

/// Runs one `share` subcommand.
pub fn run(device: &Device, cmd: ShareCmd, json: bool) -> Result<()> {
    match cmd {
        ShareCmd::Watermark { item, out, worker, font } => {
            let ctx = home::capture_context(&CaptureAt { order: None, visit: None, fix: crate::commands::no_fix() })?;
            let copy = device.share_watermarked(&item, &worker, font.as_deref(), &out, ctx)?;
            if json {
                output::json(&copy);
            } else {
                println!("水印副本 / watermarked copy: {}", copy.path);
                println!("核验码 / code: {}", copy.code);
                println!("副本 SHA-256 / copy sha256: {}", copy.copy_sha256);
                if let Some(url) = &copy.verify_url {
                    println!("核验页面 / check page: {url}");
                }
            }
        }
        ShareCmd::Redact { item, blur, out, font } => {
            let copy = device.share_redacted(&item, &blur, font.as_deref(), &out)?;
            if json {
                output::json(&copy);
            } else {
                println!("脱敏副本（非证据）/ redacted copy (not evidence): {}", copy.path);
                println!("遮挡 / blurred: {} 处 / rectangles", copy.blurred.len());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blur_rectangles_parse_and_refuse_clearly() {
        assert_eq!(parse_rect("10, 20,30,40"), Ok(PixelRect { x: 10, y: 20, w: 30, h: 40 }));
        for bad in ["10,20,30", "1,2,3,4,5", "a,b,c,d", "1,2,0,4", "-1,2,3,4", ""] {
            assert!(parse_rect(bad).is_err(), "{bad:?}");
        }
    }
}
