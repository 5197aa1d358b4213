//! One run read whole, in one pass: what each of its resources holds, and what could not be
//! read back, together — so that showing a run and naming its damage read each record once.

use uuid::Uuid;

use super::error::{Damaged, Result};
use super::open::Store;
use super::read::ComponentMetadata;
use crate::runs::resource::Resource;
use crate::runs::sink::{HookFailure, StepRecord};

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

/// What [`Store::walk_run`] read: the pipeline run's, each step's, and the damage.
pub(super) type Walked<T> = (T, Vec<(StepRecord, T)>, Vec<Damaged>);

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
        let (pipeline, steps, damaged) = self.walk_run(run_id, |resource, damaged| {
            let (metadata, bad) = self.sift_metadata(resource)?;
            damaged.extend(bad);
            let (failures, bad) = self.sift_hook_failures(resource)?;
            damaged.extend(bad);
            Ok(Reported { metadata, failures })
        })?;
        Ok(RunContents {
            pipeline,
            steps,
            damaged,
        })
    }

    /// Run `run_id`'s resources in order, each given to `read`: the pipeline run, then each step
    /// as it started. `read` adds to the damage what it could not read back, after the steps'
    /// own.
    pub(super) fn walk_run<T>(
        &self,
        run_id: Uuid,
        mut read: impl FnMut(Resource, &mut Vec<Damaged>) -> Result<T>,
    ) -> Result<Walked<T>> {
        let (steps, mut damaged) = self.sift_steps(run_id)?;
        let pipeline = read(Resource::pipeline_run(run_id), &mut damaged)?;
        let steps = steps
            .into_iter()
            .map(|step| {
                let read = read(Resource::step_run(step.id), &mut damaged)?;
                Ok((step, read))
            })
            .collect::<Result<_>>()?;
        Ok((pipeline, steps, damaged))
    }
}
