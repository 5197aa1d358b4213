use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(step, bound = "T is cloneable")]
struct Tracker<T> {
    #[metadata]
    value: T,
}

fn main() {}
