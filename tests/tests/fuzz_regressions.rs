//! Inputs the fuzz targets (`fuzz/`) found failing, kept as tests once fixed.

use zendesk_chat::types;

/// Decodes `input`, encodes the value and decodes it again: the two values must be equal.
fn round_trips<T>(input: &[u8])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let value: T = serde_json::from_slice(input).expect("the input decodes");
    let again: T = serde_json::from_slice(&serde_json::to_vec(&value).unwrap()).unwrap();
    assert_eq!(again, value);
}

/// `decode_responses`, 2026-12-02: a 34-digit number in an unknown field decoded to a double one
/// step away from the nearest, which then encoded as a different number. serde_json's
/// `float_roundtrip` parses numbers exactly.
#[test]
fn a_huge_number_in_an_unknown_field_survives_encoding() {
    let input = b"\n\r\n\n\n\n\n\n{\"email\"\n\n:\n\n\r\r\r\r\t\r\r\r\r\r4444444444444444444444444444444444\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r}\n\n ";
    // A chat of no known type: kept whole as `Chat::Unknown`.
    round_trips::<types::Chat>(input);
    // The same number in a field a model does not know, kept in its `extra`.
    let unknown_field = br#"{"id": 7, "not_a_field": 4444444444444444444444444444444444}"#;
    round_trips::<types::Agent>(unknown_field);
    round_trips::<types::Visitor>(br#"{"not_a_field": 4.4444444444444445e33}"#);
}
