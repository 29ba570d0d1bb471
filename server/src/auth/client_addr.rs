//! Where a request comes from, and whether the browser used https. By
//! default that is the TCP peer: forwarded headers are set by whoever sends
//! the request, so believing them would let a guesser pick a fresh address
//! per attempt. Only with `trust_proxy` (the server sits behind a reverse
//! proxy that sets them) are X-Forwarded-For and X-Forwarded-Proto used, and
//! then only the entry the proxy itself appended: the last one.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::state::AppState;

/// The source address a request is counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The address the nearest proxy saw: the last X-Forwarded-For entry.
fn forwarded_for(h: &HeaderMap) -> Option<IpAddr> {
    let last = h.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
    last.rsplit(',').next()?.trim().parse().ok()
}

/// Resolves the client address of a request's parts.
pub fn client_addr(parts: &Parts, trust_proxy: bool) -> IpAddr {
    if trust_proxy {
        if let Some(ip) = forwarded_for(&parts.headers) {
            return ip;
        }
    }
    // Requests served without our accept loop (in-process tests) have no peer; they share one key.
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Whether the browser reached us over https: the configured public URL says
/// so, or a trusted proxy does.
pub fn browser_uses_https(h: &HeaderMap, public_https: bool, trust_proxy: bool) -> bool {
    public_https
        || (trust_proxy
            && h.get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https")))
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts, st.config.trust_proxy)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(headers: &[(&str, &str)], peer: Option<&str>) -> Parts {
        let mut b = Request::builder();
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let (mut p, _) = b.body(()).unwrap().into_parts();
        if let Some(peer) = peer {
            p.extensions.insert(ConnectInfo::<SocketAddr>(peer.parse().unwrap()));
        }
        p
    }

    #[test]
    fn peer_by_default_last_forwarded_entry_only_when_trusted() {
        let p = parts(&[("x-forwarded-for", "203.0.113.9, 198.51.100.4")], Some("10.0.0.2:5555"));
        assert_eq!(client_addr(&p, false), "10.0.0.2".parse::<IpAddr>().unwrap());
        assert_eq!(client_addr(&p, true), "198.51.100.4".parse::<IpAddr>().unwrap());
        let junk = parts(&[("x-forwarded-for", "not an address")], Some("10.0.0.2:5555"));
        assert_eq!(client_addr(&junk, true), "10.0.0.2".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn https_from_public_url_or_a_trusted_proxy() {
        let mut h = HeaderMap::new();
        assert!(browser_uses_https(&h, true, false));
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(!browser_uses_https(&h, false, false));
        assert!(browser_uses_https(&h, false, true));
    }
}
