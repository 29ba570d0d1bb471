//! The desktop device's home directory and its sealing secret. A phone keeps
//! the secret in its keystore; the desktop keeps it in a 0600 file beside the
//! store, created once, atomically.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rand::RngCore;
use siteproof_core::{CaptureContext, Device, Error, LocationFix, Result};

use crate::args::{CaptureAt, FixArgs};

const SECRET_FILE: &str = "device.secret";

/// The store directory: --home, $SITEPROOF_HOME, or ~/.siteproof.
pub fn resolve(home: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(h) = home {
        return Ok(h);
    }
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".siteproof"))
        .ok_or_else(|| Error::InvalidInput("no --home given and $HOME is not set".into()))
}

/// Opens the device, creating the store and secret on first use.
pub fn open(home: &Path) -> Result<Device> {
    siteproof_core::store::private_fs::create_dir_all(home).map_err(|e| Error::from_io("create home", e))?;
    let secret = read_or_create_secret(home)?;
    Device::open(home.join("store"), &secret)
}

fn read_or_create_secret(home: &Path) -> Result<Vec<u8>> {
    let path = home.join(SECRET_FILE);
    match fs::read(&path) {
        Ok(s) => return Ok(s),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::from_io("read device secret", e)),
        Err(_) => {}
    }
    let mut secret = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut secret)
        .map_err(|e| Error::Key(format!("无法取得系统随机数 / the system random source failed: {e}")))?;
    let tmp = home.join(format!("{SECRET_FILE}.tmp"));
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| Error::from_io("create device secret", e))?;
    f.write_all(&secret).and_then(|_| f.sync_all()).map_err(|e| Error::from_io("write device secret", e))?;
    // hard_link fails if another process won the race; then use theirs.
    match fs::hard_link(&tmp, &path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::from_io("publish device secret", e)),
    }
    let _ = fs::remove_file(&tmp);
    fs::read(&path).map_err(|e| Error::from_io("read device secret", e))
}

/// A capture context from this machine's clocks plus the command line.
///
/// `SITEPROOF_CLOCK_SKEW_MS` shifts the device wall clock, so tests can play a
/// phone whose clock was set wrong by hand; evidence times must not depend on it.
pub fn capture_context(at: &CaptureAt) -> Result<CaptureContext> {
    let mut ctx = import_context(None)?;
    ctx.fix = fix(&at.fix, ctx.device_time_ms);
    ctx.order_number = at.order.clone();
    ctx.visit_id = at.visit.clone();
    Ok(ctx)
}

/// This machine's clocks for an import (no fix: nobody claims a received file was made here), under `order`.
pub fn import_context(order: Option<String>) -> Result<CaptureContext> {
    let mut ctx = CaptureContext::now_on_this_machine()?;
    if let Some(skew) = std::env::var("SITEPROOF_CLOCK_SKEW_MS").ok().and_then(|s| s.parse::<i64>().ok()) {
        ctx.device_time_ms += skew;
    }
    ctx.order_number = order;
    Ok(ctx)
}

/// The fix given on the command line, if any.
pub fn fix(f: &FixArgs, device_time_ms: i64) -> Option<LocationFix> {
    Some(LocationFix {
        lat: f.lat?,
        lon: f.lon?,
        accuracy_m: f.accuracy,
        altitude_m: f.alt,
        provider: f.provider.clone(),
        is_mock: f.mock,
        fix_time_ms: device_time_ms - f.fix_age_s * 1000,
    })
}
