//! Location for the capture screens: which provider to ask (the core decides
//! from what the platform reports, so a phone without Play services never
//! calls the fused provider), and a fix that arrives after a capture was
//! already saved without one.

use siteproof_core::{CaptureContext, EvidenceItem, FixStatus, LocationChoice, LocationFix, LocationPlatform};

use crate::device::SiteproofDevice;
use crate::error::Result;

/// The providers to ask, best first, and what to tell the worker, from what the platform reports.
#[uniffi::export]
pub fn choose_location_provider(platform: LocationPlatform) -> LocationChoice {
    siteproof_core::choose_location_provider(platform)
}

#[uniffi::export]
impl SiteproofDevice {
    /// Records a fix found within two minutes after a capture saved without one (a new signed entry).
    pub fn record_late_fix(&self, item_id: String, fix: LocationFix, context: CaptureContext) -> Result<EvidenceItem> {
        Ok(self.inner.record_late_fix(&item_id, fix, context)?)
    }

    /// Where a capture's location stands at `now_ms` (device wall clock): at capture, pending, late, none.
    pub fn fix_status(&self, item_id: String, now_ms: i64) -> Result<FixStatus> {
        Ok(self.inner.fix_status(&item_id, now_ms)?)
    }
}
