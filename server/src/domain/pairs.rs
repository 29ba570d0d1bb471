//! Before/after pairs: a later photo shown beside an earlier photo of the
//! same spot. Pairing goes by where and when photos were taken (a visit's
//! purpose reaches the server only in entries signed since phones carry it),
//! so a pair is proposed when an earlier
//! photo from another visit lies within [`PAIR_RADIUS_M`]; a coordinator can
//! set or clear the pairing by hand, and a manual choice always wins. The
//! console's order page and the dispute packet's 整改前后对比 page both ask
//! this module, so they show the same pairs.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::db::now_ms;
use crate::domain::{DomainError, DomainResult};
use crate::repo;
use siteproof_protocol::flags::distance_m;
use siteproof_protocol::wire::error_code::ErrorCode;

/// How close two photos must be to count as the same spot, metres.
pub const PAIR_RADIUS_M: f64 = 30.0;
/// Without visit ids, photos this much apart in time count as different visits.
const SAME_VISIT_MS: i64 = 10 * 60 * 1000;

/// What pairing reads of an evidence item, however the caller holds it.
pub trait PairPhoto {
    /// Item id.
    fn item_id(&self) -> &str;
    /// Whether the item is a photo (only photos are paired).
    fn is_photo(&self) -> bool;
    /// Best capture time: anchored when available, else the device clock.
    fn captured_at_ms(&self) -> Option<i64>;
    /// The capture fix as (lat, lon, accuracy m), WGS-84.
    fn place(&self) -> Option<(f64, f64, f64)>;
    /// The visit the item was captured in.
    fn visit_id(&self) -> Option<&str>;
}

/// A before/after pair of photo item ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The earlier photo.
    pub before: String,
    /// The later photo.
    pub after: String,
    /// Distance between the two capture fixes, metres (None for manual pairs without fixes).
    pub distance_m: Option<f64>,
    /// Chosen by a coordinator rather than proposed.
    pub manual: bool,
}

fn different_visit<P: PairPhoto>(a: &P, b: &P) -> bool {
    match (a.visit_id(), b.visit_id()) {
        (Some(x), Some(y)) => x != y,
        _ => match (a.captured_at_ms(), b.captured_at_ms()) {
            (Some(x), Some(y)) => (x - y).abs() >= SAME_VISIT_MS,
            _ => false,
        },
    }
}

/// The nearest earlier photo of another visit within the radius, if any.
pub fn propose<P: PairPhoto>(after: &P, photos: &[&P]) -> Option<(String, f64)> {
    let (lat, lon, _) = after.place()?;
    let t = after.captured_at_ms()?;
    photos
        .iter()
        .filter(|b| b.item_id() != after.item_id() && b.captured_at_ms().is_some_and(|bt| bt < t) && different_visit(after, **b))
        .filter_map(|b| {
            let (blat, blon, _) = b.place()?;
            let d = distance_m(lat, lon, blat, blon);
            (d <= PAIR_RADIUS_M).then(|| (b.item_id().to_string(), d))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// Manual pairings of an order's community: after item → before item.
pub fn manual<P: PairPhoto>(c: &Connection, community_id: i64, items: &[P]) -> DomainResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for i in items.iter().filter(|i| i.is_photo()) {
        if let Some(b) = repo::photo_pairs::before_of(c, i.item_id(), community_id)? {
            out.insert(i.item_id().to_string(), b);
        }
    }
    Ok(out)
}

/// Every pair to show for an order: manual ones, then proposals for the other photos.
pub fn pairs<P: PairPhoto>(items: &[P], manual: &HashMap<String, String>) -> Vec<Pair> {
    let photos: Vec<&P> = items.iter().filter(|i| i.is_photo()).collect();
    let by_id: HashMap<&str, &P> = photos.iter().map(|i| (i.item_id(), *i)).collect();
    let mut out = Vec::new();
    for after in &photos {
        if let Some(before) = manual.get(after.item_id()) {
            if before.is_empty() {
                continue; // the coordinator said: no pair for this photo
            }
            let d = match (after.place(), by_id.get(before.as_str()).and_then(|b| b.place())) {
                (Some((a, b, _)), Some((c, d, _))) => Some(distance_m(a, b, c, d)),
                _ => None,
            };
            out.push(Pair { before: before.clone(), after: after.item_id().to_string(), distance_m: d, manual: true });
        } else if let Some((before, d)) = propose(*after, &photos) {
            out.push(Pair { before, after: after.item_id().to_string(), distance_m: Some(d), manual: false });
        }
    }
    out
}

/// Records a manual pairing (or, with `before` empty, that the photo has no pair).
pub fn set_manual<P: PairPhoto>(
    c: &Connection,
    community_id: i64,
    items: &[P],
    after: &str,
    before: &str,
    user_id: i64,
) -> DomainResult<()> {
    let is_photo = |id: &str| items.iter().any(|i| i.item_id() == id && i.is_photo());
    if !is_photo(after) || (!before.is_empty() && !is_photo(before)) {
        return Err(DomainError::invalid(
            ErrorCode::NotAPhotoOfThisOrder,
            "只能配对本工单的照片 / only photos of this order can be paired",
        ));
    }
    if after == before {
        return Err(DomainError::invalid(ErrorCode::SamePhoto, "不能与自身配对 / a photo cannot be paired with itself"));
    }
    Ok(repo::photo_pairs::set(c, after, community_id, before, user_id, now_ms())?)
}
