//! Writes to a store until killed: `store_crasher PATH RUN_ID KEYS` publishes maps of KEYS
//! entries for run RUN_ID, one transaction each, printing `committed N` after each commit, so
//! that a test can SIGKILL it in the middle of a transaction and count what must be there.

use std::io::Write;

use run_metadata::Metadata;
use run_metadata::Resource;
use run_metadata::sink::Sink;
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::store::Store;
use uuid::Uuid;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, run, keys] = &args[..] else {
        eprintln!("usage: store_crasher PATH RUN_ID KEYS");
        std::process::exit(2);
    };
    let run = Resource::pipeline_run(Uuid::parse_str(run).expect("a run id"));
    let keys: usize = keys.parse().expect("a number of keys");
    let mut store = Store::open(path).expect("the store opens");
    let component = ComponentInfo {
        id: Uuid::from_u128(1),
        name: "crasher".into(),
        kind: ComponentKind::Orchestrator,
    };
    let mut stdout = std::io::stdout();
    for publish in 0u64.. {
        let mut m = Metadata::with_capacity(keys);
        for k in 0..keys {
            m.insert(format!("p{publish}_k{k}"), publish)
                .expect("valid key");
        }
        store.publish(run, &component, &m).expect("publish");
        let _ = writeln!(stdout, "committed {}", publish + 1);
        let _ = stdout.flush();
    }
}
