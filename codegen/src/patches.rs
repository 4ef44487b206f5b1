//! Fixes to typify's output, applied to the generated syntax tree.
//!
//! Each patch says what typify does wrong, and each must change something: when typify is fixed
//! upstream (or the spec changes so that the patch has nothing to do), generation fails and asks
//! for the patch to be removed, so that none outlives its reason.

use std::collections::BTreeSet;

use quote::ToTokens;

use crate::{Error, Result};

/// typify gives the `extra` map of an object with `additionalProperties: {}` no default value.
/// The struct then does not derive `Default`, and its builder fails at run time ("no value supplied
/// for extra") unless the caller sets an empty map by hand. An empty map is the right default: no
/// fields beyond the described ones.
///
/// This makes the builder's default for `extra` an empty map, and derives `Default` for the
/// structs whose every field then has a default. Returns how many structs were fixed.
pub fn default_extra_map(types: &mut [syn::Item]) -> Result<usize> {
    let mut fixed = BTreeSet::new();
    let mut defaultable = BTreeSet::new();
    for item in builder_items(types).into_iter().flatten() {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let is_default_impl = block
            .trait_
            .as_ref()
            .is_some_and(|(_, path, _)| path.segments.last().is_some_and(|s| s.ident == "Default"));
        if !is_default_impl {
            continue;
        }
        let name = block.self_ty.to_token_stream().to_string();
        let Some(fields) = default_fields(block) else {
            continue;
        };
        for field in fields.iter_mut() {
            let is_extra = matches!(&field.member, syn::Member::Named(ident) if ident == "extra");
            if is_extra && is_missing_value_error(&field.expr) {
                field.expr = syn::parse_quote!(Ok(Default::default()));
                fixed.insert(name.clone());
            }
        }
        if fields.iter().all(|field| is_ok_default(&field.expr)) {
            defaultable.insert(name);
        }
    }
    for item in types.iter_mut() {
        let syn::Item::Struct(model) = item else {
            continue;
        };
        if fixed.contains(&model.ident.to_string())
            && defaultable.contains(&model.ident.to_string())
        {
            add_derive(&mut model.attrs, "Default");
        }
    }
    if fixed.is_empty() {
        return Err(Error::StaleSetting(
            "patches::default_extra_map changed nothing: typify may now default `extra`; remove the patch".into(),
        ));
    }
    Ok(fixed.len())
}

/// The field initialisers of `fn default() -> Self { Self { … } }`.
fn default_fields(
    block: &mut syn::ItemImpl,
) -> Option<&mut syn::punctuated::Punctuated<syn::FieldValue, syn::token::Comma>> {
    let syn::ImplItem::Fn(function) = block.items.first_mut()? else {
        return None;
    };
    let syn::Stmt::Expr(syn::Expr::Struct(body), _) = function.block.stmts.last_mut()? else {
        return None;
    };
    Some(&mut body.fields)
}

fn is_missing_value_error(expr: &syn::Expr) -> bool {
    expr.to_token_stream()
        .to_string()
        .starts_with("Err (\"no value supplied for")
}

fn is_ok_default(expr: &syn::Expr) -> bool {
    expr.to_token_stream().to_string() == "Ok (Default :: default ())"
}

fn add_derive(attrs: &mut [syn::Attribute], derive: &str) {
    let derive: syn::Path = syn::parse_str(derive).expect("a derive path");
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        if let Ok(mut paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) {
            paths.push(derive);
            *attr = syn::parse_quote!(#[derive(#paths)]);
            return;
        }
    }
}

/// progenitor's doc comment on every operation shows `.send().await`, which returns progenitor's
/// own error and a `ResponseValue`; the crate's one path is awaiting the builder, which gives the
/// value or the crate's `Error`. This rewrites each example to `.await?` and says where the raw
/// response is. Returns how many docs were rewritten.
pub fn await_in_operation_docs(file: &mut syn::File) -> Result<usize> {
    const SENT: &str = "\n    .send()\n    .await;";
    let mut rewritten = 0;
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        for member in &mut block.items {
            let syn::ImplItem::Fn(method) = member else {
                continue;
            };
            for attr in &mut method.attrs {
                let syn::Meta::NameValue(doc) = &mut attr.meta else {
                    continue;
                };
                if !doc.path.is_ident("doc") {
                    continue;
                }
                let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) = &doc.value
                else {
                    continue;
                };
                let value = text.value();
                if !value.contains(SENT) {
                    continue;
                }
                let value = value
                    .replace("let response = client.", "let value = client.")
                    .replace(SENT, "\n    .await?;")
                    .replace(
                        "```ignore",
                        "\nAwaiting the builder gives the value, or the crate's `Error`; `.send_raw()` gives\nthe raw `ResponseValue` (status and headers) with the same error.\n\n```ignore",
                    );
                doc.value = syn::parse_quote!(#value);
                rewritten += 1;
            }
        }
    }
    if rewritten == 0 {
        return Err(Error::StaleSetting(
            "patch await_in_operation_docs: no operation doc shows `.send().await` any more; remove the patch".into(),
        ));
    }
    Ok(rewritten)
}

/// typify's body setters take `T: TryInto<Option<String>>` for an optional text field, and a
/// `&str` is not one (the standard library converts a `String` into an `Option<String>`, but not a
/// `&str`): every literal needs `.to_string()`. This makes those setters take `T:
/// TryInto<text_type>` instead, a hand-written type that converts from `&str`, `String` and their
/// `Option`s and gives the `Option<String>` back through `into_option()`. Returns how many setters
/// were changed.
pub fn optional_text_setters(types: &mut [syn::Item], text_type: &syn::Path) -> Result<usize> {
    let optional_string: syn::Type =
        syn::parse_quote!(::std::option::Option<::std::string::String>);
    let optional_string = optional_string.to_token_stream().to_string();
    let mut changed = 0;
    for item in builder_items(types).into_iter().flatten() {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() {
            continue;
        }
        for member in &mut block.items {
            let syn::ImplItem::Fn(setter) = member else {
                continue;
            };
            let Some(target) = try_into_target(setter) else {
                continue;
            };
            if target.to_token_stream().to_string() != optional_string {
                continue;
            }
            *target = syn::parse_quote!(#text_type);
            if !convert_through(setter, text_type) {
                return Err(Error::StaleSetting(format!(
                    "patch optional_text_setters: setter `{}` no longer assigns `value.try_into().map_err(…)`",
                    setter.sig.ident
                )));
            }
            changed += 1;
        }
    }
    if changed == 0 {
        return Err(Error::StaleSetting(
            "patch optional_text_setters: no body setter takes `TryInto<Option<String>>` any more; remove the patch".into(),
        ));
    }
    Ok(changed)
}

/// The items of typify's `builder` module.
fn builder_items(types: &mut [syn::Item]) -> Option<&mut Vec<syn::Item>> {
    types.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "builder" => {
            module.content.as_mut().map(|(_, items)| items)
        }
        _ => None,
    })
}

/// `X` in a setter's `where T: TryInto<X>`.
fn try_into_target(setter: &mut syn::ImplItemFn) -> Option<&mut syn::Type> {
    let predicates = &mut setter.sig.generics.where_clause.as_mut()?.predicates;
    predicates.iter_mut().find_map(|predicate| {
        let syn::WherePredicate::Type(predicate) = predicate else {
            return None;
        };
        predicate.bounds.iter_mut().find_map(|bound| {
            let syn::TypeParamBound::Trait(bound) = bound else {
                return None;
            };
            let last = bound.path.segments.last_mut()?;
            if last.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(arguments) = &mut last.arguments else {
                return None;
            };
            match arguments.args.first_mut()? {
                syn::GenericArgument::Type(target) => Some(target),
                _ => None,
            }
        })
    })
}

/// Rewrites `self.x = value.try_into().map_err(…)` to convert through `text_type` into the
/// field's `Option<String>`. Whether the statement was found.
fn convert_through(setter: &mut syn::ImplItemFn, text_type: &syn::Path) -> bool {
    for statement in &mut setter.block.stmts {
        let syn::Stmt::Expr(syn::Expr::Assign(assign), _) = statement else {
            continue;
        };
        let syn::Expr::MethodCall(map_err) = assign.right.as_mut() else {
            continue;
        };
        if map_err.method == "map_err"
            && map_err.receiver.to_token_stream().to_string() == "value . try_into ()"
        {
            *map_err.receiver = syn::parse_quote!(value.try_into().map(#text_type::into_option));
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(source: &str) -> Vec<syn::Item> {
        syn::parse_file(source).unwrap().items
    }

    const TYPIFY_OUTPUT: &str = r#"
        #[derive(Clone, Debug)]
        pub struct Thing { pub id: Option<String>, pub extra: Map }
        #[derive(Clone, Debug)]
        pub struct Required { pub id: String, pub extra: Map }
        pub mod builder {
            impl ::std::default::Default for Thing {
                fn default() -> Self {
                    Self { id: Ok(Default::default()), extra: Err("no value supplied for extra".to_string()) }
                }
            }
            impl ::std::default::Default for Required {
                fn default() -> Self {
                    Self { id: Err("no value supplied for id".to_string()), extra: Err("no value supplied for extra".to_string()) }
                }
            }
        }
    "#;

    #[test]
    fn extra_defaults_to_an_empty_map_and_optional_structs_derive_default() {
        let mut types = items(TYPIFY_OUTPUT);
        assert_eq!(default_extra_map(&mut types).unwrap(), 2);
        let text = prettyplease::unparse(&syn::File {
            shebang: None,
            attrs: vec![],
            items: types,
        });
        assert!(
            text.contains("#[derive(Clone, Debug, Default)]\npub struct Thing"),
            "{text}"
        );
        assert!(
            text.contains("#[derive(Clone, Debug)]\npub struct Required"),
            "{text}"
        );
        assert!(!text.contains("no value supplied for extra"), "{text}");
        assert!(text.contains("no value supplied for id"), "{text}");
    }

    #[test]
    fn a_patch_with_nothing_to_do_fails_loudly() {
        let mut types = items("pub struct Thing; pub mod builder {}");
        assert!(matches!(
            default_extra_map(&mut types),
            Err(Error::StaleSetting(_))
        ));
    }

    #[test]
    fn optional_text_setters_take_the_text_type_and_convert_through_it() {
        let mut types = items(
            r#"
            pub mod builder {
                impl Thing {
                    pub fn name<T>(mut self, value: T) -> Self
                    where
                        T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                        T::Error: ::std::fmt::Display,
                    {
                        self.name = value.try_into().map_err(|e| format!("error converting supplied value for name: {e}"));
                        self
                    }
                    pub fn count<T>(mut self, value: T) -> Self
                    where
                        T: ::std::convert::TryInto<::std::option::Option<i64>>,
                        T::Error: ::std::fmt::Display,
                    {
                        self.count = value.try_into().map_err(|e| format!("{e}"));
                        self
                    }
                }
            }
            "#,
        );
        let text_type: syn::Path = syn::parse_quote!(crate::OptionalText);
        assert_eq!(optional_text_setters(&mut types, &text_type).unwrap(), 1);
        let text = prettyplease::unparse(&syn::File {
            shebang: None,
            attrs: vec![],
            items: types,
        });
        assert!(
            text.contains("T: ::std::convert::TryInto<crate::OptionalText>"),
            "{text}"
        );
        assert!(
            text.contains(".try_into()\n                .map(crate::OptionalText::into_option)"),
            "{text}"
        );
        assert!(
            text.contains("TryInto<::std::option::Option<i64>>"),
            "{text}"
        );
    }

    #[test]
    fn optional_text_setters_with_nothing_to_do_fail_loudly() {
        let mut types =
            items("pub mod builder { impl Thing { pub fn id(self) -> Self { self } } }");
        let text_type: syn::Path = syn::parse_quote!(crate::OptionalText);
        assert!(matches!(
            optional_text_setters(&mut types, &text_type),
            Err(Error::StaleSetting(_))
        ));
    }
}
