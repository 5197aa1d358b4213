use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Model {
    #[metadata(step, dtype)]
    precision: f32,
}

fn main() {}
