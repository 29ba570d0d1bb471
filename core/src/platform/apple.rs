//! Boot clock and boot id on iOS and macOS. `mach_continuous_time` keeps
//! counting while the phone sleeps (`mach_absolute_time` and
//! `ProcessInfo.systemUptime` stop), scaled by the Mach timebase; the boot id
//! is the kernel's boot session UUID, or the boot time where that is missing.

use std::ffi::CStr;
use std::io;
use std::ptr::null_mut;

use super::mach_time::{boot_id_from_boot_time, sysctl_text, ticks_to_ms};

/// Milliseconds since boot, counting time asleep.
pub(super) fn boot_clock_ms() -> io::Result<u64> {
    let mut timebase = mach2::mach_time::mach_timebase_info { numer: 0, denom: 0 };
    // SAFETY: mach_timebase_info writes into the struct we own.
    let rc = unsafe { mach2::mach_time::mach_timebase_info(&mut timebase) };
    if rc != mach2::kern_return::KERN_SUCCESS {
        return Err(io::Error::other(format!("mach_timebase_info failed ({rc})")));
    }
    // SAFETY: mach_continuous_time takes nothing and only returns a count.
    let ticks = unsafe { mach2::mach_time::mach_continuous_time() };
    ticks_to_ms(ticks, timebase.numer, timebase.denom)
        .ok_or_else(|| io::Error::other(format!("unusable Mach timebase {}/{}", timebase.numer, timebase.denom)))
}

/// This boot's id: `kern.bootsessionuuid`, else one made from `kern.boottime`.
pub(super) fn boot_id() -> io::Result<String> {
    // A missing or empty session UUID is not an error: the boot time still names the boot.
    if let Some(id) = sysctl_bytes(c"kern.bootsessionuuid").ok().and_then(|b| sysctl_text(&b)) {
        return Ok(id);
    }
    let t = boot_time()?;
    Ok(boot_id_from_boot_time(t.tv_sec, i64::from(t.tv_usec)))
}

fn sysctl_bytes(name: &CStr) -> io::Result<Vec<u8>> {
    let mut len: libc::size_t = 0;
    // SAFETY: with no buffer, sysctlbyname only writes the value's size into `len`.
    if unsafe { libc::sysctlbyname(name.as_ptr(), null_mut(), &mut len, null_mut(), 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut buf = vec![0u8; len];
    // SAFETY: `buf` is `len` bytes long and `len` tells the kernel so.
    if unsafe { libc::sysctlbyname(name.as_ptr(), buf.as_mut_ptr().cast(), &mut len, null_mut(), 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(len);
    Ok(buf)
}

fn boot_time() -> io::Result<libc::timeval> {
    let mut t = libc::timeval { tv_sec: 0, tv_usec: 0 };
    let mut len = std::mem::size_of::<libc::timeval>();
    // SAFETY: the kernel writes at most `len` bytes, the size of the timeval we own.
    let rc = unsafe { libc::sysctlbyname(c"kern.boottime".as_ptr(), (&mut t as *mut libc::timeval).cast(), &mut len, null_mut(), 0) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    if len != std::mem::size_of::<libc::timeval>() || t.tv_sec <= 0 {
        return Err(io::Error::other("kern.boottime returned no boot time"));
    }
    Ok(t)
}
