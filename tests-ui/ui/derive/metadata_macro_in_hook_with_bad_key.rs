use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(step_with = extra)]
struct Tracker {}

fn extra(_: &Tracker, _: &run_metadata::StepRunInfo) -> run_metadata::Metadata {
    run_metadata::metadata! { "run:id" => 1 }
}

fn main() {}
