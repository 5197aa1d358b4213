//! An error accumulator: every stage reports into it, and the derive fails once, with all of them.
//! Dropping it unchecked is a bug in this crate (errors would be lost): its drop guard says so.

use core::cell::RefCell;
use core::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

pub struct Ctxt {
    /// `None` once [`finish`](Self::finish) has taken them.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Default for Ctxt {
    fn default() -> Self {
        Self {
            errors: RefCell::new(Some(Vec::new())),
        }
    }
}

impl Ctxt {
    /// An error spanning `tokens`.
    pub fn error_spanned_by<T: ToTokens>(&self, tokens: T, message: impl Display) {
        self.syn_error(syn::Error::new_spanned(tokens, message));
    }

    /// An error at `span`.
    pub fn error_at(&self, span: Span, message: impl Display) {
        self.syn_error(syn::Error::new(span, message));
    }

    /// An error syn produced.
    pub fn syn_error(&self, error: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(error);
        }
    }

    /// All errors as one, if there were any.
    pub fn finish(self) -> Result<(), syn::Error> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut errors = errors.into_iter();
        let Some(mut all) = errors.next() else {
            return Ok(());
        };
        for e in errors {
            all.combine(e);
        }
        Err(all)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        // As serde's: a context that was never finished would drop the user's errors silently.
        assert!(
            std::thread::panicking() || self.errors.borrow().is_none(),
            "run-metadata-macros: an error context was dropped without its errors being checked"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::Ctxt;

    #[test]
    fn finished_contexts_give_every_error_once() {
        let cx = Ctxt::default();
        cx.error_at(proc_macro2::Span::call_site(), "first");
        cx.error_at(proc_macro2::Span::call_site(), "second");
        let all = cx.finish().unwrap_err();
        assert_eq!(all.into_iter().count(), 2);
        assert!(Ctxt::default().finish().is_ok());
    }

    #[test]
    #[should_panic(expected = "dropped without its errors being checked")]
    fn a_context_dropped_unchecked_is_a_bug_caught_in_tests() {
        let cx = Ctxt::default();
        cx.error_at(proc_macro2::Span::call_site(), "lost");
        drop(cx);
    }
}
