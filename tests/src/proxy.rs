//! A loopback HTTP proxy that injects faults at an exact request: the tests' way of killing a
//! client or losing an answer at request N of a run, for every N, deterministically.
//!
//! Requests are counted across all connections as they are forwarded (HTTP/1.1 without
//! pipelining: a client sends its next request on a connection only after the whole answer to
//! the last one). A fault on request N lets the server apply it and answer, then acts on the
//! first bytes of that answer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// What the proxy does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything.
    None,
    /// Request N reaches the server; its answer is dropped and the connection closed.
    DropAnswer(usize),
    /// Request N reaches the server; when its answer comes, the process `pid` is killed
    /// (SIGKILL) before it can read it.
    Kill {
        /// Which request (1-based).
        at: usize,
        /// The client's process.
        pid: u32,
    },
    /// The server is away: every connection is closed at once.
    Down,
    /// The server is far away: every request is held this long before it is forwarded.
    Slow(std::time::Duration),
}

struct Shared {
    upstream: String,
    fault: Mutex<Fault>,
    requests: AtomicUsize,
    fired: AtomicBool,
    /// The request line (`POST /api/v1/login HTTP/1.1`) of each request forwarded.
    lines: Mutex<Vec<String>>,
}

/// A proxy on `127.0.0.1`, forwarding to one server; runs until the test process ends.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    shared: Arc<Shared>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`http://HOST:PORT`), forwarding everything.
    ///
    /// # Panics
    ///
    /// If no port can be bound, or `upstream` is not `http://HOST:PORT`.
    #[must_use]
    pub fn start(upstream: &str) -> Self {
        let authority = upstream
            .strip_prefix("http://")
            .expect("an http:// server")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let shared = Arc::new(Shared {
            upstream: authority,
            fault: Mutex::new(Fault::None),
            requests: AtomicUsize::new(0),
            fired: AtomicBool::new(false),
            lines: Mutex::new(Vec::new()),
        });
        let accepting = Arc::clone(&shared);
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let shared = Arc::clone(&accepting);
                thread::spawn(move || serve(&shared, client));
            }
        });
        Self { url, shared }
    }

    /// Sets the fault, and counts requests from 0 again.
    pub fn set(&self, fault: Fault) {
        *self.shared.fault.lock().expect("not poisoned") = fault;
        self.shared.requests.store(0, Ordering::SeqCst);
        self.shared.fired.store(false, Ordering::SeqCst);
        self.shared.lines.lock().expect("not poisoned").clear();
    }

    /// How many requests forwarded since the last [`set`](Self::set) were `method` to `path`
    /// (its query aside).
    #[must_use]
    pub fn requests_to(&self, method: &str, path: &str) -> usize {
        self.shared
            .lines
            .lock()
            .expect("not poisoned")
            .iter()
            .filter(|line| {
                let mut parts = line.split(' ');
                parts.next() == Some(method)
                    && parts
                        .next()
                        .is_some_and(|target| target.split('?').next() == Some(path))
            })
            .count()
    }

    /// How many requests were forwarded since the last [`set`](Self::set).
    #[must_use]
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Whether the fault was injected since the last [`set`](Self::set).
    #[must_use]
    pub fn fired(&self) -> bool {
        self.shared.fired.load(Ordering::SeqCst)
    }
}

fn serve(shared: &Arc<Shared>, client: TcpStream) {
    if *shared.fault.lock().expect("not poisoned") == Fault::Down {
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    let Ok(server) = TcpStream::connect(&shared.upstream) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    // The fault that waits for the next answer on this connection, if any.
    let armed: Arc<Mutex<Option<Fault>>> = Arc::new(Mutex::new(None));
    let (Ok(client_out), Ok(server_in)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let answers = {
        let armed = Arc::clone(&armed);
        let shared = Arc::clone(shared);
        thread::spawn(move || answers(&shared, &armed, server_in, client_out))
    };
    requests(shared, &armed, client, server);
    let _ = answers.join();
}

/// Client to server: request by request, counting them and arming the fault before request N
/// is forwarded.
fn requests(
    shared: &Shared,
    armed: &Mutex<Option<Fault>>,
    client: TcpStream,
    mut server: TcpStream,
) {
    let Ok(client_read) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(client_read);
    loop {
        let mut head = Vec::new();
        let mut length = 0usize;
        loop {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => {
                    let _ = server.shutdown(Shutdown::Write);
                    return;
                }
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
            if let Some(value) = text.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            head.extend_from_slice(&line);
            if line == b"\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
        shared
            .lines
            .lock()
            .expect("not poisoned")
            .push(String::from_utf8_lossy(line).into_owned());
        let n = shared.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let fault = *shared.fault.lock().expect("not poisoned");
        let hit = match fault {
            Fault::DropAnswer(at) | Fault::Kill { at, .. } => at == n,
            Fault::None | Fault::Down => false,
            Fault::Slow(by) => {
                thread::sleep(by);
                false
            }
        };
        if hit {
            *armed.lock().expect("not poisoned") = Some(fault);
        }
        if server.write_all(&head).is_err() || server.write_all(&body).is_err() {
            return;
        }
    }
}

/// Server to client: forwarded, but for an armed fault, which acts on the first bytes of the
/// answer it waits for.
fn answers(
    shared: &Shared,
    armed: &Mutex<Option<Fault>>,
    mut server: TcpStream,
    mut client: TcpStream,
) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let read = match server.read(&mut buf) {
            Ok(0) | Err(_) => {
                let _ = client.shutdown(Shutdown::Both);
                return;
            }
            Ok(read) => read,
        };
        let fault = armed.lock().expect("not poisoned").take();
        if let Some(fault) = fault {
            // Said before the kill, which the test sees by the child's end.
            shared.fired.store(true, Ordering::SeqCst);
            // (Never pid 0, which would be this process's whole group.)
            if let Fault::Kill { pid, .. } = fault
                && pid != 0
            {
                let _ = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status();
            }
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
            return;
        }
        if client.write_all(&buf[..read]).is_err() {
            return;
        }
    }
}
