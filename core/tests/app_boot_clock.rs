//! A phone app's own boot clock (Android `elapsedRealtimeNanos`, iOS
//! `mach_continuous_time`) replaces the core's reading for the whole process:
//! captures carry it, and it cannot be swapped once chosen. Its own test
//! binary, because the choice is process-wide.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use siteproof_core::platform::{boot_clock_ms, boot_id, set_boot_clock, BootClock};
use siteproof_core::{CaptureContext, Error};

struct FakePhone {
    elapsed: Arc<AtomicU64>,
}

impl BootClock for FakePhone {
    fn elapsed_ms(&self) -> u64 {
        self.elapsed.load(Ordering::SeqCst)
    }

    fn boot_id(&self) -> String {
        "android-boot-7".into()
    }
}

#[test]
fn captures_carry_the_apps_boot_clock_once_it_is_set() {
    let elapsed = Arc::new(AtomicU64::new(42_000));
    set_boot_clock(Box::new(FakePhone { elapsed: elapsed.clone() })).unwrap();
    let ctx = CaptureContext::now_on_this_machine().unwrap();
    assert_eq!((ctx.monotonic_ms, ctx.boot_id.as_str()), (42_000, "android-boot-7"));
    elapsed.store(43_500, Ordering::SeqCst);
    assert_eq!((boot_clock_ms().unwrap(), boot_id().unwrap()), (43_500, "android-boot-7".to_string()));

    let again = set_boot_clock(Box::new(FakePhone { elapsed: Arc::new(AtomicU64::new(1)) }));
    assert!(matches!(again, Err(Error::InvalidInput(_))), "{again:?}");
    assert_eq!(boot_clock_ms().unwrap(), 43_500, "a second clock must not replace the first");
}
