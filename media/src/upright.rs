//! A photo's pixels as a person sees them, and back to a bare JPEG: what the
//! share copies (watermarked and redacted) are drawn on. The copy carries no
//! EXIF, so the orientation is applied to the pixels here or the copy would
//! show sideways; the original file is only read.

use std::path::Path;

use crate::error::{Error, Result};
use crate::photo::{check_pixels, read_photo_info};
use crate::sniff::MediaKind;
use crate::stamp_text::Rgb;

/// JPEG quality of share copies: sent by messenger, read by people, not analysed.
const SHARE_JPEG_QUALITY: u8 = 90;

/// Decodes a photo and turns it upright per its EXIF orientation.
pub fn decode_upright(path: &Path) -> Result<Rgb> {
    let info = read_photo_info(path)?;
    check_pixels(info.width, info.height)?;
    if info.media_type == MediaKind::Heif.media_type() {
        return Err(Error::UnsupportedFormat(
            "暂不能为 HEIC 照片制作分享副本 / share copies of HEIC photos need a HEIC decoder, not built in yet".into(),
        ));
    }
    crate::guard("decoding the photo for a share copy", || {
        let reader = image::ImageReader::open(path)
            .map_err(|e| Error::from_io(&format!("opening {}", path.display()), e))?
            .with_guessed_format()
            .map_err(|e| Error::from_io(&format!("reading {}", path.display()), e))?;
        let decoded = reader.decode().map_err(|e| match e {
            image::ImageError::Limits(_) => Error::TooLarge(format!("decoding the photo: {}", crate::one_line(&e.to_string()))),
            other => Error::CorruptMedia(format!("decoding the photo: {}", crate::one_line(&other.to_string()))),
        })?;
        let rgb = decoded.to_rgb8();
        let (w, h) = rgb.dimensions();
        let (data, width, height) = crate::apply_orientation(rgb.as_raw(), w, h, 3, info.exif.orientation);
        Ok(Rgb { width, height, data })
    })
}

/// Encodes pixels as a JPEG with no metadata at all (no EXIF, GPS, XMP or maker notes; nothing after the image).
pub fn encode_bare_jpeg(img: &Rgb) -> Result<Vec<u8>> {
    let (Ok(w), Ok(h)) = (u16::try_from(img.width), u16::try_from(img.height)) else {
        return Err(Error::TooLarge(format!("a {}×{} copy is too large to encode as JPEG", img.width, img.height)));
    };
    let mut out = Vec::with_capacity(img.data.len() / 6 + 1024);
    let enc = jpeg_encoder::Encoder::new(&mut out, SHARE_JPEG_QUALITY);
    enc.encode(&img.data, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| Error::CorruptMedia(format!("encoding the copy failed: {}", crate::one_line(&e.to_string()))))?;
    Ok(out)
}
