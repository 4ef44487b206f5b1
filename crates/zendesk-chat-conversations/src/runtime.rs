//! What the generated operations are built on: the [`Operation`] trait, the [`Id`] scalar, and
//! decoding an interface or union by `__typename`. The generated code names these; nothing here
//! is generated.

use std::fmt;

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A GraphQL operation of the crate: its document, its variables and its data, all generated
/// from `spec/conversations/*.graphql` (see [`operations`](crate::operations)).
pub trait Operation {
    /// The operation's variables.
    type Variables: Serialize + Send + Sync + 'static;
    /// The operation's data.
    type Data: DeserializeOwned + Send + 'static;
    /// The operation's name, such as `SendMessage`.
    const NAME: &'static str;
    /// Query, mutation or subscription.
    const KIND: OperationKind;
    /// The GraphQL document sent, validated against the schema when it was generated.
    const DOCUMENT: &'static str;
}

/// The kind of an [`Operation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// A query.
    Query,
    /// A mutation.
    Mutation,
    /// A subscription: its data arrive as events.
    Subscription,
}

/// A GraphQL `ID`: opaque text (the API's ids are base64 of JSON pairs such as
/// `[["localId","…"],["type","AGENT"]]`). A number sent as an id is kept as its digits.
///
/// ```
/// use zendesk_chat_conversations::Id;
///
/// let id: Id = serde_json::from_str("123").unwrap();
/// assert_eq!(id.as_str(), "123");
/// assert_eq!(Id::from("W1siaWQiXV0="), "W1siaWQiXV0=");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Text {
            String(String),
            Number(serde_json::Number),
        }
        Ok(match Text::deserialize(deserializer)? {
            Text::String(text) => Self(text),
            Text::Number(number) => Self(number.to_string()),
        })
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Id {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl From<String> for Id {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

/// An object of a type this version of the crate does not know (in a selection of an interface
/// or a union), kept whole: its `__typename` and every field, `__typename` included.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnknownObject {
    /// The object's `__typename`.
    #[serde(skip)]
    pub typename: String,
    /// The object's fields, as sent.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// Decodes an object of an interface or a union: reads it, then lets `dispatch` decode it by its
/// `__typename` (the generated `Deserialize` of each such selection calls this).
pub fn by_typename<'de, D, T>(
    deserializer: D,
    dispatch: impl FnOnce(String, Map<String, Value>) -> Result<T, serde_json::Error>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    use serde::de::Error as _;
    let object = Map::<String, Value>::deserialize(deserializer)?;
    let typename = match object.get("__typename") {
        Some(Value::String(typename)) => typename.clone(),
        _ => {
            return Err(D::Error::custom(
                "an object of an interface or union without `__typename`",
            ));
        }
    };
    dispatch(typename, object).map_err(D::Error::custom)
}

/// Decodes one variant's struct from the object read by [`by_typename`].
pub fn from_object<T: DeserializeOwned>(
    object: Map<String, Value>,
) -> Result<T, serde_json::Error> {
    serde_json::from_value(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Agent {
        name: String,
    }

    #[derive(Debug, PartialEq)]
    enum User {
        Agent(Agent),
        Unknown(UnknownObject),
    }

    impl<'de> Deserialize<'de> for User {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            by_typename(deserializer, |typename, object| {
                Ok(match typename.as_str() {
                    "Agent" => Self::Agent(from_object(object)?),
                    _ => Self::Unknown(UnknownObject {
                        typename,
                        fields: object,
                    }),
                })
            })
        }
    }

    #[test]
    fn an_object_decodes_by_its_typename_and_an_unknown_type_is_kept() {
        let agent: User = serde_json::from_str(r#"{"__typename":"Agent","name":"Ann"}"#).unwrap();
        assert_eq!(agent, User::Agent(Agent { name: "Ann".into() }));
        let bot: User = serde_json::from_str(r#"{"__typename":"Bot","x":1}"#).unwrap();
        let User::Unknown(bot) = bot else { panic!() };
        assert_eq!(bot.typename, "Bot");
        assert_eq!(
            serde_json::to_string(&bot).unwrap(),
            r#"{"__typename":"Bot","x":1}"#
        );
    }

    #[test]
    fn an_object_without_typename_is_an_error_and_a_bad_variant_names_its_field() {
        let error = serde_json::from_str::<User>(r#"{"name":"Ann"}"#).unwrap_err();
        assert!(
            error.to_string().contains("without `__typename`"),
            "{error}"
        );
        let error = serde_json::from_str::<User>(r#"{"__typename":"Agent","name":1}"#).unwrap_err();
        assert!(error.to_string().contains("invalid type"), "{error}");
    }
}
