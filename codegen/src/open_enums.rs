//! Open enums: a string schema with `x-extensible-enum: [values…]`.
//!
//! The convention (from Zalando's API guidelines) lists the values known today of a set that may
//! grow. typify would need `enum`, which refuses any other value: the most common way an SDK breaks
//! when the server adds a value. The enum made here has a variant for each known value and
//! `Unknown(String)` for any other, which is kept as sent and serialized back unchanged.

use std::collections::HashSet;

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::{Spec, lint::Finding};

/// An open enum found in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEnum {
    /// The component schema's name, which is also the Rust type's.
    pub name: String,
    /// The schema's description.
    pub description: String,
    /// The known values, in the spec's order, with their variant names.
    pub values: Vec<(String, String)>,
}

const EXTENSION: &str = "x-extensible-enum";

/// The open enums of the spec. Assumes [`check`] found nothing; malformed ones are skipped.
pub fn find(spec: &Spec) -> Vec<OpenEnum> {
    spec.schemas()
        .filter(|(_, schema)| schema.get(EXTENSION).is_some())
        .filter_map(|(name, schema)| parse(name, schema).ok())
        .collect()
}

/// Checks every open enum of the spec.
pub fn check(spec: &Spec) -> Vec<Finding> {
    spec.schemas()
        .filter(|(_, schema)| schema.get(EXTENSION).is_some())
        .filter_map(|(name, schema)| parse(name, schema).err())
        .collect()
}

fn parse(name: &str, schema: &Value) -> Result<OpenEnum, Finding> {
    let at = format!("#/components/schemas/{name}");
    if schema["type"] != "string" || schema.get("enum").is_some() {
        return Err(Finding::new(
            at,
            format!("{EXTENSION} needs `type: string` and no `enum`"),
        ));
    }
    let values: Option<Vec<&str>> = schema[EXTENSION]
        .as_array()
        .map(|v| v.iter().filter_map(Value::as_str).collect());
    let values = values
        .filter(|v| !v.is_empty() && v.len() == schema[EXTENSION].as_array().map_or(0, Vec::len));
    let Some(values) = values else {
        return Err(Finding::new(
            at,
            format!("{EXTENSION} must be a non-empty list of strings"),
        ));
    };
    let mut seen = HashSet::new();
    let mut named = Vec::new();
    for value in values {
        let variant = variant_name(value);
        if variant.is_empty() || variant == "Unknown" || !seen.insert(variant.clone()) {
            return Err(Finding::new(
                at,
                format!("value {value:?} does not make a distinct variant name"),
            ));
        }
        named.push((value.to_owned(), variant));
    }
    Ok(OpenEnum {
        name: name.to_owned(),
        description: schema["description"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        values: named,
    })
}

/// `"visitor"` → `Visitor`, `"chat.msg"` → `ChatMsg`.
fn variant_name(value: &str) -> String {
    value.replace(['.', '-', ' '], "_").to_upper_camel_case()
}

/// The Rust items of an open enum. `schemars_feature` names the cargo feature under which it also
/// implements `schemars::JsonSchema` (as a string).
pub fn emit(open_enum: &OpenEnum, schemars_feature: Option<&str>) -> TokenStream {
    let name = format_ident!("{}", open_enum.name);
    let doc = &open_enum.description;
    let variants: Vec<_> = open_enum
        .values
        .iter()
        .map(|(_, v)| format_ident!("{v}"))
        .collect();
    let values: Vec<_> = open_enum
        .values
        .iter()
        .map(|(value, _)| value.as_str())
        .collect();
    let variant_docs: Vec<_> = values.iter().map(|v| format!("`\"{v}\"`")).collect();
    let expecting = format!("a {} string", open_enum.name);
    let schemars = schemars_feature.map(|feature| {
        let schema_name = &open_enum.name;
        quote! {
            #[cfg(feature = #feature)]
            impl ::schemars::JsonSchema for #name {
                fn schema_name() -> ::std::borrow::Cow<'static, str> {
                    #schema_name.into()
                }

                fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                    <::std::string::String as ::schemars::JsonSchema>::json_schema(generator)
                }
            }
        }
    });

    quote! {
        #[doc = #doc]
        #[doc = ""]
        #[doc = "An open set: a value this version does not know is kept as `Unknown`."]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #variant_docs] #variants, )*
            /// A value this version does not know, kept as sent.
            Unknown(::std::string::String),
        }

        impl #name {
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#variants, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #( #values => Self::#variants, )*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(value.into())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;

                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = #name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }

                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<#name, E> {
                        Ok(value.into())
                    }

                    fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<#name, E> {
                        Ok(value.into())
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }

        #schemars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_follow_the_values() {
        assert_eq!(variant_name("visitor"), "Visitor");
        assert_eq!(variant_name("Agent"), "Agent");
        assert_eq!(variant_name("chat.request.rating"), "ChatRequestRating");
    }

    #[test]
    fn values_that_collide_as_rust_names_are_refused() {
        let schema = serde_json::json!({"type": "string", "x-extensible-enum": ["agent", "Agent"]});
        let finding = parse("Who", &schema).unwrap_err();
        assert!(
            finding.message.contains("distinct variant name"),
            "{finding:?}"
        );
    }

    #[test]
    fn a_value_named_unknown_is_refused() {
        let schema = serde_json::json!({"type": "string", "x-extensible-enum": ["unknown"]});
        assert!(parse("Who", &schema).is_err());
    }

    #[test]
    fn an_enum_keyword_beside_the_extension_is_refused() {
        let schema =
            serde_json::json!({"type": "string", "enum": ["a"], "x-extensible-enum": ["a"]});
        assert!(parse("Who", &schema).is_err());
    }
}
