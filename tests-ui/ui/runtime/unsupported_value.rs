use run_metadata::metadata;

struct Model;

fn main() {
    let _ = metadata! {
        "started" => std::time::Instant::now(),
        "model" => Model,
        "ok" => 1,
    };
}
