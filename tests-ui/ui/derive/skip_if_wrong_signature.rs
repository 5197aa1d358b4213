use run_metadata::RunMetadata;

fn describe(v: &String) -> String {
    v.clone()
}

#[derive(RunMetadata)]
struct Operator {
    #[metadata(step, skip_if = describe)]
    name: String,
}

fn main() {}
