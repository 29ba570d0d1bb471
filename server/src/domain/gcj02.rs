//! WGS-84 → GCJ-02, the obfuscated datum Chinese map services (Amap/高德,
//! Tencent) expect. Phones record WGS-84; a link that hands raw WGS-84 to
//! Amap lands a few hundred metres off, which in an old courtyard is the
//! wrong building. The transform only applies inside mainland China: outside
//! it, map services use WGS-84 and the coordinates are left alone.

use std::f64::consts::PI;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

/// Semi-major axis of the Krasovsky 1940 ellipsoid the transform is defined on.
const A: f64 = 6_378_245.0;
/// Its first eccentricity squared.
const EE: f64 = 0.006_693_421_622_965_943;

/// Whether a WGS-84 point lies where GCJ-02 applies (mainland China, roughly;
/// Taiwan is excluded because its maps use WGS-84).
pub fn in_mainland_china(lat: f64, lon: f64) -> bool {
    let in_box = (72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat);
    let taiwan = (119.3..=122.3).contains(&lon) && (21.8..=25.4).contains(&lat);
    in_box && !taiwan
}

fn shift_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn shift_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// Converts a WGS-84 point to GCJ-02 as (lat, lon); outside mainland China
/// (or for non-finite input) the point is returned unchanged.
pub fn wgs84_to_gcj02(lat: f64, lon: f64) -> (f64, f64) {
    if !lat.is_finite() || !lon.is_finite() || !in_mainland_china(lat, lon) {
        return (lat, lon);
    }
    let (x, y) = (lon - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat = shift_lat(x, y) * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = shift_lon(x, y) * 180.0 / (A / sqrt_magic * rad.cos() * PI);
    (lat + d_lat, lon + d_lon)
}

/// A link that opens the point in a map a coordinator in China can use:
/// Amap with GCJ-02 inside mainland China, OpenStreetMap with WGS-84 outside.
pub fn map_link(lat: f64, lon: f64, label: &str) -> String {
    if in_mainland_china(lat, lon) {
        let (glat, glon) = wgs84_to_gcj02(lat, lon);
        let name: String = label.chars().filter(|c| c.is_alphanumeric() || *c == ' ').take(40).collect();
        format!(
            "https://uri.amap.com/marker?position={glon:.6},{glat:.6}&name={}&coordinate=gaode",
            utf8_percent_encode(&name, NON_ALPHANUMERIC)
        )
    } else {
        format!("https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=18/{lat:.6}/{lon:.6}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values from gcoord 1.x (npm), an independent implementation,
    // WGS84 → GCJ02, rounded to 7 decimals.
    const REFERENCE: &[(f64, f64, f64, f64)] = &[
        (39.90923, 116.397428, 39.9106335, 116.4036716), // Beijing, Tiananmen
        (31.2304, 121.4737, 31.2284577, 121.4782231),    // Shanghai
        (23.1291, 113.2644, 23.1264233, 113.2697296),    // Guangzhou
        (30.5723, 104.0665, 30.5698455, 104.0690049),    // Chengdu
        (45.7567, 126.6425, 45.7586513, 126.6484701),    // Harbin
    ];

    #[test]
    fn matches_reference_values_inside_china() {
        for &(lat, lon, glat, glon) in REFERENCE {
            let (a, b) = wgs84_to_gcj02(lat, lon);
            assert!((a - glat).abs() < 1e-6 && (b - glon).abs() < 1e-6, "({lat},{lon}) -> ({a},{b}), expected ({glat},{glon})");
        }
    }

    #[test]
    fn leaves_points_outside_mainland_china_alone() {
        for (lat, lon) in [(48.8584, 2.2945), (25.0330, 121.5654), (-33.8568, 151.2153), (35.6762, 139.6503)] {
            assert_eq!(wgs84_to_gcj02(lat, lon), (lat, lon));
        }
        assert!(wgs84_to_gcj02(f64::NAN, 116.0).0.is_nan());
    }

    #[test]
    fn map_link_uses_gcj02_in_china_and_osm_outside() {
        let l = map_link(39.90923, 116.397428, "幸福里 3号楼");
        assert!(l.starts_with("https://uri.amap.com/marker?position=116.403672,39.910634"), "{l}");
        assert!(map_link(48.8584, 2.2945, "x").starts_with("https://www.openstreetmap.org/?mlat=48.858400"));
    }
}
