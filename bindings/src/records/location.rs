//! Where a capture's location stands (fix at capture, pending, late, none)
//! and the location-provider choice, mirrored for the apps so the camera
//! screen switches over the core's cases instead of deciding on its own.

use siteproof_core::{FixStatus, LocationAdvice, LocationChoice, LocationPermission, LocationPlatform, LocationProvider};

#[uniffi::remote(Enum)]
pub enum FixStatus {
    AtCapture,
    Pending { until_ms: i64 },
    Late { fix_item_id: String, delay_ms: u64, accuracy_m: f64 },
    NoFix,
}

#[uniffi::remote(Enum)]
pub enum LocationPermission {
    Fine,
    Coarse,
    Denied,
}

#[uniffi::remote(Enum)]
pub enum LocationProvider {
    Fused,
    Gnss,
    Network,
}

#[uniffi::remote(Enum)]
pub enum LocationAdvice {
    Ready,
    ApproximateOnly,
    GnssOff,
    LocationOff,
    NoPermission,
}

#[uniffi::remote(Record)]
pub struct LocationPlatform {
    pub play_services: bool,
    pub gnss_enabled: bool,
    pub network_enabled: bool,
    pub permission: LocationPermission,
}

#[uniffi::remote(Record)]
pub struct LocationChoice {
    pub providers: Vec<LocationProvider>,
    pub advice: LocationAdvice,
    pub message_zh: String,
    pub message_en: String,
}
