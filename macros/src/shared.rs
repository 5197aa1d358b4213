//! Helpers more than one stage uses.

use syn::Type;

/// Which hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    Pipeline,
    Step,
}

impl Hook {
    pub const ALL: [Hook; 2] = [Hook::Pipeline, Hook::Step];

    /// The hook's name, as attributes and messages write it.
    pub const fn name(self) -> &'static str {
        match self {
            Hook::Pipeline => "pipeline",
            Hook::Step => "step",
        }
    }
}

/// `T` if `ty` is written `Option<T>` (also `std::option::Option<T>`, `core::option::Option<T>`).
pub fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<_> = path.path.segments.iter().collect();
    let last = segments.last()?;
    let prefix_ok = match segments.len() {
        1 => true,
        3 => {
            matches!(segments[0].ident.to_string().as_str(), "std" | "core")
                && segments[1].ident == "option"
        }
        _ => false,
    };
    if !prefix_ok || last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}
