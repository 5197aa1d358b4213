//! What the client trusts: the server's URL checked before anything is sent, the certificates
//! an https server may present, and the warnings owed where credentials travel unprotected.

use std::path::{Path, PathBuf};

use crate::zenml::error::ZenmlError;

/// Which certificates an https server may present.
///
/// ```
/// use run_metadata::zenml::{Auth, Config, TlsTrust};
///
/// // ZenML's own variable: `false`, or the path of a CA bundle.
/// let vars = [
///     ("ZENML_STORE_URL", "https://zenml.internal"),
///     ("ZENML_STORE_API_KEY", "ZENKEY_x"),
///     ("ZENML_STORE_VERIFY_SSL", "/etc/ssl/private-ca.pem"),
/// ];
/// let config = Config::from_vars(|name| {
///     vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
/// })?;
/// assert_eq!(config.tls(), &TlsTrust::CaBundle("/etc/ssl/private-ca.pem".into()));
/// # Ok::<(), run_metadata::zenml::ZenmlError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsTrust {
    /// The certificate authorities Mozilla trusts (bundled with the client).
    #[default]
    Bundled,
    /// Only the certificates of this PEM file: a server behind a private CA.
    CaBundle(PathBuf),
    /// No certificate is checked (ZenML's `ZENML_STORE_VERIFY_SSL=false`): whoever sits between
    /// client and server can read the credentials. Said in [`warnings`](crate::zenml::Config::warnings).
    Unverified,
}

impl TlsTrust {
    /// The trust ZenML's variables ask for: `ZENML_STORE_VERIFY_SSL` false (no check) or a
    /// path (that bundle), else `SSL_CERT_FILE` (that bundle), else the bundled roots.
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let verify = var("ZENML_STORE_VERIFY_SSL");
        match verify.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("false" | "0" | "no" | "off" | "f" | "n") => return Self::Unverified,
            Some("true" | "1" | "yes" | "on" | "t" | "y") | None => {}
            Some(_) => return Self::CaBundle(verify.unwrap_or_default().into()),
        }
        var("SSL_CERT_FILE").map_or(Self::Bundled, |file| Self::CaBundle(file.into()))
    }

    /// ureq's configuration of this trust.
    pub(crate) fn tls_config(&self) -> Result<ureq::tls::TlsConfig, ZenmlError> {
        let builder = ureq::tls::TlsConfig::builder();
        Ok(match self {
            Self::Bundled => builder.build(),
            Self::Unverified => builder.disable_verification(true).build(),
            Self::CaBundle(path) => builder
                .root_certs(ureq::tls::RootCerts::new_with_certs(&certificates(path)?))
                .build(),
        })
    }
}

/// The certificates of the PEM file at `path`.
fn certificates(path: &Path) -> Result<Vec<ureq::tls::Certificate<'static>>, ZenmlError> {
    let bad = |why: String| {
        ZenmlError::Config(format!(
            "the CA bundle {} cannot be used: {why}",
            path.display()
        ))
    };
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let ureq::tls::PemItem::Certificate(cert) = item.map_err(|e| bad(e.to_string()))? {
            certs.push(cert.to_owned());
        }
    }
    if certs.is_empty() {
        return Err(bad("it holds no PEM certificate".into()));
    }
    Ok(certs)
}

/// Why `url` cannot name a ZenML server, if it cannot: it must be `http://` or `https://` with
/// a host, and a URL (no spaces, no stray characters).
pub(crate) fn url_problem(url: &str) -> Option<String> {
    let problem = match url.parse::<ureq::http::Uri>() {
        Err(e) => e.to_string(),
        Ok(uri) if !matches!(uri.scheme_str(), Some("http" | "https")) => {
            "it must start with http:// or https://".into()
        }
        Ok(uri) if uri.host().is_none_or(str::is_empty) => "it names no host".into(),
        Ok(_) => return None,
    };
    Some(format!("{url:?} is not a server's URL: {problem}"))
}

/// Whether `url`'s host is this machine: `localhost` (and its subdomains), `127.0.0.0/8`, `::1`.
pub(crate) fn is_loopback(url: &str) -> bool {
    let Ok(uri) = url.parse::<ureq::http::Uri>() else {
        return false;
    };
    let host = uri.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What a user must be told before credentials go to `url` with `trust`: plain http to another
/// machine, or https with no certificate checked.
pub(crate) fn warnings(url: &str, trust: &TlsTrust) -> Vec<String> {
    let mut said = Vec::new();
    if url.starts_with("http://") && !is_loopback(url) {
        said.push(format!(
            "credentials go to {url} unencrypted (plain http to another machine); use https:// if the server offers it"
        ));
    }
    if url.starts_with("https://") && *trust == TlsTrust::Unverified {
        said.push(format!(
            "the certificate of {url} is not checked (ZENML_STORE_VERIFY_SSL=false): whoever sits between can read the credentials"
        ));
    }
    said
}

/// Writes each of `said` to standard error, once per process: a security warning is owed to
/// the person running the program, not only to the program.
pub(crate) fn warn_once(said: &[String]) {
    use std::io::Write;
    static WARNED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for warning in said {
        if !warned.contains(warning) {
            let _ = writeln!(std::io::stderr(), "run-metadata: warning: {warning}");
            warned.push(warning.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{TlsTrust, is_loopback, url_problem, warnings};

    #[test]
    fn urls_are_checked_before_anything_is_sent() {
        for good in [
            "http://127.0.0.1:8080",
            "https://zenml.example",
            "http://[::1]:9",
        ] {
            assert_eq!(url_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "http://",
            "http://zen ml.example",
            "ftp://x",
            "zenml.example:8080",
        ] {
            let said = url_problem(bad).unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert!(said.contains("is not a server's URL"), "{said}");
        }
    }

    #[test]
    fn plain_http_is_said_unless_it_stays_on_this_machine() {
        for quiet in [
            "http://127.0.0.1:8080",
            "http://localhost:8237",
            "http://[::1]:9",
            "http://zenml.localhost",
            "https://zenml.example",
        ] {
            assert!(warnings(quiet, &TlsTrust::Bundled).is_empty(), "{quiet}");
        }
        for loud in [
            "http://zenml.example",
            "http://10.0.0.5:8080",
            "http://0.0.0.0:1",
        ] {
            let said = warnings(loud, &TlsTrust::Bundled);
            assert_eq!(said.len(), 1, "{loud}");
            assert!(said[0].contains("unencrypted"), "{}", said[0]);
        }
        let said = warnings("https://zenml.example", &TlsTrust::Unverified);
        assert!(said[0].contains("not checked"), "{said:?}");
        assert!(!is_loopback("http://127.0.0.1.example.com"));
    }

    #[test]
    fn zenml_variables_choose_the_trust() {
        let trust = |vars: &[(&str, &str)]| {
            TlsTrust::from_vars(|name| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            })
        };
        assert_eq!(trust(&[]), TlsTrust::Bundled);
        assert_eq!(
            trust(&[("ZENML_STORE_VERIFY_SSL", "False")]),
            TlsTrust::Unverified
        );
        assert_eq!(
            trust(&[("ZENML_STORE_VERIFY_SSL", "true")]),
            TlsTrust::Bundled
        );
        assert_eq!(
            trust(&[
                ("ZENML_STORE_VERIFY_SSL", "/ca.pem"),
                ("SSL_CERT_FILE", "/other.pem")
            ]),
            TlsTrust::CaBundle("/ca.pem".into())
        );
        assert_eq!(
            trust(&[
                ("ZENML_STORE_VERIFY_SSL", "1"),
                ("SSL_CERT_FILE", "/other.pem")
            ]),
            TlsTrust::CaBundle("/other.pem".into())
        );
    }
}
