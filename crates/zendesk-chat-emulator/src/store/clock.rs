//! Time as the emulator sees it, and ids as the API spells them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The emulator's clock: the wall clock, except that changes can be stamped a while in the past.
///
/// The API refuses an export `start_time` less than five minutes old, so a change stamped "now"
/// cannot be exported for five minutes. A test that changes a chat and exports it again at once
/// sets [`backdate`](Self::backdate): changes are then stamped that long ago (as if they had been
/// made then), and stay in order among themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    /// How far in the past changes are stamped.
    pub backdate: Duration,
}

impl Clock {
    /// Now, in microseconds since the epoch.
    pub fn now_micros(&self) -> i64 {
        micros(SystemTime::now())
    }

    /// The time to stamp a change made now with, in microseconds.
    pub fn change_micros(&self) -> i64 {
        micros(SystemTime::now() - self.backdate)
    }
}

/// A time in microseconds since the epoch.
pub fn micros(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// `2020-12-22T04:54:15Z`: chat-level timestamps, to the second.
pub fn iso_seconds(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `2020-12-22T04:54:18.807000Z`: history and timeline timestamps, to the microsecond.
pub fn iso_micros(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// Microseconds from an ISO 8601 timestamp, if it is one.
pub fn parse_iso(text: &str) -> Option<i64> {
    zendesk_chat::Timestamp::from(text)
        .to_datetime()
        .ok()
        .map(|t| t.timestamp_micros())
}

/// The alphabet of the random parts of ids.
const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` random id characters.
pub fn random_id_part(rng: &mut fastrand::Rng, len: usize) -> String {
    (0..len)
        .map(|_| ID_ALPHABET[rng.usize(..ID_ALPHABET.len())] as char)
        .collect()
}

/// A chat id as the API spells it: `2012.9339545.SJs7biGpcbveH` (year and month, account, random).
pub fn chat_id(rng: &mut fastrand::Rng, account: u64, start_micros: i64) -> String {
    let month = chrono::DateTime::from_timestamp_micros(start_micros)
        .unwrap_or_default()
        .format("%y%m");
    format!("{month}.{account}.{}", random_id_part(rng, 13))
}

/// A visitor id as the API spells it: `9339545.11mjg3Gvk0uhEiK`.
pub fn visitor_id(rng: &mut fastrand::Rng, account: u64) -> String {
    format!("{account}.{}", random_id_part(rng, 15))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_the_apis_precisions() {
        assert_eq!(iso_seconds(1_608_612_855_807_000), "2020-12-22T04:54:15Z");
        assert_eq!(
            iso_micros(1_608_612_858_807_000),
            "2020-12-22T04:54:18.807000Z"
        );
        assert_eq!(
            parse_iso("2020-12-22T04:54:18.807000Z"),
            Some(1_608_612_858_807_000)
        );
    }

    #[test]
    fn ids_look_like_the_apis() {
        let mut rng = fastrand::Rng::with_seed(1);
        let id = chat_id(&mut rng, 9_339_545, 1_608_612_855_000_000);
        assert!(id.starts_with("2012.9339545."), "{id}");
        assert_eq!(id.len(), "2012.9339545.SJs7biGpcbveH".len());
    }
}
