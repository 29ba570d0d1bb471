//! The clock readings a capture carries. The core reads the boot clock and
//! boot id itself when it anchors time during sync, so captures must use the
//! same readings or they could never be anchored: the apps ask here instead
//! of reading SystemClock or ProcessInfo on their own. By default the core
//! reads this phone's clock itself (CLOCK_BOOTTIME on Android,
//! mach_continuous_time on iOS); an app that must supply its own readings
//! passes a `PhoneBootClock` once, before opening the store.

use std::sync::Arc;

use siteproof_core::platform::{set_boot_clock, BootClock};
use siteproof_core::{CaptureContext, LocationFix};

use crate::error::Result;

/// A capture context stamped now with this phone's clocks, plus the fix, order and visit.
#[uniffi::export]
pub fn capture_context_now(fix: Option<LocationFix>, order_number: Option<String>, visit_id: Option<String>) -> Result<CaptureContext> {
    Ok(CaptureContext { fix, order_number, visit_id, ..CaptureContext::now_on_this_machine()? })
}

/// Implemented by an app that supplies the boot clock itself.
#[uniffi::export(foreign)]
pub trait PhoneBootClock: Send + Sync {
    /// Milliseconds since boot, counting time asleep (Android `SystemClock.elapsedRealtimeNanos() / 1_000_000`,
    /// iOS `clock_gettime_nsec_np(CLOCK_MONOTONIC) / 1_000_000`; not `ProcessInfo.systemUptime`, which stops in sleep).
    fn elapsed_since_boot_ms(&self) -> u64;
    /// The same for the whole boot, different after a restart (Android `Settings.Global.BOOT_COUNT`).
    fn boot_id(&self) -> String;
}

struct AppClock(Arc<dyn PhoneBootClock>);

impl BootClock for AppClock {
    fn elapsed_ms(&self) -> u64 {
        self.0.elapsed_since_boot_ms()
    }

    fn boot_id(&self) -> String {
        self.0.boot_id()
    }
}

/// Makes every later reading of this process (captures and time anchors) come
/// from `clock`. Call once, before `SiteproofDevice.open`; a second call fails with `InvalidInput`.
#[uniffi::export]
pub fn use_phone_boot_clock(clock: Arc<dyn PhoneBootClock>) -> Result<()> {
    Ok(set_boot_clock(Box::new(AppClock(clock)))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SiteproofError;

    struct Fixed;

    impl PhoneBootClock for Fixed {
        fn elapsed_since_boot_ms(&self) -> u64 {
            9_000
        }

        fn boot_id(&self) -> String {
            "ios-session-1".into()
        }
    }

    #[test]
    fn the_phones_clock_stamps_captures_and_is_chosen_once() {
        use_phone_boot_clock(Arc::new(Fixed)).unwrap();
        let ctx = capture_context_now(None, Some("A-1".into()), None).unwrap();
        assert_eq!((ctx.monotonic_ms, ctx.boot_id.as_str(), ctx.order_number.as_deref()), (9_000, "ios-session-1", Some("A-1")));
        assert!(matches!(use_phone_boot_clock(Arc::new(Fixed)), Err(SiteproofError::InvalidInput { .. })));
    }
}
