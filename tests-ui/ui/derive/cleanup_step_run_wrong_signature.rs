use run_metadata::{RunMetadata, StepRunInfo};

#[derive(RunMetadata)]
#[metadata(prepare_step_run = Self::open, cleanup_step_run = Self::close)]
struct Tracker {
    #[metadata(step)]
    name: String,
}

impl Tracker {
    fn open(&self, _: &StepRunInfo) {}

    // ZenML's `cleanup_step_run` is told whether the step failed.
    fn close(&self, _: &StepRunInfo) {}
}

fn main() {}
