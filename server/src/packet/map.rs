//! The map page's drawing, worked out from the coordinates alone: every
//! evidence point with its accuracy circle, the order's address, a scale bar
//! and north. No map service is asked (an export must work offline and must
//! not send the order's place anywhere), so there is no base map: the page
//! shows where the points lie relative to the address, to scale. This file
//! decides the geometry; `pdf` only strokes and fills what it returns.

/// Metres per degree of latitude (mean Earth radius, as `distance_m` uses).
const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;
/// Scale bar lengths to choose from, metres.
const NICE_M: [f64; 13] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0];
/// The smallest area shown around the points, metres from the centre.
const MIN_EXTENT_M: f64 = 25.0;

/// One evidence point to plot.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    /// The label printed beside it (the item's number in the report).
    pub label: String,
    /// WGS-84 latitude.
    pub lat: f64,
    /// WGS-84 longitude.
    pub lon: f64,
    /// The phone's stated accuracy, metres.
    pub accuracy_m: f64,
}

/// What the map shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MapData {
    /// The order's address (点位), WGS-84, when the order has coordinates.
    pub spot: Option<(f64, f64)>,
    /// The evidence points.
    pub points: Vec<MapPoint>,
}

/// How a mark is painted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ink {
    /// The order's address.
    Spot,
    /// An evidence point.
    Point,
    /// An accuracy circle: a light fill and a thin outline.
    Accuracy,
    /// Frame, scale bar and north arrow.
    Furniture,
}

/// One thing to draw, in points from the map box's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A circle.
    Circle { x: f32, y: f32, r: f32, ink: Ink },
    /// A straight line.
    Line { x1: f32, y1: f32, x2: f32, y2: f32, ink: Ink },
    /// A text label; `y` is its baseline.
    Label { x: f32, y: f32, text: String, ink: Ink },
}

/// The map in a `w` × `h` box, or None when there is nothing to plot.
pub fn draw(map: &MapData, w: f32, h: f32) -> Option<Vec<Mark>> {
    let mut coords: Vec<(f64, f64)> = map.points.iter().map(|p| (p.lat, p.lon)).collect();
    coords.extend(map.spot);
    if coords.is_empty() {
        return None;
    }
    let n = coords.len() as f64;
    let (clat, clon) = (coords.iter().map(|c| c.0).sum::<f64>() / n, coords.iter().map(|c| c.1).sum::<f64>() / n);
    let m_per_deg_lon = M_PER_DEG * clat.to_radians().cos();
    // Local east/north metres: at a street's scale the plane is exact to well under a metre.
    let local = |lat: f64, lon: f64| ((lon - clon) * m_per_deg_lon, (lat - clat) * M_PER_DEG);
    let mut extent = MIN_EXTENT_M;
    for p in &map.points {
        let (e, nn) = local(p.lat, p.lon);
        extent = extent.max(e.abs() + p.accuracy_m).max(nn.abs() + p.accuracy_m);
    }
    if let Some((lat, lon)) = map.spot {
        let (e, nn) = local(lat, lon);
        extent = extent.max(e.abs() + 5.0).max(nn.abs() + 5.0);
    }
    let pad = 24.0_f64;
    let pt_per_m = ((w.min(h) as f64) / 2.0 - pad) / extent;
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let at = |lat: f64, lon: f64| {
        let (e, nn) = local(lat, lon);
        ((cx + e * pt_per_m) as f32, (cy - nn * pt_per_m) as f32)
    };

    let mut marks = frame(w, h);
    for p in &map.points {
        let (x, y) = at(p.lat, p.lon);
        marks.push(Mark::Circle { x, y, r: (p.accuracy_m * pt_per_m).max(1.0) as f32, ink: Ink::Accuracy });
    }
    for p in &map.points {
        let (x, y) = at(p.lat, p.lon);
        marks.push(Mark::Circle { x, y, r: 2.2, ink: Ink::Point });
        marks.push(Mark::Label { x: x + 3.5, y: y - 3.0, text: p.label.clone(), ink: Ink::Point });
    }
    if let Some((lat, lon)) = map.spot {
        let (x, y) = at(lat, lon);
        marks.push(Mark::Line { x1: x - 7.0, y1: y, x2: x + 7.0, y2: y, ink: Ink::Spot });
        marks.push(Mark::Line { x1: x, y1: y - 7.0, x2: x, y2: y + 7.0, ink: Ink::Spot });
        marks.push(Mark::Circle { x, y, r: 4.0, ink: Ink::Spot });
        // Below and left of the cross: evidence labels sit above and right of their points.
        marks.push(Mark::Label { x: x - 34.0, y: y + 18.0, text: "工单点位".into(), ink: Ink::Spot });
    }
    marks.extend(scale_bar(pt_per_m, w, h));
    marks.extend(north(w));
    Some(marks)
}

fn frame(w: f32, h: f32) -> Vec<Mark> {
    let ink = Ink::Furniture;
    vec![
        Mark::Line { x1: 0.0, y1: 0.0, x2: w, y2: 0.0, ink },
        Mark::Line { x1: w, y1: 0.0, x2: w, y2: h, ink },
        Mark::Line { x1: w, y1: h, x2: 0.0, y2: h, ink },
        Mark::Line { x1: 0.0, y1: h, x2: 0.0, y2: 0.0, ink },
    ]
}

/// A bar of a round length near a quarter of the box's width, bottom left.
fn scale_bar(pt_per_m: f64, w: f32, h: f32) -> Vec<Mark> {
    let want_m = (w as f64 / 4.0) / pt_per_m;
    let metres =
        NICE_M.iter().copied().min_by(|a, b| (a.ln() - want_m.ln()).abs().total_cmp(&(b.ln() - want_m.ln()).abs())).unwrap_or(10.0);
    let len = (metres * pt_per_m) as f32;
    let (x, y) = (12.0, h - 14.0);
    let ink = Ink::Furniture;
    vec![
        Mark::Line { x1: x, y1: y, x2: x + len, y2: y, ink },
        Mark::Line { x1: x, y1: y - 4.0, x2: x, y2: y + 1.0, ink },
        Mark::Line { x1: x + len, y1: y - 4.0, x2: x + len, y2: y + 1.0, ink },
        Mark::Label { x: x + len + 5.0, y: y + 3.0, text: format!("{metres:.0} 米"), ink },
    ]
}

fn north(w: f32) -> Vec<Mark> {
    let (x, y) = (w - 20.0, 14.0);
    let ink = Ink::Furniture;
    vec![
        Mark::Line { x1: x, y1: y + 22.0, x2: x, y2: y, ink },
        Mark::Line { x1: x - 4.0, y1: y + 6.0, x2: x, y2: y, ink },
        Mark::Line { x1: x + 4.0, y1: y + 6.0, x2: x, y2: y, ink },
        Mark::Label { x: x - 14.0, y: y + 18.0, text: "北".into(), ink },
    ]
}

/// Metres on the ground between two drawn points, for tests of the scale.
#[cfg(test)]
fn ground_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    siteproof_protocol::flags::distance_m(a.0, a.1, b.0, b.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, lat: f64, lon: f64, accuracy_m: f64) -> MapPoint {
        MapPoint { label: label.into(), lat, lon, accuracy_m }
    }

    fn circles(marks: &[Mark], want: Ink) -> Vec<(f32, f32, f32)> {
        marks
            .iter()
            .filter_map(|m| match m {
                Mark::Circle { x, y, r, ink } if *ink == want => Some((*x, *y, *r)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn points_keep_their_distances_to_scale_and_north_up() {
        let spot = (39.9087, 116.3970);
        let east = point("1", 39.9087, 116.3975, 10.0);
        let north = point("2", 39.9092, 116.3970, 5.0);
        let marks = draw(&MapData { spot: Some(spot), points: vec![east.clone(), north.clone()] }, 400.0, 400.0).unwrap();
        let acc = circles(&marks, Ink::Accuracy);
        let spot_mark = circles(&marks, Ink::Spot)[0];
        let (de, dn) = (ground_m(spot, (east.lat, east.lon)), ground_m(spot, (north.lat, north.lon)));
        let pt_per_m = (acc[0].0 - spot_mark.0) as f64 / de;
        assert!(((spot_mark.1 - acc[1].1) as f64 / dn - pt_per_m).abs() < 0.01 * pt_per_m, "one scale both ways, north is up");
        assert!((acc[0].2 as f64 / 10.0 - pt_per_m).abs() < 0.01 * pt_per_m, "the accuracy circle is to scale");
        for (x, y, r) in acc {
            assert!(x - r >= 0.0 && x + r <= 400.0 && y - r >= 0.0 && y + r <= 400.0, "circles stay inside the box");
        }
        assert!(marks.iter().any(|m| matches!(m, Mark::Label { text, .. } if text.ends_with(" 米"))), "a scale bar");
    }

    #[test]
    fn nothing_to_plot_draws_no_map() {
        assert_eq!(draw(&MapData { spot: None, points: Vec::new() }, 400.0, 400.0), None);
    }
}
