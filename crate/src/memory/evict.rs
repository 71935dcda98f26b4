//! Which entries eviction removes: a pure function of metadata and limits.
//!
//! joblib's `reduce_size`: entries unused for longer than the age limit go, then
//! the least recently used go until both the item and byte limits hold. Put
//! differently, the most recently used entries are kept as long as they fit.
//! Ties in last use fall to the older entry, then to the key, so the choice is
//! deterministic.

use super::entry::Meta;

/// Limits on a cache; `None` means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Limits {
    pub bytes: Option<u64>,
    pub items: Option<usize>,
    /// Maximum time since last use, in milliseconds.
    pub age_ms: Option<f64>,
}

impl Limits {
    pub fn is_unlimited(&self) -> bool {
        self.bytes.is_none() && self.items.is_none() && self.age_ms.is_none()
    }
}

/// The entries to remove so that the rest satisfy `limits` at time `now_ms`,
/// least recently used first.
pub fn select(metas: &[Meta], limits: &Limits, now_ms: f64) -> Vec<Meta> {
    let mut order: Vec<&Meta> = metas.iter().collect();
    order.sort_by(|a, b| {
        b.last_access_ms
            .total_cmp(&a.last_access_ms)
            .then(b.created_ms.total_cmp(&a.created_ms))
            .then(b.key.cmp(&a.key))
    });
    let (mut items, mut bytes) = (0usize, 0u64);
    let mut keep = order.len();
    for (i, m) in order.iter().enumerate() {
        let too_old = limits.age_ms.is_some_and(|age| now_ms - m.last_access_ms > age);
        let too_many = limits.items.is_some_and(|n| items + 1 > n);
        let too_big = limits.bytes.is_some_and(|b| bytes + m.bytes > b);
        if too_old || too_many || too_big {
            keep = i;
            break;
        }
        items += 1;
        bytes += m.bytes;
    }
    order[keep..].iter().rev().map(|m| (*m).clone()).collect()
}

/// An entry's place in the order of last use, least recently used first (ties
/// to the older entry, then the key): the walk's order in [`select`], as a
/// sortable value for stores that keep the order as an index.
pub fn lru_rank(m: &Meta) -> (i64, i64, crate::fingerprint::Key) {
    (total_order(m.last_access_ms), total_order(m.created_ms), m.key)
}

/// An f64 as an i64 that sorts as `f64::total_cmp` does.
fn total_order(f: f64) -> i64 {
    let bits = f.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}
