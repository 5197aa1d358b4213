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

/// One value per hook, as serde's `attr::Name` holds one per direction: what a type or a field
/// says of each hook, what each hook reports, the source each hook calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hooks<T> {
    pub pipeline: T,
    pub step: T,
}

impl<T> Hooks<T> {
    /// The same value for both hooks.
    pub fn both(value: T) -> Self
    where
        T: Clone,
    {
        Hooks {
            pipeline: value.clone(),
            step: value,
        }
    }

    pub fn get_mut(&mut self, hook: Hook) -> &mut T {
        match hook {
            Hook::Pipeline => &mut self.pipeline,
            Hook::Step => &mut self.step,
        }
    }

    pub fn as_ref(&self) -> Hooks<&T> {
        Hooks {
            pipeline: &self.pipeline,
            step: &self.step,
        }
    }

    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Hooks<U> {
        Hooks {
            pipeline: f(self.pipeline),
            step: f(self.step),
        }
    }
}

impl<T> Hooks<Option<T>> {
    /// Whether either hook has a value.
    pub fn any(&self) -> bool {
        self.pipeline.is_some() || self.step.is_some()
    }
}

impl Hooks<bool> {
    /// Whether either hook is set.
    pub fn any(self) -> bool {
        self.pipeline || self.step
    }
}

impl<T> core::ops::Index<Hook> for Hooks<T> {
    type Output = T;

    fn index(&self, hook: Hook) -> &T {
        match hook {
            Hook::Pipeline => &self.pipeline,
            Hook::Step => &self.step,
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
