//! The ZenML client against a local server that misbehaves on cue: 5xx answers, reset
//! connections, a server too slow to answer, an expired token, an answer that echoes a secret.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use run_metadata::Resource;
use run_metadata::Secret;
use run_metadata::metadata;
use run_metadata::zenml::{Auth, Client, Config, Delivery, ZenmlError};
use uuid::Uuid;

/// What the fake server does with one request.
#[derive(Clone)]
enum Reply {
    /// Answer with this status and body.
    Answer(u16, &'static str),
    /// Close the connection without answering.
    Reset,
    /// Wait this long, then answer 200 `null`.
    Slow(Duration),
    /// Answer 200 with these bytes as the body.
    Bytes(&'static [u8]),
}

/// One request as the server saw it: the request line and the `Authorization` header.
#[derive(Clone, Debug)]
struct Seen {
    line: String,
    auth: Option<String>,
}

struct FakeServer {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeServer {
    /// Answers requests in order with `replies`, then 500 to anything more.
    fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            let mut replies = replies.into_iter();
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let reply = replies
                    .next()
                    .unwrap_or(Reply::Answer(500, r#"{"detail":"script over"}"#));
                if let Reply::Reset = reply {
                    // Read a little and close with the rest unread: the kernel answers RST.
                    let mut start = [0u8; 8];
                    let _ = (&stream).read_exact(&mut start);
                    log.lock().unwrap().push(Seen {
                        line: "(reset)".into(),
                        auth: None,
                    });
                    drop(stream);
                    continue;
                }
                // One request per connection: the client reconnects for the next.
                let Some(request) = read_request(&stream) else {
                    continue;
                };
                log.lock().unwrap().push(request);
                respond(stream, reply);
            }
        });
        Self { url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut auth = None;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "authorization" => auth = Some(value.trim().to_owned()),
            "content-length" => length = value.trim().parse().ok()?,
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        line: line.trim_end().to_owned(),
        auth,
    })
}

fn respond(mut stream: TcpStream, reply: Reply) {
    let (status, body) = match reply {
        Reply::Reset => return,
        Reply::Bytes(bytes) => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = stream.write_all(bytes);
            return;
        }
        Reply::Slow(wait) => {
            thread::sleep(wait);
            (200, "null")
        }
        Reply::Answer(status, body) => (status, body),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

const LOGIN_1: Reply = Reply::Answer(200, r#"{"access_token":"token-one","token_type":"bearer"}"#);
const LOGIN_2: Reply = Reply::Answer(200, r#"{"access_token":"token-two","token_type":"bearer"}"#);
const OK: Reply = Reply::Answer(200, "null");

fn client(server: &FakeServer, password: &str) -> Client {
    Client::new(
        Config::new(
            &server.url,
            Auth::Password {
                username: "default".into(),
                password: Secret::new(password.to_owned()),
            },
        )
        .with_project(Uuid::from_u128(1).to_string())
        .with_timeouts(Duration::from_millis(500), Duration::from_millis(300))
        .with_retries(2, Duration::from_millis(20))
        .with_delivery(Delivery::Synchronous),
    )
}

fn publish(client: &mut Client) -> Result<(), ZenmlError> {
    client
        .publish(
            Resource::step_run(Uuid::from_u128(2)),
            None,
            &metadata! { "k" => 1 },
        )
        .map(drop)
}

#[test]
fn server_errors_are_retried_with_backoff_then_succeed() {
    let server = FakeServer::start(vec![
        LOGIN_1,
        Reply::Answer(503, r#"{"detail":"unavailable"}"#),
        Reply::Answer(502, "bad gateway"),
        OK,
    ]);
    let mut client = client(&server, "");
    publish(&mut client).unwrap();
    let lines: Vec<String> = server.seen().into_iter().map(|s| s.line).collect();
    assert_eq!(
        lines,
        [
            "POST /api/v1/login HTTP/1.1",
            "POST /api/v1/run-metadata HTTP/1.1",
            "POST /api/v1/run-metadata HTTP/1.1",
            "POST /api/v1/run-metadata HTTP/1.1",
        ]
    );
}

#[test]
fn server_errors_on_every_attempt_are_a_typed_error() {
    let server = FakeServer::start(vec![LOGIN_1]);
    let mut client = client(&server, "");
    let err = publish(&mut client).unwrap_err();
    assert!(
        matches!(
            err,
            ZenmlError::Server {
                status: 500,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert_eq!(server.seen().len(), 1 + 3);
}

/// The step's answer, with `k` among its run metadata.
const STEP_WITH_K: Reply = Reply::Answer(
    200,
    r#"{"id":"00000000-0000-0000-0000-000000000002","metadata":{"run_metadata":{"k":1}}}"#,
);
/// The step's answer, without.
const STEP_WITHOUT_K: Reply = Reply::Answer(
    200,
    r#"{"id":"00000000-0000-0000-0000-000000000002","metadata":{"run_metadata":{}}}"#,
);

/// The status a `GET` of the step reads, for the tests of reads.
fn read(client: &mut Client) -> Result<String, ZenmlError> {
    client.status(Resource::step_run(Uuid::from_u128(2)))
}

const STATUS: Reply = Reply::Answer(200, r#"{"body":{"status":"completed"}}"#);

#[test]
fn reset_connections_are_retried_for_a_read() {
    let server = FakeServer::start(vec![LOGIN_1, Reply::Reset, Reply::Reset, STATUS]);
    let mut client = client(&server, "");
    assert_eq!(read(&mut client).unwrap(), "completed");
    assert_eq!(server.seen().len(), 4);
}

/// The `POST`s the server saw.
fn posts(server: &FakeServer) -> usize {
    server
        .seen()
        .iter()
        .filter(|s| s.line.starts_with("POST /api/v1/run-metadata"))
        .count()
}

#[test]
fn a_publish_whose_answer_is_lost_is_read_back_not_repeated() {
    // Applied: the read back finds the value, nothing is sent again.
    let server = FakeServer::start(vec![LOGIN_1, Reply::Reset, STEP_WITH_K]);
    let mut c = client(&server, "");
    publish(&mut c).unwrap();
    let seen: Vec<String> = server.seen().into_iter().map(|s| s.line).collect();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen[2].starts_with("GET /api/v1/steps/00000000-0000-0000-0000-000000000002"));
    assert_eq!(
        posts(&server),
        0,
        "the reset request is not logged as a POST"
    );

    // Not applied: the read back does not find it, so it is sent once more.
    let server = FakeServer::start(vec![LOGIN_1, Reply::Reset, STEP_WITHOUT_K, OK]);
    let mut c = client(&server, "");
    publish(&mut c).unwrap();
    assert_eq!(server.seen().len(), 4);
    assert_eq!(posts(&server), 1);

    // The read back fails too: the answer stays lost, to be read back later; nothing resent.
    let fail = Reply::Answer(503, r#"{"detail":"down"}"#);
    let server = FakeServer::start(vec![
        LOGIN_1,
        Reply::Reset,
        fail.clone(),
        fail.clone(),
        fail,
    ]);
    let mut c = client(&server, "");
    let err = publish(&mut c).unwrap_err();
    assert!(matches!(err, ZenmlError::AnswerLost { .. }), "{err:?}");
    assert!(err.is_transient());
    assert!(err.to_string().contains("may have been applied"), "{err}");
    assert_eq!(posts(&server), 0);
    assert_eq!(server.seen().len(), 5);
}

#[test]
fn what_cannot_succeed_later_is_not_retried() {
    // URLs that are not URLs: said before anything is sent.
    for url in ["", "http://", "http://zen ml.example", "127.0.0.1:8080"] {
        let mut client = Client::new(Config::new(url, Auth::ApiKey(Secret::new("k".into()))));
        let err = client.server_id().unwrap_err();
        assert!(matches!(err, ZenmlError::Config(_)), "{url:?}: {err:?}");
        assert!(!err.is_transient());
        assert!(err.to_string().contains("is not a server's URL"), "{err}");
    }
    // An answer that is not text: a protocol error at once, not a server away.
    let server = FakeServer::start(vec![LOGIN_1, Reply::Bytes(b"{\"body\":\xff\xfe}")]);
    let mut client = client(&server, "");
    let err = read(&mut client).unwrap_err();
    assert!(matches!(err, ZenmlError::Protocol(_)), "{err:?}");
    assert!(err.to_string().contains("not UTF-8"), "{err}");
    assert_eq!(server.seen().len(), 2, "not retried");
}

#[test]
fn a_slow_server_times_out_on_every_attempt() {
    let slow = Reply::Slow(Duration::from_millis(1500));
    let server = FakeServer::start(vec![LOGIN_1, slow.clone(), slow.clone(), slow]);
    let mut client = client(&server, "");
    let started = Instant::now();
    let err = read(&mut client).unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, ZenmlError::Unreachable { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().to_lowercase().contains("timeout") || err.to_string().contains("timed out"),
        "{err}"
    );
    // Three read timeouts of 300 ms and two backoffs, not three 1.5 s answers.
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_millis(3000), "{took:?}");
}

#[test]
fn client_errors_are_not_retried() {
    let server = FakeServer::start(vec![
        LOGIN_1,
        Reply::Answer(422, r#"{"detail":["ValueError","bad key"]}"#),
    ]);
    let mut client = client(&server, "");
    let err = publish(&mut client).unwrap_err();
    assert_eq!(
        err,
        ZenmlError::Rejected {
            status: 422,
            detail: "ValueError: bad key".into()
        }
    );
    assert_eq!(server.seen().len(), 2, "one attempt");
}

#[test]
fn an_expired_token_means_one_new_login() {
    let server = FakeServer::start(vec![
        LOGIN_1,
        OK,
        Reply::Answer(401, r#"{"detail":["CredentialsNotValid","token expired"]}"#),
        LOGIN_2,
        OK,
    ]);
    let mut client = client(&server, "");
    publish(&mut client).unwrap();
    publish(&mut client).unwrap();
    let seen = server.seen();
    let auths: Vec<Option<String>> = seen.iter().map(|s| s.auth.clone()).collect();
    assert_eq!(
        auths,
        [
            None,
            Some("Bearer token-one".into()),
            Some("Bearer token-one".into()),
            None,
            Some("Bearer token-two".into()),
        ]
    );
}

#[test]
fn a_second_401_is_an_auth_error_not_a_loop() {
    let denied = Reply::Answer(401, r#"{"detail":"nope"}"#);
    let server = FakeServer::start(vec![LOGIN_1, denied.clone(), LOGIN_2, denied]);
    let mut client = client(&server, "");
    let err = publish(&mut client).unwrap_err();
    assert!(matches!(err, ZenmlError::Auth { .. }), "{err:?}");
    assert_eq!(server.seen().len(), 4);
}

#[test]
fn secrets_echoed_by_the_server_never_reach_errors() {
    // FastAPI's 422 answers quote their input: a login form's included.
    let server = FakeServer::start(vec![Reply::Answer(
        422,
        r#"{"detail":[{"msg":"invalid","input":{"username":"default","password":"s3cret-pass"}}]}"#,
    )]);
    let mut client = client(&server, "s3cret-pass");
    let err = publish(&mut client).unwrap_err();
    for shown in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!shown.contains("s3cret-pass"), "{shown}");
    }
    assert!(err.to_string().contains("***"), "{err}");
}

#[test]
fn secrets_in_server_errors_are_hidden_before_the_text_is_cut() {
    // A 5xx that echoes the password where the 500-character cut would split it: hidden whole,
    // on every attempt, in `Display` and `Debug`.
    let password = "s3cret-password-long";
    let detail = format!("{}{password} was not accepted", "x".repeat(490));
    let body: &'static str = Box::leak(format!(r#"{{"detail":"{detail}"}}"#).into_boxed_str());
    let server = FakeServer::start(vec![
        LOGIN_1,
        Reply::Answer(500, body),
        Reply::Answer(500, body),
        Reply::Answer(500, body),
    ]);
    let mut client = client(&server, password);
    let err = publish(&mut client).unwrap_err();
    assert!(
        matches!(err, ZenmlError::Server { status: 500, .. }),
        "{err:?}"
    );
    for shown in [err.to_string(), format!("{err:?}")] {
        // Not the password, nor the start of it that a cut would leave.
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains(&format!("{}***", "x".repeat(10))), "{shown}");
    }
}

#[test]
fn secrets_echoed_in_any_encoding_or_status_never_reach_errors() {
    let password = "p@ss \"w\\ord\" é";
    let echoes = [
        password.to_owned(),
        "p@ss \\\"w\\\\ord\\\" é".to_owned(),
        "p%40ss+%22w%5Cord%22+%C3%A9".to_owned(),
        "p%40ss%20%22w%5cord%22%20%c3%a9".to_owned(),
    ];
    for status in [400, 401, 422, 500] {
        for echo in &echoes {
            let body: &'static str = Box::leak(
                serde_json::json!({"detail": format!("bad input {echo}")})
                    .to_string()
                    .into_boxed_str(),
            );
            let replies = if status == 401 {
                // The login itself refused, echoing the form.
                vec![Reply::Answer(401, body)]
            } else {
                vec![
                    LOGIN_1,
                    Reply::Answer(status, body),
                    Reply::Answer(status, body),
                    Reply::Answer(status, body),
                ]
            };
            let server = FakeServer::start(replies);
            let mut client = client(&server, password);
            let err = publish(&mut client).unwrap_err();
            for shown in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
                for part in ["p@ss", "p%40ss", "w\\ord", "w%5C", "w%5c"] {
                    assert!(!shown.contains(part), "{status} {echo:?}: {shown}");
                }
            }
        }
    }
}

#[test]
fn secrets_echoed_by_a_failing_server_reach_no_store_row() {
    use run_metadata::sink::Sink;
    use run_metadata::stack::{ComponentInfo, ComponentKind};
    use run_metadata::store::Store;
    use run_metadata::zenml::ZenmlSink;

    let password = "p@ss \"w\\ord\" é";
    let body: &'static str = Box::leak(
        serde_json::json!({"detail": format!(
            "bad input {password} / p@ss \\\"w\\\\ord\\\" é / p%40ss+%22w%5Cord%22+%C3%A9 / p%40ss%20%22w%5cord%22%20%c3%a9"
        )})
        .to_string()
        .into_boxed_str(),
    );
    // The server fails while the metadata is published (kept for sync), then refuses it when
    // synced (422, parked in the store with the server's reason).
    let mut replies = vec![Reply::Answer(500, body); 6];
    replies.push(LOGIN_1);
    replies.extend(vec![Reply::Answer(422, body); 20]);
    let server = FakeServer::start(replies);
    let dir = run_metadata_tests::TempDir::new("echoed-secrets");
    let path = dir.path("runs.db");
    {
        let store = Store::open(&path).unwrap();
        let mut sink = ZenmlSink::new(client(&server, password), store).unwrap();
        let component = ComponentInfo {
            id: Uuid::from_u128(3),
            name: "tracker".into(),
            kind: ComponentKind::ExperimentTracker,
        };
        let step = Resource::step_run(Uuid::from_u128(2));
        let said = sink
            .publish(step, &component, &metadata! { "k" => 1 })
            .unwrap_err()
            .to_string();
        assert!(
            said.contains("kept in the outbox") && said.contains("***"),
            "{said}"
        );
        assert!(!said.contains("p@ss") && !said.contains("p%40ss"), "{said}");
        let report = sink.sync().unwrap();
        let seen: Vec<String> = server.seen().into_iter().map(|s| s.line).collect();
        assert_eq!(report.refused.len(), 1, "{report:?} {seen:#?}");
        assert_eq!(sink.kept().unwrap().refused, 1, "parked, with the reason");
        let kept = sink.outbox().metadata(sink.store(), true).unwrap();
        let error = kept[0].last_error.as_deref().unwrap_or_default();
        assert!(error.contains("***"), "{error}");
    }
    // Every byte the store holds: no form of the password.
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path("runs.db-wal")) {
        bytes.extend(wal);
    }
    let text = String::from_utf8_lossy(&bytes);
    for part in ["p@ss", "p%40ss", "w\\ord", "w%5C", "w%5c"] {
        assert!(!text.contains(part), "{part} in the store");
    }
}
