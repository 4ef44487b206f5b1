//! The OS keyring (the Secret Service on Linux and the BSDs, the Keychain on macOS, the Credential
//! Manager on Windows), through the `keyring` crate, with a deadline: a keyring that is locked
//! and waits for a password prompt nobody will see must not hang a command.

use std::sync::mpsc;
use std::time::Duration;

/// How long the keyring may take to answer before it is taken as absent.
const DEADLINE: Duration = Duration::from_secs(10);

/// The keyring's service name for every entry zchat keeps.
const SERVICE: &str = "zchat";

/// Why the keyring could not be used, in words that never hold a secret.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// No keyring answered (none on this machine, or none reachable from this session).
    #[error("no OS keyring answered ({0})")]
    Unavailable(String),
    /// The keyring took longer than the deadline (locked, waiting for a prompt).
    #[error("the OS keyring did not answer within {} s (is it locked?)", DEADLINE.as_secs())]
    TimedOut,
    /// The keyring holds no entry for this login.
    #[error("the OS keyring holds no entry for this login")]
    NoEntry,
    /// The keyring answered with an error.
    #[error("the OS keyring refused: {0}")]
    Refused(String),
}

/// The keyring's entry of this name.
fn entry(name: &str) -> Result<keyring::Entry, KeyringError> {
    keyring::Entry::new(SERVICE, name).map_err(|error| {
        // "No default store": the keyring could not be reached when first asked; say why.
        match (&error, keyring::Entry::store_status()) {
            (keyring::Error::NoDefaultStore, Err(why)) => {
                KeyringError::Unavailable(why.to_string())
            }
            _ => describe(error),
        }
    })
}

/// Words for a keyring error. `keyring::Error`'s `Display` never shows secret data (its `Debug`
/// would), and is all that is used here.
fn describe(error: keyring::Error) -> KeyringError {
    match error {
        keyring::Error::NoEntry => KeyringError::NoEntry,
        keyring::Error::NoStorageAccess(_) | keyring::Error::NoDefaultStore => {
            KeyringError::Unavailable(error.to_string())
        }
        // Reaching no Secret Service at all (no session bus, no service on it) is a platform
        // failure to the crate: to a user it is a machine without a keyring.
        keyring::Error::PlatformFailure(_) => KeyringError::Unavailable(error.to_string()),
        other => KeyringError::Refused(other.to_string()),
    }
}

/// Runs `job` on a thread of its own and waits for it up to the deadline. The caller's thread
/// blocks meanwhile, as it does for a file write; a job that outlives the deadline is left to
/// finish on its own.
fn within_deadline<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, KeyringError> + Send + 'static,
) -> Result<T, KeyringError> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(job());
    });
    match receiver.recv_timeout(DEADLINE) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(KeyringError::TimedOut),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(KeyringError::Refused(
            "the keyring call ended without an answer".into(),
        )),
    }
}

/// Stores `secret` as the entry `name`, replacing what it held.
pub fn store(name: &str, secret: String) -> Result<(), KeyringError> {
    let name = name.to_owned();
    within_deadline(move || entry(&name)?.set_password(&secret).map_err(describe))
}

/// The secret stored as the entry `name`.
pub fn load(name: &str) -> Result<String, KeyringError> {
    let name = name.to_owned();
    within_deadline(move || entry(&name)?.get_password().map_err(describe))
}

/// Forgets the entry `name`; an entry already gone is not an error.
pub fn remove(name: &str) -> Result<(), KeyringError> {
    let name = name.to_owned();
    within_deadline(
        move || match entry(&name)?.delete_credential().map_err(describe) {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(error) => Err(error),
        },
    )
}
