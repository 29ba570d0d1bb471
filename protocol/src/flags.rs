//! Doubts about a capture, recorded as flags in the signed manifest rather
//! than hidden or "corrected". A coordinator reads them in plain words; a
//! flag never stops a capture, because doubtful evidence is still evidence.
//! The device decides the flags; the server's console and packet report word
//! them for coordinators from the same definitions, here in the protocol.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};

use crate::evidence::exif::ExifSummary;
use crate::evidence::{AnchoredTime, CaptureRecord};

/// No location fix accompanied the capture.
pub const NO_FIX: &str = "no_fix";
/// The OS marked the fix as coming from a mock-location provider.
pub const MOCK_LOCATION: &str = "mock_location";
/// The fix is older than [`STALE_FIX_MS`] at capture time.
pub const STALE_FIX: &str = "stale_fix";
/// The fix's accuracy radius is wider than [`LOW_ACCURACY_M`].
pub const LOW_ACCURACY: &str = "low_accuracy";
/// EXIF DateTimeOriginal disagrees with the device clock by more than [`TIME_TOLERANCE_MS`].
pub const EXIF_TIME_MISMATCH: &str = "exif_time_mismatch";
/// EXIF GPS is farther from the fix than the accuracy explains.
pub const EXIF_GPS_MISMATCH: &str = "exif_gps_mismatch";
/// No server time anchor covers this boot: only the device clock vouches for the time.
pub const UNANCHORED: &str = "unanchored";
/// The device clock disagrees with the anchored time beyond its bound plus [`TIME_TOLERANCE_MS`].
pub const DEVICE_CLOCK_WRONG: &str = "device_clock_wrong";
/// No thumbnail or preview could be made (format without a decoder, or damaged pixel data).
pub const NO_PREVIEW: &str = "no_preview";
/// On a follow-up entry: its fix was found after the capture it names (saved at once without one).
pub const LATE_FIX: &str = "late_fix";

/// A fix older than this (5 minutes) is stale.
pub const STALE_FIX_MS: i64 = 5 * 60 * 1000;
/// Accuracy radius above which a fix is flagged as low accuracy.
pub const LOW_ACCURACY_M: f64 = 100.0;
/// How long after a capture a fix may be taken and still be recorded for it (2 minutes): a worker on foot
/// covers about 150 m in that time, so a later fix says too little about where the capture happened.
pub const LATE_FIX_WINDOW_MS: i64 = 2 * 60 * 1000;
/// Clock disagreement tolerated before flagging (2 minutes: camera apps hand over files late).
pub const TIME_TOLERANCE_MS: i64 = 2 * 60 * 1000;

/// zh-CN and English wording of a flag for coordinators.
pub fn describe(flag: &str) -> (&'static str, &'static str) {
    match flag {
        NO_FIX => ("拍摄时无定位", "no location fix at capture"),
        MOCK_LOCATION => ("定位来自模拟位置应用", "location came from a mock-location app"),
        STALE_FIX => ("定位已过时（超过5分钟）", "location fix older than 5 minutes"),
        LOW_ACCURACY => ("定位精度低（超过100米）", "location accuracy worse than 100 m"),
        EXIF_TIME_MISMATCH => ("照片内时间与手机时间不一致", "photo's EXIF time disagrees with the phone clock"),
        EXIF_GPS_MISMATCH => ("照片内位置与定位不一致", "photo's EXIF location disagrees with the fix"),
        UNANCHORED => ("时间未经服务器校准", "time not anchored to the server"),
        DEVICE_CLOCK_WRONG => ("手机时钟不准", "phone clock is wrong"),
        NO_PREVIEW => ("无法生成预览", "no preview could be made"),
        LATE_FIX => ("定位在拍摄之后获得（两分钟内）", "location found after the capture (within 2 minutes)"),
        _ => ("未知标记", "unknown flag"),
    }
}

/// zh-CN and English wording of what a flag puts in doubt, said after its [`describe`] words:
/// a coordinator must be able to tell the city why an item is doubtful (存疑), not just that it is.
pub fn doubt(flag: &str) -> (&'static str, &'static str) {
    match flag {
        NO_FIX => ("拍摄地点无从确认", "the place cannot be confirmed"),
        MOCK_LOCATION => ("记录的地点可能是伪造的", "the recorded place may be faked"),
        STALE_FIX => ("记录的地点可能不是拍摄时所在的位置", "the place may not be where the capture happened"),
        LOW_ACCURACY => ("地点只能确定在较大范围内", "the place is known only roughly"),
        EXIF_TIME_MISMATCH => (
            "照片可能不是此时拍摄的（如旧照片或导入的照片）",
            "the photo may not have been taken at this time (an old or imported picture)",
        ),
        EXIF_GPS_MISMATCH => ("照片可能不是在此地拍摄的", "the photo may not have been taken at this place"),
        UNANCHORED => {
            ("拍摄时间只凭手机时钟，手机时间可以手动修改", "the capture time rests on the phone clock alone, which can be set by hand")
        }
        DEVICE_CLOCK_WRONG => ("手机显示的时间不可信，应以校准后的时间为准", "the phone's own time is wrong; rely on the anchored time"),
        NO_PREVIEW => ("此处无法显示画面，须打开原件查看", "the picture cannot be shown here; open the original"),
        LATE_FIX => {
            ("地点是拍摄后测得的，拍摄时可能在附近别处", "the place was measured after the capture, which may have been nearby instead")
        }
        _ => ("本服务器不认识此标记，含义无法确认", "this server does not know the flag, so its meaning cannot be confirmed"),
    }
}

/// Flags about the fix and the anchored time, common to every capture.
pub fn context_flags(c: &CaptureRecord, anchored: Option<&AnchoredTime>) -> Vec<String> {
    let mut flags = Vec::new();
    match &c.fix {
        None => flags.push(NO_FIX),
        Some(fix) => {
            if fix.is_mock {
                flags.push(MOCK_LOCATION);
            }
            if c.device_time_ms - fix.fix_time_ms > STALE_FIX_MS {
                flags.push(STALE_FIX);
            }
            if fix.accuracy_m > LOW_ACCURACY_M {
                flags.push(LOW_ACCURACY);
            }
        }
    }
    match anchored {
        None => flags.push(UNANCHORED),
        Some(a) => {
            if (c.device_time_ms - a.utc_ms).unsigned_abs() > a.bound_ms + TIME_TOLERANCE_MS as u64 {
                flags.push(DEVICE_CLOCK_WRONG);
            }
        }
    }
    flags.into_iter().map(String::from).collect()
}

/// Flags comparing a photo's EXIF with the capture context.
pub fn exif_flags(c: &CaptureRecord, exif: &ExifSummary) -> Vec<String> {
    let mut flags = Vec::new();
    if let Some(taken) = exif.taken_at.as_deref().and_then(|t| exif_time_ms(t, c.utc_offset_min)) {
        if (taken - c.device_time_ms).abs() > TIME_TOLERANCE_MS {
            flags.push(EXIF_TIME_MISMATCH.to_string());
        }
    }
    if let (Some(gps), Some(fix)) = (&exif.gps, &c.fix) {
        let d = distance_m(gps.lat, gps.lon, fix.lat, fix.lon);
        // Two accuracy radii (the camera's own fix is no better than the phone's) plus slack.
        if d > 2.0 * fix.accuracy_m + 25.0 {
            flags.push(EXIF_GPS_MISMATCH.to_string());
        }
    }
    flags
}

/// EXIF time to Unix ms; a time without offset is read in the device's offset.
pub fn exif_time_ms(taken_at: &str, utc_offset_min: i32) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(taken_at) {
        return Some(t.timestamp_millis());
    }
    let naive = NaiveDateTime::parse_from_str(taken_at, "%Y-%m-%dT%H:%M:%S").ok()?;
    let tz = FixedOffset::east_opt(utc_offset_min.checked_mul(60)?)?;
    tz.from_local_datetime(&naive).single().map(|t| t.timestamp_millis())
}

/// Great-circle distance in metres (haversine, mean Earth radius).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::exif::GpsPoint;
    use crate::evidence::LocationFix;

    fn record(fix: Option<LocationFix>) -> CaptureRecord {
        CaptureRecord { device_time_ms: 1_700_000_000_000, utc_offset_min: 480, monotonic_ms: 1, boot_id: "b".into(), fix }
    }

    fn fix(lat: f64, lon: f64, acc: f64) -> LocationFix {
        LocationFix { lat, lon, accuracy_m: acc, altitude_m: None, provider: "gps".into(), is_mock: false, fix_time_ms: 1_700_000_000_000 }
    }

    #[test]
    fn no_fix_and_unanchored_are_flagged() {
        assert_eq!(context_flags(&record(None), None), vec![NO_FIX, UNANCHORED]);
    }

    #[test]
    fn exif_disagreements() {
        // 1_700_000_000_000 ms = 2023-11-14T22:13:20Z = 2023-11-15T06:13:20+08:00
        let c = record(Some(fix(39.9, 116.4, 10.0)));
        let mut exif = ExifSummary {
            taken_at: Some("2023-11-15T06:13:20".into()),
            gps: Some(GpsPoint { lat: 39.9001, lon: 116.4, alt: None }),
            make: None,
            model: None,
            orientation: 1,
        };
        assert!(exif_flags(&c, &exif).is_empty(), "11 m apart, same time");
        exif.taken_at = Some("2023-11-15T06:13:20+00:00".into());
        exif.gps = Some(GpsPoint { lat: 39.91, lon: 116.4, alt: None });
        assert_eq!(exif_flags(&c, &exif), vec![EXIF_TIME_MISMATCH, EXIF_GPS_MISMATCH]);
    }

    #[test]
    fn haversine_is_sane() {
        let d = distance_m(39.9, 116.4, 39.9 + 1.0 / 111.195, 116.4);
        assert!((d - 1000.0).abs() < 1.0, "{d}");
    }
}
