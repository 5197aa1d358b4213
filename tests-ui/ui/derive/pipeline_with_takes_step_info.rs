use run_metadata::{Metadata, RunMetadata, StepRunInfo};

// A pipeline source is told the run (its id, or `&PipelineRunInfo`), not a step.
fn extra(_: &Operator, _: &StepRunInfo) -> Metadata {
    Metadata::new()
}

#[derive(RunMetadata)]
#[metadata(pipeline_with = extra)]
struct Operator {
    #[metadata(pipeline)]
    name: String,
}

fn main() {}
