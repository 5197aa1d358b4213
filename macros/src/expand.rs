//! Code generation: the two hooks and the schema, as a careful hand-written impl would be.
//!
//! Keys are string literals, values go straight into a `Metadata` whose capacity is reserved
//! once, and every call into the runtime goes through an absolute path.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident};

use crate::bound::with_bounds;
use crate::resolve::{Body, Conversion, Entry, Key, Plan, Unit};
use crate::shared::{Hook, option_inner};

pub fn expand(input: &DeriveInput, plan: &Plan) -> TokenStream {
    let krate = &plan.krate;
    let ident = &input.ident;
    let generics = with_bounds(plan, &input.generics);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let pipeline = hook_fn(plan, Hook::Pipeline);
    let step = hook_fn(plan, Hook::Step);
    let schema = schema_fn(plan);
    let lifecycle = lifecycle_fns(plan);
    let checks = const_key_checks(plan);
    let source_checks = source_checks(plan, input);
    let declared = declared_keys(plan);
    let settings = settings_impl(plan, input);
    let (plain_impl_generics, plain_ty_generics, plain_where) = input.generics.split_for_impl();
    let impls = quote! {
        #[automatically_derived]
        impl #impl_generics #krate::RunMetadata for #ident #ty_generics #where_clause {
            #pipeline
            #step
            #lifecycle
            #schema
        }
        #[automatically_derived]
        impl #plain_impl_generics #krate::__private::Declared
            for #ident #plain_ty_generics #plain_where
        {
            const KEYS: [#krate::__private::Option<&'static [&'static str]>; 2] = #declared;
        }
        #settings
    };
    // The checked key constants are the impls' and the checks' own: all in one anonymous scope.
    quote! {
        const _: () = {
            #checks
            #source_checks
            #impls
        };
    }
}

/// `#[metadata(settings)]`: the field's type is the component's settings type, its value the
/// configured settings. Spanned at the type, so that one that is not `Serialize` and
/// `Deserialize` is reported there.
fn settings_impl(plan: &Plan, input: &DeriveInput) -> TokenStream {
    let Some(field) = plan.settings else {
        return TokenStream::new();
    };
    let krate = &plan.krate;
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let ty = field.ty;
    let member = &field.member;
    let settings = quote_spanned!(ty.span()=> type Settings = #ty;);
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::ComponentSettings for #ident #ty_generics #where_clause {
            #settings

            #[inline]
            fn configured_settings(&self) -> &#ty {
                &self.#member
            }
        }
    }
}

/// The keys each hook reports, where the derive knows them all (see `__private::Declared`): a
/// struct's own fields', unless a flattened value or a hook-time source adds to that hook; an
/// enum's, never (its variants differ).
fn declared_keys(plan: &Plan) -> TokenStream {
    let krate = &plan.krate;
    let Body::Struct(unit) = &plan.body else {
        return quote!([#krate::__private::None, #krate::__private::None]);
    };
    let per_hook = Hook::ALL.map(|hook| {
        let open = plan.with(hook).is_some()
            || unit.with(hook).is_some()
            || unit
                .entries
                .iter()
                .any(|e| matches!(e.conversion, Conversion::Flatten));
        if open {
            return quote!(#krate::__private::None);
        }
        let keys = own_keys(unit, hook);
        quote!(#krate::__private::Some(&[#(#keys),*]))
    });
    let [pipeline, step] = per_hook;
    quote!([#pipeline, #step])
}

/// The keys a struct's or variant's own fields report to `hook`, as expressions.
fn own_keys(unit: &Unit, hook: Hook) -> Vec<TokenStream> {
    unit.entries
        .iter()
        .filter(|e| e.reports_to(hook))
        .filter_map(|e| e.key.as_ref())
        .map(|k| key_tokens(Some(k)))
        .collect()
}

/// Compile-time checks of a struct's hook-time sources, at each source's path: a source whose
/// type declares its keys reports some for its hook, and none that a field of the struct also
/// reports. Only where the struct's type can be named outside its impl (no generics).
fn source_checks(plan: &Plan, input: &DeriveInput) -> TokenStream {
    let krate = &plan.krate;
    let Body::Struct(unit) = &plan.body else {
        return TokenStream::new();
    };
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let mut out = Vec::new();
    for hook in Hook::ALL {
        let Some(path) = plan.with(hook) else {
            continue;
        };
        let at_name = path
            .segments
            .last()
            .map_or_else(|| path.span(), |segment| segment.ident.span());
        let krate = respan(krate, at_name);
        let named = without_self(path, &input.ident);
        let shown = path.to_token_stream().to_string().replace(' ', "");
        let (attr, index, other) = match hook {
            Hook::Pipeline => ("pipeline_with", 0_usize, "step"),
            Hook::Step => ("step_with", 1, "pipeline"),
        };
        let nothing = format!(
            "`{attr} = {shown}` returns a type that reports nothing for the {} hook: it tracks \
             no field for that hook (its fields may be marked `#[metadata({other})]` only, or \
             not at all); mark them `#[metadata({})]`, or return the type from `{other}_with`",
            hook.name(),
            hook.name(),
        );
        // One check per key of the fields, so that the error names the key.
        let twice = unit
            .entries
            .iter()
            .filter(|e| e.reports_to(hook))
            .filter_map(|e| e.key.as_ref())
            .map(|key| {
                let named_key = match key {
                    Key::Literal(k) => format!("`{k}`"),
                    Key::Const(c) => format!(
                        "the key of `{}`",
                        c.to_token_stream().to_string().replace(' ', "")
                    ),
                };
                let message = format!(
                    "the {} hook reports {named_key} twice: a field of this type, and the type \
                     `{attr} = {shown}` returns; rename one of them (the later value would \
                     silently replace the earlier)",
                    hook.name(),
                );
                let key = key_tokens(Some(key));
                quote_spanned!(at_name=> #krate::__private::none_of(&[#key], keys, #message);)
            });
        // The source made as the hook makes it (see `source`), so that a function of the wrong
        // signature or return type is reported once; the checks at the function's name.
        let made = source_for(&plan.krate, &named, hook, &input.ident);
        out.push(quote_spanned! {at_name=>
            const _: () = {
                let keys = #made.declared()[#index];
                #krate::__private::reports_something(keys, #nothing);
                #(#twice)*
            };
        });
    }
    quote!(#(#out)*)
}

/// `path` with a leading `Self` replaced by the type's name, for use outside the impl.
fn without_self(path: &syn::Path, ident: &Ident) -> syn::Path {
    let mut path = path.clone();
    if let Some(first) = path.segments.first_mut()
        && first.ident == "Self"
    {
        first.ident = Ident::new(&ident.to_string(), first.ident.span());
    }
    path
}

/// Hygienic names, for what only generated code refers to: user tokens can neither name nor
/// shadow them.
fn local(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// A field's binding. Unlike [`local`], it may be re-spanned onto the user's tokens (see
/// [`at`]), so it has call-site hygiene and a name no user code would pick.
fn binding(index: usize) -> Ident {
    format_ident!("__run_metadata_field{}", index)
}

/// The hook's argument; call-site hygiene, as [`binding`].
fn hook_arg(hook: Hook) -> Ident {
    Ident::new(
        match hook {
            Hook::Pipeline => "__run_metadata_run",
            Hook::Step => "__run_metadata_info",
        },
        Span::call_site(),
    )
}

/// `tokens` spanned at `span`, all of them: a bound checked on a call through them is reported
/// at `span`.
fn respan(tokens: &impl ToTokens, span: Span) -> TokenStream {
    tokens
        .to_token_stream()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// `ident` spanned at `span`: passed to a user's function, a wrong type is reported at that
/// function's path instead of at the derive.
fn at(ident: &Ident, span: Span) -> Ident {
    let mut ident = ident.clone();
    ident.set_span(span);
    ident
}

fn unit_reports(unit: &Unit, hook: Hook) -> bool {
    unit.with(hook).is_some() || unit.entries.iter().any(|e| e.reports_to(hook))
}

/// `prepare_step_run = f` and `cleanup_step_run = f`: the trait's methods, calling `f` (spanned
/// at its path, so that a function of the wrong signature is reported there).
fn lifecycle_fns(plan: &Plan) -> TokenStream {
    let krate = &plan.krate;
    let info = Ident::new("__run_metadata_info", Span::call_site());
    let failed = Ident::new("__run_metadata_step_failed", Span::call_site());
    // `f` returns `()` or `Result<(), E>`: `try_*` gives its outcome to the stack, and the plain
    // form (for a caller outside a stack) panics on an `Err`, as ZenML's raise would.
    let prepare = plan.prepare_step_run.map(|path| {
        let span = path.span();
        let (this, arg) = (Ident::new("self", span), at(&info, span));
        let krate_at = respan(krate, span);
        let call = quote_spanned!(span=> #krate_at::__private::lifecycle(#path(#this, #arg)));
        quote! {
            #[inline]
            fn try_prepare_step_run(
                &self,
                #info: &#krate::StepRunInfo,
            ) -> #krate::__private::Result<(), #krate::HookError> {
                #call
            }

            #[inline]
            fn prepare_step_run(&self, #info: &#krate::StepRunInfo) {
                #krate::__private::or_raise(
                    #krate::RunMetadata::try_prepare_step_run(self, #info),
                    "prepare_step_run",
                );
            }
        }
    });
    let cleanup = plan.cleanup_step_run.map(|path| {
        // The arguments keep the derive's span: a function of the wrong arity is reported at
        // its path, without a suggestion to edit the path itself.
        let span = path.span();
        let krate_at = respan(krate, span);
        let call = quote!(#krate_at::__private::lifecycle(#path(self, #info, #failed)));
        quote! {
            #[inline]
            fn try_cleanup_step_run(
                &self,
                #info: &#krate::StepRunInfo,
                #failed: bool,
            ) -> #krate::__private::Result<(), #krate::HookError> {
                #call
            }

            #[inline]
            fn cleanup_step_run(&self, #info: &#krate::StepRunInfo, #failed: bool) {
                #krate::__private::or_raise(
                    #krate::RunMetadata::try_cleanup_step_run(self, #info, #failed),
                    "cleanup_step_run",
                );
            }
        }
    });
    quote!(#prepare #cleanup)
}

/// Whether `hook` reads a hook-time source that may fail: a `*_with` function, or a flattened
/// value (whose own sources may fail).
fn fallible(plan: &Plan, hook: Hook) -> bool {
    plan.with(hook).is_some()
        || plan.units().iter().any(|u| {
            u.with(hook).is_some()
                || u.entries
                    .iter()
                    .any(|e| e.reports_to(hook) && matches!(e.conversion, Conversion::Flatten))
        })
}

/// The hook's method, or nothing where it would report nothing (the trait's default stays).
/// Where a source may fail, the method written is `try_*`, and the plain hook gives nothing on a
/// failure.
fn hook_fn(plan: &Plan, hook: Hook) -> Option<TokenStream> {
    if plan.with(hook).is_none() && !plan.units().iter().any(|u| unit_reports(u, hook)) {
        return None;
    }
    let krate = &plan.krate;
    let metadata = local("metadata");
    let arg = hook_arg(hook);
    let fallible = fallible(plan, hook);
    let (name, try_name, arg_ty) = match hook {
        Hook::Pipeline => (
            quote!(pipeline_run_metadata),
            quote!(try_pipeline_run_metadata),
            quote!(#krate::__private::Uuid),
        ),
        Hook::Step => (
            quote!(step_run_metadata),
            quote!(try_step_run_metadata),
            quote!(&#krate::StepRunInfo),
        ),
    };
    let capacity = plan
        .units()
        .iter()
        .map(|u| {
            u.entries
                .iter()
                .filter(|e| e.reports_to(hook) && e.key.is_some())
                .count()
        })
        .max()
        .unwrap_or(0);
    let body = match &plan.body {
        Body::Struct(unit) => {
            let (pattern, code) = unit_code(plan, unit, hook);
            pattern
                .map(|pattern| quote!(let Self #pattern = self;))
                .into_iter()
                .chain(Some(code))
                .collect()
        }
        Body::Enum(variants) => {
            let arms = variants
                .iter()
                .filter(|(_, unit)| unit_reports(unit, hook))
                .map(|(ident, unit)| {
                    let (pattern, code) = unit_code(plan, unit, hook);
                    let pattern = pattern.unwrap_or_else(|| quote!({ .. }));
                    quote!(Self::#ident #pattern => { #code })
                });
            let all = variants.iter().all(|(_, unit)| unit_reports(unit, hook));
            let rest = (!all).then(|| quote!(_ => {}));
            if variants.iter().any(|(_, unit)| unit_reports(unit, hook)) {
                quote!(match self { #(#arms)* #rest })
            } else {
                TokenStream::new()
            }
        }
    };
    let with = plan
        .with(hook)
        .map(|path| with_call(krate, path, hook, &metadata, &arg));
    // `#[inline]`: codegen waits for a crate that calls the hook, as for serde's generic
    // impls, instead of happening in every crate that derives.
    if fallible && hook == Hook::Pipeline {
        let collect = quote! {
            let mut #metadata = #krate::__private::with_capacity(#capacity);
            #body
            #with
            ::core::result::Result::Ok(#metadata)
        };
        return Some(pipeline_fns(krate, &arg, &collect));
    }
    Some(if fallible {
        quote! {
            #[inline]
            fn #name(&self, #arg: #arg_ty) -> #krate::Metadata {
                #krate::__private::or_nothing(Self::#try_name(self, #arg))
            }

            #[inline]
            #[allow(unused_mut)]
            fn #try_name(
                &self,
                #arg: #arg_ty,
            ) -> ::core::result::Result<#krate::Metadata, #krate::HookError> {
                let mut #metadata = #krate::__private::with_capacity(#capacity);
                #body
                #with
                ::core::result::Result::Ok(#metadata)
            }
        }
    } else {
        quote! {
            #[inline]
            #[allow(unused_mut)]
            fn #name(&self, #arg: #arg_ty) -> #krate::Metadata {
                let mut #metadata = #krate::__private::with_capacity(#capacity);
                #body
                #metadata
            }
        }
    })
}

/// The fallible pipeline hook: sources and flattened values are told the whole run
/// (`try_pipeline_run_metadata_for`, running `collect`); the hook of a run id alone tells them a
/// run with only its id.
fn pipeline_fns(krate: &syn::Path, run: &Ident, collect: &TokenStream) -> TokenStream {
    let run_id = Ident::new("__run_metadata_run_id", Span::call_site());
    quote! {
        #[inline]
        fn pipeline_run_metadata(&self, #run_id: #krate::__private::Uuid) -> #krate::Metadata {
            #krate::__private::or_nothing(Self::try_pipeline_run_metadata(self, #run_id))
        }

        #[inline]
        fn try_pipeline_run_metadata(
            &self,
            #run_id: #krate::__private::Uuid,
        ) -> ::core::result::Result<#krate::Metadata, #krate::HookError> {
            Self::try_pipeline_run_metadata_for(self, &#krate::__private::run_of(#run_id))
        }

        #[inline]
        #[allow(unused_mut)]
        fn try_pipeline_run_metadata_for(
            &self,
            #run: &#krate::PipelineRunInfo,
        ) -> ::core::result::Result<#krate::Metadata, #krate::HookError> {
            #collect
        }
    }
}

/// A hook-time source, written the same in the hook and in the schema so that a function of
/// the wrong signature or return type gives one error, at its path:
/// `step_source(|this: &Self, info: &StepRunInfo| f(this, info))`.
fn source(krate: &syn::Path, path: &syn::Path, hook: Hook) -> TokenStream {
    source_for(krate, path, hook, &Ident::new("Self", path.span()))
}

/// [`source`] for the component type `this_ty` (`Self` inside the impl, the type's name
/// outside it).
fn source_for(krate: &syn::Path, path: &syn::Path, hook: Hook, this_ty: &Ident) -> TokenStream {
    let span = path.span();
    let this_ty = at(this_ty, span);
    let krate = respan(krate, span);
    let helper = Ident::new(&format!("{}_source", hook.name()), span);
    let this = Ident::new("__run_metadata_self", span);
    let arg = at(&hook_arg(hook), span);
    match hook {
        // The function takes the run's id or the run: its parameter's type picks (`RunArg`).
        Hook::Pipeline => quote_spanned! {span=>
            #krate::__private::#helper(|#this: &#this_ty, #arg: &#krate::PipelineRunInfo| {
                #path(#this, #krate::__private::RunArg::run_arg(#arg))
            })
        },
        Hook::Step => quote_spanned! {span=>
            #krate::__private::#helper(|#this: &#this_ty, #arg: &#krate::StepRunInfo| {
                #path(#this, #arg)
            })
        },
    }
}

/// `merge(&mut metadata, source.step(self, arg)?)`: what the source reports, or the hook fails.
fn with_call(
    krate: &syn::Path,
    path: &syn::Path,
    hook: Hook,
    metadata: &Ident,
    arg: &Ident,
) -> TokenStream {
    let source = source(krate, path, hook);
    let span = path.span();
    let method = Ident::new(hook.name(), span);
    let this = Ident::new("self", span);
    let arg = at(arg, span);
    let call = quote_spanned!(span=> #source.#method(#this, #arg));
    quote!(#krate::__private::merge(&mut #metadata, #call?);)
}

/// The keys a hook-time source declares (those of the type it returns), into `schema`.
fn with_schema(krate: &syn::Path, schema: &Ident, hook: Hook, path: &syn::Path) -> TokenStream {
    let name = path.to_token_stream().to_string().replace(' ', "");
    let source = source(krate, path, hook);
    let span = path.span();
    let hook_name = hook.name();
    let nested = quote_spanned!(span=> #source.schema_of(#name));
    quote! {
        #schema.merge_hook(#hook_name, #nested, false);
    }
}

/// The destructuring pattern of the fields this hook reads, and the code reporting them.
fn unit_code(plan: &Plan, unit: &Unit, hook: Hook) -> (Option<TokenStream>, TokenStream) {
    let krate = &plan.krate;
    let metadata = local("metadata");
    let arg = hook_arg(hook);
    let mut pattern = Vec::new();
    let mut code = Vec::new();
    let mut merged = false;
    for (index, entry) in unit.entries.iter().enumerate() {
        if !entry.reports_to(hook) {
            continue;
        }
        let bind = binding(index);
        let member = &entry.field.member;
        pattern.push(quote!(#member: #bind));
        let ty = entry.field.ty;
        let report = if let Conversion::Flatten = entry.conversion {
            merged = true;
            // A flattened value's own sources may fail: it is asked through `try_*`, and its
            // failure is this hook's (a hook with a flattened field is always `fallible`).
            let call = match hook {
                Hook::Pipeline => quote_spanned! {ty.span()=>
                    <#ty as #krate::RunMetadata>::try_pipeline_run_metadata_for(#bind, #arg)?
                },
                Hook::Step => quote_spanned! {ty.span()=>
                    <#ty as #krate::RunMetadata>::try_step_run_metadata(#bind, #arg)?
                },
            };
            quote!(#krate::__private::merge(&mut #metadata, #call);)
        } else {
            let key = key_tokens(entry.key.as_ref());
            let value = value_expr(krate, entry, &bind);
            // After merged metadata the key may be taken: replace, as a dict update would.
            let push = if merged { quote!(put) } else { quote!(push) };
            quote!(#krate::__private::#push(&mut #metadata, #key, #value);)
        };
        code.push(match entry.skip_if {
            Some(skip) => {
                let span = skip.span();
                let skip_it = Ident::new("__run_metadata_skip", span);
                let bind = at(&bind, span);
                quote_spanned! {span=>
                    let #skip_it: bool = #skip(#bind);
                    if !#skip_it { #report }
                }
            }
            None => report,
        });
    }
    if let Some(path) = unit.with(hook) {
        code.push(with_call(krate, path, hook, &metadata, &arg));
    }
    let pattern = (!pattern.is_empty()).then(|| quote!({ #(#pattern,)* .. }));
    (pattern, quote!(#(#code)*))
}

/// A key as an expression: a string literal, or the constant's path (spanned there, so that a
/// path that is not a `&'static str` constant is reported there).
fn key_tokens(key: Option<&Key>) -> TokenStream {
    match key {
        Some(Key::Literal(key)) => quote!(#key),
        Some(Key::Const(path)) => checked_key(path).into_token_stream(),
        // Flattened fields have no key and are never pushed or listed one by one.
        None => quote!(""),
    }
}

/// The name of the checked copy of a key constant (see [`const_key_checks`]): a `&'static str`
/// whatever the constant is, so that a wrong constant is one error, at its definition's use.
fn checked_key(path: &syn::Path) -> Ident {
    let name: String = path
        .to_token_stream()
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    Ident::new(&format!("__RUN_METADATA_KEY_{name}"), path.span())
}

/// Compile-time checks of keys given by constants, as items next to the impl: each constant is
/// a key ZenML accepts, and no hook of a struct or variant reports one key twice. Const
/// evaluation reports a failure at the constant's path.
fn const_key_checks(plan: &Plan) -> TokenStream {
    let krate = &plan.krate;
    let mut out = Vec::new();
    let mut named = std::collections::BTreeSet::new();
    for unit in plan.units() {
        for entry in &unit.entries {
            if let Some(Key::Const(path)) = &entry.key {
                let name = checked_key(path);
                if !named.insert(name.to_string()) {
                    continue;
                }
                let span = path.span();
                let krate = respan(krate, span);
                out.push(quote_spanned! {span=>
                    #[allow(non_upper_case_globals)]
                    const #name: &str = #krate::__private::const_key(#path);
                });
            }
        }
        for hook in Hook::ALL {
            let keys: Vec<&Key> = unit
                .entries
                .iter()
                .filter(|e| e.reports_to(hook))
                .filter_map(|e| e.key.as_ref())
                .collect();
            let Some(Key::Const(first)) = keys.iter().find(|k| matches!(k, Key::Const(_))) else {
                continue;
            };
            let span = first.span();
            let krate = respan(krate, span);
            let keys = keys.iter().map(|k| key_tokens(Some(k)));
            let message = format!(
                "the {} hook reports a metadata key twice: a constant key equals another key \
                 of this type",
                hook.name()
            );
            out.push(quote_spanned! {span=>
                const _: () = #krate::__private::distinct_keys(&[#(#keys),*], #message);
            });
        }
    }
    quote!(#(#out)*)
}

/// The `Option<MetadataValue>` of one field, spanned at what decides whether it compiles: the
/// field's type, or the `with` function.
fn value_expr(krate: &syn::Path, entry: &Entry, bind: &Ident) -> TokenStream {
    let ty = entry.field.ty;
    match entry.conversion {
        Conversion::Plain => quote_spanned! {ty.span()=>
            <#ty as #krate::ToMetadata>::to_metadata_opt(#bind)
        },
        Conversion::Special(special) => {
            let (trait_, method) = (special.field_trait(), special.method());
            // An `Option` is unwrapped here: the field traits take the value itself.
            if let Some(inner) = option_inner(ty) {
                let v = local("value");
                let bind = at(bind, ty.span());
                quote_spanned! {ty.span()=>
                    #krate::__private::Option::and_then(
                        #krate::__private::Option::as_ref(#bind),
                        |#v: &#inner| <#inner as #krate::__private::#trait_>::#method(#v),
                    )
                }
            } else {
                quote_spanned! {ty.span()=>
                    <#ty as #krate::__private::#trait_>::#method(#bind)
                }
            }
        }
        Conversion::Display => {
            let bind = at(bind, ty.span());
            if let Some(inner) = option_inner(ty) {
                let v = local("value");
                quote_spanned! {ty.span()=>
                    #krate::__private::Option::map(
                        #krate::__private::Option::as_ref(#bind),
                        |#v: &#inner| #krate::__private::display::<#inner>(#v),
                    )
                }
            } else {
                quote_spanned! {ty.span()=>
                    #krate::__private::Some(#krate::__private::display::<#ty>(#bind))
                }
            }
        }
        Conversion::With(path) => {
            let span = path.span();
            let bind = at(bind, span);
            quote_spanned!(span=> #krate::__private::with_value(&#path(#bind)))
        }
        // Flattened fields are merged by the caller, never converted one by one.
        Conversion::Flatten => quote!(#krate::__private::None),
    }
}

/// `schema()`: every entry of both hooks, without an instance.
fn schema_fn(plan: &Plan) -> TokenStream {
    let krate = &plan.krate;
    let schema = local("schema");
    let body = match &plan.body {
        Body::Struct(unit) => unit_schema(krate, unit, &schema),
        Body::Enum(variants) => {
            let variant = local("variant");
            let per_variant = variants.iter().map(|(_, unit)| {
                let code = unit_schema(krate, unit, &variant);
                quote! {{
                    let mut #variant = #krate::__private::Schema::new();
                    #code
                    #schema.add_variant(#variant);
                }}
            });
            quote!(#(#per_variant)*)
        }
    };
    let with = Hook::ALL.into_iter().filter_map(|hook| {
        let path = plan.with(hook)?;
        Some(with_schema(krate, &schema, hook, path))
    });
    let prepares = plan
        .prepare_step_run
        .map(|_| quote!(#schema.prepares_step_run = true;));
    let cleans_up = plan
        .cleanup_step_run
        .map(|_| quote!(#schema.cleans_up_step_run = true;));
    quote! {
        #[inline]
        #[allow(unused_mut)]
        fn schema() -> #krate::__private::Schema {
            let mut #schema = #krate::__private::Schema::new();
            #body
            #(#with)*
            #prepares
            #cleans_up
            #schema
        }
    }
}

/// The field of `Schema` that lists `hook`'s entries: named as the hook.
fn schema_field(hook: Hook) -> Ident {
    Ident::new(hook.name(), Span::call_site())
}

/// A unit's schema entries, hook by hook in field order. Runs of keys known at compile time go
/// in as one array, one call: cheaper to compile than a call per key.
fn unit_schema(krate: &syn::Path, unit: &Unit, schema: &Ident) -> TokenStream {
    let mut code = Vec::new();
    for hook in Hook::ALL {
        let field = schema_field(hook);
        let mut keys: Vec<TokenStream> = Vec::new();
        let flush = |keys: &mut Vec<TokenStream>, code: &mut Vec<TokenStream>| {
            if !keys.is_empty() {
                code.push(quote! {
                    #krate::__private::schema_keys(&mut #schema.#field, &[#(#keys),*]);
                });
                keys.clear();
            }
        };
        for entry in unit.entries.iter().filter(|e| e.reports_to(hook)) {
            let ty = entry.field.ty;
            let optional = entry.optional();
            let tag = match entry.conversion {
                Conversion::Plain => {
                    quote_spanned!(ty.span()=> <#ty as #krate::ToMetadata>::METADATA_TYPE)
                }
                Conversion::Special(special) => {
                    let tag = special.tag();
                    quote!(#krate::__private::Some(#krate::MetadataType::#tag))
                }
                Conversion::Display => {
                    quote!(#krate::__private::Some(#krate::MetadataType::Str))
                }
                // Naming the function's return type would mean calling it a second time,
                // and a second copy of any error in it; its tag is left to run time.
                Conversion::With(_) => quote!(#krate::__private::None),
                Conversion::Flatten => {
                    flush(&mut keys, &mut code);
                    let nested = quote_spanned!(ty.span()=> <#ty as #krate::RunMetadata>::schema());
                    let hook_name = hook.name();
                    code.push(quote! {
                        #schema.merge_hook(#hook_name, #nested, #optional);
                    });
                    continue;
                }
            };
            let key = key_tokens(entry.key.as_ref());
            keys.push(quote!((#key, #tag, #optional)));
        }
        flush(&mut keys, &mut code);
        if let Some(path) = unit.with(hook) {
            code.push(with_schema(krate, schema, hook, path));
        }
    }
    quote!(#(#code)*)
}

/// On errors: an empty impl, so that uses of the type as a `RunMetadata` do not add errors of
/// their own to the real ones.
pub fn fallback(input: &DeriveInput, krate: &syn::Path) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::RunMetadata for #ident #ty_generics #where_clause {}
    }
}
