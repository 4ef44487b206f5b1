//! The REST client: progenitor with the project's settings, plus the items typify cannot make.

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::{ToTokens, quote};
use schemars08::schema::{InstanceType, SchemaObject, SingleOrVec};

use crate::operations::{self, OperationFutures};
use crate::{Error, Result, Spec, examples, format, lint, open_enums, patches, unions, validate};

/// Where the generated code lives in the client crate, and which hand-written types it uses.
#[derive(Debug, Clone)]
pub struct ClientLayout {
    /// The path of the module the generated file is mounted as, such as `crate::generated`.
    /// Replaced types are named through it, from anywhere in the generated code.
    pub module_path: String,
    /// progenitor's "inner type": the state of the generated `Client` that the hand-written
    /// `ClientHooks` implementation reads (token, retry policy, …).
    pub inner_type: String,
    /// The Rust type for strings of each `format`: `(format, type)`, such as
    /// `("date-time", "crate::Timestamp")`, nullable or not.
    pub string_formats: Vec<(String, String)>,
    /// Component schemas replaced by hand-written types: `(schema name, type)`.
    pub replacements: Vec<(String, String)>,
    /// The cargo feature of the client crate under which models implement `schemars::JsonSchema`.
    pub schemars_feature: Option<String>,
    /// The hand-written type that body setters of optional text fields take, so that they accept a
    /// `&str` (see [`patches::optional_text_setters`]).
    pub optional_text_type: Option<String>,
    /// The client's module with the functions every tagged union's `Deserialize` calls
    /// (`Object`, `decode_variant`; see [`unions::emit`]).
    pub union_support: String,
    /// The client's type of an operation's description, whose constants make the generated
    /// `operations` table (see [`operations::emit_table`]).
    pub operation_type: String,
    /// With this, every operation's builder also implements `IntoFuture` (see [`operations`]).
    pub operation_futures: Option<OperationFutures>,
}

impl ClientLayout {
    /// The layout of `crates/zendesk-chat`.
    pub fn zendesk_chat() -> Self {
        Self {
            module_path: "crate::generated".into(),
            inner_type: "crate::ClientConfig".into(),
            string_formats: vec![
                ("date-time".into(), "crate::Timestamp".into()),
                ("password".into(), "crate::Password".into()),
            ],
            replacements: vec![
                ("LooseId".into(), "crate::LooseId".into()),
                ("WebpathItem".into(), "crate::WebpathItem".into()),
            ],
            schemars_feature: Some("schemars".into()),
            optional_text_type: Some("crate::OptionalText".into()),
            union_support: "crate::tagged_union".into(),
            operation_type: "crate::operation::Operation".into(),
            operation_futures: Some(OperationFutures {
                runner: "crate::call::run".into(),
                raw_runner: "crate::call::run_raw".into(),
                customizer: "crate::Customize".into(),
            }),
        }
    }
}

/// Checks the spec, generates the REST client from it, and returns the formatted source.
pub fn generate_rest_client(spec: &Spec, layout: &ClientLayout) -> Result<String> {
    let findings = validate::check(spec);
    if !findings.is_empty() {
        return Err(Error::Invalid(findings));
    }
    let findings = lint::check(spec);
    if !findings.is_empty() {
        return Err(Error::Lint(findings));
    }
    let findings = examples::check(spec);
    if !findings.is_empty() {
        return Err(Error::Examples(findings));
    }
    check_layout_is_current(spec, layout)?;

    let unions = unions::find(spec);
    let open_enums = open_enums::find(spec);
    let settings = settings(layout, &unions, &open_enums)?;
    let tokens = Generator::new(&settings).generate_tokens(&spec.openapi)?;
    let mut file: syn::File = syn::parse2(tokens)?;

    let schemars = layout.schemars_feature.as_deref();
    let types = types_module(&mut file)?;
    if spec
        .document
        .to_string()
        .contains("\"additionalProperties\":{}")
    {
        patches::default_extra_map(types)?;
    }
    if let Some(text_type) = &layout.optional_text_type {
        patches::optional_text_setters(types, &syn::parse_str(text_type)?)?;
    }
    if let Some(feature) = schemars {
        derive_json_schema(types, feature);
    }
    let mut extra = proc_macro2::TokenStream::new();
    let union_support: syn::Path = syn::parse_str(&layout.union_support)?;
    extra.extend(
        unions
            .iter()
            .map(|u| unions::emit(u, &union_support, schemars)),
    );
    extra.extend(open_enums.iter().map(|e| open_enums::emit(e, schemars)));
    let extra: syn::File = syn::parse2(extra)?;
    types.extend(extra.items);

    patches::await_in_operation_docs(&mut file)?;
    let mut additions = operations::emit_table(spec, &syn::parse_str(&layout.operation_type)?);
    if let Some(futures) = &layout.operation_futures {
        additions.extend(operations::emit_into_futures(&file, spec, futures)?);
    }
    file.items
        .extend(syn::parse2::<syn::File>(additions)?.items);

    format::generated_file(&file, &spec.source_name)
}

fn settings(
    layout: &ClientLayout,
    unions: &[unions::TaggedUnion],
    open_enums: &[open_enums::OpenEnum],
) -> Result<GenerationSettings> {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // The hand-written layer must implement `ClientHooks` (auth, retries, tracing): a client
        // built without it does not compile.
        .with_hooks(HooksMode::Expected)
        .with_inner_type(syn::parse_str::<syn::Type>(&layout.inner_type)?.into_token_stream())
        .with_derive("PartialEq");
    let types_path = format!("{}::types", layout.module_path);
    for union in unions {
        settings.with_replacement(
            &union.name,
            format!("{types_path}::{}", union.name),
            std::iter::empty(),
        );
    }
    for open_enum in open_enums {
        use progenitor_impl::TypeImpl;
        let impls = [
            TypeImpl::Display,
            TypeImpl::FromStr,
            TypeImpl::FromStringIrrefutable,
        ];
        settings.with_replacement(
            &open_enum.name,
            format!("{types_path}::{}", open_enum.name),
            impls.into_iter(),
        );
    }
    for (schema, rust_type) in &layout.replacements {
        settings.with_replacement(schema, rust_type, std::iter::empty());
    }
    for (format, rust_type) in &layout.string_formats {
        // A nullable string of the format maps to the same type: every property that can be null
        // is optional in this spec, so it is already an `Option`, and serde reads null as `None`
        // (mapping it to `Option<T>` would give `Option<Option<T>>`).
        let instance_types: [SingleOrVec<InstanceType>; 2] = [
            InstanceType::String.into(),
            vec![InstanceType::String, InstanceType::Null].into(),
        ];
        for instance_type in instance_types {
            let schema = SchemaObject {
                instance_type: Some(instance_type),
                format: Some(format.clone()),
                ..Default::default()
            };
            settings.with_conversion(schema, rust_type, std::iter::empty());
        }
    }
    Ok(settings)
}

/// Every setting must still match something in the spec, or it is a stale override.
fn check_layout_is_current(spec: &Spec, layout: &ClientLayout) -> Result<()> {
    for (schema, _) in &layout.replacements {
        if spec.schema(schema).is_none() {
            return Err(Error::StaleSetting(format!(
                "replacement for schema {schema}, which the spec does not have"
            )));
        }
    }
    let text = spec.document.to_string();
    for (format, _) in &layout.string_formats {
        if !text.contains(&format!("\"format\":\"{format}\"")) {
            return Err(Error::StaleSetting(format!(
                "type for `format: {format}`, which no schema uses"
            )));
        }
    }
    Ok(())
}

/// The items of the generated `types` module.
fn types_module(file: &mut syn::File) -> Result<&mut Vec<syn::Item>> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                module.content.as_mut().map(|(_, items)| items)
            }
            _ => None,
        })
        .ok_or_else(|| {
            Error::Syntax(syn::Error::new(
                proc_macro2::Span::call_site(),
                "progenitor made no `types` module",
            ))
        })
}

/// Adds `#[cfg_attr(feature = "…", derive(::schemars::JsonSchema))]` to every model typify made
/// (the structs and enums that derive `Serialize`; builders and errors do not).
fn derive_json_schema(types: &mut [syn::Item], feature: &str) {
    let attribute: syn::Attribute = syn::parse_quote! {
        #[cfg_attr(feature = #feature, derive(::schemars::JsonSchema))]
    };
    for item in types {
        let attrs = match item {
            syn::Item::Struct(item) => &mut item.attrs,
            syn::Item::Enum(item) => &mut item.attrs,
            _ => continue,
        };
        let serializes = attrs.iter().any(|attr| {
            attr.path().is_ident("derive") && quote!(#attr).to_string().contains("Serialize")
        });
        if serializes {
            attrs.push(attribute.clone());
        }
    }
}
