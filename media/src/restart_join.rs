//! Joins two separately encoded JPEGs, a top and a bottom band of one image,
//! into one baseline JPEG with a restart marker at the seam. It is the
//! mirror of `restart_split`: a preview's encode is the longest serial step
//! after decoding, and on a two-core phone the two bands encode at once.
//! A restart marker resets the DC predictors, so the bottom band's entropy
//! data, encoded from a fresh start, is exactly what a decoder expects after
//! the marker; the decoded pixels equal those of a one-piece encode.

/// Whole MCU rows of the top band and the restart interval that puts the only marker at the seam; None when the image is too small or too wide to split.
pub(crate) fn plan(width: u32, height: u32, mcu_side: u32) -> Option<(u32, u16)> {
    let cols = width.div_ceil(mcu_side);
    let rows = height.div_ceil(mcu_side);
    if rows < 2 {
        return None;
    }
    // The top band gets the larger half, so the bottom band never reaches
    // a second interval and holds no marker of its own.
    let top_rows = rows.div_ceil(2);
    let interval = u16::try_from(top_rows.checked_mul(cols)?).ok()?;
    Some((top_rows * mcu_side, interval))
}

/// Joins `top` (encoded with the restart interval from [`plan`]) and `bottom` (encoded without one) into one JPEG of `full_height` rows; None if either is not what our encoder writes.
pub(crate) fn join(top: &[u8], bottom: &[u8], full_height: u16) -> Option<Vec<u8>> {
    let t = layout(top)?;
    let b = layout(bottom)?;
    let height_at = t.sof_at + 5;
    let mut out = Vec::with_capacity(top.len() + bottom.len());
    out.extend_from_slice(&top[..height_at]);
    out.extend_from_slice(&full_height.to_be_bytes());
    out.extend_from_slice(&top[height_at + 2..t.eoi_at]);
    out.extend_from_slice(&[0xFF, 0xD0]);
    out.extend_from_slice(&bottom[b.scan_data_at..b.eoi_at]);
    out.extend_from_slice(&[0xFF, 0xD9]);
    Some(out)
}

struct Layout {
    sof_at: usize,
    scan_data_at: usize,
    eoi_at: usize,
}

// Walks the header segments up to the one scan; the file must end in EOI
// and have one baseline frame header.
fn layout(d: &[u8]) -> Option<Layout> {
    if !d.starts_with(&[0xFF, 0xD8]) || !d.ends_with(&[0xFF, 0xD9]) {
        return None;
    }
    let mut i = 2;
    let mut sof_at = None;
    loop {
        if *d.get(i)? != 0xFF {
            return None;
        }
        let marker = *d.get(i + 1)?;
        let len = u16::from_be_bytes([*d.get(i + 2)?, *d.get(i + 3)?]) as usize;
        match marker {
            0xC0 => sof_at = Some(i),
            0xC1..=0xCF if marker != 0xC4 && marker != 0xCC => return None,
            0xDA => {
                let scan_data_at = i + 2 + len;
                let eoi_at = d.len() - 2;
                return (scan_data_at <= eoi_at).then_some(Layout { sof_at: sof_at?, scan_data_at, eoi_at });
            }
            _ => {}
        }
        i += 2 + len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_puts_the_marker_at_the_seam() {
        // 1280×960 at 16-pixel MCUs: 60 rows of 80; the top band has 30.
        assert_eq!(plan(1280, 960, 16), Some((480, 2400)));
        // Odd row count: the top band takes the larger half.
        assert_eq!(plan(100, 40, 16), Some((32, 14)));
        assert_eq!(plan(100, 16, 16), None);
        assert_eq!(plan(140_000, 64, 8), None, "interval over u16");
    }

    #[test]
    fn refuses_what_is_not_a_jpeg() {
        assert!(join(b"not a jpeg", b"\xFF\xD8\xFF\xD9", 10).is_none());
        assert!(layout(&[0xFF, 0xD8, 0xFF, 0xC2, 0, 2, 0xFF, 0xD9]).is_none(), "progressive");
    }
}
