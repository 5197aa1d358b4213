use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Inner;

#[derive(RunMetadata)]
struct Outer {
    #[metadata(uri, flatten)]
    inner: Inner,
}

fn main() {}
