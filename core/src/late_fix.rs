//! A capture never waits for a location fix. On phones without Google Play
//! services a fix can take many seconds or never come, and a camera screen
//! that waited (or crashed) lost the photo, voice note or note. So the app
//! saves the capture at once, at the time recording started, with the fix it
//! has (none: flagged `no_fix`), and when a fix is found within
//! [`LATE_FIX_WINDOW_MS`] of the capture it hands it over here. A signed entry
//! never changes after signing, so the fix becomes a follow-up entry: an
//! `attach` entry naming the capture and its manifest hash, carrying the fix
//! as its own capture fix, flagged `late_fix`, with the delay and accuracy in
//! words. This needs no new manifest field or entry kind, so manifests signed
//! before keep their exact bytes and every existing reader accepts it.

use serde::{Deserialize, Serialize};

use crate::capture::{CaptureContext, EvidenceItem};
use crate::device::Device;
use crate::error::{Error, Result};
use crate::evidence::{AttachRef, EntryKind, LocationFix};
use crate::flags::{LATE_FIX, LATE_FIX_WINDOW_MS, NO_FIX};
use crate::store::entries;

/// Where a capture's location stands, as the item screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FixStatus {
    /// The capture was signed with a fix.
    AtCapture,
    /// Saved without a fix; one found before `until_ms` (device clock) can still be recorded.
    Pending {
        /// End of the window, device wall clock, Unix ms.
        until_ms: i64,
    },
    /// A follow-up entry records a fix found after the capture.
    Late {
        /// The follow-up entry.
        fix_item_id: String,
        /// How long after the capture the fix was taken.
        delay_ms: u64,
        /// The fix's accuracy radius in metres.
        accuracy_m: f64,
    },
    /// No fix at capture and none within the window: the capture stays flagged `no_fix`.
    NoFix,
}

impl Device {
    /// Records a fix found after `item_id` was captured without one, as a new signed entry naming it.
    /// `ctx` holds the clocks when the fix arrived; its own fix, order and visit are replaced by
    /// `fix` and the capture's order and visit.
    pub fn record_late_fix(&self, item_id: &str, fix: LocationFix, ctx: CaptureContext) -> Result<EvidenceItem> {
        fix.validate()?;
        let (target, signed) = self.get_item_with_manifest(item_id)?;
        if target.kind == EntryKind::Attach {
            return Err(Error::InvalidInput(
                "归档记录没有拍摄地点，不能补记定位 / an attach entry has no place of its own to add a fix to".into(),
            ));
        }
        if signed.open()?.capture.fix.is_some() || !target.flags.iter().any(|f| f == NO_FIX) {
            return Err(Error::InvalidInput("该记录拍摄时已有定位 / this capture already has a location fix".into()));
        }
        let existing = entries::late_fix_of(&*self.db()?, item_id)?;
        if let Some(existing) = existing {
            return Err(Error::InvalidInput(format!("该记录已补记定位（{existing}） / this capture already has a late fix ({existing})")));
        }
        let delay_ms = late_fix_delay_ms(target.device_time_ms, &fix)?;
        let text = format!(
            "定位于拍摄后 {s} 秒获得，精度 {acc:.0} 米 / location fix came {s} s after the capture, accuracy {acc:.0} m",
            s = delay_ms / 1000,
            acc = fix.accuracy_m
        );
        let ctx = CaptureContext { fix: Some(fix), order_number: target.order_number.clone(), visit_id: target.visit_id.clone(), ..ctx };
        let attach = AttachRef { item_id: target.item_id.clone(), manifest_hash: target.manifest_hash.clone() };
        let entry = self.append_entry(
            &ctx,
            EntryKind::Attach,
            |m| {
                m.attach = Some(attach);
                m.text = Some(text);
                m.flags.push(LATE_FIX.to_string());
            },
            None,
        )?;
        self.get_item(&entry)
    }

    /// Where `item_id`'s location stands at `now_ms` (device wall clock).
    pub fn fix_status(&self, item_id: &str, now_ms: i64) -> Result<FixStatus> {
        let (target, signed) = self.get_item_with_manifest(item_id)?;
        if signed.open()?.capture.fix.is_some() {
            return Ok(FixStatus::AtCapture);
        }
        // Bound first so the store lock is released before the follow-up is read.
        let late = entries::late_fix_of(&*self.db()?, item_id)?;
        if let Some(fix_item_id) = late {
            let fix = self.get_item_with_manifest(&fix_item_id)?.1.open()?.capture.fix;
            let fix = fix.ok_or_else(|| {
                Error::Integrity(format!("补记定位记录 {fix_item_id} 没有定位 / late-fix entry {fix_item_id} carries no fix"))
            })?;
            let delay_ms = (fix.fix_time_ms - target.device_time_ms).max(0) as u64;
            return Ok(FixStatus::Late { fix_item_id, delay_ms, accuracy_m: fix.accuracy_m });
        }
        let until_ms = target.device_time_ms + LATE_FIX_WINDOW_MS;
        Ok(if now_ms <= until_ms { FixStatus::Pending { until_ms } } else { FixStatus::NoFix })
    }
}

/// How long after the capture the fix was taken; refuses fixes from before the capture or after the window.
fn late_fix_delay_ms(captured_ms: i64, fix: &LocationFix) -> Result<u64> {
    let delay = fix.fix_time_ms - captured_ms;
    if delay < 0 {
        // A fix the phone already had belongs in the capture itself (with `stale_fix` if old).
        return Err(Error::InvalidInput(
            "定位早于拍摄，不能作为补记定位 / the fix was taken before the capture, so it is not a late fix".into(),
        ));
    }
    if delay > LATE_FIX_WINDOW_MS {
        return Err(Error::InvalidInput(format!(
            "定位晚于拍摄 {} 秒，超过两分钟，不能说明拍摄地点 / the fix came {} s after the capture, more than 2 minutes, too late to place it",
            delay / 1000,
            delay / 1000
        )));
    }
    Ok(delay as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix_at(t: i64) -> LocationFix {
        LocationFix {
            lat: 30.0,
            lon: 114.3,
            accuracy_m: 20.0,
            altitude_m: None,
            provider: "network".into(),
            is_mock: false,
            fix_time_ms: t,
        }
    }

    #[test]
    fn the_window_is_inclusive_and_one_sided() {
        assert_eq!(late_fix_delay_ms(1_000, &fix_at(1_000)).unwrap(), 0);
        assert_eq!(late_fix_delay_ms(1_000, &fix_at(1_000 + LATE_FIX_WINDOW_MS)).unwrap(), LATE_FIX_WINDOW_MS as u64);
        assert!(matches!(late_fix_delay_ms(1_000, &fix_at(1_001 + LATE_FIX_WINDOW_MS)), Err(Error::InvalidInput(_))));
        assert!(matches!(late_fix_delay_ms(1_000, &fix_at(999)), Err(Error::InvalidInput(_))));
    }
}
