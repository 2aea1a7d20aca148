//! Settings read from environment variables.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use crate::session::SessionSettings;

#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND_ADDR`: where clients connect. Port 0 picks a free port (the tests use it).
    pub bind_addr: SocketAddr,
    /// `MAX_CONNECTIONS`: clients served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// `TOPIC_CAPACITY`: messages a topic keeps for subscribers that fall behind.
    pub topic_capacity: usize,
    /// `MAX_TOPICS`: topics held at once; a new one evicts a topic nobody subscribes to or watches.
    pub max_topics: usize,
    /// `REQUEST_TIMEOUT_MS`: how long a client request may wait for the broker.
    pub request_timeout: Duration,
    /// `SHUTDOWN_TIMEOUT_MS`: how long closing every connection may take.
    pub shutdown_timeout: Duration,
    /// `IDLE_TIMEOUT_MS`, `WRITE_TIMEOUT_MS` and `HEARTBEAT_MS`.
    pub session: SessionSettings,
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
        Ok(Self {
            bind_addr: parse(
                &lookup,
                "BIND_ADDR",
                SocketAddr::from(([127, 0, 0, 1], 5000)),
                "an address like 0.0.0.0:5000",
            )?,
            max_connections: count("MAX_CONNECTIONS", 1024)?,
            topic_capacity: count("TOPIC_CAPACITY", 128)?,
            max_topics: count("MAX_TOPICS", 1024)?,
            request_timeout: millis("REQUEST_TIMEOUT_MS", 5_000)?,
            shutdown_timeout: millis("SHUTDOWN_TIMEOUT_MS", 10_000)?,
            session: SessionSettings {
                idle_timeout: millis("IDLE_TIMEOUT_MS", 300_000)?,
                write_timeout: millis("WRITE_TIMEOUT_MS", 5_000)?,
                heartbeat: millis("HEARTBEAT_MS", 15_000)?,
            },
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
        assert_eq!(config(&[]).unwrap().topic_capacity, 128);
        let tuned = config(&[
            ("TOPIC_CAPACITY", "4"),
            ("WRITE_TIMEOUT_MS", "100"),
            ("HEARTBEAT_MS", "250"),
        ])
        .unwrap();
        assert_eq!(tuned.session.heartbeat, Duration::from_millis(250));
        assert_eq!(tuned.topic_capacity, 4);
        assert_eq!(tuned.session.write_timeout, Duration::from_millis(100));
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        let error = config(&[("TOPIC_CAPACITY", "0")]).unwrap_err();
        assert!(error.to_string().contains("TOPIC_CAPACITY"), "{error}");
        assert!(config(&[("BIND_ADDR", "localhost")]).is_err());
        assert_eq!(config(&[]).unwrap().metrics_addr, None, "off by default");
        let error = config(&[("METRICS_ADDR", "9464")]).unwrap_err();
        assert!(error.to_string().contains("METRICS_ADDR"), "{error}");
    }
}
