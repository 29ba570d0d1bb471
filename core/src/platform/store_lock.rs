//! The store's process lock: one opener per store, because the open-time
//! sweep of unreferenced blobs is only safe when no other process is
//! mid-capture. `flock` on every Unix (Linux, Android, iOS, macOS); other
//! targets say they cannot lock rather than open a store unguarded.

use std::fs::File;
use std::io;

/// Takes an exclusive lock on `file` without waiting; `WouldBlock` when another process holds it.
#[cfg(unix)]
pub(crate) fn lock_exclusive(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a valid, owned descriptor has no memory effects.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// No file lock is known on this target.
#[cfg(not(unix))]
pub(crate) fn lock_exclusive(_file: &File) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "此平台无法锁定存储 / this platform cannot lock the store"))
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn a_second_descriptor_cannot_take_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("lock");
        let first = std::fs::File::create(&path).unwrap();
        super::lock_exclusive(&first).unwrap();
        let second = std::fs::File::open(&path).unwrap();
        assert_eq!(super::lock_exclusive(&second).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
        drop(first);
        super::lock_exclusive(&second).unwrap();
    }
}
