//! Reading the times people type: `--since 2024-01-31`, `--since 2024-01-31T12:00:00Z`,
//! `--since 1706659200`.

use chrono::{DateTime, NaiveDate, Utc};

/// A time given on the command line, in UTC.
pub fn parse(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| format!("{text} is not a Unix time in range"));
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Ok(time) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Ok(time.and_utc());
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc());
    }
    Err(format!(
        "{text:?} is not a time: use a date (2024-01-31), a date and time (2024-01-31T12:00:00Z) or Unix seconds (1706659200)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_epochs_are_read() {
        assert_eq!(parse("2024-01-31").unwrap().timestamp(), 1_706_659_200);
        assert_eq!(
            parse("2024-01-31T12:00:00Z").unwrap().timestamp(),
            1_706_702_400
        );
        assert_eq!(
            parse("2024-01-31T12:00:00").unwrap().timestamp(),
            1_706_702_400
        );
        assert_eq!(
            parse("2024-01-31T13:00:00+01:00").unwrap().timestamp(),
            1_706_702_400
        );
        assert_eq!(parse("1706659200").unwrap().timestamp(), 1_706_659_200);
    }

    #[test]
    fn other_text_is_refused_with_the_forms_accepted() {
        let error = parse("yesterday").unwrap_err();
        assert!(error.contains("2024-01-31"), "{error}");
        assert!(parse("2024-02-30").is_err());
    }
}
