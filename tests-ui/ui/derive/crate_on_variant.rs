use run_metadata::RunMetadata;

#[derive(RunMetadata)]
enum Tracker {
    #[metadata(crate = run_metadata)]
    Local,
}

fn main() {}
