//! What writing ahead costs a publish: `ZenmlSink::publish` delivering synchronously (the record
//! and its outbox item in one transaction, the lease taken, the item marked in flight, sent,
//! deleted, the lease let go) against what a publish did before (the record in one transaction,
//! then the `POST`), both to a server on loopback that answers at once, in the same run; and
//! what the run's thread pays when the sink delivers beside the run (the transaction, then a
//! nudge to its worker). The server's own time is left out
//! so that what is measured is the client's and the store's.

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use run_metadata::Resource;
use run_metadata::sink::Sink;
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::store::Store;
use run_metadata::zenml::{Auth, Client, Config, Delivery, ZenmlSink};
use run_metadata::{Secret, Uri, metadata};
use uuid::Uuid;

/// A server that answers every request at once, as ZenML would for a publish.
fn instant_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    url
}

fn answer(stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let _ = out.set_nodelay(true);
    loop {
        let mut first = String::new();
        if reader.read_line(&mut first).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let path = first.split(' ').nth(1).unwrap_or("");
        let id = "\"id\":\"7f000001-0000-4000-8000-000000000001\"";
        let answer = if path.starts_with("/api/v1/login") {
            "{\"access_token\":\"token\"}".to_owned()
        } else if path.starts_with("/api/v1/info") {
            format!("{{{id}}}")
        } else if path.starts_with("/api/v1/run-metadata") {
            "null".to_owned()
        } else {
            format!("{{\"items\":[{{{id}}}]}}")
        };
        // One write: a head and a body written apart would wait on the client's delayed ACK.
        let whole = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if out.write_all(whole.as_bytes()).is_err() {
            return;
        }
    }
}

fn config(url: &str) -> Config {
    Config::new(
        url,
        Auth::Password {
            username: "default".into(),
            password: Secret::new(String::new()),
        },
    )
}

fn publish(c: &mut Criterion) {
    let url = instant_server();
    let dir = std::env::temp_dir().join(format!("rm-bench-write-ahead-{}", Uuid::new_v4()));
    let component = ComponentInfo {
        id: Uuid::from_u128(7),
        name: "tracker".into(),
        kind: ComponentKind::ExperimentTracker,
    };
    let values = metadata! {
        "experiment_tracker_url" => Uri::new("https://tracker.example/runs/1"),
        "mlflow_run_id" => "0123456789abcdef",
        "mlflow_experiment_id" => "42",
    };
    let mut sink = ZenmlSink::new(
        Client::new(config(&url).with_delivery(Delivery::Synchronous)),
        Store::open(dir.join("ahead.db")).unwrap(),
    )
    .unwrap();
    let mut beside = ZenmlSink::new(
        Client::new(config(&url)),
        Store::open(dir.join("beside.db")).unwrap(),
    )
    .unwrap();
    let mut before_store = Store::open(dir.join("before.db")).unwrap();
    let mut before_client = Client::new(config(&url));
    let mut group = c.benchmark_group("publish of 3 values to a server answering at once");
    group.sample_size(50);
    group.bench_function("write-ahead, delivered beside the run (ZenmlSink)", |b| {
        each_to_a_new_run(b, |run| {
            beside.publish(run, &component, black_box(&values)).unwrap();
        });
    });
    group.bench_function("write-ahead, synchronous (ZenmlSink)", |b| {
        each_to_a_new_run(b, |run| {
            sink.publish(run, &component, black_box(&values)).unwrap();
        });
    });
    group.bench_function("record, then POST (before)", |b| {
        each_to_a_new_run(b, |run| {
            before_store
                .publish(run, &component, black_box(&values))
                .unwrap();
            before_client
                .publish_from(run, Some(&component), &values)
                .unwrap();
        });
    });
    group.bench_function("record only (the store's floor)", |b| {
        each_to_a_new_run(b, |run| {
            before_store
                .publish(run, &component, black_box(&values))
                .unwrap();
        });
    });
    group.finish();
    let _ = std::fs::remove_dir_all(dir);
}

/// Times `publish` once per iteration, each to a pipeline run of its own.
fn each_to_a_new_run(b: &mut criterion::Bencher<'_>, mut publish: impl FnMut(Resource)) {
    b.iter_custom(|iters| {
        let start = Instant::now();
        for _ in 0..iters {
            publish(Resource::pipeline_run(Uuid::new_v4()));
        }
        start.elapsed()
    });
}

criterion_group!(benches, publish);
criterion_main!(benches);
