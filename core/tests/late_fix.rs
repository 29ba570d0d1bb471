//! A capture is saved at once without waiting for a location fix; a fix found
//! within two minutes is added as a signed follow-up entry naming it, and a
//! capture whose fix never comes stays flagged `no_fix`. The chain verifies.

use siteproof_core::evidence::EntryKind;
use siteproof_core::flags::{LATE_FIX, LATE_FIX_WINDOW_MS, NO_FIX};
use siteproof_core::{CaptureContext, Device, Error, FixStatus, LocationFix};

const SECRET: &[u8] = b"test-secret-0123456789abcdef";
const RECORDING_STARTED_MS: i64 = 1_795_000_000_000;

/// The clocks at `device_time_ms`, with no fix: what a phone without Play services has at the shutter.
fn ctx(device_time_ms: i64) -> CaptureContext {
    CaptureContext {
        fix: None,
        device_time_ms,
        utc_offset_min: 480,
        monotonic_ms: (device_time_ms - RECORDING_STARTED_MS + 50_000) as u64,
        boot_id: "boot-1".into(),
        order_number: None,
        visit_id: None,
    }
}

fn network_fix(fix_time_ms: i64) -> LocationFix {
    LocationFix { lat: 30.5928, lon: 114.3055, accuracy_m: 35.0, altitude_m: None, provider: "network".into(), is_mock: false, fix_time_ms }
}

#[test]
fn capture_is_saved_at_once_and_gains_a_late_fix_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device::open(dir.path(), SECRET).unwrap();
    let note = d.add_note("3号楼外墙脱落 / facade falling at building 3", ctx(RECORDING_STARTED_MS)).unwrap();
    assert_eq!(note.device_time_ms, RECORDING_STARTED_MS, "the time is when recording started, not when a fix came");
    assert!(note.flags.iter().any(|f| f == NO_FIX), "{:?}", note.flags);
    assert_eq!(
        d.fix_status(&note.item_id, RECORDING_STARTED_MS + 1_000).unwrap(),
        FixStatus::Pending { until_ms: RECORDING_STARTED_MS + LATE_FIX_WINDOW_MS }
    );

    let arrived = RECORDING_STARTED_MS + 40_000;
    let follow = d.record_late_fix(&note.item_id, network_fix(RECORDING_STARTED_MS + 38_000), ctx(arrived)).unwrap();
    assert_eq!(follow.kind, EntryKind::Attach);
    assert_eq!(follow.seq, note.seq + 1);
    assert!(follow.flags.iter().any(|f| f == LATE_FIX), "{:?}", follow.flags);
    assert!(!follow.flags.iter().any(|f| f == NO_FIX), "{:?}", follow.flags);
    let m = d.get_item_with_manifest(&follow.item_id).unwrap().1.open().unwrap();
    let target = m.attach.expect("names the capture");
    assert_eq!((target.item_id.as_str(), target.manifest_hash.as_str()), (note.item_id.as_str(), note.manifest_hash.as_str()));
    assert_eq!(m.capture.fix.as_ref().map(|f| f.accuracy_m), Some(35.0));
    assert_eq!(m.text.as_deref(), Some("定位于拍摄后 38 秒获得，精度 35 米 / location fix came 38 s after the capture, accuracy 35 m"));

    // The capture itself is unchanged: same hash, still flagged no_fix.
    let again = d.get_item(&note.item_id).unwrap();
    assert_eq!((again.manifest_hash, again.flags), (note.manifest_hash.clone(), note.flags.clone()));
    assert_eq!(
        d.fix_status(&note.item_id, arrived).unwrap(),
        FixStatus::Late { fix_item_id: follow.item_id.clone(), delay_ms: 38_000, accuracy_m: 35.0 }
    );
    // One late fix per capture.
    let second = d.record_late_fix(&note.item_id, network_fix(RECORDING_STARTED_MS + 50_000), ctx(arrived + 10_000));
    assert!(matches!(second, Err(Error::InvalidInput(_))), "{second:?}");
    let report = d.verify().unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.entries, 2);
}

#[test]
fn capture_whose_fix_never_comes_stays_flagged_without_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device::open(dir.path(), SECRET).unwrap();
    let note = d.add_note("楼道堆物 / clutter in the stairwell", ctx(RECORDING_STARTED_MS)).unwrap();
    assert!(note.flags.iter().any(|f| f == NO_FIX), "{:?}", note.flags);
    let after_window = RECORDING_STARTED_MS + LATE_FIX_WINDOW_MS + 1;
    assert_eq!(d.fix_status(&note.item_id, after_window).unwrap(), FixStatus::NoFix);
    // A fix taken after the window says too little about where the capture happened.
    let late = d.record_late_fix(&note.item_id, network_fix(after_window), ctx(after_window + 5_000));
    assert!(matches!(late, Err(Error::InvalidInput(_))), "{late:?}");
    assert_eq!(d.list_items(None, false).unwrap().len(), 1, "nothing was added");
    assert!(d.verify().unwrap().ok());
}

#[test]
fn a_capture_with_a_fix_takes_no_late_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device::open(dir.path(), SECRET).unwrap();
    let with_fix = CaptureContext { fix: Some(network_fix(RECORDING_STARTED_MS)), ..ctx(RECORDING_STARTED_MS) };
    let note = d.add_note("有定位 / with a fix", with_fix).unwrap();
    assert_eq!(d.fix_status(&note.item_id, RECORDING_STARTED_MS).unwrap(), FixStatus::AtCapture);
    let late = d.record_late_fix(&note.item_id, network_fix(RECORDING_STARTED_MS + 5_000), ctx(RECORDING_STARTED_MS + 6_000));
    assert!(matches!(late, Err(Error::InvalidInput(_))), "{late:?}");
}
