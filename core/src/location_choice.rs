//! Which location provider a phone asks, in which order, and what the worker
//! is told about it. Phones sold in China often lack Google Play services
//! (Huawei, Honor), so the fused provider cannot be assumed; the app reports
//! what the platform has and the core decides, once for Android and iOS,
//! instead of each app guessing (and crashing when Play services are absent).

use serde::{Deserialize, Serialize};

/// The location permission the worker granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LocationPermission {
    /// Precise location (Android ACCESS_FINE_LOCATION, iOS precise).
    Fine,
    /// Approximate location only (Android ACCESS_COARSE_LOCATION, iOS reduced accuracy).
    Coarse,
    /// No location permission.
    Denied,
}

/// What the platform reports about location when a capture screen opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationPlatform {
    /// Google Play services is installed and usable (its fused provider exists).
    pub play_services: bool,
    /// The satellite (GNSS/GPS) provider is switched on.
    pub gnss_enabled: bool,
    /// The network (cell and Wi-Fi) provider is switched on.
    pub network_enabled: bool,
    /// The permission granted.
    pub permission: LocationPermission,
}

/// A provider the app can ask for a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LocationProvider {
    /// Play services' fused provider (satellites, cells and Wi-Fi combined).
    Fused,
    /// The platform's satellite provider (Android LocationManager GPS_PROVIDER).
    Gnss,
    /// The platform's network provider (Android LocationManager NETWORK_PROVIDER).
    Network,
}

/// What the worker needs to know about location on this phone now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LocationAdvice {
    /// A precise provider is available.
    Ready,
    /// Only approximate location is allowed.
    ApproximateOnly,
    /// Precise location is allowed but the satellite provider is off; only network location remains.
    GnssOff,
    /// Permission is granted but every usable provider is off.
    LocationOff,
    /// No location permission.
    NoPermission,
}

impl LocationAdvice {
    /// zh-CN and English wording shown to the worker. Captures are saved either way, so
    /// every message says so: the worker must never hold back evidence for want of a fix.
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            LocationAdvice::Ready => ("定位可用", "location is available"),
            LocationAdvice::ApproximateOnly => (
                "只允许大致位置，记录的地点会不准确；请在设置中允许精确位置",
                "only approximate location is allowed, so places will be rough; allow precise location in Settings",
            ),
            LocationAdvice::GnssOff => (
                "GPS 已关闭，只能用网络定位，地点会不准确；请在设置中打开 GPS",
                "GPS is off, so only network location is used and places will be rough; switch GPS on in Settings",
            ),
            LocationAdvice::LocationOff => (
                "手机定位已关闭，拍摄仍会保存但不带地点；请在设置中打开定位",
                "location is switched off: captures are still saved, without a place; switch location on in Settings",
            ),
            LocationAdvice::NoPermission => (
                "未授予定位权限，拍摄仍会保存但不带地点；请在设置中允许定位",
                "location permission is not granted: captures are still saved, without a place; allow location in Settings",
            ),
        }
    }
}

/// The providers to ask, best first (empty: none can give a fix), and what to tell the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationChoice {
    /// Providers to try in order; the next is asked when one fails or gives nothing.
    pub providers: Vec<LocationProvider>,
    /// The situation, for the app's own logic (e.g. whether to show a settings button).
    pub advice: LocationAdvice,
    /// What to show the worker, zh-CN.
    pub message_zh: String,
    /// What to show the worker, English.
    pub message_en: String,
}

/// Decides the providers and the wording from what the platform reports.
pub fn choose_location_provider(p: LocationPlatform) -> LocationChoice {
    let fine = p.permission == LocationPermission::Fine;
    let mut providers = Vec::new();
    if p.permission != LocationPermission::Denied {
        // Fused needs Play services and something to fuse: satellites (precise only) or the network.
        if p.play_services && ((fine && p.gnss_enabled) || p.network_enabled) {
            providers.push(LocationProvider::Fused);
        }
        // Android serves GPS_PROVIDER only with precise permission.
        if fine && p.gnss_enabled {
            providers.push(LocationProvider::Gnss);
        }
        if p.network_enabled {
            providers.push(LocationProvider::Network);
        }
    }
    let advice = if p.permission == LocationPermission::Denied {
        LocationAdvice::NoPermission
    } else if providers.is_empty() {
        LocationAdvice::LocationOff
    } else if !fine {
        LocationAdvice::ApproximateOnly
    } else if !p.gnss_enabled {
        LocationAdvice::GnssOff
    } else {
        LocationAdvice::Ready
    };
    let (zh, en) = advice.text();
    LocationChoice { providers, advice, message_zh: zh.into(), message_en: en.into() }
}

#[cfg(test)]
mod tests {
    use super::LocationAdvice::*;
    use super::LocationPermission::*;
    use super::LocationProvider::*;
    use super::*;

    fn choose(
        play_services: bool,
        gnss_enabled: bool,
        network_enabled: bool,
        permission: LocationPermission,
    ) -> (Vec<LocationProvider>, LocationAdvice) {
        let c = choose_location_provider(LocationPlatform { play_services, gnss_enabled, network_enabled, permission });
        assert_eq!((c.message_zh.as_str(), c.message_en.as_str()), c.advice.text());
        (c.providers, c.advice)
    }

    #[test]
    fn play_services_phone_uses_fused_then_the_platform_providers() {
        assert_eq!(choose(true, true, true, Fine), (vec![Fused, Gnss, Network], Ready));
        assert_eq!(choose(true, true, false, Fine), (vec![Fused, Gnss], Ready));
    }

    #[test]
    fn phone_without_play_services_never_asks_fused() {
        assert_eq!(choose(false, true, true, Fine), (vec![Gnss, Network], Ready));
        assert_eq!(choose(false, true, false, Fine), (vec![Gnss], Ready));
        assert_eq!(choose(false, false, true, Fine), (vec![Network], GnssOff));
        assert_eq!(choose(false, false, true, Coarse), (vec![Network], ApproximateOnly));
    }

    #[test]
    fn gnss_off_falls_back_to_network() {
        assert_eq!(choose(true, false, true, Fine), (vec![Fused, Network], GnssOff));
    }

    #[test]
    fn approximate_permission_never_asks_satellites() {
        assert_eq!(choose(true, true, true, Coarse), (vec![Fused, Network], ApproximateOnly));
        assert_eq!(choose(true, true, false, Coarse), (vec![], LocationOff), "coarse with only GNSS on has nothing to use");
        assert_eq!(choose(false, true, false, Coarse), (vec![], LocationOff));
    }

    #[test]
    fn everything_off_or_denied_uses_nothing() {
        assert_eq!(choose(true, false, false, Fine), (vec![], LocationOff));
        assert_eq!(choose(false, false, false, Fine), (vec![], LocationOff));
        for play in [true, false] {
            assert_eq!(choose(play, true, true, Denied), (vec![], NoPermission));
        }
    }

    #[test]
    fn every_message_is_bilingual_and_says_captures_are_kept() {
        for a in [ApproximateOnly, GnssOff, LocationOff, NoPermission] {
            let (zh, en) = a.text();
            assert!(!zh.is_ascii() && en.is_ascii(), "{a:?}");
            assert!(zh.contains("设置") && en.contains("Settings"), "{a:?} tells the worker where to fix it");
        }
    }
}
