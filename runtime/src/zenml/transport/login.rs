//! A ZenML user's own login, found as ZenML's client finds it: `ZENML_STORE_*` variables, else
//! the global configuration (`config.yaml` in `ZENML_CONFIG_PATH` or ZenML's default folder)
//! naming the server, and the credentials ZenML stored for it (`credentials.yaml` beside it:
//! an API key, a username and password, or an API token). ZenML's files are only read.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::hooks::secret::Secret;
use crate::zenml::error::ZenmlError;
use crate::zenml::transport::config::{Auth, Config, env_auth, without_userinfo};
use crate::zenml::transport::delivery::Delivery;
use crate::zenml::transport::trust::TlsTrust;
use crate::zenml::transport::yaml::{self, Yaml};

/// How to log in, said at the end of every error here.
const HOW: &str = "log in with ZenML's own CLI, `zenml login https://your-zenml-server`, or set \
                   ZENML_STORE_URL with ZENML_STORE_API_KEY, or with ZENML_STORE_USERNAME and \
                   ZENML_STORE_PASSWORD";

impl Config {
    /// The server and credentials ZenML's own client would use, in ZenML's order:
    ///
    /// 1. `ZENML_STORE_URL` with `ZENML_STORE_API_KEY` or `ZENML_STORE_USERNAME` /
    ///    `ZENML_STORE_PASSWORD` (see [`from_env`](Self::from_env));
    /// 2. else ZenML's global configuration, `config.yaml` in `ZENML_CONFIG_PATH` or ZenML's
    ///    default folder (`$XDG_CONFIG_HOME/zenml` or `~/.config/zenml`; on macOS
    ///    `~/Library/Application Support/zenml`; on Windows `%APPDATA%\zenml`): the server it is
    ///    logged in to, its active project, its TLS setting;
    /// 3. with the credentials for that server: `ZENML_STORE_API_KEY` or `_USERNAME` /
    ///    `_PASSWORD` if set, else those of `config.yaml`'s store, else those ZenML's login
    ///    stored in `credentials.yaml` beside it — an API key, a username and password, or an
    ///    API token that has not expired.
    ///
    /// Nothing is written, and no request is made.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::Config`] saying what was looked at, in order, and how to log in: no server
    /// is configured, the client uses a local store, no credentials are stored for the server,
    /// its token expired (log in again), or a file cannot be read. No secret is in it.
    pub fn discover() -> Result<Self, ZenmlError> {
        Self::discover_with(|name| std::env::var(name).ok())
    }

    /// As [`discover`](Self::discover), reading variables through `var`.
    ///
    /// ```
    /// use run_metadata::zenml::{Auth, Config};
    ///
    /// let dir = std::env::temp_dir().join(format!("zenml-config-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// std::fs::write(dir.join("config.yaml"), "store:\n  type: rest\n  url: https://zenml.example\n")?;
    /// std::fs::write(
    ///     dir.join("credentials.yaml"),
    ///     "https://zenml.example:\n  api_key: ZENKEY_abc\n  url: https://zenml.example\n",
    /// )?;
    /// let path = dir.to_string_lossy().into_owned();
    /// let config = Config::discover_with(|name| (name == "ZENML_CONFIG_PATH").then(|| path.clone()))?;
    /// assert_eq!(config.url(), "https://zenml.example");
    /// assert!(matches!(config.auth(), Auth::ApiKey(_)));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`discover`](Self::discover).
    pub fn discover_with(var: impl Fn(&str) -> Option<String>) -> Result<Self, ZenmlError> {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        if let Some(url) = var("ZENML_STORE_URL") {
            if env_auth(&var).is_some() {
                return Self::from_vars(var);
            }
            // A server named by the variable, credentials from the login, as ZenML's client
            // looks them up.
            let url = without_userinfo(url).trim_end_matches('/').to_owned();
            let auth = match config_dir(&var) {
                Some(dir) => login_auth(&dir.join("credentials.yaml"), &url)?,
                None => {
                    return Err(ZenmlError::Config(format!(
                        "ZENML_STORE_URL names {url}, but no credentials are set and there is no \
                         ZenML configuration folder to find a login in; {HOW}"
                    )));
                }
            };
            let mut config = Self::new(url, auth)
                .with_tls(TlsTrust::from_vars(var))
                .with_delivery(Delivery::from_vars(var)?);
            if let Some(project) = var("ZENML_ACTIVE_PROJECT_ID") {
                config = config.with_project(project);
            }
            return Ok(config);
        }
        let mut looked = vec!["ZENML_STORE_URL: not set".to_owned()];
        let dir = config_dir(&var).ok_or_else(|| {
            looked.push(
                "ZenML's configuration folder: ZENML_CONFIG_PATH is not set, and there is no \
                 home folder to find ZenML's default one in"
                    .into(),
            );
            nothing(&looked)
        })?;
        let config_file = dir.join("config.yaml");
        let Some(global) = read(&config_file)? else {
            looked.push(format!(
                "ZenML's configuration {}: not found",
                config_file.display()
            ));
            return Err(nothing(&looked));
        };
        let store = global.get("store");
        let url = store.and_then(|s| s.get("url")).and_then(Yaml::text);
        let url = match (store.and_then(|s| s.get("type")).and_then(Yaml::text), url) {
            (Some("rest") | None, Some(url)) => without_userinfo(url.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            (Some(kind), _) if kind != "rest" => {
                looked.push(format!(
                    "ZenML's configuration {}: its client uses a local {kind} store, not a server",
                    config_file.display()
                ));
                return Err(nothing(&looked));
            }
            _ => {
                looked.push(format!(
                    "ZenML's configuration {}: it names no server",
                    config_file.display()
                ));
                return Err(nothing(&looked));
            }
        };
        let auth = match env_auth(&var) {
            Some(auth) => auth,
            None => match store.and_then(stored_auth) {
                Some(auth) => auth,
                None => login_auth(&dir.join("credentials.yaml"), &url)?,
            },
        };
        let verify = var("ZENML_STORE_VERIFY_SSL").or_else(|| {
            store
                .and_then(|s| s.get("verify_ssl"))
                .and_then(Yaml::text)
                .map(str::to_owned)
        });
        let tls = TlsTrust::from_vars(|name| match name {
            "ZENML_STORE_VERIFY_SSL" => verify.clone(),
            other => var(other),
        });
        let mut config = Self::new(url, auth)
            .with_tls(tls)
            .with_delivery(Delivery::from_vars(var)?);
        let project = var("ZENML_ACTIVE_PROJECT_ID").or_else(|| {
            global
                .get("active_project_id")
                .and_then(Yaml::text)
                .map(str::to_owned)
        });
        if let Some(project) = project {
            config = config.with_project(project);
        }
        Ok(config)
    }
}

/// ZenML's configuration folder: `ZENML_CONFIG_PATH`, else `click.get_app_dir("zenml")`.
fn config_dir(var: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(path) = var("ZENML_CONFIG_PATH") {
        return Some(PathBuf::from(path));
    }
    if cfg!(windows) {
        return var("APPDATA")
            .or_else(|| var("USERPROFILE"))
            .map(|base| PathBuf::from(base).join("zenml"));
    }
    let home = var("HOME").map(PathBuf::from);
    if cfg!(target_os = "macos") {
        return home.map(|h| h.join("Library/Application Support/zenml"));
    }
    var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".config")))
        .map(|base| base.join("zenml"))
}

/// `path` read as ZenML's YAML; `None` if there is no such file.
fn read(path: &Path) -> Result<Option<Yaml>, ZenmlError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ZenmlError::Config(format!(
                "{} cannot be read: {e}; {HOW}",
                path.display()
            )));
        }
    };
    yaml::parse(&text).map(Some).map_err(|(line, why)| {
        ZenmlError::Config(format!(
            "{} cannot be read at line {line}: {why}; {HOW}",
            path.display()
        ))
    })
}

/// The error when no server is found: what was looked at, and how to log in.
fn nothing(looked: &[String]) -> ZenmlError {
    ZenmlError::Config(format!(
        "no ZenML server to publish to. Looked at, in order: {}. To name one, {HOW}",
        looked.join("; ")
    ))
}

/// Credentials written in a mapping: an API key, else a username and a password (which may be
/// empty, but must be there).
fn stored_auth(map: &Yaml) -> Option<Auth> {
    if let Some(key) = map.get("api_key").and_then(Yaml::text) {
        return Some(Auth::ApiKey(Secret::new(key.to_owned())));
    }
    let username = map.get("username").and_then(Yaml::text)?;
    let password = map.get("password").and_then(Yaml::text)?;
    Some(Auth::Password {
        username: username.to_owned(),
        password: Secret::new(password.to_owned()),
    })
}

/// The credentials ZenML's login stored for `url` in `file`.
fn login_auth(file: &Path, url: &str) -> Result<Auth, ZenmlError> {
    let login_again = |why: String| {
        ZenmlError::Config(format!(
            "{why}: log in to it with ZenML's own CLI, `zenml login {url}`, or set \
             ZENML_STORE_API_KEY, or ZENML_STORE_USERNAME and ZENML_STORE_PASSWORD"
        ))
    };
    let Some(store) = read(file)? else {
        return Err(login_again(format!(
            "ZenML's configuration names the server {url}, but {} does not exist",
            file.display()
        )));
    };
    let entry = match &store {
        Yaml::Map(entries) => entries
            .iter()
            .find(|(key, _)| key.trim_end_matches('/') == url)
            .map(|(_, entry)| entry),
        _ => None,
    };
    let Some(entry) = entry else {
        return Err(login_again(format!(
            "{} holds no credentials for {url}",
            file.display()
        )));
    };
    if let Some(auth) = stored_auth(entry) {
        return Ok(auth);
    }
    let token = entry.get("api_token");
    let Some(access) = token
        .and_then(|t| t.get("access_token"))
        .and_then(Yaml::text)
    else {
        return Err(login_again(format!(
            "{} holds no API key, password or token for {url}",
            file.display()
        )));
    };
    if let Some(expires_at) = token.and_then(|t| t.get("expires_at")).and_then(Yaml::text) {
        let leeway = token
            .and_then(|t| t.get("leeway"))
            .and_then(Yaml::text)
            .and_then(|l| l.parse::<i64>().ok())
            .unwrap_or(0)
            .clamp(0, 86_400);
        let Some(expires) = unix_seconds(expires_at) else {
            return Err(login_again(format!(
                "the login token for {url} in {} has an expiry ZenML does not write ({expires_at:?})",
                file.display()
            )));
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        if now >= expires.saturating_sub(leeway) {
            return Err(ZenmlError::Config(format!(
                "your ZenML login to {url} expired at {expires_at}: log in again with \
                 `zenml login {url}`"
            )));
        }
    }
    Ok(Auth::Token(Secret::new(access.to_owned())))
}

/// Seconds since the Unix epoch of an ISO 8601 time as pydantic writes it
/// (`2026-12-04T15:07:39.123456Z`, `…+01:00`, or a space for the `T`); a time without a zone
/// is UTC, as ZenML's are.
fn unix_seconds(text: &str) -> Option<i64> {
    let num = |s: &str| -> Option<i64> {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (date, rest) = text.split_at_checked(10)?;
    let mut date = date.split('-');
    let (year, month, day) = (num(date.next()?)?, num(date.next()?)?, num(date.next()?)?);
    if year > 9999 {
        return None;
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (time, zone) = rest.split_at_checked(8)?;
    let mut time = time.split(':');
    let (hh, mm, ss) = (num(time.next()?)?, num(time.next()?)?, num(time.next()?)?);
    let zone = zone.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match zone {
        "" | "Z" | "z" => 0,
        zone => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (hours, minutes) = zone[1..].split_once(':')?;
            let (hours, minutes) = (num(hours)?, num(minutes)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss - offset)
}

#[cfg(test)]
mod tests {
    use super::unix_seconds;

    #[test]
    fn times_as_pydantic_writes_them() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            unix_seconds("2026-12-04T15:07:39.123456Z"),
            Some(1_796_396_859)
        );
        assert_eq!(
            unix_seconds("2026-12-04 16:07:39+01:00"),
            Some(1_796_396_859)
        );
        assert_eq!(unix_seconds("2000-02-29T00:00:00"), Some(951_782_400));
        assert_eq!(unix_seconds("yesterday"), None);
        assert_eq!(unix_seconds("2026-13-04T15:07:39Z"), None);
    }
}
