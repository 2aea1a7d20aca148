//! Settings read from environment variables.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND_ADDR`: where producers send items, one per line. Port 0 picks a free port.
    pub bind_addr: SocketAddr,
    /// `MAX_CONNECTIONS`: producers connected at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// `IDLE_TIMEOUT_MS`: a producer that sends nothing for this long is disconnected.
    pub idle_timeout: Duration,
    /// `QUEUE_CAPACITY`: items waiting for the consumer; producers wait when it is full.
    pub queue_capacity: usize,
    /// `ITEM_DELAY_MS`: how long handling one item takes (stands in for real I/O).
    pub item_delay: Duration,
    /// `ITEM_TIMEOUT_MS`: an item whose handling takes longer is answered `failed timeout`.
    pub item_timeout: Duration,
    /// `JOURNAL_PATH`: file the consumer appends handled items to; unset keeps no journal.
    pub journal_path: Option<PathBuf>,
    /// `TICK_INTERVAL_MS`: period of the heartbeat task.
    pub tick_interval: Duration,
    /// `SHUTDOWN_TIMEOUT_MS`: the whole ordered shutdown must fit in this (exit 1 otherwise).
    pub shutdown_timeout: Duration,
    /// `METRICS_ADDR`: where the metrics listener (`/metrics`, `/healthz`, `/readyz`) binds;
    /// unset: no listener. Port 0 picks a free port, printed as `metrics on <addr>`.
    pub metrics_addr: Option<SocketAddr>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    variable: &'static str,
    value: String,
    expected: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "environment variable {}={:?} is not {}; fix or unset it",
            self.variable, self.value, self.expected
        )
    }
}

impl std::error::Error for ConfigError {}

impl From<crate::metrics_http::InvalidAddr> for ConfigError {
    fn from(error: crate::metrics_http::InvalidAddr) -> Self {
        Self {
            variable: error.variable,
            value: error.value,
            expected: error.expected,
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let millis = |name, default| -> Result<Duration, ConfigError> {
            parse(&lookup, name, default, "a whole number of milliseconds")
                .map(Duration::from_millis)
        };
        let count = |name, default| -> Result<usize, ConfigError> {
            let value = parse(&lookup, name, default, "a positive integer")?;
            if value == 0 {
                return Err(ConfigError {
                    variable: name,
                    value: "0".into(),
                    expected: "a positive integer",
                });
            }
            Ok(value)
        };
        let tick_interval = millis("TICK_INTERVAL_MS", 5_000)?;
        if tick_interval.is_zero() {
            // tokio::time::interval panics on a zero period.
            return Err(ConfigError {
                variable: "TICK_INTERVAL_MS",
                value: "0".into(),
                expected: "above zero",
            });
        }
        Ok(Self {
            bind_addr: parse(
                &lookup,
                "BIND_ADDR",
                SocketAddr::from(([127, 0, 0, 1], 6000)),
                "an address like 0.0.0.0:6000",
            )?,
            max_connections: count("MAX_CONNECTIONS", 64)?,
            idle_timeout: millis("IDLE_TIMEOUT_MS", 60_000)?,
            queue_capacity: count("QUEUE_CAPACITY", 128)?,
            item_delay: millis("ITEM_DELAY_MS", 10)?,
            item_timeout: millis("ITEM_TIMEOUT_MS", 5_000)?,
            journal_path: lookup("JOURNAL_PATH")
                .filter(|path| !path.is_empty())
                .map(PathBuf::from),
            tick_interval,
            shutdown_timeout: millis("SHUTDOWN_TIMEOUT_MS", 15_000)?,
            metrics_addr: crate::metrics_http::configured_addr(&lookup)?,
        })
    }
}

fn parse<T: FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
    expected: &'static str,
) -> Result<T, ConfigError> {
    match lookup(variable) {
        None => Ok(default),
        Some(value) => value.trim().parse().map_err(|_| ConfigError {
            variable,
            value,
            expected,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(config(&[]).unwrap().journal_path, None);
        let tuned = config(&[("JOURNAL_PATH", "/tmp/j"), ("TICK_INTERVAL_MS", "50")]).unwrap();
        assert_eq!(tuned.journal_path, Some(PathBuf::from("/tmp/j")));
        assert_eq!(tuned.tick_interval, Duration::from_millis(50));
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        let error = config(&[("TICK_INTERVAL_MS", "0")]).unwrap_err();
        assert!(error.to_string().contains("TICK_INTERVAL_MS"), "{error}");
        assert!(config(&[("QUEUE_CAPACITY", "many")]).is_err());
        assert_eq!(config(&[]).unwrap().metrics_addr, None, "off by default");
        let error = config(&[("METRICS_ADDR", "9464")]).unwrap_err();
        assert!(error.to_string().contains("METRICS_ADDR"), "{error}");
    }
}
