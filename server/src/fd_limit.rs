//! The open-file limit the server needs. Every connection is a socket and,
//! while it uploads or streams a blob, an open file; the database pool and
//! the rest need a few dozen more. A soft limit below that turns a busy hour
//! into "too many open files", so at start the soft limit is raised toward
//! the hard one, and if even that is too low the connection cap is lowered to
//! fit, with a warning that says what to change.

/// Files one connection may hold: its socket and one blob or staging file.
pub const FILES_PER_CONNECTION: u64 = 2;
/// Files besides connections: database pool (database, WAL, shared memory
/// per connection), listener, key, logs, packet scratch files, headroom.
pub const RESERVED_FILES: u64 = 64;

/// Files needed for `max_connections`.
pub fn needed(max_connections: usize) -> u64 {
    max_connections as u64 * FILES_PER_CONNECTION + RESERVED_FILES
}

/// Raises the soft RLIMIT_NOFILE as far as needed (never past the hard
/// limit) and returns the connection cap that fits the limit in force.
pub fn fit_connections(max_connections: usize) -> usize {
    let need = needed(max_connections);
    let Some((soft, hard)) = current() else { return max_connections };
    let mut have = soft;
    if soft < need {
        let target = need.min(hard);
        if raise(target, hard) {
            have = target;
        }
    }
    if have >= need {
        return max_connections;
    }
    let fits = (have.saturating_sub(RESERVED_FILES) / FILES_PER_CONNECTION).max(1) as usize;
    tracing::warn!(
        open_file_limit = have,
        needed = need,
        max_connections,
        lowered_to = fits,
        "打开文件数上限过低，已降低连接上限；请提高 LimitNOFILE / ulimit -n / open file limit too low for the connection cap; lowered the cap (raise LimitNOFILE or ulimit -n)"
    );
    fits
}

#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // rlim_t is 32 bits on some targets
fn current() -> Option<(u64, u64)> {
    let mut l = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) } != 0 {
        return None;
    }
    Some((l.rlim_cur as u64, l.rlim_max as u64))
}

#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // rlim_t is 32 bits on some targets
fn raise(soft: u64, hard: u64) -> bool {
    let l = libc::rlimit { rlim_cur: soft as libc::rlim_t, rlim_max: hard as libc::rlim_t };
    // SAFETY: setrlimit reads the struct we own; raising the soft limit up to the hard one needs no privilege.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &l) == 0 }
}

#[cfg(not(unix))]
fn current() -> Option<(u64, u64)> {
    None
}

#[cfg(not(unix))]
fn raise(_soft: u64, _hard: u64) -> bool {
    false
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_cap_that_fits_is_kept_and_the_soft_limit_covers_it() {
        assert_eq!(needed(512), 1088);
        assert_eq!(fit_connections(8), 8);
        let (soft, _) = current().unwrap();
        assert!(soft >= needed(8));
    }
}
