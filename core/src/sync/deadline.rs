//! One deadline for a whole sync run. `SyncOptions::wait_for_backoff_ms`
//! (`siteproof sync --wait N`) bounds the time anchor, the order exchange and
//! the outbox together, so a run always returns: every step gets its first
//! attempt, and a failed step is tried again only while its next attempt
//! falls before the deadline. Waiting polls for cancel, so the app can stop
//! a run that is only sleeping.

use std::time::Duration;

use super::api::CallResult;
use super::progress::SyncObserver;
use crate::device::now_ms;
use crate::error::{Error, Failure, Result};
use crate::queue::retry_delay_ms;

/// Longest sleep between polls for cancel.
const CANCEL_POLL: Duration = Duration::from_millis(200);

/// When a sync run must stop waiting, Unix ms.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunDeadline {
    at_ms: i64,
}

impl RunDeadline {
    /// A deadline `wait_ms` from now.
    pub(crate) fn starting_now(wait_ms: u64) -> RunDeadline {
        RunDeadline { at_ms: now_ms().saturating_add(i64::try_from(wait_ms).unwrap_or(i64::MAX)) }
    }

    /// Whether an attempt at `at_ms` still belongs to this run.
    pub(crate) fn allows(&self, at_ms: i64) -> bool {
        at_ms <= self.at_ms
    }

    /// Sleeps until `until_ms`, returning `Cancelled` as soon as the observer asks to stop.
    pub(crate) fn sleep_until(&self, until_ms: i64, observer: &dyn SyncObserver) -> Result<()> {
        loop {
            if observer.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let left = until_ms - now_ms();
            if left <= 0 {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(left as u64).min(CANCEL_POLL));
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or its next try (with
    /// the outbox's backoff, never sooner than the server asked) would fall
    /// after the deadline; then the last failure is returned.
    pub(crate) fn retrying<T>(&self, what: &str, observer: &dyn SyncObserver, mut attempt: impl FnMut() -> CallResult<T>) -> CallResult<T> {
        let mut failures = 0;
        loop {
            if observer.is_cancelled() {
                return Err(Error::Cancelled.into());
            }
            let refusal = match attempt() {
                Err(Failure::Refused(r)) => r,
                done => return done,
            };
            let Some(server_asked) = refusal.retry.retry_later() else {
                return Err(Failure::Refused(refusal));
            };
            let next = now_ms() + retry_delay_ms(failures, server_asked, &mut rand::thread_rng());
            failures += 1;
            if !self.allows(next) {
                return Err(Failure::Refused(refusal));
            }
            tracing::info!("{what} will be retried: {}", refusal.message);
            self.sleep_until(next, observer)?;
        }
    }
}
