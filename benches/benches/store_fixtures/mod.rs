//! Fixtures shared by the store's benchmarks: metadata of three kinds of value, the component
//! that publishes it, and a finished run carrying it.

use std::time::SystemTime;

use run_metadata::sink::{RunRecord, Sink, Status};
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::store::Store;
use run_metadata::{Metadata, Resource};
use uuid::Uuid;

/// `n` entries `metric_{offset + i}`: floats, strings and lists in turn.
#[allow(dead_code)] // not every benchmark needs them
pub fn entries(n: usize, offset: usize) -> Metadata {
    let mut m = Metadata::with_capacity(n);
    for i in 0..n {
        let key = format!("metric_{}", offset + i);
        match i % 3 {
            0 => m.insert(key, (offset + i) as f64 * 0.5).unwrap(),
            1 => m.insert(key, format!("value-{i}")).unwrap(),
            _ => m.insert(key, vec![i as u32, 1, 2]).unwrap(),
        }
    }
    m
}

/// The tracker that publishes.
pub fn component() -> ComponentInfo {
    ComponentInfo {
        id: Uuid::from_u128(7),
        name: "tracker".into(),
        kind: ComponentKind::ExperimentTracker,
    }
}

/// A run as a run makes it: started, `m` published on it by [`component`], finished.
#[allow(dead_code)] // not every benchmark records whole runs
pub fn run_with(store: &mut Store, m: &Metadata) -> RunRecord {
    let mut run = RunRecord {
        id: Uuid::new_v4(),
        name: "scale".into(),
        pipeline: "training".into(),
        stack: "local".into(),
        status: Status::Running,
        started: SystemTime::now(),
        finished: None,
    };
    store.start_run(&mut run).unwrap();
    store
        .publish(Resource::pipeline_run(run.id), &component(), m)
        .unwrap();
    run.status = Status::Completed;
    run.finished = Some(SystemTime::now());
    store.finish_run(&run).unwrap();
    run
}
