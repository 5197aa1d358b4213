//! The HTTP layer: one server, its login token, retries with backoff, one re-login on a 401,
//! and the one place where a server's text becomes an error's (redacted there, always).
//!
//! Answers are given as text, for the types of `wire::answers` to read.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError, TryLockError};

use crate::hooks::secret::Secret;
use crate::zenml::error::ZenmlError;
use crate::zenml::transport::config::{Auth, Config};
use crate::zenml::transport::trust::{url_problem, warn_once};
use crate::zenml::wire::answers::{self, detail};

/// How much of a server's explanation an error keeps, in characters.
const DETAIL_LEN: usize = 500;

/// What to send.
pub(crate) enum Method<'a> {
    /// `GET` with these query pairs (percent-encoded by the HTTP client).
    Get(&'a [(&'a str, &'a str)]),
    /// `POST` of a JSON body.
    Post(&'a str),
    /// `PUT` of a JSON body.
    Put(&'a str),
    /// `POST` of a form (login only).
    Form(&'a [(&'a str, &'a str)]),
}

impl Method<'_> {
    /// Whether sending it twice does what sending it once does. A `POST` creates: ZenML's
    /// metadata is append-only, so a repeated one is a duplicate. The login form only asks for
    /// a token.
    fn idempotent(&self) -> bool {
        !matches!(self, Self::Post(_))
    }
}

struct Answer {
    status: u16,
    body: String,
}

/// Why no answer came.
enum Failure {
    /// Nothing reached the server: refused, no route, no such host, connect timed out.
    NotSent(String),
    /// The request may have reached the server, but its answer could not be read: reset, timed
    /// out while waiting, cut short.
    Lost(String),
    /// The TLS handshake failed.
    Tls(String),
    /// The request cannot be made at all (a URL that is not one).
    Invalid(String),
    /// An answer came that is not text.
    Garbled(String),
}

impl Failure {
    fn of(e: ureq::Error, https: bool) -> Self {
        use std::io::ErrorKind;
        use ureq::Timeout;
        let text = e.to_string();
        match e {
            ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => Self::NotSent(text),
            ureq::Error::Io(io) => match io.kind() {
                ErrorKind::ConnectionRefused
                | ErrorKind::AddrNotAvailable
                | ErrorKind::NetworkUnreachable
                | ErrorKind::HostUnreachable => Self::NotSent(text),
                // rustls reports a refused certificate or a server that speaks no TLS as
                // invalid data, during the handshake.
                ErrorKind::InvalidData if https => {
                    Self::Tls(io.get_ref().map_or(text, ToString::to_string))
                }
                _ => Self::Lost(text),
            },
            ureq::Error::Tls(_) | ureq::Error::Pem(_) | ureq::Error::Rustls(_) => Self::Tls(text),
            ureq::Error::BadUri(_)
            | ureq::Error::Http(_)
            | ureq::Error::InvalidProxyUrl
            | ureq::Error::RequireHttpsOnly(_) => Self::Invalid(text),
            _ => Self::Lost(text),
        }
    }
}

/// A login's token, shared by every connection of this process to one server with one set of
/// credentials.
type Session = Arc<Mutex<Option<Secret>>>;

/// This process's sessions, by server and credentials: a fleet of clients in one process logs
/// in once, and a token renewed after a 401 serves them all. Only in memory.
static SESSIONS: LazyLock<Mutex<HashMap<String, Session>>> = LazyLock::new(Mutex::default);

/// The session of `config`'s server and credentials; `None` for a token given as it is, which
/// is its own session.
fn session_of(config: &Config) -> Option<Session> {
    // Each part with its length, so that no two logins make one key; the TLS trust too, so
    // that a token is never sent on a way less checked than the one it came by.
    let part = |text: &str| format!("{}:{text}", text.len());
    let who = match config.auth() {
        Auth::Password { username, password } => {
            format!("password {} {}", part(username), part(password.expose()))
        }
        Auth::ApiKey(key) => format!("key {}", part(key.expose())),
        Auth::Token(_) => return None,
    };
    let trust = format!("{:?}", config.tls());
    let key = format!("{} {who} {}", part(config.url()), part(&trust));
    let mut sessions = SESSIONS.lock().unwrap_or_else(PoisonError::into_inner);
    Some(Arc::clone(sessions.entry(key).or_default()))
}

/// One server's connection: the agent, the configuration and the token.
pub(crate) struct Http {
    agent: ureq::Agent,
    config: Config,
    token: Option<Secret>,
    /// The token this connection shares with the others of its server and credentials.
    session: Option<Session>,
    /// Why no request can be made with this configuration (a bad URL, an unreadable CA bundle).
    broken: Option<ZenmlError>,
}

impl Http {
    pub(crate) fn new(config: Config) -> Self {
        let (tls, mut broken) = match config.tls().tls_config() {
            Ok(tls) => (tls, None),
            Err(e) => (ureq::tls::TlsConfig::default(), Some(e)),
        };
        if let Some(problem) = url_problem(config.url()) {
            broken = Some(ZenmlError::Config(problem));
        }
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_recv_response(Some(config.read_timeout))
            .timeout_recv_body(Some(config.read_timeout))
            .timeout_send_body(Some(config.read_timeout))
            .http_status_as_error(false)
            .user_agent(concat!("run-metadata/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        let session = session_of(&config);
        let token = match config.auth() {
            Auth::Token(token) => Some(token.clone()),
            // Not waiting for a login in progress: `login` will, when it is needed.
            _ => session.as_ref().and_then(|s| match s.try_lock() {
                Ok(token) => token.clone(),
                Err(TryLockError::Poisoned(token)) => token.into_inner().clone(),
                Err(TryLockError::WouldBlock) => None,
            }),
        };
        Self {
            agent,
            config,
            token,
            session,
            broken,
        }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn logged_in(&self) -> bool {
        self.token.is_some()
    }

    /// Logs in, replacing the token: with the session's, if another connection of this
    /// process renewed it since this one took it, else with a new one, which the session then
    /// holds. One connection of a session logs in at a time; the others wait for its token.
    /// Before credentials first leave, what the person running the program must know about
    /// their way is said (once per process).
    pub(crate) fn login(&mut self) -> Result<(), ZenmlError> {
        let Some(session) = self.session.clone() else {
            return Err(self.token_refused());
        };
        let mut shared = session.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(current) = shared.as_ref()
            && self
                .token
                .as_ref()
                .is_none_or(|mine| mine.expose() != current.expose())
        {
            self.token = Some(current.clone());
            return Ok(());
        }
        warn_once(&self.config.warnings());
        let form: Vec<(&str, &str)> = match self.config.auth() {
            Auth::Password { username, password } => {
                vec![("username", username), ("password", password.expose())]
            }
            Auth::ApiKey(key) => vec![("password", key.expose())],
            Auth::Token(_) => return Err(self.token_refused()),
        };
        let answer = self.send("/api/v1/login", &Method::Form(&form), None)?;
        let answer: answers::Login = answers::read(&self.check(answer)?)?;
        let token = answer
            .access_token
            .ok_or_else(|| ZenmlError::Protocol("the login answer has no access_token".into()))?;
        let token = Secret::new(token);
        *shared = Some(token.clone());
        self.token = Some(token);
        Ok(())
    }

    /// A token given as it is, refused: it cannot be renewed here.
    fn token_refused(&self) -> ZenmlError {
        ZenmlError::Auth {
            detail: format!(
                "the login token was refused and cannot be renewed: log in again with \
                 `zenml login {}`",
                self.config.url()
            ),
        }
    }

    /// An authenticated request: logs in first if need be, and once more on a 401. The text of
    /// a 2xx answer, or the error its status means.
    pub(crate) fn call(&mut self, path: &str, method: &Method<'_>) -> Result<String, ZenmlError> {
        if self.token.is_none() {
            self.login()?;
        }
        let mut answer = self.send(path, method, self.token.clone().as_ref())?;
        if answer.status == 401 && !matches!(self.config.auth(), Auth::Token(_)) {
            self.login()?;
            answer = self.send(path, method, self.token.clone().as_ref())?;
        }
        self.check(answer)
    }

    /// A request that needs no login (the server's own information). The text of a 2xx answer,
    /// or the error its status means.
    pub(crate) fn call_public(&self, path: &str) -> Result<String, ZenmlError> {
        let answer = self.send(path, &Method::Get(&[]), None)?;
        self.check(answer)
    }

    /// One request with retries, up to the configured count, with backoff: a 5xx and a request
    /// that never reached the server are retried; a lost answer is retried only for a request
    /// that may be repeated ([`Method::idempotent`]), else it is
    /// [`ZenmlError::AnswerLost`]. A bad URL, a TLS failure and an answer that is not text are
    /// not retried; any other answer is returned as it is.
    fn send(
        &self,
        path: &str,
        method: &Method<'_>,
        token: Option<&Secret>,
    ) -> Result<Answer, ZenmlError> {
        if let Some(broken) = &self.broken {
            return Err(broken.clone());
        }
        let url = format!("{}{path}", self.config.url());
        let mut wait = self.config.backoff;
        let mut attempt = 1;
        loop {
            let result = self.send_once(&url, method, token);
            let retry = match &result {
                Ok(answer) => answer.status >= 500,
                Err(Failure::NotSent(_)) => true,
                Err(Failure::Lost(_)) => method.idempotent(),
                Err(Failure::Tls(_) | Failure::Invalid(_) | Failure::Garbled(_)) => false,
            };
            if !retry || attempt > self.config.retries {
                return match result {
                    Ok(answer) if answer.status >= 500 => Err(ZenmlError::Server {
                        status: answer.status,
                        detail: self.server_text(&answer.body),
                        attempts: attempt,
                    }),
                    Ok(answer) => Ok(answer),
                    Err(Failure::Lost(reason)) if !method.idempotent() => {
                        Err(ZenmlError::AnswerLost { reason })
                    }
                    Err(Failure::NotSent(reason) | Failure::Lost(reason)) => {
                        Err(ZenmlError::Unreachable {
                            reason,
                            attempts: attempt,
                        })
                    }
                    Err(Failure::Tls(reason)) => Err(ZenmlError::Tls { reason }),
                    Err(Failure::Invalid(reason)) => Err(ZenmlError::Config(reason)),
                    Err(Failure::Garbled(reason)) => Err(ZenmlError::Protocol(reason)),
                };
            }
            std::thread::sleep(wait);
            wait = wait.saturating_mul(2);
            attempt += 1;
        }
    }

    fn send_once(
        &self,
        url: &str,
        method: &Method<'_>,
        token: Option<&Secret>,
    ) -> Result<Answer, Failure> {
        let bearer = token.map(|t| format!("Bearer {}", t.expose()));
        let result = match method {
            Method::Get(query) => {
                let mut req = self.agent.get(url).query_pairs(query.iter().copied());
                if let Some(b) = &bearer {
                    req = req.header("Authorization", b);
                }
                req.call()
            }
            Method::Post(body) | Method::Put(body) => {
                let mut req = if matches!(method, Method::Put(_)) {
                    self.agent.put(url)
                } else {
                    self.agent.post(url)
                };
                if let Some(b) = &bearer {
                    req = req.header("Authorization", b);
                }
                req.content_type("application/json").send(*body)
            }
            Method::Form(form) => self.agent.post(url).send_form(form.iter().copied()),
        };
        // ureq's errors name the failure (refused, timed out, reset), never the request's body
        // or headers, so no credential reaches them.
        let https = url.starts_with("https://");
        let mut response = result.map_err(|e| Failure::of(e, https))?;
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut response.body_mut().as_reader(), &mut bytes)
            .map_err(|e| Failure::of(e.into(), https))?;
        let body = String::from_utf8(bytes).map_err(|e| {
            Failure::Garbled(format!("an answer (HTTP {status}) that is not UTF-8: {e}"))
        })?;
        Ok(Answer { status, body })
    }

    /// The text of a 2xx answer, or the error its status means.
    fn check(&self, answer: Answer) -> Result<String, ZenmlError> {
        let detail = || self.server_text(&answer.body);
        match answer.status {
            200..=299 => Ok(answer.body),
            401 => Err(ZenmlError::Auth { detail: detail() }),
            404 => Err(ZenmlError::NotFound { detail: detail() }),
            status => Err(ZenmlError::Rejected {
                status,
                detail: detail(),
            }),
        }
    }

    /// What a server said, as an error may hold it: the `detail` of a FastAPI error answer
    /// (else the body), with every credential this client holds replaced by `***` (a server may
    /// echo what it was sent: FastAPI's 422 answers quote their input), then cut to
    /// [`DETAIL_LEN`] characters. Every server text that reaches an error passes here.
    fn server_text(&self, body: &str) -> String {
        let mut text = detail(body);
        let mut secrets: Vec<&str> = Vec::new();
        match self.config.auth() {
            Auth::Password { password, .. } => secrets.push(password.expose()),
            Auth::ApiKey(key) | Auth::Token(key) => secrets.push(key.expose()),
        }
        if let Some(token) = &self.token {
            secrets.push(token.expose());
        }
        text = redact(&text, &secrets);
        let mut text: String = text.chars().take(DETAIL_LEN).collect();
        if text.is_empty() {
            text.push_str("(no detail)");
        }
        text
    }
}

/// `text` with each of `secrets` replaced by `***`, whatever its length, in every form this
/// client sends it in and a server may echo: as it is, JSON-escaped, and URL-encoded (the login
/// form's encoding, `%20` for a space, lowercase hex).
fn redact(text: &str, secrets: &[&str]) -> String {
    let mut forms: Vec<String> = Vec::new();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let json = serde_json::Value::String((*secret).to_owned()).to_string();
        forms.push((*secret).to_owned());
        forms.push(json[1..json.len() - 1].to_owned());
        let form = url_encoded(secret, "+");
        forms.push(form.to_ascii_lowercase().replace('+', "%20"));
        forms.push(form.replace('+', "%20"));
        forms.push(form);
    }
    // Longest first, so that a form is not cut by a shorter one within it.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    let mut text = text.to_owned();
    for form in &forms {
        text = text.replace(form.as_str(), "***");
    }
    text
}

/// `text` as `application/x-www-form-urlencoded` writes it: letters, digits and `*-._` as they
/// are, a space as `space`, every other byte as `%XX`.
fn url_encoded(text: &str, space: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push_str(space),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_hidden_in_every_form_whatever_their_length() {
        use super::redact;
        let secret = r#"p@ss "w\ord" é"#;
        for echoed in [
            secret.to_owned(),
            r#"p@ss \"w\\ord\" é"#.to_owned(),
            "p%40ss+%22w%5Cord%22+%C3%A9".to_owned(),
            "p%40ss%20%22w%5Cord%22%20%C3%A9".to_owned(),
            "p%40ss%20%22w%5cord%22%20%c3%a9".to_owned(),
        ] {
            let shown = redact(&format!("input: {echoed}!"), &[secret]);
            assert_eq!(shown, "input: ***!", "{echoed}");
        }
        // Short secrets too (at the cost of the text around them).
        assert_eq!(redact("pin 42 accepted", &["42"]), "pin *** accepted");
        assert_eq!(redact("nothing to hide", &[""]), "nothing to hide");
    }
}
