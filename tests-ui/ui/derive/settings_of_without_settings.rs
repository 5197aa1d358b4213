use run_metadata::{HookError, RunMetadata, StepRunInfo};

#[derive(RunMetadata)]
#[metadata(step_with = Self::run)]
struct Tracker {
    #[metadata(step)]
    name: String,
}

#[derive(RunMetadata)]
#[metadata(step)]
struct Run {
    #[metadata]
    run_name: Option<String>,
}

impl Tracker {
    fn run(&self, info: &StepRunInfo) -> Result<Run, HookError> {
        // `Tracker` marks no field `#[metadata(settings)]`.
        let settings: serde_json::Value = info.settings_of(self)?;
        Ok(Run { run_name: settings["run_name"].as_str().map(str::to_owned) })
    }
}

fn main() {}
