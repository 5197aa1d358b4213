//! The ZenML client and TLS: a server behind a private CA is trusted through ZenML's own
//! `ZENML_STORE_VERIFY_SSL` (a CA bundle, or `false`) or `SSL_CERT_FILE`, and an untrusted
//! certificate is a TLS error, said as such and not retried.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use run_metadata::zenml::{Client, Config, TlsTrust, ZenmlError};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/tls")
        .join(name)
}

/// An https server on loopback that answers every request with ZenML's `/info`, counting the
/// TLS handshakes that reach it.
struct TlsServer {
    url: String,
    handshakes: Arc<AtomicUsize>,
}

impl TlsServer {
    fn start() -> Self {
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(fixture("server.pem"))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "https://localhost:{}",
            listener.local_addr().unwrap().port()
        );
        let handshakes = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&handshakes);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                counted.fetch_add(1, Ordering::SeqCst);
                let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut reader = BufReader::new(&mut tls);
                let mut line = String::new();
                // A refused handshake ends here, with an error.
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let body = r#"{"id":"00000000-0000-0000-0000-00000000c0de","version":"0.98.0"}"#;
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.flush();
            }
        });
        Self { url, handshakes }
    }
}

/// A configuration from ZenML's variables `vars` for the server at `url`.
fn config(url: &str, vars: &[(&str, &str)]) -> Config {
    let mut all = vec![
        ("ZENML_STORE_URL", url),
        ("ZENML_STORE_API_KEY", "ZENKEY_test"),
    ];
    all.extend_from_slice(vars);
    Config::from_vars(|name| {
        all.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap()
    .with_retries(2, std::time::Duration::from_millis(10))
}

#[test]
fn a_private_ca_is_trusted_as_zenml_is_told_to() {
    let server = TlsServer::start();
    let ca = fixture("ca.pem");
    let ca = ca.to_str().unwrap();
    for vars in [
        &[("ZENML_STORE_VERIFY_SSL", ca)][..],
        &[("SSL_CERT_FILE", ca)],
        &[("ZENML_STORE_VERIFY_SSL", "false")],
    ] {
        let mut client = Client::new(config(&server.url, vars));
        let id = client
            .server_id()
            .unwrap_or_else(|e| panic!("{vars:?}: {e}"));
        assert_eq!(id, uuid::Uuid::from_u128(0xc0de), "{vars:?}");
    }
    let unverified = config(&server.url, &[("ZENML_STORE_VERIFY_SSL", "false")]);
    assert!(unverified.warnings()[0].contains("not checked"));
}

#[test]
fn an_untrusted_certificate_is_a_tls_error_tried_once() {
    let server = TlsServer::start();
    let mut client = Client::new(config(&server.url, &[]));
    let err = client.server_id().unwrap_err();
    assert!(matches!(err, ZenmlError::Tls { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("TLS") && text.contains("ZENML_STORE_VERIFY_SSL"),
        "{text}"
    );
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    assert!(!err.is_transient());
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 1, "not retried");
}

#[test]
fn an_unusable_ca_bundle_is_a_configuration_error() {
    let server = TlsServer::start();
    for bundle in ["/nonexistent/ca.pem", env!("CARGO_MANIFEST_DIR")] {
        let config = config(&server.url, &[("ZENML_STORE_VERIFY_SSL", bundle)]);
        assert_eq!(config.tls(), &TlsTrust::CaBundle(bundle.into()));
        let err = Client::new(config).server_id().unwrap_err();
        assert!(matches!(err, ZenmlError::Config(_)), "{err:?}");
        assert!(err.to_string().contains("cannot be used"), "{err}");
    }
    let not_pem = fixture("README.md");
    let err = Client::new(config(
        &server.url,
        &[("ZENML_STORE_VERIFY_SSL", not_pem.to_str().unwrap())],
    ))
    .server_id()
    .unwrap_err();
    assert!(err.to_string().contains("no PEM certificate"), "{err}");
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 0);
}
