//! What the generated code says about each operation beyond progenitor's builders:
//!
//! - `operations::ALL`, a table of every operation of the spec (id, method, path template, tag) as
//!   constants of the client's hand-written `Operation` type (with the server of an operation not
//!   served from the account's host), for the hand-written layer: traces name the path template (never the ids in the path), and
//!   the retry policy reads whether the method is idempotent.
//! - An `IntoFuture` for every operation's builder, so that awaiting the builder itself gives the
//!   typed value or the client crate's own error: `client.get_chat().chat_id(id).await?`.
//!   progenitor's `send()` stays, for callers who want the raw response (status, headers).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::{Error, Result, Spec};

/// Where the hand-written layer takes over from the generated futures.
#[derive(Debug, Clone)]
pub struct OperationFutures {
    /// The async function that runs an operation's `send()` future and converts its outcome:
    /// `async fn(&'static Operation, impl Future<Output = Result<ResponseValue<T>, Error<E>>>) -> Result<T, crate::Error>`.
    pub runner: String,
    /// The same, giving the raw `ResponseValue<T>` (status, headers and value) with the crate's
    /// error: each builder gets a `send_raw()` calling it.
    pub raw_runner: String,
    /// The generic type that wraps a builder with per-call overrides (retry policy, timeout):
    /// `Customize<B>` with `fn new(B) -> Self` and an `IntoFuture` giving `B`'s output. Each
    /// builder gets a `customize()` returning it.
    pub customizer: String,
}

/// The `operations` module: a constant of `operation_type` (the client's hand-written
/// `Operation`, re-exported from the module) for every operation of the spec, and `ALL`.
pub fn emit_table(spec: &Spec, operation_type: &syn::Path) -> TokenStream {
    let entries = spec.operations().map(|(path, method, operation)| {
        let id = operation["operationId"].as_str().unwrap_or_default();
        let method = method.to_uppercase();
        let tag = operation["tags"][0].as_str().unwrap_or_default();
        let summary = operation["summary"].as_str().unwrap_or_default();
        let const_name = format_ident!("{}", heck::AsShoutySnakeCase(id).to_string());
        let rust_name = heck::AsSnakeCase(id).to_string();
        let doc = format!("`{method} {path}`: {summary}.");
        let server = match spec.operation_server(path, operation) {
            Some(url) => quote! { Some(#url) },
            None => quote! { None },
        };
        quote! {
            #[doc = #doc]
            pub const #const_name: Operation = Operation { id: #id, rust_name: #rust_name, method: #method, path: #path, tag: #tag, server: #server };
        }
    });
    let names = spec.operations().map(|(_, _, operation)| {
        format_ident!(
            "{}",
            heck::AsShoutySnakeCase(operation["operationId"].as_str().unwrap_or_default())
                .to_string()
        )
    });
    quote! {
        /// Every operation of the spec, as the spec describes it.
        pub mod operations {
            #[doc(no_inline)]
            pub use #operation_type;

            #( #entries )*

            /// Every operation, in the spec's order.
            pub const ALL: &[Operation] = &[ #( #names ),* ];
        }
    }
}

/// An `IntoFuture` for the builder of every operation, found by the signature of its `send()`.
pub fn emit_into_futures(
    file: &syn::File,
    spec: &Spec,
    futures: &OperationFutures,
) -> Result<TokenStream> {
    let runner: syn::Path = syn::parse_str(&futures.runner)?;
    let raw_runner: syn::Path = syn::parse_str(&futures.raw_runner)?;
    let customizer: syn::Path = syn::parse_str(&futures.customizer)?;
    let builders = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "builder" => {
                module.content.as_ref().map(|(_, items)| items)
            }
            _ => None,
        })
        .ok_or_else(|| Error::StaleSetting("progenitor made no `builder` module".into()))?;

    let mut impls = Vec::new();
    for (_, _, operation) in spec.operations() {
        let id = operation["operationId"].as_str().unwrap_or_default();
        let builder = format_ident!("{}", heck::AsUpperCamelCase(id).to_string());
        let constant = format_ident!("{}", heck::AsShoutySnakeCase(id).to_string());
        let value_type = send_value_type(builders, &builder).ok_or_else(|| {
            Error::StaleSetting(format!(
                "no `send()` returning `Result<ResponseValue<_>, _>` on builder::{builder}"
            ))
        })?;
        impls.push(quote! {
            impl<'a> ::std::future::IntoFuture for builder::#builder<'a> {
                type Output = ::std::result::Result<#value_type, crate::Error>;
                type IntoFuture = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = Self::Output> + Send + 'a>>;

                fn into_future(self) -> Self::IntoFuture {
                    ::std::boxed::Box::pin(#runner(&operations::#constant, self.send()))
                }
            }

            impl<'a> builder::#builder<'a> {
                /// Sends the request and gives the raw response (its status and headers with the
                /// value), or the crate's `Error`. Awaiting the builder gives the value alone.
                pub async fn send_raw(
                    self,
                ) -> ::std::result::Result<::progenitor_client::ResponseValue<#value_type>, crate::Error> {
                    #raw_runner(&operations::#constant, self.send()).await
                }

                /// This call with its own retry policy or timeout, overriding the client's; await
                /// it as the builder.
                pub fn customize(self) -> #customizer<Self> {
                    #customizer::new(self)
                }
            }
        });
    }
    Ok(quote! { #( #impls )* })
}

/// `T` in `pub async fn send(self) -> Result<ResponseValue<T>, Error<E>>` of `builder::Name`,
/// written as seen from the generated module's root (`types::X` rather than progenitor's paths).
fn send_value_type(builders: &[syn::Item], name: &syn::Ident) -> Option<syn::Type> {
    let send = builders.iter().find_map(|item| match item {
        syn::Item::Impl(block) if block.trait_.is_none() && matches!(&*block.self_ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| &s.ident == name)) => {
            block.items.iter().find_map(|item| match item {
                syn::ImplItem::Fn(function) if function.sig.ident == "send" => Some(function),
                _ => None,
            })
        }
        _ => None,
    })?;
    let syn::ReturnType::Type(_, output) = &send.sig.output else {
        return None;
    };
    let result = last_segment_args(output, "Result")?;
    let response_value = last_segment_args(result.first()?, "ResponseValue")?;
    response_value.first().cloned()
}

/// The generic arguments of a type path whose last segment is `name`.
fn last_segment_args(ty: &syn::Type, name: &str) -> Option<Vec<syn::Type>> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let segment = path.path.segments.last().filter(|s| s.ident == name)?;
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    Some(
        args.args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(ty.clone()),
                _ => None,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_type_is_read_from_the_send_signature() {
        let builders = syn::parse_file(
            "impl<'a> GetChat<'a> { pub async fn send(self) -> Result<ResponseValue<types::Chat>, Error<types::ErrorResponse>> { todo!() } }
             impl<'a> DeleteChat<'a> { pub async fn send(self) -> Result<ResponseValue<()>, Error<types::ErrorResponse>> { todo!() } }",
        )
        .unwrap()
        .items;
        let get = send_value_type(&builders, &format_ident!("GetChat")).unwrap();
        assert_eq!(quote!(#get).to_string(), "types :: Chat");
        let delete = send_value_type(&builders, &format_ident!("DeleteChat")).unwrap();
        assert_eq!(quote!(#delete).to_string(), "()");
        assert!(send_value_type(&builders, &format_ident!("Missing")).is_none());
    }
}
