//! Where a ZenML server is and how to log in to it.

use std::time::Duration;

use crate::hooks::secret::Secret;
use crate::zenml::error::ZenmlError;
use crate::zenml::transport::delivery::Delivery;
use crate::zenml::transport::trust::{TlsTrust, url_problem, warnings};

/// How to log in.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Auth {
    /// A user's name and password (`ZENML_STORE_USERNAME`, `ZENML_STORE_PASSWORD`).
    Password {
        /// The user.
        username: String,
        /// The password; may be empty.
        password: Secret,
    },
    /// A service account's API key, `ZENKEY_...` (`ZENML_STORE_API_KEY`).
    ApiKey(Secret),
    /// A bearer token obtained elsewhere; it cannot be renewed.
    Token(Secret),
}

/// Where the server is and how to talk to it.
///
/// ```
/// use std::time::Duration;
/// use run_metadata::zenml::{Auth, Config};
///
/// let config = Config::new("http://127.0.0.1:8080/", Auth::ApiKey("ZENKEY_abc".into()))
///     .with_project("research")
///     .with_timeouts(Duration::from_secs(2), Duration::from_secs(10))
///     .with_retries(5, Duration::from_millis(100));
/// assert_eq!(config.url(), "http://127.0.0.1:8080");
/// assert!(!format!("{config:?}").contains("ZENKEY_abc"));
///
/// let vars = [("ZENML_STORE_URL", "https://zenml.example"), ("ZENML_STORE_USERNAME", "ci")];
/// let config = Config::from_vars(|name| {
///     vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
/// })?;
/// assert!(matches!(config.auth(), Auth::Password { username, .. } if username == "ci"));
/// # Ok::<(), run_metadata::zenml::ZenmlError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    url: String,
    auth: Auth,
    pub(crate) project: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) retries: u32,
    pub(crate) backoff: Duration,
    tls: TlsTrust,
    delivery: Delivery,
}

impl Config {
    /// The server at `url` (`http(s)://host[:port]`), logging in with `auth`, project `default`,
    /// 5 s to connect, 30 s to read, 3 retries from 250 ms backoff.
    pub fn new(url: impl Into<String>, auth: Auth) -> Self {
        let mut url = without_userinfo(url.into());
        while url.ends_with('/') {
            url.pop();
        }
        Self {
            url,
            auth,
            project: "default".into(),
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(250),
            tls: TlsTrust::Bundled,
            delivery: Delivery::default(),
        }
    }

    /// From ZenML's own environment variables: `ZENML_STORE_URL`, and `ZENML_STORE_API_KEY`,
    /// or `ZENML_STORE_USERNAME` (with `ZENML_STORE_PASSWORD`, empty if unset), or
    /// `ZENML_STORE_API_TOKEN` (as ZenML's orchestrators give each step); the project from
    /// `ZENML_ACTIVE_PROJECT_ID` if set; the [`Delivery`] from `RUN_METADATA_DELIVERY` and
    /// `RUN_METADATA_DELIVERY_TIMEOUT`.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::Config`] naming what is missing.
    pub fn from_env() -> Result<Self, ZenmlError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`from_env`](Self::from_env), reading variables through `var`.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::Config`] naming what is missing.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ZenmlError> {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let url = var("ZENML_STORE_URL").ok_or_else(|| {
            ZenmlError::Config("ZENML_STORE_URL is not set (the server's URL)".into())
        })?;
        if let Some(problem) = url_problem(&without_userinfo(url.clone())) {
            return Err(ZenmlError::Config(format!("ZENML_STORE_URL: {problem}")));
        }
        let Some(auth) = env_auth(&var) else {
            return Err(ZenmlError::Config(
                "set ZENML_STORE_API_KEY, or ZENML_STORE_USERNAME (and ZENML_STORE_PASSWORD), \
                 or ZENML_STORE_API_TOKEN"
                    .into(),
            ));
        };
        let mut config = Self::new(url, auth)
            .with_tls(TlsTrust::from_vars(var))
            .with_delivery(Delivery::from_vars(var)?);
        if let Some(project) = var("ZENML_ACTIVE_PROJECT_ID") {
            config.project = project;
        }
        Ok(config)
    }

    /// Uses project `project` (a name or an id).
    #[must_use]
    pub fn with_project(mut self, project: impl Into<String>) -> Self {
        self.project = project.into();
        self
    }

    /// Sets the connect and read timeouts.
    #[must_use]
    pub fn with_timeouts(mut self, connect: Duration, read: Duration) -> Self {
        self.connect_timeout = connect;
        self.read_timeout = read;
        self
    }

    /// Retries a request `retries` times after a connection error or a 5xx, waiting `backoff`,
    /// then twice as long each time (4xx answers are not retried).
    #[must_use]
    pub fn with_retries(mut self, retries: u32, backoff: Duration) -> Self {
        self.retries = retries;
        self.backoff = backoff;
        self
    }

    /// Trusts `tls` for an https server's certificate.
    #[must_use]
    pub fn with_tls(mut self, tls: TlsTrust) -> Self {
        self.tls = tls;
        self
    }

    /// Delivers as `delivery` says: beside the run (the default) or on the run's thread.
    #[must_use]
    pub fn with_delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    /// How a [`ZenmlSink`](crate::zenml::ZenmlSink) publishing through this configuration delivers.
    #[must_use]
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// What an https server's certificate is checked against.
    #[must_use]
    pub fn tls(&self) -> &TlsTrust {
        &self.tls
    }

    /// What the person running the program must be told before credentials are sent: plain
    /// http to a host that is not this machine, or https with no certificate checked. The
    /// client writes each to standard error once per process, when it first logs in.
    ///
    /// ```
    /// use run_metadata::zenml::{Auth, Config};
    ///
    /// let local = Config::new("http://127.0.0.1:8237", Auth::ApiKey("ZENKEY_x".into()));
    /// assert!(local.warnings().is_empty());
    /// let remote = Config::new("http://zenml.example", Auth::ApiKey("ZENKEY_x".into()));
    /// assert!(remote.warnings()[0].contains("unencrypted"));
    /// ```
    #[must_use]
    pub fn warnings(&self) -> Vec<String> {
        warnings(&self.url, &self.tls)
    }

    /// The server's URL, without a trailing `/`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How the client logs in.
    #[must_use]
    pub fn auth(&self) -> &Auth {
        &self.auth
    }
}

/// Credentials from ZenML's variables, in ZenML's order: `ZENML_STORE_API_KEY`, else
/// `ZENML_STORE_USERNAME` (with `ZENML_STORE_PASSWORD`, empty if unset), else
/// `ZENML_STORE_API_TOKEN` (what ZenML's orchestrators give each step).
pub(crate) fn env_auth(var: &impl Fn(&str) -> Option<String>) -> Option<Auth> {
    if let Some(key) = var("ZENML_STORE_API_KEY") {
        return Some(Auth::ApiKey(Secret::new(key)));
    }
    if let Some(username) = var("ZENML_STORE_USERNAME") {
        return Some(Auth::Password {
            username,
            password: Secret::new(var("ZENML_STORE_PASSWORD").unwrap_or_default()),
        });
    }
    var("ZENML_STORE_API_TOKEN").map(|token| Auth::Token(Secret::new(token)))
}

/// `url` without the `user:password@` a URL may carry: ZenML logs in with its own form, and a
/// URL is shown in messages and `Debug`, where no credential may appear.
pub(crate) fn without_userinfo(url: String) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url;
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::{Auth, Config};

    #[test]
    fn credentials_in_the_url_are_dropped() {
        let config = Config::new(
            "http://ci:s3cret@zenml.example:8080/",
            Auth::Token("t0k".into()),
        );
        assert_eq!(config.url(), "http://zenml.example:8080");
        assert!(!format!("{config:?}").contains("s3cret"));
        let plain = Config::new("https://zenml.example/a@b", Auth::Token("t0k".into()));
        assert_eq!(
            plain.url(),
            "https://zenml.example/a@b",
            "an @ after the host stays"
        );
    }
}
