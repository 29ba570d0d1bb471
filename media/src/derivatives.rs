//! Upright thumbnails and previews of a photo, as small JPEGs. They are what
//! coordinators scroll through, so they must be upright (EXIF orientation
//! applied) and cheap: a phone makes them right after every capture. For
//! JPEG, the common case, the decoder's DCT scaling skips most of the work
//! of decoding pixels that would be thrown away by the resize.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use fast_image_resize as fir;

use super::photo::{check_pixels, image_error, image_format, jpeg_frame, open_and_sniff, PhotoInfo, MAX_PIXELS};
use super::restart_join;
use super::restart_split::{split_at_restart, Split};
use super::sniff::MediaKind;
use crate::error::{Error, Result};

/// Longest side of a preview in pixels (smaller photos are not upscaled).
pub const PREVIEW_MAX_SIDE: u32 = 1280;
/// Longest side of a thumbnail in pixels (smaller photos are not upscaled).
pub const THUMBNAIL_MAX_SIDE: u32 = 320;
/// JPEG quality of both derivatives.
pub const JPEG_QUALITY: u8 = 80;

// Non-JPEG decoders (PNG, WebP, TIFF) allocate the full image; this is the
// most they may ask for. 100 MP at 4 bytes per pixel fits; 16-bit RGBA
// bombs under the pixel cap do not.
const MAX_DECODE_BYTES: u64 = 512 << 20;
// A JPEG is read into memory whole before decoding (it is much faster than
// decoding through a reader); nothing a camera makes is near this.
const MAX_JPEG_FILE_BYTES: u64 = 256 << 20;

/// One derivative image, JPEG-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivative {
    /// The JPEG bytes (baseline, 4:2:0, no metadata).
    pub jpeg: Vec<u8>,
    /// Upright width in pixels.
    pub width: u32,
    /// Upright height in pixels.
    pub height: u32,
}

/// The thumbnail and preview of one photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivatives {
    /// At most [`THUMBNAIL_MAX_SIDE`] on its longest side.
    pub thumbnail: Derivative,
    /// At most [`PREVIEW_MAX_SIDE`] on its longest side.
    pub preview: Derivative,
}

// Decoded 8-bit pixels, grey (1 channel) or RGB (3 channels).
struct Pixels {
    data: Vec<u8>,
    width: u32,
    height: u32,
    channels: usize,
}

/// Makes the upright thumbnail and preview of a photo; HEIF and undecodable files fail with a typed error and the original stays as it is.
pub fn make_derivatives(path: &Path, info: &PhotoInfo) -> Result<Derivatives> {
    super::guard("making previews", || {
        let (kind, file) = open_and_sniff(path)?;
        let orientation = if (1..=8).contains(&info.exif.orientation) { info.exif.orientation } else { 1 };
        let (pixels, stored) = match kind {
            MediaKind::Jpeg => decode_jpeg(file)?,
            MediaKind::Png | MediaKind::Webp | MediaKind::Tiff => decode_with_image(path, kind)?,
            MediaKind::Heif => {
                return Err(Error::UnsupportedFormat(
                    "no decoder for HEIF previews on this device; the original is kept without previews".into(),
                ))
            }
            MediaKind::M4a | MediaKind::Ogg | MediaKind::Wav | MediaKind::Mp4Video | MediaKind::QuickTime | MediaKind::ThreeGpp => {
                return Err(Error::UnsupportedFormat(format!("{} is not a photo", kind.media_type())))
            }
        };
        build(pixels, stored, orientation)
    })
}

/// Size that fits in `max` on the longest side, keeping the aspect ratio and never upscaling.
pub fn fit_within(width: u32, height: u32, max: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max || long == 0 {
        return (width, height);
    }
    let scale = |side: u32| ((side as u64 * max as u64 + long as u64 / 2) / long as u64).max(1) as u32;
    (scale(width), scale(height))
}

fn build(pixels: Pixels, stored: (u32, u32), orientation: u8) -> Result<Derivatives> {
    // Target sizes come from the stored size, not from the (possibly
    // DCT-scaled) decode, so every decode path gives the same sizes.
    let (pw, ph) = fit_within(stored.0, stored.1, PREVIEW_MAX_SIDE);
    let (tw, th) = fit_within(stored.0, stored.1, THUMBNAIL_MAX_SIDE);
    let preview = resize(pixels, pw, ph)?;
    let preview = orient(preview, orientation);
    let (tw, th) = if orientation >= 5 { (th, tw) } else { (tw, th) };
    let (thumb, preview_jpeg) = thumbnail_and_encode(&preview, tw, th)?;
    Ok(Derivatives { thumbnail: thumb, preview: Derivative { jpeg: preview_jpeg, width: preview.width, height: preview.height } })
}

// The preview's encode is the longest step after decoding: its top band is
// encoded here while the second core encodes the bottom band and then
// makes the thumbnail, and the bands are joined at a restart marker.
// Pictures too small to split are encoded in one piece.
fn thumbnail_and_encode(preview: &Pixels, tw: u32, th: u32) -> Result<(Derivative, Vec<u8>)> {
    let thumbnail = || -> Result<Derivative> {
        let t = resize_ref(preview, tw, th)?;
        Ok(Derivative { jpeg: encode(&t.data, t.width, t.height, t.channels, None)?, width: t.width, height: t.height })
    };
    let crashed = || Error::CorruptMedia("the derivative encoder crashed".into());
    let (w, ch) = (preview.width, preview.channels);
    let mcu_side = if ch == 1 { 8 } else { 16 };
    let Some((top_h, interval)) = restart_join::plan(w, preview.height, mcu_side) else {
        let (t, p) = std::thread::scope(|s| {
            let t = s.spawn(thumbnail);
            (t.join(), encode(&preview.data, w, preview.height, ch, None))
        });
        return Ok((t.map_err(|_| crashed())??, p?));
    };
    let (top, bottom) = preview.data.split_at(top_h as usize * w as usize * ch);
    let (rest, top_jpeg) = std::thread::scope(|s| {
        let rest = s.spawn(|| Ok::<_, Error>((encode(bottom, w, preview.height - top_h, ch, None)?, thumbnail()?)));
        (rest.join(), encode(top, w, top_h, ch, Some(interval)))
    });
    let (bottom_jpeg, thumb) = rest.map_err(|_| crashed())??;
    let height = u16::try_from(preview.height).map_err(|_| Error::TooLarge("preview too tall to encode".into()))?;
    match restart_join::join(&top_jpeg?, &bottom_jpeg, height) {
        Some(joined) => Ok((thumb, joined)),
        None => Ok((thumb, encode(&preview.data, w, preview.height, ch, None)?)),
    }
}

fn pixel_type(channels: usize) -> fir::PixelType {
    if channels == 1 {
        fir::PixelType::U8
    } else {
        fir::PixelType::U8x3
    }
}

fn resize(p: Pixels, w: u32, h: u32) -> Result<Pixels> {
    if (p.width, p.height) == (w, h) {
        return Ok(p);
    }
    if h < 64 {
        return resize_ref(&p, w, h);
    }
    // Two bands of output rows, one per core. Each band reads the source
    // rows its filter window needs, beyond its own share, so the seam is
    // invisible (the filter clamps at the image's edges, not the band's).
    let ty = pixel_type(p.channels);
    let src = fir::images::ImageRef::new(p.width, p.height, &p.data, ty).map_err(|e| resize_error(&e))?;
    let mut out = vec![0u8; w as usize * h as usize * p.channels];
    let top_h = h / 2;
    let (top, bottom) = out.split_at_mut(top_h as usize * w as usize * p.channels);
    let scale = p.height as f64 / h as f64;
    let band = |buf: &mut [u8], y0: u32, rows: u32| -> Result<()> {
        let mut dst = fir::images::Image::from_slice_u8(w, rows, buf, ty).map_err(|e| resize_error(&e))?;
        let opts = resize_options().crop(0.0, y0 as f64 * scale, p.width as f64, rows as f64 * scale);
        fir::Resizer::new().resize(&src, &mut dst, &opts).map_err(|e| resize_error(&e))
    };
    let (a, b) = std::thread::scope(|s| {
        let b = s.spawn(|| band(bottom, top_h, h - top_h));
        (band(top, 0, top_h), b.join())
    });
    a?;
    b.map_err(|_| Error::CorruptMedia("resizing crashed".into()))??;
    Ok(Pixels { data: out, width: w, height: h, channels: p.channels })
}

fn resize_ref(p: &Pixels, w: u32, h: u32) -> Result<Pixels> {
    if (p.width, p.height) == (w, h) {
        return Ok(Pixels { data: p.data.clone(), width: w, height: h, channels: p.channels });
    }
    let src = fir::images::ImageRef::new(p.width, p.height, &p.data, pixel_type(p.channels)).map_err(|e| resize_error(&e))?;
    let mut dst = fir::images::Image::new(w, h, pixel_type(p.channels));
    fir::Resizer::new().resize(&src, &mut dst, &resize_options()).map_err(|e| resize_error(&e))?;
    Ok(Pixels { data: dst.into_vec(), width: w, height: h, channels: p.channels })
}

// Catmull-Rom: nearly Lanczos-sharp for downscaling, with a smaller kernel,
// so cheaper.
fn resize_options() -> fir::ResizeOptions {
    fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::CatmullRom))
}

fn resize_error(e: &dyn std::fmt::Display) -> Error {
    Error::CorruptMedia(format!("resizing failed: {}", super::one_line(&e.to_string())))
}

fn orient(p: Pixels, orientation: u8) -> Pixels {
    if orientation <= 1 || orientation > 8 {
        return p;
    }
    let (data, width, height) = apply_orientation(&p.data, p.width, p.height, p.channels, orientation);
    Pixels { data, width, height, channels: p.channels }
}

/// Turns stored pixels (`channels` bytes each, rows top to bottom) upright per EXIF orientation 1..=8; returns pixels, width, height.
pub fn apply_orientation(px: &[u8], width: u32, height: u32, channels: usize, orientation: u8) -> (Vec<u8>, u32, u32) {
    match channels {
        1 => orient_n::<1>(px, width, height, orientation),
        3 => orient_n::<3>(px, width, height, orientation),
        4 => orient_n::<4>(px, width, height, orientation),
        _ => {
            assert!(channels > 0 && px.len() == width as usize * height as usize * channels, "bad pixel buffer");
            orient_generic(px, width, height, channels, orientation)
        }
    }
}

fn source_of(orientation: u8, ox: usize, oy: usize, w: usize, h: usize) -> (usize, usize) {
    // EXIF orientation names the transform that makes the stored image
    // upright; here each output pixel looks up where it came from.
    match orientation {
        2 => (w - 1 - ox, oy),         // mirror horizontally
        3 => (w - 1 - ox, h - 1 - oy), // rotate 180°
        4 => (ox, h - 1 - oy),         // mirror vertically
        5 => (oy, ox),                 // transpose
        6 => (oy, h - 1 - ox),         // rotate 90° clockwise
        7 => (w - 1 - oy, h - 1 - ox), // transverse
        8 => (w - 1 - oy, ox),         // rotate 90° counter-clockwise
        _ => (ox, oy),
    }
}

fn out_size(orientation: u8, w: u32, h: u32) -> (u32, u32) {
    if (5..=8).contains(&orientation) {
        (h, w)
    } else {
        (w, h)
    }
}

fn orient_n<const N: usize>(px: &[u8], width: u32, height: u32, orientation: u8) -> (Vec<u8>, u32, u32) {
    let (w, h) = (width as usize, height as usize);
    assert_eq!(px.len(), w * h * N, "pixel buffer does not match its size");
    let (ow, oh) = out_size(orientation, width, height);
    let mut out: Vec<u8> = Vec::with_capacity(px.len());
    let row_len = w * N;
    match orientation {
        // Row-wise cases copy or reverse whole rows.
        2..=4 => {
            for oy in 0..h {
                let sy = if orientation == 2 { oy } else { h - 1 - oy };
                let row = &px[sy * row_len..(sy + 1) * row_len];
                if orientation == 4 {
                    out.extend_from_slice(row);
                } else {
                    for p in row.chunks_exact(N).rev() {
                        out.extend_from_slice(p);
                    }
                }
            }
        }
        5..=8 => {
            for oy in 0..oh as usize {
                for ox in 0..ow as usize {
                    let (sx, sy) = source_of(orientation, ox, oy, w, h);
                    let i = (sy * w + sx) * N;
                    out.extend_from_slice(&px[i..i + N]);
                }
            }
        }
        _ => out.extend_from_slice(px),
    }
    (out, ow, oh)
}

fn orient_generic(px: &[u8], width: u32, height: u32, ch: usize, orientation: u8) -> (Vec<u8>, u32, u32) {
    let (w, h) = (width as usize, height as usize);
    let (ow, oh) = out_size(orientation, width, height);
    let mut out = Vec::with_capacity(px.len());
    for oy in 0..oh as usize {
        for ox in 0..ow as usize {
            let (sx, sy) = source_of(orientation, ox, oy, w, h);
            let i = (sy * w + sx) * ch;
            out.extend_from_slice(&px[i..i + ch]);
        }
    }
    (out, ow, oh)
}

fn encode(data: &[u8], width: u32, height: u32, channels: usize, restart_interval: Option<u16>) -> Result<Vec<u8>> {
    let color = if channels == 1 { jpeg_encoder::ColorType::Luma } else { jpeg_encoder::ColorType::Rgb };
    let (Ok(w), Ok(h)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err(Error::TooLarge(format!("derivative of {width}×{height} is too large to encode")));
    };
    let mut out = Vec::with_capacity(data.len() / 8 + 1024);
    let mut enc = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    if let Some(interval) = restart_interval {
        enc.set_restart_interval(interval);
    }
    enc.encode(data, w, h, color)
        .map_err(|e| Error::CorruptMedia(format!("encoding the derivative failed: {}", super::one_line(&e.to_string()))))?;
    Ok(out)
}

fn jpeg_error(e: jpeg_decoder::Error) -> Error {
    use jpeg_decoder::Error as E;
    match e {
        E::Unsupported(f) => Error::UnsupportedFormat(format!("JPEG uses a feature the preview decoder lacks: {f:?}")),
        E::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => Error::CorruptMedia("JPEG is truncated".into()),
        E::Io(io) => Error::from_io("decoding JPEG", io),
        other => Error::CorruptMedia(super::one_line(&other.to_string())),
    }
}

fn decode_jpeg(file: File) -> Result<(Pixels, (u32, u32))> {
    let len = file.metadata().map_err(|e| Error::from_io("reading JPEG", e))?.len();
    if len > MAX_JPEG_FILE_BYTES {
        return Err(Error::TooLarge(format!("JPEG file of {len} bytes is over the {} MiB preview limit", MAX_JPEG_FILE_BYTES >> 20)));
    }
    let mut data = Vec::with_capacity(len as usize);
    file.take(MAX_JPEG_FILE_BYTES).read_to_end(&mut data).map_err(|e| Error::from_io("reading JPEG", e))?;
    // Our own header walk first: it checks the size against the pixel cap
    // before the decoder allocates, and rejects component layouts the
    // decoder would panic on.
    let frame = jpeg_frame(&mut std::io::Cursor::new(&data[..]))?;
    if frame.width == 0 || frame.height == 0 {
        return Err(Error::CorruptMedia(format!("JPEG frame header gives a size of {}×{}", frame.width, frame.height)));
    }
    check_pixels(frame.width, frame.height)?;
    if !matches!(frame.components, 1 | 3 | 4) {
        return Err(Error::UnsupportedFormat(format!("JPEG with {} colour components", frame.components)));
    }
    if frame.precision > 8 && frame.components != 1 {
        return Err(Error::UnsupportedFormat(format!("{}-bit colour JPEG", frame.precision)));
    }
    let stored = (frame.width, frame.height);
    let (pw, ph) = fit_within(frame.width, frame.height, PREVIEW_MAX_SIDE);

    let (px, info, (ow, oh)) = match split_at_restart(&data) {
        Some(split) => decode_halves(&split, pw).or_else(|_| decode_whole(&data, pw, ph))?,
        None => decode_whole(&data, pw, ph)?,
    };
    let (w, h) = (ow as u32, oh as u32);
    let n = w as usize * h as usize;
    let bad_len = || Error::CorruptMedia("JPEG decoder returned a buffer of the wrong size".into());
    let (data, channels) = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => (px, 1),
        jpeg_decoder::PixelFormat::RGB24 => (px, 3),
        jpeg_decoder::PixelFormat::L16 => {
            let shift = frame.precision.clamp(9, 16) - 8;
            (px.chunks_exact(2).map(|b| (u16::from_ne_bytes([b[0], b[1]]) >> shift).min(255) as u8).collect(), 1)
        }
        jpeg_decoder::PixelFormat::CMYK32 => {
            // The decoder has already undone Adobe's inversion, so these are
            // plain ink amounts.
            let mut rgb = Vec::with_capacity(n * 3);
            for p in px.chunks_exact(4) {
                let k = 255 - p[3] as u32;
                rgb.extend(p[..3].iter().map(|&c| ((255 - c as u32) * k / 255) as u8));
            }
            (rgb, 3)
        }
    };
    if data.len() != n * channels {
        return Err(bad_len());
    }
    Ok((Pixels { data, width: w, height: h, channels }, stored))
}

type Decoded = (Vec<u8>, jpeg_decoder::ImageInfo, (u16, u16));

fn decode_whole(data: &[u8], pw: u32, ph: u32) -> Result<Decoded> {
    let mut dec = jpeg_decoder::Decoder::new(data);
    dec.set_max_decoding_buffer_size((MAX_PIXELS * 4) as usize);
    // The smallest DCT scale (1/8..1) whose output still covers the preview.
    let size = dec.scale(pw as u16, ph as u16).map_err(jpeg_error)?;
    let px = dec.decode().map_err(jpeg_error)?;
    let info = dec.info().ok_or_else(|| Error::CorruptMedia("JPEG has no frame".into()))?;
    Ok((px, info, size))
}

// Both halves on their own thread, at the same DCT scale, stacked. Any
// failure here sends the caller back to decoding the whole file, which
// then reports the real problem.
fn decode_halves(split: &Split, pw: u32) -> Result<Decoded> {
    let half = |bytes: &[u8]| -> Result<Decoded> {
        let mut dec = jpeg_decoder::Decoder::new(bytes);
        dec.set_max_decoding_buffer_size((MAX_PIXELS * 4) as usize);
        // Width alone picks the scale, so both halves get the same one.
        let size = dec.scale(pw as u16, u16::MAX).map_err(jpeg_error)?;
        let px = dec.decode().map_err(jpeg_error)?;
        let info = dec.info().ok_or_else(|| Error::CorruptMedia("JPEG has no frame".into()))?;
        Ok((px, info, size))
    };
    let (top, bottom) = std::thread::scope(|s| {
        let t = s.spawn(|| half(&split.bottom));
        (half(&split.top), t.join())
    });
    let crashed = || Error::CorruptMedia("JPEG decoder crashed".into());
    let (mut px, info, (w, th)) = top?;
    let (bpx, binfo, (bw, bh)) = bottom.map_err(|_| crashed())??;
    if w != bw || info.pixel_format != binfo.pixel_format || split.top_height == 0 {
        return Err(Error::CorruptMedia("JPEG halves disagree".into()));
    }
    px.extend_from_slice(&bpx);
    Ok((px, jpeg_decoder::ImageInfo { height: th + bh, ..info }, (w, th + bh)))
}

fn decode_with_image(path: &Path, kind: MediaKind) -> Result<(Pixels, (u32, u32))> {
    let fmt = image_format(kind).ok_or_else(|| Error::UnsupportedFormat(kind.media_type().into()))?;
    let what = format!("decoding {}", kind.media_type());
    let open = || -> Result<image::ImageReader<BufReader<File>>> {
        let f = File::open(path).map_err(|e| Error::from_io(&what, e))?;
        let mut r = image::ImageReader::with_format(BufReader::new(f), fmt);
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        limits.max_image_width = Some(MAX_PIXELS as u32);
        limits.max_image_height = Some(MAX_PIXELS as u32);
        r.limits(limits);
        Ok(r)
    };
    // Header first, so a bomb fails before the decoder allocates for it.
    let (w, h) = open()?.into_dimensions().map_err(|e| image_error(&what, e))?;
    if w == 0 || h == 0 {
        return Err(Error::CorruptMedia(format!("{what}: image has a size of {w}×{h}")));
    }
    check_pixels(w, h)?;
    let img = open()?.decode().map_err(|e| image_error(&what, e))?;
    let (w, h) = (img.width(), img.height());
    let color = img.color();
    let pixels = match (color.has_color(), color.has_alpha()) {
        (false, false) => Pixels { data: img.into_luma8().into_raw(), width: w, height: h, channels: 1 },
        (false, true) => Pixels { data: over_white::<2>(img.into_luma_alpha8().as_raw()), width: w, height: h, channels: 1 },
        (true, false) => Pixels { data: img.into_rgb8().into_raw(), width: w, height: h, channels: 3 },
        (true, true) => Pixels { data: over_white::<4>(img.into_rgba8().as_raw()), width: w, height: h, channels: 3 },
    };
    Ok((pixels, (w, h)))
}

// Transparent areas become white, as a viewer would show them, rather than
// whatever colour the encoder left under alpha 0.
fn over_white<const N: usize>(px: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(px.len() / N * (N - 1));
    for p in px.chunks_exact(N) {
        let a = p[N - 1] as u32;
        for &c in &p[..N - 1] {
            out.push(((c as u32 * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // A 3×2 image whose pixels are numbered in reading order:
    //   1 2 3
    //   4 5 6
    const IMG: [u8; 6] = [1, 2, 3, 4, 5, 6];

    #[test]
    fn all_eight_orientations() {
        let cases: [(u8, &[u8], u32, u32); 8] = [
            (1, &[1, 2, 3, 4, 5, 6], 3, 2),
            (2, &[3, 2, 1, 6, 5, 4], 3, 2),
            (3, &[6, 5, 4, 3, 2, 1], 3, 2),
            (4, &[4, 5, 6, 1, 2, 3], 3, 2),
            (5, &[1, 4, 2, 5, 3, 6], 2, 3),
            (6, &[4, 1, 5, 2, 6, 3], 2, 3),
            (7, &[6, 3, 5, 2, 4, 1], 2, 3),
            (8, &[3, 6, 2, 5, 1, 4], 2, 3),
        ];
        for (o, want, w, h) in cases {
            assert_eq!(apply_orientation(&IMG, 3, 2, 1, o), (want.to_vec(), w, h), "orientation {o}");
            // Multi-byte pixels move as a unit.
            let rgb: Vec<u8> = IMG.iter().flat_map(|&v| [v, v + 10, v + 20]).collect();
            let want_rgb: Vec<u8> = want.iter().flat_map(|&v| [v, v + 10, v + 20]).collect();
            assert_eq!(apply_orientation(&rgb, 3, 2, 3, o), (want_rgb, w, h), "rgb orientation {o}");
            let two: Vec<u8> = IMG.iter().flat_map(|&v| [v, v]).collect();
            let want_two: Vec<u8> = want.iter().flat_map(|&v| [v, v]).collect();
            assert_eq!(apply_orientation(&two, 3, 2, 2, o), (want_two, w, h), "2-channel orientation {o}");
        }
    }

    #[test]
    fn orientations_undo_what_the_camera_did() {
        // A camera held sideways stores the scene rotated; orientation 6
        // says "rotate 90° clockwise to view". Rotating an upright image
        // counter-clockwise (= applying 8) and then applying 6 is identity.
        let (ccw, w, h) = apply_orientation(&IMG, 3, 2, 1, 8);
        assert_eq!(apply_orientation(&ccw, w, h, 1, 6), (IMG.to_vec(), 3, 2));
        for o in [2, 3, 4, 5, 7] {
            let (x, w, h) = apply_orientation(&IMG, 3, 2, 1, o);
            assert_eq!(apply_orientation(&x, w, h, 1, o), (IMG.to_vec(), 3, 2), "{o} is its own inverse");
        }
    }

    #[test]
    fn fit_never_upscales() {
        assert_eq!(fit_within(3264, 2448, 1280), (1280, 960));
        assert_eq!(fit_within(2448, 3264, 320), (240, 320));
        assert_eq!(fit_within(640, 480, 1280), (640, 480));
        assert_eq!(fit_within(100_000, 1, 320), (320, 1));
        assert_eq!(fit_within(0, 0, 320), (0, 0));
    }

    #[test]
    fn alpha_goes_over_white() {
        assert_eq!(over_white::<4>(&[10, 20, 30, 255, 10, 20, 30, 0]), vec![10, 20, 30, 255, 255, 255]);
        assert_eq!(over_white::<2>(&[0, 128]), vec![127]);
    }

    // A picture with detail everywhere, so a misplaced band or a broken
    // predictor at the seam would show.
    fn busy(width: u32, height: u32, channels: usize) -> Pixels {
        let data = (0..height as usize)
            .flat_map(|y| (0..width as usize * channels).map(move |x| ((x * 7 + y * 13 + (x * y) % 31) % 251) as u8))
            .collect();
        Pixels { data, width, height, channels }
    }

    #[test]
    fn banded_encode_decodes_like_one_piece() {
        for (w, h, ch) in [(1280, 960, 3), (333, 517, 3), (300, 100, 1), (64, 40, 3), (17, 33, 1)] {
            let p = busy(w, h, ch);
            let (thumb, joined) = thumbnail_and_encode(&p, w / 4 + 1, h / 4 + 1).unwrap();
            let whole = encode(&p.data, w, h, ch, None).unwrap();
            let a = jpeg_decoder::Decoder::new(&joined[..]).decode().unwrap();
            let b = jpeg_decoder::Decoder::new(&whole[..]).decode().unwrap();
            assert_eq!(a, b, "{w}×{h}×{ch}: joined bands decode to the one-piece pixels");
            // Another decoder agrees that the joined file is well formed.
            let img = image::load_from_memory(&joined).unwrap();
            assert_eq!((img.width(), img.height()), (w, h));
            assert_eq!((thumb.width, thumb.height), (w / 4 + 1, h / 4 + 1));
        }
    }

    #[test]
    fn banded_resize_has_no_seam() {
        for (w, h, ch, tw, th) in [(1632, 1224, 3, 1280, 960), (1000, 3000, 1, 427, 1280), (500, 80, 3, 400, 64)] {
            let p = busy(w, h, ch);
            let banded = resize(busy(w, h, ch), tw, th).unwrap();
            let single = resize_ref(&p, tw, th).unwrap();
            assert_eq!((banded.width, banded.height), (single.width, single.height));
            let worst = banded.data.iter().zip(&single.data).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
            assert!(worst <= 1, "{w}×{h} → {tw}×{th}: bands differ from one resize by up to {worst}");
        }
    }

    #[test]
    fn grey_and_colour_encode() {
        let grey = Pixels { data: vec![128; 64 * 48], width: 64, height: 48, channels: 1 };
        let rgb = Pixels { data: vec![200; 64 * 48 * 3], width: 64, height: 48, channels: 3 };
        let d = build(grey, (64, 48), 6).unwrap();
        assert_eq!((d.preview.width, d.preview.height), (48, 64));
        assert!(d.preview.jpeg.starts_with(&[0xFF, 0xD8]));
        let d = build(rgb, (64, 48), 1).unwrap();
        assert_eq!((d.thumbnail.width, d.thumbnail.height), (64, 48));
        let img = image::load_from_memory(&d.thumbnail.jpeg).unwrap().into_rgb8();
        assert!(img.pixels().all(|p| p.0.iter().all(|&c| c.abs_diff(200) <= 2)));
    }
}
