use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker<#[metadata] T> {
    client: T,
}

fn main() {}
