use run_metadata::RunMetadata;

const NOT_A_KEY: &str = "run:id";
const EMPTY: &str = "";

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, rename = NOT_A_KEY)]
    id: String,
    #[metadata(step, rename = EMPTY)]
    other: String,
}

fn main() {}
