//! Time as the emulator sees it, and timestamps as the API spells them.

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
}
