//! The runtime's shape, checked: no module uses a module that uses it back (directly or round
//! a longer circle), and no source file grows past what a reader takes in at once.
//!
//! A module's dependencies are the modules its code names through `crate::`, `super::` or
//! `self::` paths, and the child modules it names (a facade's re-exports included). Tests and
//! comments do not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lines a runtime or CLI source file may have.
const MAX_LINES: usize = 500;

fn sources(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `json/read.rs` → `json::read`, `store/mod.rs` → `store`; `None` for the crate root.
fn module_name(root: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    let name = parts.join("::");
    (name != "lib").then_some(name)
}

/// The code of a file without its tests and comments.
fn code(text: &str) -> String {
    // A file's unit tests come last, in `mod tests`, behind a `cfg` naming `test`.
    let text = text.split("\nmod tests {").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `a::b::c` paths in `code` (identifiers joined by `::`), with `{a, b::c}` groups
/// expanded.
fn paths(code: &str) -> Vec<String> {
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !ident(bytes[i]) || (i > 0 && ident(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (ident(bytes[i]) || code[i..].starts_with("::")) {
            i += if code[i..].starts_with("::") { 2 } else { 1 };
        }
        let path = code[start..i].trim_end_matches(':');
        if code[i..].starts_with('{') && code[start..i].ends_with("::") {
            let close = code[i..].find('}').map_or(code.len(), |c| i + c);
            for item in code[i + 1..close].split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    out.push(format!("{path}::{item}"));
                }
            }
        }
        if path.contains("::") {
            out.push(path.to_owned());
        }
    }
    out
}

/// The module a path names, as seen from `module`, if it is one of `modules`.
fn target(module: &str, path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let mut parts: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = module.split("::").collect();
    match parts[0] {
        "crate" => base.clear(),
        "super" => {
            base.pop();
        }
        "self" => {}
        // A child module named by its own name.
        _ => {
            base.push(parts[0]);
            parts.remove(0);
            let child = base.join("::");
            return modules.contains(&child).then_some(child);
        }
    }
    let full: Vec<&str> = base.into_iter().chain(parts.into_iter().skip(1)).collect();
    (1..=full.len())
        .rev()
        .map(|n| full[..n].join("::"))
        .find(|m| modules.contains(m))
}

fn graph(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files: Vec<(String, String)> = sources(root)
        .into_iter()
        .filter_map(|f| Some((module_name(root, &f)?, std::fs::read_to_string(&f).unwrap())))
        .collect();
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    files
        .iter()
        .map(|(module, text)| {
            let deps = paths(&code(text))
                .iter()
                .filter_map(|p| target(module, p, &modules))
                .filter(|t| t != module)
                .collect();
            (module.clone(), deps)
        })
        .collect()
}

/// One circle of `graph`, if it has any.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut circle = stack[at..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, stack, done) {
                return Some(circle);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn runtime_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/src")
}

#[test]
fn runtime_modules_form_no_circle() {
    let graph = graph(&runtime_src());
    assert!(graph.len() > 20, "the runtime's modules were not found");
    // The reader sees real dependencies: these must be there.
    assert!(
        graph["map::metadata"].contains("value::json::write"),
        "{graph:?}"
    );
    assert!(graph["store"].contains("store::open"), "{graph:?}");
    assert!(
        graph["zenml::outbox::sink"].contains("zenml::outbox"),
        "{graph:?}"
    );
    assert_eq!(circle(&graph), None);
}

#[test]
fn the_circle_check_finds_a_circle() {
    let mut graph = graph(&runtime_src());
    graph
        .get_mut("value::tree")
        .unwrap()
        .insert("map::metadata".to_owned());
    let found = circle(&graph).expect("value::tree → map::metadata → value::tree");
    assert!(found.contains(&"value::tree".to_owned()), "{found:?}");
    assert!(found.contains(&"map::metadata".to_owned()), "{found:?}");
}

#[test]
fn paths_are_read_with_groups_and_children() {
    let modules: BTreeSet<String> = ["a", "a::b", "c"].map(str::to_owned).into();
    let found: Vec<_> = paths("use crate::{a::b::X, c};\nmod b;\nb::f(); x::y")
        .iter()
        .filter_map(|p| target("a", p, &modules))
        .collect();
    assert_eq!(found, ["a::b", "c", "a::b"]);
}

#[test]
fn source_files_stay_readable() {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/src");
    let long: Vec<String> = sources(&runtime_src())
        .into_iter()
        .chain(sources(&cli))
        .filter_map(|f| {
            let lines = std::fs::read_to_string(&f).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

/// ARCHITECTURE.md's table of the runtime's modules: each module it names, with its layer's
/// place in the table (the lowest first). A row whose layer cell is empty, or a note in
/// brackets, continues the layer above it.
fn layers() -> BTreeMap<String, usize> {
    let architecture =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ARCHITECTURE.md"))
            .unwrap();
    let table = architecture
        .split("\n## Runtime modules\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("ARCHITECTURE.md has a section `Runtime modules`");
    let mut layer = 0;
    let mut out = BTreeMap::new();
    for row in table.lines().filter(|l| l.starts_with('|')).skip(2) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let [_, name, modules, ..] = cells[..] else {
            continue;
        };
        if !name.is_empty() && !name.starts_with('(') {
            layer += 1;
        }
        for module in modules.split('`').skip(1).step_by(2) {
            out.insert(module.to_owned(), layer);
        }
    }
    out
}

/// The layer of `module`: its own row's, else its nearest named ancestor's, else (a facade
/// that re-exports its children) the highest of its children's.
fn layer_of(module: &str, layers: &BTreeMap<String, usize>) -> Option<usize> {
    let mut name = module;
    loop {
        if let Some(&layer) = layers.get(name) {
            return Some(layer);
        }
        match name.rsplit_once("::") {
            Some((parent, _)) => name = parent,
            None => break,
        }
    }
    let prefix = format!("{module}::");
    layers
        .iter()
        .filter(|(m, _)| m.starts_with(&prefix))
        .map(|(_, &layer)| layer)
        .max()
}

/// The modules of `graph` missing from `layers`, and each use of a higher layer.
fn check_layers(
    graph: &BTreeMap<String, BTreeSet<String>>,
    layers: &BTreeMap<String, usize>,
) -> (Vec<String>, Vec<String>) {
    let mut unlisted = Vec::new();
    let mut upward = Vec::new();
    for (module, deps) in graph {
        // The fuzzing tests beside the code belong to no layer.
        if module == "fuzz" || module.starts_with("fuzz::") || module.ends_with("::fuzz") {
            continue;
        }
        let Some(own) = layer_of(module, layers) else {
            unlisted.push(module.clone());
            continue;
        };
        for dep in deps {
            if let Some(theirs) = layer_of(dep, layers)
                && theirs > own
            {
                upward.push(format!(
                    "{module} (layer {own}) uses {dep} (layer {theirs})"
                ));
            }
        }
    }
    (unlisted, upward)
}

#[test]
fn runtime_modules_use_only_their_layer_and_those_below_as_architecture_md_lists_them() {
    let layers = layers();
    assert!(layers.len() > 30, "the table was not read: {layers:?}");
    assert!(layers["value::integer"] < layers["map::metadata"]);
    assert!(layers["map::metadata"] < layers["zenml::outbox::sink"]);
    // Each layer is one folder (or, for the generated code's, one file): the modules of a layer
    // share their first name, and no two layers share one.
    let mut folders: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    for (module, &layer) in &layers {
        let folder = module.split("::").next().unwrap_or_default();
        folders.entry(layer).or_default().insert(folder);
    }
    let each: Vec<&str> = folders
        .values()
        .map(|f| {
            assert_eq!(f.len(), 1, "a layer over several folders: {f:?}");
            *f.first().unwrap()
        })
        .collect();
    assert_eq!(
        each,
        [
            "value",
            "map",
            "hooks",
            "runs",
            "store",
            "zenml",
            "__private"
        ]
    );
    let (unlisted, upward) = check_layers(&graph(&runtime_src()), &layers);
    assert!(
        unlisted.is_empty(),
        "modules missing from ARCHITECTURE.md: {unlisted:?}"
    );
    assert!(upward.is_empty(), "uses of a higher layer: {upward:#?}");
}

#[test]
fn the_layer_check_finds_a_use_of_a_higher_layer() {
    let layers = layers();
    // A facade takes its highest child's layer; a child its parent's row.
    assert_eq!(
        layer_of("zenml", &layers),
        layer_of("zenml::outbox::sync", &layers)
    );
    assert_eq!(
        layer_of("zenml::outbox::items", &layers),
        layer_of("zenml::outbox", &layers)
    );
    let mut graph = graph(&runtime_src());
    graph
        .get_mut("value::json::write")
        .unwrap()
        .insert("zenml::outbox::sink".to_owned());
    graph.insert("unheard_of".to_owned(), BTreeSet::new());
    let (unlisted, upward) = check_layers(&graph, &layers);
    assert_eq!(unlisted, ["unheard_of"]);
    assert!(
        upward
            .iter()
            .any(|u| u.starts_with("value::json::write (layer")),
        "{upward:?}"
    );
}
