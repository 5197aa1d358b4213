use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Inner {
    #[metadata(step)]
    id: String,
}

#[derive(RunMetadata)]
struct Outer {
    #[metadata(flatten, rename = "inner")]
    inner: Inner,
}

fn main() {}
