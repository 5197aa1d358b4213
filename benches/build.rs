//! Writes the 200-field fixture of the `collect` and `encode` benchmarks: one component in four
//! forms — derived, hand-written with `Metadata::insert_value`, hand-written with `metadata!`,
//! and `#[derive(Serialize)]` for the serde route — and, for encoding with serde alone, its
//! `values` and `types` objects as two `#[derive(Serialize)]` structs with one field per key.

use std::fmt::Write as _;

const FIELDS: usize = 200;

/// Field `i`: its type, the literal it holds, and (for the hand-written impl) its
/// `MetadataValue` expression (empty for the `Option` fields, written out separately).
#[allow(clippy::cast_precision_loss)] // i < 200
fn field(i: usize) -> (&'static str, String, String) {
    match i % 5 {
        0 => (
            "String",
            format!("String::from(\"value-{i}\")"),
            format!("MetadataValue::Str(self.f{i}.clone())"),
        ),
        1 => (
            "u64",
            format!("{}", i as u64 * 1_000_003),
            format!("MetadataValue::Int(Integer::from(self.f{i}))"),
        ),
        2 => (
            "f64",
            format!("{:?}", i as f64 * 0.25),
            format!("MetadataValue::Float(self.f{i})"),
        ),
        3 => (
            "bool",
            format!("{}", i.is_multiple_of(2)),
            format!("MetadataValue::Bool(self.f{i})"),
        ),
        _ if i.is_multiple_of(3) => ("Option<String>", "None".to_owned(), String::new()),
        _ => (
            "Option<String>",
            format!("Some(String::from(\"opt-{i}\"))"),
            String::new(),
        ),
    }
}

/// ZenML's type tag of a field of type `ty`, and the borrowed type its `values` field has.
fn typed_field(ty: &str) -> (&'static str, &'static str) {
    match ty {
        "String" => ("str", "&'a str"),
        "u64" => ("int", "u64"),
        "f64" => ("float", "f64"),
        "bool" => ("bool", "bool"),
        _ => ("str", "Option<&'a str>"),
    }
}

/// `WideValues` and `WideTypes`: the request's `values` and `types` objects as a user writes them
/// with serde alone, one typed field per key, borrowed from a `WideSerde`.
fn typed(out: &mut String) {
    const SKIP: &str = "    #[serde(skip_serializing_if = \"Option::is_none\")]\n";
    out.push_str("#[derive(Serialize)]\npub struct WideValues<'a> {\n");
    for i in 0..FIELDS {
        let (ty, _, _) = field(i);
        let (_, borrowed) = typed_field(ty);
        if borrowed.starts_with("Option") {
            out.push_str(SKIP);
        }
        writeln!(out, "    pub f{i}: {borrowed},").unwrap();
    }
    out.push_str("}\n\n#[derive(Serialize)]\npub struct WideTypes {\n");
    for i in 0..FIELDS {
        let (ty, _, _) = field(i);
        if ty.starts_with("Option") {
            out.push_str(SKIP);
            writeln!(out, "    pub f{i}: Option<&'static str>,").unwrap();
        } else {
            writeln!(out, "    pub f{i}: &'static str,").unwrap();
        }
    }
    out.push_str("}\n\nimpl WideSerde {\n    pub fn values(&self) -> WideValues<'_> {\n        WideValues {\n");
    for i in 0..FIELDS {
        let (ty, _, _) = field(i);
        let value = match ty {
            "String" => format!("&self.f{i}"),
            "Option<String>" => format!("self.f{i}.as_deref()"),
            _ => format!("self.f{i}"),
        };
        writeln!(out, "            f{i}: {value},").unwrap();
    }
    out.push_str(
        "        }\n    }\n\n    pub fn types(&self) -> WideTypes {\n        WideTypes {\n",
    );
    for i in 0..FIELDS {
        let (ty, _, _) = field(i);
        let (tag, _) = typed_field(ty);
        if ty.starts_with("Option") {
            writeln!(
                out,
                "            f{i}: self.f{i}.as_ref().map(|_| \"{tag}\"),"
            )
            .unwrap();
        } else {
            writeln!(out, "            f{i}: \"{tag}\",").unwrap();
        }
    }
    out.push_str("        }\n    }\n}\n");
}

fn main() {
    let mut out = String::new();
    let structs = ["WideDerived", "WideInsert", "WideMacro", "WideSerde"];
    for name in structs {
        match name {
            "WideDerived" => out.push_str("#[derive(RunMetadata)]\n#[metadata(step)]\n"),
            "WideSerde" => out.push_str("#[derive(Serialize)]\n"),
            _ => {}
        }
        writeln!(out, "pub struct {name} {{").unwrap();
        for i in 0..FIELDS {
            let (ty, _, _) = field(i);
            if name == "WideDerived" {
                out.push_str("    #[metadata]\n");
            }
            if name == "WideSerde" && ty.starts_with("Option") {
                out.push_str("    #[serde(skip_serializing_if = \"Option::is_none\")]\n");
            }
            writeln!(out, "    pub f{i}: {ty},").unwrap();
        }
        out.push_str("}\n\n");
        writeln!(
            out,
            "impl {name} {{\n    pub fn fixture() -> Self {{\n        Self {{"
        )
        .unwrap();
        for i in 0..FIELDS {
            let (_, value, _) = field(i);
            writeln!(out, "            f{i}: {value},").unwrap();
        }
        out.push_str("        }\n    }\n}\n\n");
    }
    // Hand-written with the checked API: what a careful author writes without the macros.
    out.push_str("impl RunMetadata for WideInsert {\n    fn step_run_metadata(&self, _: &StepRunInfo) -> Metadata {\n");
    writeln!(
        out,
        "        let mut m = Metadata::with_capacity({FIELDS});"
    )
    .unwrap();
    for i in 0..FIELDS {
        let (ty, _, value) = field(i);
        if ty.starts_with("Option") {
            writeln!(
                out,
                "        if let Some(v) = &self.f{i} {{ m.insert_value(\"f{i}\", MetadataValue::Str(v.clone())).unwrap(); }}"
            )
            .unwrap();
        } else {
            writeln!(out, "        m.insert_value(\"f{i}\", {value}).unwrap();").unwrap();
        }
    }
    out.push_str("        m\n    }\n}\n\n");
    // Hand-written with `metadata!`.
    out.push_str("impl RunMetadata for WideMacro {\n    fn step_run_metadata(&self, _: &StepRunInfo) -> Metadata {\n        metadata! {\n");
    for i in 0..FIELDS {
        writeln!(out, "            \"f{i}\" => &self.f{i},").unwrap();
    }
    out.push_str("        }\n    }\n}\n\n");
    typed(&mut out);
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("wide.rs");
    std::fs::write(path, out).unwrap();
    println!("cargo::rerun-if-changed=build.rs");
}
