//! The account's visitors.

use zendesk_chat::{LooseId, types};

use super::vocabulary::{FIRST_NAMES, LAST_NAMES};
use super::{HISTORY_END_MICROS, pick, rng, ts};
use crate::store::ids::{random_id_part, visitor_id};

/// Visitor `i` of the account.
pub(super) fn visitor(seed: u64, i: usize, account_id: u64, start: i64) -> types::Visitor {
    let mut rng = rng(seed, 2, i as u64);
    let named = rng.u8(..10) < 6;
    let first = pick(&mut rng, FIRST_NAMES);
    let last = pick(&mut rng, LAST_NAMES);
    types::Visitor {
        id: Some(LooseId::String(visitor_id(&mut rng, account_id))),
        name: Some(if named {
            format!("{first} {last}")
        } else {
            format!("Visitor {}", 10_000_000 + rng.u32(..89_999_999))
        }),
        email: Some(if named {
            format!(
                "{}.{}@example.org",
                first.to_lowercase(),
                last.to_lowercase()
            )
        } else {
            String::new()
        }),
        phone: Some(if rng.u8(..4) == 0 {
            format!("+1 555 {:04}", rng.u16(..10_000))
        } else {
            String::new()
        }),
        notes: Some(String::new()),
        external_id: if named && rng.bool() {
            Some(format!("ext-{}", random_id_part(&mut rng, 8)))
        } else {
            None
        },
        banned: Some(rng.u16(..200) == 0),
        created: ts(start + rng.i64(0..(HISTORY_END_MICROS - start))),
        extra: Default::default(),
    }
}
