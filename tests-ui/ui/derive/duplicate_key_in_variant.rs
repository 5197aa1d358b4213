use run_metadata::RunMetadata;

#[derive(RunMetadata)]
enum Operator {
    #[metadata(step)]
    Pod {
        #[metadata]
        name: String,
        #[metadata(rename = "name")]
        pod_name: String,
    },
}

fn main() {}
