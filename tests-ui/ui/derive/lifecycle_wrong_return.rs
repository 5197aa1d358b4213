use run_metadata::{RunMetadata, StepRunInfo};

#[derive(RunMetadata)]
#[metadata(step, prepare_step_run = Self::open)]
struct Tracker {
    #[metadata]
    experiment: String,
}

impl Tracker {
    fn open(&self, _: &StepRunInfo) -> bool {
        true
    }
}

fn main() {}
