//! The clock readings a capture carries. The core reads the boot clock and
//! boot id itself when it anchors time during sync, so captures must use the
//! same readings or they could never be anchored: the apps ask here instead
//! of reading SystemClock or ProcessInfo on their own.

use siteproof_core::{CaptureContext, LocationFix};

use crate::error::Result;

/// A capture context stamped now with this phone's clocks, plus the fix, order and visit.
#[uniffi::export]
pub fn capture_context_now(fix: Option<LocationFix>, order_number: Option<String>, visit_id: Option<String>) -> Result<CaptureContext> {
    Ok(CaptureContext { fix, order_number, visit_id, ..CaptureContext::now_on_this_machine()? })
}
