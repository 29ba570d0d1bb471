//! HEIC/HEIF photos decoded for their thumbnail and preview, by the system's
//! libheif (the `heic` feature: the CLI and the case server have Debian's
//! libheif; the phones' own decoders make these pictures and hand them over).
//!
//! Upright is decided here once. HEIF states rotation and mirroring as item
//! properties (`irot`, `imir`), which libheif applies when it decodes; it
//! never applies the EXIF orientation tag (1.15 does not, and the HEIF
//! standard says the properties rule). Phones write both, and they agree,
//! so applying both would turn the picture twice: when the primary image
//! carries either property, the decoded pixels are upright as they come, and
//! only a file without them is turned by its EXIF orientation.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use libheif_rs::{ColorSpace, HeifContext, HeifError, HeifErrorCode, HeifErrorSubCode, LibHeif, RgbChroma};

use super::derivatives::Pixels;
use super::photo::{be_u16, be_u32, boxes, check_pixels};
use crate::error::{Error, Result};

// The file is handed to libheif in memory; phones' HEIC photos are a few MB.
const MAX_HEIF_FILE_BYTES: u64 = 256 << 20;

/// A HEIF photo's primary image, decoded to 8-bit RGB.
pub(crate) struct DecodedHeif {
    /// Pixels after libheif's geometric transforms.
    pub pixels: Pixels,
    /// The file states its own rotation or mirroring (`irot`/`imir`), already applied: EXIF orientation must not be.
    pub transformed: bool,
}

/// Decodes the primary image of a HEIF file, with its `irot`/`imir` transforms applied.
pub(crate) fn decode(path: &Path) -> Result<DecodedHeif> {
    let data = read_capped(path)?;
    let transformed = primary_has_transform(&data);
    let lib = LibHeif::new();
    let ctx = HeifContext::read_from_bytes(&data).map_err(heif_error)?;
    let handle = ctx.primary_image_handle().map_err(heif_error)?;
    // The size check comes before libheif allocates anything for the pixels.
    let (w, h) = (handle.width(), handle.height());
    if w == 0 || h == 0 {
        return Err(Error::CorruptMedia(format!("HEIF primary image has a size of {w}×{h}")));
    }
    check_pixels(w, h)?;
    // No DecodingOptions: libheif-rs 0.20 frees the options it is given before libheif reads them (its
    // `decode` drops them inside `map`), so libheif's defaults are used, which apply irot/imir. HDR
    // photos (10 or 12 bits) are decoded to 16-bit samples and brought to 8 bits here.
    let deep = handle.luma_bits_per_pixel() > 8;
    let chroma = if deep { RgbChroma::HdrRgbLe } else { RgbChroma::Rgb };
    let image = lib.decode(&handle, ColorSpace::Rgb(chroma), None).map_err(heif_error)?;
    let planes = image.planes();
    let plane = planes.interleaved.ok_or_else(|| Error::CorruptMedia("HEIF decoder returned no RGB plane".into()))?;
    let (pw, ph) = (plane.width as usize, plane.height as usize);
    let sample_bytes = if deep { 2 } else { 1 };
    let row_bytes = pw * 3 * sample_bytes;
    if pw == 0
        || ph == 0
        || plane.storage_bits_per_pixel as usize != 24 * sample_bytes
        || plane.stride < row_bytes
        || plane.data.len() < plane.stride * ph
    {
        return Err(Error::CorruptMedia("HEIF decoder returned a buffer of the wrong shape".into()));
    }
    let shift = plane.bits_per_pixel.saturating_sub(8).min(8);
    let mut rgb = Vec::with_capacity(pw * ph * 3);
    for row in plane.data.chunks(plane.stride).take(ph) {
        let row = &row[..row_bytes];
        if deep {
            rgb.extend(row.chunks_exact(2).map(|s| (u16::from_le_bytes([s[0], s[1]]) >> shift).min(255) as u8));
        } else {
            rgb.extend_from_slice(row);
        }
    }
    Ok(DecodedHeif { pixels: Pixels { data: rgb, width: pw as u32, height: ph as u32, channels: 3 }, transformed })
}

fn read_capped(path: &Path) -> Result<Vec<u8>> {
    let file = File::open(path).map_err(|e| Error::from_io("reading HEIF", e))?;
    let len = file.metadata().map_err(|e| Error::from_io("reading HEIF", e))?.len();
    if len > MAX_HEIF_FILE_BYTES {
        return Err(Error::TooLarge(format!("HEIF file of {len} bytes is over the {} MiB preview limit", MAX_HEIF_FILE_BYTES >> 20)));
    }
    let mut data = Vec::with_capacity(len as usize);
    file.take(MAX_HEIF_FILE_BYTES).read_to_end(&mut data).map_err(|e| Error::from_io("reading HEIF", e))?;
    Ok(data)
}

/// Whether the primary item has an `irot` or `imir` property (what libheif turns the decoded image by).
fn primary_has_transform(file: &[u8]) -> bool {
    let Some((_, meta)) = boxes(file).into_iter().find(|(t, _)| *t == b"meta") else { return false };
    // meta is a full box: version and flags before its children.
    let Some(children) = meta.get(4..).map(boxes) else { return false };
    let find = |kind: &[u8; 4]| children.iter().find(|(t, _)| *t == kind).map(|(_, p)| *p);
    let primary = find(b"pitm").and_then(|p| match p.first()? {
        0 => be_u16(p, 4).map(u32::from),
        _ => be_u32(p, 4),
    });
    let (Some(primary), Some(iprp)) = (primary, find(b"iprp")) else { return false };
    let iprp = boxes(iprp);
    let Some((_, ipco)) = iprp.iter().find(|(t, _)| *t == b"ipco") else { return false };
    let properties: Vec<&[u8]> = boxes(ipco).into_iter().map(|(t, _)| t).collect();
    iprp.iter()
        .filter(|(t, _)| *t == b"ipma")
        .flat_map(|(_, ipma)| associated(ipma, primary))
        .any(|index| matches!(properties.get(index), Some(&t) if t == b"irot" || t == b"imir"))
}

/// Zero-based property indices the `ipma` box associates with one item.
fn associated(ipma: &[u8], item: u32) -> Vec<usize> {
    let mut out = Vec::new();
    let (Some(&version), Some(&flags)) = (ipma.first(), ipma.get(3)) else { return out };
    let wide_index = flags & 1 == 1;
    let Some(count) = be_u32(ipma, 4) else { return out };
    let mut at = 8;
    for _ in 0..count {
        let id = if version < 1 { be_u16(ipma, at).map(u32::from) } else { be_u32(ipma, at) };
        let Some(id) = id else { break };
        at += if version < 1 { 2 } else { 4 };
        let Some(&n) = ipma.get(at) else { break };
        at += 1;
        for _ in 0..n {
            let index =
                if wide_index { be_u16(ipma, at).map(|v| (v & 0x7FFF) as usize) } else { ipma.get(at).map(|v| (v & 0x7F) as usize) };
            let Some(index) = index else { return out };
            at += if wide_index { 2 } else { 1 };
            // Property indices are 1-based; 0 means "no property".
            if id == item && index > 0 {
                out.push(index - 1);
            }
        }
    }
    out
}

fn heif_error(e: HeifError) -> Error {
    let msg = format!("HEIF: {}", super::one_line(&e.message));
    match (e.code, e.sub_code) {
        (_, HeifErrorSubCode::SecurityLimitExceeded) | (HeifErrorCode::MemoryAllocationError, _) => Error::TooLarge(msg),
        (HeifErrorCode::UnsupportedFileType | HeifErrorCode::UnsupportedFeature | HeifErrorCode::DecoderPluginError, _) => {
            Error::UnsupportedFormat(msg)
        }
        _ => Error::CorruptMedia(msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(t: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(t);
        v.extend_from_slice(payload);
        v
    }

    fn file(primary_props: &[u8]) -> Vec<u8> {
        let ipco = bx(b"ipco", &[bx(b"hvcC", &[1]), bx(b"ispe", &[0; 12]), bx(b"irot", &[1]), bx(b"imir", &[0])].concat());
        // Item 1 (a tile) has the rotation; the primary item 7 has what the test gives.
        let mut ipma = vec![0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 1, 0x83, 0, 7, primary_props.len() as u8];
        ipma.extend(primary_props.iter().map(|p| p | 0x80));
        let iprp = bx(b"iprp", &[ipco, bx(b"ipma", &ipma)].concat());
        let meta = bx(b"meta", &[&[0u8; 4][..], &bx(b"pitm", &[0, 0, 0, 0, 0, 7]), &iprp].concat());
        [bx(b"ftyp", b"heic\0\0\0\0mif1heic"), meta, bx(b"mdat", &[0; 16])].concat()
    }

    #[test]
    fn finds_the_primary_items_transforms() {
        assert!(!primary_has_transform(&file(&[1, 2])), "size and codec only");
        assert!(primary_has_transform(&file(&[1, 2, 3])), "rotation");
        assert!(primary_has_transform(&file(&[1, 4])), "mirror");
        assert!(!primary_has_transform(b"not a heif"));
        let f = file(&[3]);
        assert!(!primary_has_transform(&f[..f.len() / 2]), "a cut meta box states nothing");
    }

    #[test]
    fn phones_state_their_rotation() {
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-samples/heic");
        for (rel, rotated) in
            [("mobile/iphone_13_pro_max.HEIC", true), ("mobile/HMD_Nokia_8.3_5G.heif", true), ("samplefilehub.heif", false)]
        {
            let data = std::fs::read(samples.join(rel)).unwrap();
            assert_eq!(primary_has_transform(&data), rotated, "{rel}");
        }
    }
}
