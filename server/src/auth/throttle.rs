//! Login throttling. Every password check costs an argon2 hash and gives a
//! guesser one try, so attempts are limited per account (one person's
//! password cannot be guessed faster than a few a minute) and per source
//! address (one machine cannot spray many accounts). Limits are GCRA buckets
//! from `governor`: a burst of N, refilled at N a minute. A refused attempt
//! checks no password at all, right or wrong, so a guesser learns nothing.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::http::StatusCode;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;
use siteproof_protocol::wire::error_code::ErrorCode;

/// Per-account and per-address login limits.
pub struct LoginThrottle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

/// A refused attempt: how long until the next one may be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Whole seconds to wait (at least 1), as `Retry-After` says it.
    pub retry_after_s: u64,
}

impl Throttled {
    /// The API's 429 answer, with `Retry-After`.
    pub fn into_api_error(self) -> ApiError {
        let n = self.retry_after_s;
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
            &format!("登录尝试过多，请 {n} 秒后再试"),
            &format!("too many login attempts; try again in {n} seconds"),
        )
        .with_header("retry-after", &n.to_string())
    }
}

impl From<Throttled> for ApiError {
    fn from(t: Throttled) -> Self {
        t.into_api_error()
    }
}

/// A refused look-up: the wait until the bucket allows one again.
fn refusal(n: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> Throttled {
    let wait = n.wait_time_from(DefaultClock::default().now());
    // Rounded up: retrying at the announced second must succeed.
    Throttled { retry_after_s: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1) }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least 1"))
}

/// The key an address is counted under: an IPv6 host usually owns a whole
/// /64, so it counts as one; an IPv4-mapped address counts as its IPv4 one.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The account an attempt is counted under: the name as the lookup sees it.
fn account_key(username: &str) -> String {
    username.trim().chars().take(128).collect()
}

impl LoginThrottle {
    /// Limits of `per_account` and `per_address` attempts a minute.
    pub fn new(per_account: u32, per_address: u32) -> Self {
        LoginThrottle {
            per_account: RateLimiter::dashmap(per_minute(per_account)),
            per_address: RateLimiter::dashmap(per_minute(per_address)),
        }
    }

    /// Spends one attempt of the address and one of the account, or says how long to wait.
    pub fn check(&self, from: IpAddr, username: &str) -> Result<(), Throttled> {
        self.per_address.check_key(&address_key(from)).map_err(refusal)?;
        self.per_account.check_key(&account_key(username)).map_err(refusal)?;
        Ok(())
    }

    /// Forgets addresses and accounts whose buckets are full again, so names a
    /// guesser made up do not stay in memory.
    pub fn forget_recovered(&self) {
        self.per_address.retain_recent();
        self.per_account.retain_recent();
        self.per_address.shrink_to_fit();
        self.per_account.shrink_to_fit();
    }
}

/// A per-address limit for a public page a guesser could walk (the share-copy
/// check): a burst of N look-ups, refilled at N a minute.
pub struct AddressThrottle {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl AddressThrottle {
    /// A limit of `per_address` look-ups a minute.
    pub fn new(per_address: u32) -> Self {
        AddressThrottle { per_address: RateLimiter::dashmap(per_minute(per_address)) }
    }

    /// Spends one look-up of the address, or says how long to wait.
    pub fn check(&self, from: IpAddr) -> Result<(), Throttled> {
        self.per_address.check_key(&address_key(from)).map_err(refusal)
    }

    /// Forgets addresses whose buckets are full again.
    pub fn forget_recovered(&self) {
        self.per_address.retain_recent();
        self.per_address.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refusal_with_a_wait_and_keys_are_separate() {
        let t = LoginThrottle::new(3, 100);
        let me: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            t.check(me, "coord_a").unwrap();
        }
        let refused = t.check(me, " coord_a ").unwrap_err();
        assert!((1..=60).contains(&refused.retry_after_s), "{refused:?}");
        t.check(me, "coord_b").unwrap();
    }

    #[test]
    fn one_ipv6_slash_64_is_one_address() {
        let t = LoginThrottle::new(100, 2);
        t.check("2001:db8::1".parse().unwrap(), "a").unwrap();
        t.check("2001:db8::2".parse().unwrap(), "b").unwrap();
        assert!(t.check("2001:db8::ffff".parse().unwrap(), "c").is_err());
        t.check("2001:db8:0:1::1".parse().unwrap(), "d").unwrap();
        assert_eq!(address_key("::ffff:192.0.2.7".parse().unwrap()), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
