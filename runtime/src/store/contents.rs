//! One run read whole, in one pass: what each of its resources holds, and what could not be
//! read back, together — so that showing a run and naming its damage read each record once.

use uuid::Uuid;

use super::error::{Damaged, Result};
use super::open::Store;
use super::read::ComponentMetadata;
use crate::resource::Resource;
use crate::sink::{HookFailure, StepRecord};

/// What the pipeline run or a step holds: its metadata per component, and the hooks that failed
/// there.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reported {
    /// As [`Store::metadata_by_component`] gives it.
    pub metadata: Vec<ComponentMetadata>,
    /// As [`Store::hook_failures`] gives them.
    pub failures: Vec<HookFailure>,
}

/// A run read whole: the pipeline run's records, each step's, and the records that could not be
/// read back, named as [`Store::damaged`] names them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunContents {
    /// The pipeline run's.
    pub pipeline: Reported,
    /// Each step's, in the order the steps started.
    pub steps: Vec<(StepRecord, Reported)>,
    /// What could not be read back, left out above.
    pub damaged: Vec<Damaged>,
}

impl Store {
    /// Run `run_id` read whole, each record once.
    ///
    /// ```
    /// # use run_metadata::store::Store;
    /// # let dir = std::env::temp_dir().join(format!("rm-contents-{}", std::process::id()));
    /// let store = Store::open(dir.join("runs.db"))?;
    /// let contents = store.run_contents(uuid::Uuid::nil())?;
    /// assert!(contents.steps.is_empty() && contents.damaged.is_empty());
    /// # std::fs::remove_dir_all(dir).ok();
    /// # Ok::<(), run_metadata::store::StoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`](super::StoreError::Corrupt), SQLite's.
    pub fn run_contents(&self, run_id: Uuid) -> Result<RunContents> {
        let (steps, mut damaged) = self.sift_steps(run_id)?;
        let mut read = |resource: Resource| -> Result<Reported> {
            let (metadata, bad) = self.sift_metadata(resource)?;
            damaged.extend(bad);
            let (failures, bad) = self.sift_hook_failures(resource)?;
            damaged.extend(bad);
            Ok(Reported { metadata, failures })
        };
        let pipeline = read(Resource::pipeline_run(run_id))?;
        let steps = steps
            .into_iter()
            .map(|step| {
                let reported = read(Resource::step_run(step.id))?;
                Ok((step, reported))
            })
            .collect::<Result<_>>()?;
        Ok(RunContents {
            pipeline,
            steps,
            damaged,
        })
    }
}
