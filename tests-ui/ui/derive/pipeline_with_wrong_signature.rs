use run_metadata::RunMetadata;

fn extra(_: &Operator, _: run_metadata::StepRunInfo) -> Vec<String> {
    Vec::new()
}

#[derive(RunMetadata)]
#[metadata(pipeline_with = extra)]
struct Operator {
    #[metadata(pipeline)]
    name: String,
}

fn main() {}
