//! Writes the 200-field fixture of the `collect` and `encode` benchmarks: one component in four
//! forms — derived, hand-written with `Metadata::insert_value`, hand-written with `metadata!`,
//! and `#[derive(Serialize)]` for the serde route.

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
    out.push_str("        }\n    }\n}\n");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("wide.rs");
    std::fs::write(path, out).unwrap();
    println!("cargo::rerun-if-changed=build.rs");
}
