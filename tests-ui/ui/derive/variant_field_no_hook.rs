use run_metadata::RunMetadata;

#[derive(RunMetadata)]
enum Operator {
    Pod {
        #[metadata]
        name: String,
    },
}

fn main() {}
