//! Splits a JPEG into two independently decodable JPEGs at a restart marker,
//! so the two halves decode on two cores. Entropy decoding is inherently
//! serial and is most of the cost of a preview (it cannot be skipped by DCT
//! scaling), but restart markers reset all decoder state; phone cameras
//! (iPhones among them) put one at the end of every MCU row. Cutting there
//! and giving each half its own frame height yields two valid baseline
//! JPEGs whose decoded rows, stacked, are the original's.

/// Two standalone JPEGs, top and bottom, and the pixel height of the top one.
pub(crate) struct Split {
    pub top: Vec<u8>,
    pub bottom: Vec<u8>,
    pub top_height: u32,
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

/// Finds a split point near the middle; None when the file has no usable restart markers or is not a single-scan sequential JPEG.
pub(crate) fn split_at_restart(data: &[u8]) -> Option<Split> {
    if !data.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    let mut sof: Option<(usize, u32, u32, usize, u32, u32)> = None; // (height field offset, w, h, components, hmax, vmax)
    let mut restart_interval = 0u32;
    let data_start;
    loop {
        if *data.get(i)? != 0xFF {
            return None;
        }
        let m = *data.get(i + 1)?;
        if m == 0xFF {
            i += 1;
            continue;
        }
        if m == 0x01 || (0xD0..=0xD8).contains(&m) {
            i += 2;
            continue;
        }
        let len = be16(data, i + 2)? as usize;
        if len < 2 {
            return None;
        }
        let seg = data.get(i + 4..i + 2 + len)?;
        match m {
            // Baseline and extended sequential Huffman: one frame, decodable in parts.
            0xC0 | 0xC1 => {
                let h = be16(seg, 1)? as u32;
                let w = be16(seg, 3)? as u32;
                let n = *seg.get(5)? as usize;
                let (mut hmax, mut vmax) = (1, 1);
                for c in 0..n {
                    let hv = *seg.get(6 + c * 3 + 1)?;
                    hmax = hmax.max((hv >> 4) as u32);
                    vmax = vmax.max((hv & 0x0F) as u32);
                }
                sof = Some((i + 5, w, h, n, hmax, vmax));
            }
            // Progressive, lossless, arithmetic: several scans or other state.
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xDD => restart_interval = be16(seg, 0)? as u32,
            0xDA => {
                // Only a single interleaved scan carries the whole image.
                let (_, _, _, n, _, _) = sof?;
                if *seg.first()? as usize != n {
                    return None;
                }
                data_start = i + 2 + len;
                break;
            }
            0xD9 => return None,
            _ => {}
        }
        i += 2 + len;
    }
    let (height_at, w, h, n, hmax, vmax) = sof?;
    if restart_interval == 0 || w == 0 || h == 0 || hmax == 0 || vmax == 0 {
        return None;
    }
    // A one-component scan is not interleaved: its MCU is a single block.
    let (mcu_w, mcu_h) = if n == 1 { (8, 8) } else { (8 * hmax, 8 * vmax) };
    let mcus_per_row = w.div_ceil(mcu_w);
    let mcu_rows = h.div_ceil(mcu_h);
    let target_row = mcu_rows / 2;

    // Walk the entropy-coded data for restart markers and its end.
    let mut best: Option<(usize, u32)> = None; // (marker offset, MCU rows above it)
    let mut count = 0u64;
    let mut j = data_start;
    let scan_end = loop {
        let k = j + data.get(j..)?.iter().position(|&b| b == 0xFF)?;
        let next = *data.get(k + 1)?;
        match next {
            0x00 => j = k + 2,
            0xFF => j = k + 1,
            0xD0..=0xD7 => {
                count += 1;
                let mcus = count * restart_interval as u64;
                // The half below must start its marker count at RST0, as a
                // decoder expects, so cut only after an RST7.
                if next == 0xD7 && mcus.is_multiple_of(mcus_per_row as u64) {
                    let rows = (mcus / mcus_per_row as u64) as u32;
                    let better = best.is_none_or(|(_, r)| rows.abs_diff(target_row) < r.abs_diff(target_row));
                    if rows > 0 && rows < mcu_rows && better {
                        best = Some((k, rows));
                    }
                }
                j = k + 2;
            }
            0xD9 => break k,
            _ => return None,
        }
    };
    let (cut, rows) = best?;
    let top_height = rows * mcu_h;
    if top_height >= h {
        return None;
    }
    let header = |height: u32| {
        let mut v = data[..data_start].to_vec();
        v[height_at..height_at + 2].copy_from_slice(&(height as u16).to_be_bytes());
        v
    };
    let mut top = header(top_height);
    top.extend_from_slice(&data[data_start..cut]);
    top.extend_from_slice(&[0xFF, 0xD9]);
    let mut bottom = header(h - top_height);
    bottom.extend_from_slice(&data[cut + 2..scan_end]);
    bottom.extend_from_slice(&[0xFF, 0xD9]);
    Some(Split { top, bottom, top_height })
}
