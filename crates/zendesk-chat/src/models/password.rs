//! [`Password`]: a password that never shows in `Debug` output.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A password (`format: password` in the spec), such as a new agent's.
///
/// It is sent to the server as plain text in the request body, as the API requires, but `Debug`
/// prints `Password([REDACTED])`, so it stays out of logs and error messages.
///
/// ```
/// use zendesk_chat::Password;
///
/// let password = Password::from("hunter2");
/// assert_eq!(format!("{password:?}"), "Password([REDACTED])");
/// assert_eq!(password.expose(), "hunter2");
/// ```
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    /// The password itself. Take care where it goes.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

impl PartialEq for Password {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl From<&str> for Password {
    fn from(password: &str) -> Self {
        Self(password.into())
    }
}

impl From<String> for Password {
    fn from(password: String) -> Self {
        Self(password.into())
    }
}

impl Serialize for Password {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Password {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Password".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "password", "writeOnly": true})
    }
}
