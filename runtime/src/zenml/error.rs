//! Why a request to a ZenML server failed.

use core::fmt;

/// Why a request failed. Never holds a password, key or token.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZenmlError {
    /// The configuration is incomplete.
    Config(String),
    /// The server refused the credentials (HTTP 401).
    Auth {
        /// The server's explanation.
        detail: String,
    },
    /// What was asked for does not exist (HTTP 404): an unknown run, step or component.
    NotFound {
        /// The server's explanation.
        detail: String,
    },
    /// The server refused the request (another 4xx).
    Rejected {
        /// The status.
        status: u16,
        /// The server's explanation.
        detail: String,
    },
    /// The server failed (5xx) on every attempt.
    Server {
        /// The last status.
        status: u16,
        /// The server's explanation.
        detail: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The server could not be reached on any attempt: refused, reset, timed out.
    Unreachable {
        /// What went wrong the last time.
        reason: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The TLS connection failed: the certificate is not trusted (see
    /// [`TlsTrust`](crate::zenml::TlsTrust)), or the server does not speak TLS. Not retried.
    Tls {
        /// What went wrong.
        reason: String,
    },
    /// A `POST` was sent but its answer could not be read: it may have been applied. It is not
    /// sent again blindly: where the client can, it reads back first; this error says it could
    /// not.
    AnswerLost {
        /// What went wrong.
        reason: String,
    },
    /// An answer that is not what ZenML answers.
    Protocol(String),
}

impl ZenmlError {
    /// Whether the request may succeed later: the server was away or failing, or its answer was
    /// lost (then what was sent is read back before it is sent again).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::Server { .. } | Self::AnswerLost { .. }
        )
    }
}

impl ZenmlError {
    /// Whether the server refused the item itself, so that sending it again unchanged cannot
    /// succeed: it is parked with the reason. Everything else — a server away or failing, a lost
    /// answer, credentials refused (they can be fixed), TLS or configuration trouble, an answer
    /// that is not ZenML's — leaves the item kept, to be sent when the cause is gone.
    #[must_use]
    pub fn is_refusal(&self) -> bool {
        match self {
            Self::NotFound { .. } => true,
            // 401 is `Auth`; a 408 or 429 is the server asking to come back later.
            Self::Rejected { status, .. } => !matches!(status, 408 | 429),
            _ => false,
        }
    }
}

impl fmt::Display for ZenmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(m) => write!(f, "ZenML configuration: {m}"),
            Self::Auth { detail } => write!(f, "ZenML refused the credentials: {detail}"),
            Self::NotFound { detail } => write!(f, "not found on the ZenML server: {detail}"),
            Self::Rejected { status, detail } => {
                write!(
                    f,
                    "the ZenML server refused the request (HTTP {status}): {detail}"
                )
            }
            Self::Server {
                status,
                detail,
                attempts,
            } => write!(
                f,
                "the ZenML server failed (HTTP {status}) {attempts} times: {detail}"
            ),
            Self::Unreachable { reason, attempts } => {
                write!(
                    f,
                    "the ZenML server could not be reached in {attempts} attempts: {reason}"
                )
            }
            Self::Tls { reason } => write!(
                f,
                "TLS with the ZenML server failed: {reason} (a private CA: set ZENML_STORE_VERIFY_SSL or SSL_CERT_FILE to its PEM bundle)"
            ),
            Self::AnswerLost { reason } => write!(
                f,
                "the ZenML server's answer was lost after the request was sent ({reason}); it may have been applied"
            ),
            Self::Protocol(m) => write!(f, "unexpected answer from the ZenML server: {m}"),
        }
    }
}

impl std::error::Error for ZenmlError {}
