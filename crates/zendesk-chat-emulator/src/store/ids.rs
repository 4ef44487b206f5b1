//! Ids as the API spells them: chats, visitors and the random parts of other ids.

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
    fn ids_look_like_the_apis() {
        let mut rng = fastrand::Rng::with_seed(1);
        let id = chat_id(&mut rng, 9_339_545, 1_608_612_855_000_000);
        assert!(id.starts_with("2012.9339545."), "{id}");
        assert_eq!(id.len(), "2012.9339545.SJs7biGpcbveH".len());
    }
}
