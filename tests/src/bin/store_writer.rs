//! A separate process that writes to a store, for the tests of concurrent writers:
//! `store_writer PATH RUN_ID WRITER PUBLISHES KEYS` publishes PUBLISHES maps of KEYS entries each
//! for run RUN_ID, as component number WRITER. A PATH of `-` opens the default store.

use std::process::ExitCode;

use run_metadata::Metadata;
use run_metadata::Resource;
use run_metadata::sink::Sink;
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::store::Store;
use uuid::Uuid;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, run, writer, publishes, keys] = &args[..] else {
        eprintln!("usage: store_writer PATH RUN_ID WRITER PUBLISHES KEYS");
        return ExitCode::from(2);
    };
    match write(path, run, writer, publishes, keys) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("store_writer: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write(
    path: &str,
    run: &str,
    writer: &str,
    publishes: &str,
    keys: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let run = Uuid::parse_str(run)?;
    let writer: u16 = writer.parse()?;
    let publishes: u32 = publishes.parse()?;
    let keys: u32 = keys.parse()?;
    let mut store = if path == "-" {
        Store::open_default()?
    } else {
        Store::open(path)?
    };
    let component = ComponentInfo {
        id: Uuid::from_u128(u128::from(writer) + 1),
        name: format!("writer-{writer}"),
        kind: ComponentKind::Orchestrator,
    };
    for p in 0..publishes {
        let mut m = Metadata::with_capacity(keys as usize);
        for k in 0..keys {
            m.insert(
                format!("w{writer}_p{p}_k{k}"),
                u64::from(p) * 1000 + u64::from(k),
            )?;
        }
        store.publish(Resource::pipeline_run(run), &component, &m)?;
    }
    Ok(())
}
