//! [`Delivery`]: how a [`ZenmlSink`](crate::zenml::ZenmlSink) sends — beside the run (`background`,
//! `worker`) or on the run's thread.

use std::time::Duration;

use crate::zenml::error::ZenmlError;

/// How a [`ZenmlSink`](crate::zenml::ZenmlSink) delivers what it records.
///
/// Set in the [`Config`](crate::zenml::Config) (`with_delivery`), or by the variables
/// `RUN_METADATA_DELIVERY` (`background`, the default, or `sync`) and
/// `RUN_METADATA_DELIVERY_TIMEOUT` (seconds the end of a run waits, `30` by default).
///
/// ```
/// use std::time::Duration;
/// use run_metadata::zenml::{Auth, Config, Delivery};
///
/// let config = Config::new("https://zenml.example", Auth::ApiKey("ZENKEY_x".into()));
/// assert_eq!(config.delivery(), Delivery::Background { wait: Duration::from_secs(30) });
/// let vars = [
///     ("ZENML_STORE_URL", "https://zenml.example"),
///     ("ZENML_STORE_API_KEY", "ZENKEY_x"),
///     ("RUN_METADATA_DELIVERY_TIMEOUT", "2.5"),
/// ];
/// let config = Config::from_vars(|n| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()))?;
/// assert_eq!(config.delivery(), Delivery::Background { wait: Duration::from_millis(2500) });
/// # Ok::<(), run_metadata::zenml::ZenmlError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// A thread of the sink's own sends, beside the run: the run's thread only commits each
    /// record to the store and never makes a request. The end of a run waits up to `wait` for
    /// what the run recorded to be delivered, then says what is delivered and what is kept.
    Background {
        /// How long the end of a run waits for delivery.
        wait: Duration,
    },
    /// Each record is sent on the run's thread before the call that records it returns, as
    /// ZenML's own client does: a step waits for its requests.
    Synchronous,
}

impl Default for Delivery {
    fn default() -> Self {
        Self::Background {
            wait: Self::DEFAULT_WAIT,
        }
    }
}

impl Delivery {
    /// How long the end of a run waits for background delivery unless told otherwise.
    pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

    /// From `RUN_METADATA_DELIVERY` and `RUN_METADATA_DELIVERY_TIMEOUT`, read through `var`;
    /// the default where neither is set.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::Config`] for a value that is not one of those allowed.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ZenmlError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let wait = match var("RUN_METADATA_DELIVERY_TIMEOUT") {
            None => Self::DEFAULT_WAIT,
            Some(text) => seconds(text.trim()).ok_or_else(|| {
                ZenmlError::Config(format!(
                    "RUN_METADATA_DELIVERY_TIMEOUT is {text:?}: give the seconds the end of a \
                     run waits for delivery, as a number such as 30 or 2.5"
                ))
            })?,
        };
        match var("RUN_METADATA_DELIVERY").as_deref().map(str::trim) {
            None | Some("background") => Ok(Self::Background { wait }),
            Some("sync" | "synchronous") => Ok(Self::Synchronous),
            Some(other) => Err(ZenmlError::Config(format!(
                "RUN_METADATA_DELIVERY is {other:?}: it is `background` (the default: sent \
                 beside the run) or `sync` (each record sent before the run goes on)"
            ))),
        }
    }
}

/// A number of seconds, `30` or `2.5`, within what a `Duration` holds.
fn seconds(text: &str) -> Option<Duration> {
    let value: f64 = text.parse().ok()?;
    Duration::try_from_secs_f64(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Delivery, ZenmlError> {
        Delivery::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_variables_choose_the_delivery() {
        assert_eq!(from(&[]).unwrap(), Delivery::default());
        assert_eq!(
            from(&[("RUN_METADATA_DELIVERY", "sync")]).unwrap(),
            Delivery::Synchronous
        );
        assert_eq!(
            from(&[
                ("RUN_METADATA_DELIVERY", " background "),
                ("RUN_METADATA_DELIVERY_TIMEOUT", "0")
            ])
            .unwrap(),
            Delivery::Background {
                wait: Duration::ZERO
            }
        );
        assert_eq!(
            from(&[("RUN_METADATA_DELIVERY_TIMEOUT", "")]).unwrap(),
            Delivery::default(),
            "an empty variable is an unset one"
        );
    }

    #[test]
    fn a_wait_too_long_for_the_clock_is_a_year_not_a_panic() {
        use crate::zenml::outbox::lease::deadline_after;
        let far = from(&[("RUN_METADATA_DELIVERY_TIMEOUT", "1e18")]).unwrap();
        assert_eq!(
            far,
            Delivery::Background {
                wait: Duration::from_secs(1_000_000_000_000_000_000)
            }
        );
        let now = std::time::Instant::now();
        assert!(deadline_after(Duration::MAX) > now + Duration::from_hours(300 * 24));
        assert!(deadline_after(Duration::from_secs(1)) <= now + Duration::from_secs(2));
    }

    #[test]
    fn a_value_not_allowed_says_what_is() {
        for (name, value, says) in [
            ("RUN_METADATA_DELIVERY", "fast", "`background` (the default"),
            (
                "RUN_METADATA_DELIVERY_TIMEOUT",
                "-1",
                "as a number such as 30",
            ),
            (
                "RUN_METADATA_DELIVERY_TIMEOUT",
                "inf",
                "as a number such as 30",
            ),
            (
                "RUN_METADATA_DELIVERY_TIMEOUT",
                "30s",
                "as a number such as 30",
            ),
            (
                "RUN_METADATA_DELIVERY_TIMEOUT",
                "NaN",
                "as a number such as 30",
            ),
        ] {
            let Err(ZenmlError::Config(said)) = from(&[(name, value)]) else {
                panic!("{name}={value} is refused");
            };
            assert!(said.starts_with(&format!("{name} is {value:?}")), "{said}");
            assert!(said.contains(says), "{said}");
        }
    }
}
