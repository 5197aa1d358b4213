//! Compile-time behaviour: each case under `ui/` must fail to compile with exactly the
//! errors in its `.stderr` file.

#[test]
fn runtime_compile_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/runtime/*.rs");
}

#[test]
fn derive_compile_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/derive/*.rs");
}

#[test]
fn derive_compiles() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
}
