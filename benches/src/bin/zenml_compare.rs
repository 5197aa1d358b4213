//! This crate's ZenML client, measured against ZenML's own Python client on the same server
//! (`scripts/bench-zenml.sh` runs both; `scripts/bench_zenml.py` is ZenML's side).
//!
//! The server and credentials come from ZenML's variables (`ZENML_STORE_URL`,
//! `ZENML_STORE_USERNAME`, `ZENML_STORE_PASSWORD`). Every measuring command prints one JSON
//! line on standard output. A step's metadata is published once per step, as a pipeline does:
//! the commands that publish many take a list of steps (comma-separated) and go through it,
//! from the start again if it is shorter than the publishes.
//!
//! ```text
//! zenml_compare setup RUNS STEPS                RUNS runs of STEPS steps each, and the three
//!                                               components (prints steps= and components=)
//! zenml_compare publish STEPS COMPONENTS N REPS WARMUP
//!                                               (a) WARMUP calls, then REPS batches of N; one
//!                                               call publishes one step's metadata for the
//!                                               3 components, 10 keys each (3 requests)
//! zenml_compare run COMPONENTS                  (b) a three-step run registered and published
//! zenml_compare concurrent STEPS COMPONENTS P M (c) P publishers, each a thread with its own
//!                                               client, M step publishes each, keys per
//!                                               component (`c0_epochs`, ...)
//! zenml_compare count STEPS                     the entries of (c) found on each step
//! zenml_compare sink-run STORE                  (b) through the whole path users take: a
//!                                               `Stack` of the three components (10 keys
//!                                               each, on the run and each step) run with a
//!                                               `ZenmlSink` on STORE (written ahead, then
//!                                               delivered)
//! zenml_compare step-wait STORE MODE STEPS      how long each step of a run waits: a `Stack` of
//!                                               the three components (10 keys each) run with
//!                                               STEPS steps into STORE alone (MODE `store`), or
//!                                               a `ZenmlSink` delivering `background` or `sync`
//! zenml_compare stub [--upstream URL] [--record FILE] [--replay FILE] [--rtt-ms MS]
//!                    [--down-after N]           a loopback HTTP/1.1 server: a counting proxy
//!                                               to URL, or canned answers (prints its URL);
//!                                               MS added to each request and connection (a
//!                                               server that far away); after N requests,
//!                                               gone (connections closed unanswered)
//! zenml_compare counts URL                      the stub's request counts since last asked
//! ```

use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use run_metadata::sink::Status;
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::zenml::{Client, Config, PlannedStep};
use run_metadata::{Metadata, Resource, StorageSize, Uri, metadata};
use serde_json::{Value, json};
use uuid::Uuid;

type Result<T, E = Box<dyn Error + Send + Sync>> = std::result::Result<T, E>;

/// The pipeline the measured runs belong to.
const PIPELINE: &str = "run-metadata-bench";

/// The three steps of a measured run, each after the one before.
const STEPS: [&str; 3] = ["load", "train", "evaluate"];

/// The three components that report, as registered on the server by `setup`.
const COMPONENTS: [(&str, ComponentKind); 3] = [
    ("bench-orchestrator", ComponentKind::Orchestrator),
    ("bench-artifact-store", ComponentKind::ArtifactStore),
    ("bench-experiment-tracker", ComponentKind::ExperimentTracker),
];

const USAGE: &str = "usage: zenml_compare setup RUNS STEPS | publish STEPS COMPONENTS N REPS \
                     WARMUP | run COMPONENTS | sink-run STORE | concurrent STEPS COMPONENTS P M | \
                     count STEPS | \
                     step-wait STORE MODE STEPS | \
                     stub [--upstream URL] [--record FILE] [--replay FILE] [--rtt-ms MS] \
                     [--down-after N] | counts URL";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["setup", runs, steps] => setup(runs, steps),
        ["publish", steps, components, n, reps, warmup] => {
            publish(steps, components, n, reps, warmup)
        }
        ["run", components] => run(components),
        ["sink-run", store] => sink_run(store),
        ["step-wait", store, mode, steps] => step_wait(store, mode, steps),
        ["concurrent", steps, components, p, m] => concurrent(steps, components, p, m),
        ["count", steps] => count(steps),
        ["stub", options @ ..] => stub(options),
        ["counts", url] => counts(url),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zenml_compare: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One component's metadata for a step: the ten fields of an MLflow-like tracker, the same
/// values `bench_zenml.py` sends.
fn tracker() -> Metadata {
    metadata! {
        "tracking_uri" => Uri::new("http://mlflow.internal:5000"),
        "experiment_id" => "17",
        "run_name" => "training-2026-11-29",
        "epochs" => 30_u32,
        "learning_rate" => 3e-4,
        "batch_size" => 256_u32,
        "tags" => ["baseline", "gpu"],
        "artifact_bytes" => StorageSize::new(3 << 29),
        "notes" => "first run on the new data",
        "registered" => true,
    }
}

/// The tracker's metadata with its keys prefixed by the component's number, so that every
/// entry shows on the step afterwards (ZenML shows the newest value of a key).
fn tracker_of(c: usize) -> Result<Metadata> {
    let mut out = Metadata::with_capacity(10);
    for (key, value) in &tracker() {
        out.insert_value(format!("c{c}_{key}"), value.clone())?;
    }
    Ok(out)
}

fn connect() -> Result<Client> {
    Ok(Client::connect(Config::from_env()?)?)
}

fn ids(list: &str) -> Result<Vec<Uuid>> {
    let ids = list
        .split(',')
        .filter(|s| !s.is_empty())
        .map(Uuid::parse_str)
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Err("no ids".into());
    }
    Ok(ids)
}

fn number<T: core::str::FromStr>(text: &str) -> Result<T>
where
    T::Err: Error + Send + Sync + 'static,
{
    Ok(text.parse()?)
}

fn unique_name(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{prefix}-{nanos}-{}", std::process::id())
}

/// One step's metadata: one request per component.
fn publish_step(
    client: &mut Client,
    resource: Resource,
    components: &[Uuid],
    metadata: &Metadata,
) -> Result<()> {
    for component in components {
        client.publish(resource, Some(*component), metadata)?;
    }
    Ok(())
}

/// Runs `f(i)` for `i` in `0..n`, each in a thread of its own, results in order.
fn in_threads<T: Send + 'static>(
    n: usize,
    f: impl Fn(usize) -> Result<T> + Send + Sync + 'static,
) -> Result<Vec<T>> {
    let f = Arc::new(f);
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let f = f.clone();
            thread::spawn(move || f(i))
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().map_err(|_| "a thread panicked")?)
        .collect()
}

/// `runs` runs of `steps` steps each (one thread per run), and the three components; prints
/// `steps=` (every step, run after run) and `components=` for the script.
fn setup(runs: &str, steps: &str) -> Result<()> {
    let (runs, steps): (usize, usize) = (number(runs)?, number(steps)?);
    let mut client = connect()?;
    let mut component_ids = Vec::with_capacity(COMPONENTS.len());
    for (name, kind) in COMPONENTS {
        let info = ComponentInfo {
            id: Uuid::new_v4(),
            name: name.into(),
            kind,
        };
        component_ids.push(client.component_id(&info)?);
    }
    let step_ids = in_threads(runs, move |r| {
        let mut client = connect()?;
        let names: Vec<String> = (0..steps).map(|i| format!("s{i}")).collect();
        let plan: Vec<PlannedStep> = names.iter().map(|n| PlannedStep::new(n.as_str())).collect();
        let now = SystemTime::now();
        let name = unique_name(&format!("setup-{r}"));
        let run = client.create_run(PIPELINE, &name, &plan, now, None, None)?;
        names
            .iter()
            .map(|name| Ok(client.create_step(run, name, Status::Running, now, None)?))
            .collect::<Result<Vec<_>>>()
    })?;
    let join =
        |v: &mut dyn Iterator<Item = &Uuid>| v.map(Uuid::to_string).collect::<Vec<_>>().join(",");
    println!("steps={}", join(&mut step_ids.iter().flatten()));
    println!("components={}", join(&mut component_ids.iter()));
    Ok(())
}

/// (a): `warmup` calls, then `reps` batches of `n` calls; call `k` publishes the tracker's
/// metadata for each component to the `k`-th of `steps`. Prints the mean of each batch, in
/// seconds per call.
fn publish(steps: &str, components: &str, n: &str, reps: &str, warmup: &str) -> Result<()> {
    let steps = ids(steps)?;
    let components = ids(components)?;
    let (n, reps, warmup): (u32, u32, usize) = (number(n)?, number(reps)?, number(warmup)?);
    let metadata = tracker();
    let mut client = connect()?;
    let mut next = steps.iter().cycle().map(|id| Resource::step_run(*id));
    for step in next.by_ref().take(warmup) {
        publish_step(&mut client, step, &components, &metadata)?;
    }
    let mut means = Vec::with_capacity(reps as usize);
    for _ in 0..reps {
        let start = Instant::now();
        for step in next.by_ref().take(n as usize) {
            publish_step(&mut client, step, &components, &metadata)?;
        }
        means.push(start.elapsed().as_secs_f64() / f64::from(n));
    }
    println!(
        "{}",
        json!({"client": "rust", "case": "publish", "per_call_s": means})
    );
    Ok(())
}

/// (b): a run of three steps registered, the three components' metadata published on the run
/// and on each step, each step finished, then the run. Timed from outside, process start to exit.
fn run(components: &str) -> Result<()> {
    let components = ids(components)?;
    let metadata = tracker();
    let mut client = connect()?;
    let plan: Vec<PlannedStep> = STEPS
        .iter()
        .enumerate()
        .map(|(i, name)| PlannedStep::new(*name).after(i.checked_sub(1).map(|j| STEPS[j])))
        .collect();
    let run = client.create_run(
        PIPELINE,
        &unique_name("rust"),
        &plan,
        SystemTime::now(),
        None,
        None,
    )?;
    publish_step(
        &mut client,
        Resource::pipeline_run(run),
        &components,
        &metadata,
    )?;
    for name in STEPS {
        let step = client.create_step(run, name, Status::Running, SystemTime::now(), None)?;
        let step = Resource::step_run(step);
        publish_step(&mut client, step, &components, &metadata)?;
        client.finish(step, Status::Completed, SystemTime::now())?;
    }
    client.finish(
        Resource::pipeline_run(run),
        Status::Completed,
        SystemTime::now(),
    )?;
    println!("{}", json!({"client": "rust", "case": "run", "run": run}));
    Ok(())
}

/// A component reporting the tracker's ten values on the run and on each step.
struct Reports(Metadata);

impl run_metadata::RunMetadata for Reports {
    fn pipeline_run_metadata(&self, _run_id: Uuid) -> Metadata {
        self.0.clone()
    }

    fn step_run_metadata(&self, _info: &run_metadata::StepRunInfo) -> Metadata {
        self.0.clone()
    }
}

/// (b) as users run it: the three components as a `Stack`, the run through a `ZenmlSink` on
/// the store at `store` (each record written ahead, then delivered), from process start to exit.
fn sink_run(store: &str) -> Result<()> {
    let stack = bench_stack();
    let names: Vec<String> = STEPS.iter().map(|s| (*s).to_owned()).collect();
    let store = run_metadata::store::Store::open(store)?;
    let mut sink = run_metadata::zenml::ZenmlSink::new(Client::new(Config::from_env()?), store)?
        .with_steps(chain(&names))
        .with_stack(&stack);
    let timed = timed_run(&stack, &mut sink, &names);
    let kept = sink.kept()?;
    if !timed.failures.is_empty() || kept.total() > 0 || kept.refused > 0 {
        return Err(format!("not all delivered: {:?}; {kept:?}", timed.failures).into());
    }
    let run = sink.id_now(timed.run)?;
    println!(
        "{}",
        json!({
            "client": "rust",
            "case": "sink-run",
            "run": run,
            "steps_s": timed.steps.iter().sum::<f64>() + timed.start,
            "finish_s": timed.finish,
        })
    );
    Ok(())
}

/// The three components as a `Stack`, each reporting the tracker's ten values on the run and on
/// each step.
fn bench_stack() -> run_metadata::stack::Stack {
    use run_metadata::stack::{Component, Stack};
    let mut stack = Stack::new("bench-stack");
    for (name, kind) in COMPONENTS {
        stack = stack.with(Component::new(kind, name, Reports(tracker())));
    }
    stack
}

/// Steps named `names`, each after the one before.
fn chain(names: &[String]) -> Vec<PlannedStep> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            PlannedStep::new(name.as_str()).after(i.checked_sub(1).map(|j| names[j].as_str()))
        })
        .collect()
}

/// What a timed run came to: the seconds each step took (its body does nothing: it is all the
/// step's records and publishes), the start and the end of the run, and the failures reported.
struct Timed {
    run: Uuid,
    steps: Vec<f64>,
    start: f64,
    finish: f64,
    failures: Vec<String>,
}

/// Runs `stack` with the steps `names` into `sink`, each step telling the tracker.
fn timed_run<S: run_metadata::sink::Sink>(
    stack: &run_metadata::stack::Stack,
    sink: S,
    names: &[String],
) -> Timed {
    use run_metadata::stack::StepSpec;
    let start = Instant::now();
    let mut run = stack.start_run(sink, PIPELINE, unique_name("rust-wait"));
    let start = start.elapsed().as_secs_f64();
    let steps = names
        .iter()
        .map(|name| {
            let spec = StepSpec::new(name.as_str()).with_experiment_tracker(COMPONENTS[2].0);
            let t = Instant::now();
            let _: Result<(), String> = run.step(&spec, || Ok(()));
            t.elapsed().as_secs_f64()
        })
        .collect();
    let id = run.record().id;
    let t = Instant::now();
    let report = run.finish();
    Timed {
        run: id,
        steps,
        start,
        finish: t.elapsed().as_secs_f64(),
        failures: report.failures.iter().map(ToString::to_string).collect(),
    }
}

/// How long each step of a run of `steps` steps waits for its records and publishes: into the
/// store alone (`store`), or through a `ZenmlSink` delivering in the `background` or `sync`.
fn step_wait(store: &str, mode: &str, steps: &str) -> Result<()> {
    use run_metadata::zenml::{Delivery, ZenmlSink};
    let names: Vec<String> = (0..number::<usize>(steps)?)
        .map(|i| format!("step-{i}"))
        .collect();
    let stack = bench_stack();
    let mut store = run_metadata::store::Store::open(store)?;
    let timed = match mode {
        "store" => timed_run(&stack, &mut store, &names),
        "background" | "sync" => {
            let config = Config::from_env()?;
            let delivery = match (mode, config.delivery()) {
                ("sync", _) => Delivery::Synchronous,
                (_, Delivery::Synchronous) => Delivery::default(),
                (_, background) => background,
            };
            let mut sink = ZenmlSink::new(Client::new(config.with_delivery(delivery)), store)?
                .with_steps(chain(&names))
                .with_stack(&stack);
            timed_run(&stack, &mut sink, &names)
        }
        _ => return Err(USAGE.into()),
    };
    println!(
        "{}",
        json!({
            "client": format!("rust-{mode}"),
            "case": "step-wait",
            "per_step_s": timed.steps,
            "start_s": timed.start,
            "finish_s": timed.finish,
            "failures": timed.failures,
        })
    );
    Ok(())
}

/// (c): `p` publishers, each a thread with its own client (logged in before the start), all
/// started at once; publisher `j` publishes the metadata of steps `j*m .. (j+1)*m` of `steps`,
/// each component's keys its own. Prints the wall time from the start to the last publisher's
/// end, and the requests that failed.
fn concurrent(steps: &str, components: &str, p: &str, m: &str) -> Result<()> {
    let steps = Arc::new(ids(steps)?);
    let components = Arc::new(ids(components)?);
    let (p, m): (usize, usize) = (number(p)?, number(m)?);
    let metadata = Arc::new(
        (0..components.len())
            .map(tracker_of)
            .collect::<Result<Vec<_>>>()?,
    );
    let ready = Arc::new(Barrier::new(p + 1));
    let done = Arc::new(Barrier::new(p + 1));
    let publishers = {
        let (ready, done) = (ready.clone(), done.clone());
        thread::spawn(move || {
            in_threads(p, move |j| {
                let prepared = connect();
                ready.wait();
                let mut failed = 0_usize;
                if let Ok(mut client) = prepared {
                    for i in j * m..(j + 1) * m {
                        let step = Resource::step_run(steps[i % steps.len()]);
                        for (component, metadata) in components.iter().zip(metadata.iter()) {
                            if client.publish(step, Some(*component), metadata).is_err() {
                                failed += 1;
                            }
                        }
                    }
                } else {
                    failed = m * components.len();
                }
                done.wait();
                Ok(failed)
            })
        })
    };
    ready.wait();
    let start = Instant::now();
    done.wait();
    let elapsed = start.elapsed().as_secs_f64();
    let failed: usize = publishers
        .join()
        .map_err(|_| "a publisher panicked")??
        .into_iter()
        .sum();
    let publishes = p * m;
    println!(
        "{}",
        json!({
            "client": "rust",
            "case": "concurrent",
            "publishers": p,
            "publishes": publishes,
            "elapsed_s": elapsed,
            "publishes_per_s": publishes as f64 / elapsed,
            "failed_requests": failed,
        })
    );
    Ok(())
}

/// The entries of (c) found on each of `steps` (8 readers): every component's ten keys.
fn count(steps: &str) -> Result<()> {
    const READERS: usize = 8;
    let steps = Arc::new(ids(steps)?);
    let expected_keys: Arc<Vec<String>> = Arc::new(
        (0..COMPONENTS.len())
            .flat_map(|c| {
                tracker()
                    .keys()
                    .map(move |k| format!("c{c}_{k}"))
                    .collect::<Vec<_>>()
            })
            .collect(),
    );
    let per_reader = {
        let steps = steps.clone();
        in_threads(READERS, move |r| {
            let mut client = connect()?;
            let mut found = 0;
            for step in steps.iter().skip(r).step_by(READERS) {
                let there = client.read_metadata(Resource::step_run(*step))?;
                found += expected_keys
                    .iter()
                    .filter(|k| there.contains_key(k))
                    .count();
            }
            Ok(found)
        })?
    };
    let found: usize = per_reader.into_iter().sum();
    let expected = steps.len() * COMPONENTS.len() * tracker().len();
    println!(
        "{}",
        json!({"case": "count", "expected": expected, "found": found, "lost": expected - found})
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The stub: a loopback HTTP/1.1 server, keep-alive, one thread per connection.

/// An answer as the stub gives it back.
#[derive(Clone)]
struct Canned {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

#[derive(Default)]
struct Counts {
    /// Requests, request body bytes and, as a proxy, the upstream server's time per
    /// `METHOD /path` (ids as `{id}`).
    requests: BTreeMap<String, (u64, u64, Duration)>,
}

struct Stub {
    counts: Mutex<Counts>,
    connections: AtomicU64,
    /// Forward to this server (a counting proxy), recording its answers.
    upstream: Option<(ureq::Agent, String)>,
    recorded: Mutex<BTreeMap<String, Canned>>,
    record: Option<String>,
    /// Answer from these.
    replay: HashMap<String, Canned>,
    /// Added to every request and every new connection: a server this far away.
    rtt: Duration,
    /// After this many requests the server is gone: every connection is closed unanswered.
    down_after: Option<u64>,
    served: AtomicU64,
}

/// The paths a ZenML server answers without a token.
fn public(path: &str) -> bool {
    matches!(path, "/api/v1/login" | "/api/v1/info" | "/health")
}

/// `path` with every id replaced by `{id}`.
fn pattern(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if Uuid::parse_str(seg).is_ok() {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The key of a canned answer: method, path pattern and the names of the query's parameters.
fn canned_key(method: &str, target: &str) -> String {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut names: Vec<&str> = query
        .split('&')
        .filter_map(|p| p.split('=').next())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    format!("{method} {}?{}", pattern(path), names.join("&"))
}

fn stub(options: &[&str]) -> Result<()> {
    let mut upstream = None;
    let mut record = None;
    let mut replay = HashMap::new();
    let mut rtt = Duration::ZERO;
    let mut down_after = None;
    let mut rest = options.iter();
    while let Some(option) = rest.next() {
        let value = rest.next().ok_or(USAGE)?;
        match *option {
            "--upstream" => upstream = Some(value.trim_end_matches('/').to_owned()),
            "--record" => record = Some((*value).to_owned()),
            "--replay" => replay = load_canned(value)?,
            "--rtt-ms" => rtt = Duration::from_millis(number(value)?),
            "--down-after" => down_after = Some(number(value)?),
            _ => return Err(USAGE.into()),
        }
    }
    let upstream = upstream.map(|url| {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .new_agent();
        (agent, url)
    });
    let stub = Arc::new(Stub {
        counts: Mutex::new(Counts::default()),
        connections: AtomicU64::new(0),
        upstream,
        recorded: Mutex::new(BTreeMap::new()),
        record,
        replay,
        rtt,
        down_after,
        served: AtomicU64::new(0),
    });
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        stub.connections.fetch_add(1, Ordering::Relaxed);
        let stub = stub.clone();
        std::thread::spawn(move || {
            // The connection's handshake, one round trip.
            std::thread::sleep(stub.rtt);
            // A connection that ends or breaks is simply over.
            let _ = serve(&stub, stream);
        });
    }
    Ok(())
}

fn load_canned(path: &str) -> Result<HashMap<String, Canned>> {
    let text = std::fs::read_to_string(path)?;
    let Value::Object(map) = serde_json::from_str(&text)? else {
        return Err(format!("{path}: not an object").into());
    };
    let mut out = HashMap::with_capacity(map.len());
    for (key, answer) in map {
        let status = answer["status"]
            .as_u64()
            .ok_or("a canned answer without status")?;
        out.insert(
            key,
            Canned {
                status: u16::try_from(status)?,
                content_type: answer["content_type"]
                    .as_str()
                    .unwrap_or("application/json")
                    .to_owned(),
                body: answer["body"]
                    .as_str()
                    .unwrap_or_default()
                    .as_bytes()
                    .to_vec(),
            },
        );
    }
    Ok(out)
}

fn save_canned(stub: &Stub) -> Result<()> {
    let Some(path) = &stub.record else {
        return Ok(());
    };
    let recorded = stub.recorded.lock().map_err(|_| "poisoned")?;
    let map: serde_json::Map<String, Value> = recorded
        .iter()
        .map(|(key, c)| {
            (
                key.clone(),
                json!({
                    "status": c.status,
                    "content_type": c.content_type,
                    "body": String::from_utf8_lossy(&c.body),
                }),
            )
        })
        .collect();
    std::fs::write(path, serde_json::to_string_pretty(&Value::Object(map))?)?;
    Ok(())
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request; `None` at the end of the connection.
fn read_request(reader: &mut impl BufRead) -> Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err("a bad request line".into());
    };
    let (method, target) = (method.to_owned(), target.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut request = Request {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    if request
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)?;
            if size == 0 {
                // The trailer, up to its empty line.
                loop {
                    line.clear();
                    if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = request.body.len();
            request.body.resize(start + size, 0);
            reader.read_exact(&mut request.body[start..])?;
            line.clear();
            reader.read_line(&mut line)?;
        }
    } else if let Some(len) = request.header("content-length") {
        request.body.resize(len.parse()?, 0);
        reader.read_exact(&mut request.body)?;
    }
    Ok(Some(request))
}

fn serve(stub: &Stub, stream: TcpStream) -> Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = BufWriter::new(stream);
    while let Some(request) = read_request(&mut reader)? {
        let path = request.target.split('?').next().unwrap_or_default();
        if path != "/__stub/counts"
            && stub
                .down_after
                .is_some_and(|n| stub.served.fetch_add(1, Ordering::Relaxed) >= n)
        {
            return Ok(());
        }
        std::thread::sleep(stub.rtt);
        let answer = if path == "/__stub/counts" {
            counts_answer(stub)?
        } else {
            let start = Instant::now();
            let answer = if let Some((agent, url)) = &stub.upstream {
                forward(stub, agent, url, &request)?
            } else {
                replay(stub, &request, path)
            };
            let mut counts = stub.counts.lock().map_err(|_| "poisoned")?;
            let entry = counts
                .requests
                .entry(format!("{} {}", request.method, pattern(path)))
                .or_default();
            entry.0 += 1;
            entry.1 += request.body.len() as u64;
            entry.2 += start.elapsed();
            answer
        };
        // ZenML's client tells an expired or missing token (401 with a challenge: log in
        // and try again) from a refusal by the challenge, as the server sends it.
        let challenge = if answer.status == 401 {
            "www-authenticate: Bearer\r\n"
        } else {
            ""
        };
        write!(
            writer,
            "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\n{challenge}\r\n",
            answer.status,
            reason(answer.status),
            answer.content_type,
            answer.body.len()
        )?;
        writer.write_all(&answer.body)?;
        writer.flush()?;
        if request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            break;
        }
    }
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        _ => "Status",
    }
}

/// The canned answer for `request`: a 401 for a request without a token where the server
/// wants one, as ZenML's server answers.
fn replay(stub: &Stub, request: &Request, path: &str) -> Canned {
    if !public(path) && request.header("authorization").is_none() {
        return stub.replay.get("401").cloned().unwrap_or_else(|| Canned {
            status: 401,
            content_type: "application/json".into(),
            body: br#"{"detail":"Not authenticated"}"#.to_vec(),
        });
    }
    stub.replay
        .get(&canned_key(&request.method, &request.target))
        .cloned()
        .unwrap_or_else(|| Canned {
            status: 404,
            content_type: "application/json".into(),
            body: format!(
                r#"{{"detail":["KeyError","no canned answer for {}"]}}"#,
                canned_key(&request.method, &request.target)
            )
            .into_bytes(),
        })
}

/// `request` sent on to the upstream server; its answer recorded.
fn forward(stub: &Stub, agent: &ureq::Agent, url: &str, request: &Request) -> Result<Canned> {
    let mut builder = ureq::http::Request::builder()
        .method(request.method.as_str())
        .uri(format!("{url}{}", request.target));
    for (name, value) in &request.headers {
        let hop = [
            "host",
            "connection",
            "content-length",
            "transfer-encoding",
            "keep-alive",
        ];
        if !hop.iter().any(|h| name.eq_ignore_ascii_case(h)) {
            builder = builder.header(name.as_str(), value.as_str());
        }
    }
    let mut response = if request.body.is_empty() {
        agent.run(builder.body(())?)?
    } else {
        agent.run(builder.body(request.body.clone())?)?
    };
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    let body = response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_vec()?;
    let canned = Canned {
        status,
        content_type,
        body,
    };
    let key = if status == 401 {
        Some("401".to_owned())
    } else if (200..300).contains(&status) {
        Some(canned_key(&request.method, &request.target))
    } else {
        None
    };
    if let Some(key) = key {
        stub.recorded
            .lock()
            .map_err(|_| "poisoned")?
            .insert(key, canned.clone());
    }
    Ok(canned)
}

/// The counts since they were last asked for (then reset), and the connections opened.
fn counts_answer(stub: &Stub) -> Result<Canned> {
    let counts = std::mem::take(&mut *stub.counts.lock().map_err(|_| "poisoned")?);
    let connections = stub.connections.swap(0, Ordering::Relaxed);
    // The connection asking is not one of the client's.
    let connections = connections.saturating_sub(1);
    save_canned(stub)?;
    let total: u64 = counts.requests.values().map(|(n, ..)| n).sum();
    let answer_s: f64 = counts
        .requests
        .values()
        .map(|(.., t)| t.as_secs_f64())
        .sum();
    let requests: serde_json::Map<String, Value> = counts
        .requests
        .into_iter()
        .map(|(k, (n, bytes, t))| {
            let timing = json!({"count": n, "body_bytes": bytes, "answer_s": t.as_secs_f64()});
            (k, timing)
        })
        .collect();
    let body = json!({
        "requests": requests,
        "total": total,
        "connections": connections,
        "answer_s": answer_s,
    });
    Ok(Canned {
        status: 200,
        content_type: "application/json".into(),
        body: body.to_string().into_bytes(),
    })
}

fn counts(url: &str) -> Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder().build().new_agent();
    let text = agent
        .get(format!("{}/__stub/counts", url.trim_end_matches('/')))
        .header("connection", "close")
        .call()?
        .body_mut()
        .read_to_string()?;
    println!("{text}");
    Ok(())
}
