//! Settings read from environment variables.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use crate::pool::PoolSettings;

#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND_ADDR`: where clients submit jobs. Port 0 picks a free port (the tests use it).
    pub bind_addr: SocketAddr,
    /// `MAX_CONNECTIONS`: clients served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// `IDLE_TIMEOUT_MS`: a connection that sends nothing for this long is closed.
    pub idle_timeout: Duration,
    /// `SHUTDOWN_TIMEOUT_MS`: how long accepted jobs may take to finish after a shutdown signal.
    pub shutdown_timeout: Duration,
    /// `METRICS_ADDR`: where the metrics listener (`/metrics`, `/healthz`, `/readyz`) binds;
    /// unset: no listener. Port 0 picks a free port, printed as `metrics on <addr>`.
    pub metrics_addr: Option<std::net::SocketAddr>,
    pub pool: PoolSettings,
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
        // One job per core keeps every core busy without oversubscribing them.
        let cores = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1);
        Ok(Self {
            bind_addr: parse(
                &lookup,
                "BIND_ADDR",
                SocketAddr::from(([127, 0, 0, 1], 4000)),
                "an address like 0.0.0.0:4000",
            )?,
            max_connections: count("MAX_CONNECTIONS", 256)?,
            idle_timeout: millis("IDLE_TIMEOUT_MS", 60_000)?,
            shutdown_timeout: millis("SHUTDOWN_TIMEOUT_MS", 30_000)?,
            metrics_addr: crate::metrics_http::configured_addr(&lookup)?,
            pool: PoolSettings {
                concurrency: count("CONCURRENCY", cores)?,
                queue_capacity: count("QUEUE_CAPACITY", 64)?,
                job_timeout: millis("JOB_TIMEOUT_MS", 10_000)?,
            },
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
        let defaults = config(&[]).unwrap();
        assert_eq!(defaults.pool.queue_capacity, 64);
        assert!(defaults.pool.concurrency >= 1);
        let tuned = config(&[("CONCURRENCY", "2"), ("JOB_TIMEOUT_MS", "50")]).unwrap();
        assert_eq!(tuned.pool.concurrency, 2);
        assert_eq!(tuned.pool.job_timeout, Duration::from_millis(50));
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        let error = config(&[("QUEUE_CAPACITY", "0")]).unwrap_err();
        assert!(error.to_string().contains("QUEUE_CAPACITY"), "{error}");
        assert!(config(&[("JOB_TIMEOUT_MS", "-1")]).is_err());
        assert_eq!(config(&[]).unwrap().metrics_addr, None, "off by default");
        let error = config(&[("METRICS_ADDR", "9464")]).unwrap_err();
        assert!(error.to_string().contains("METRICS_ADDR"), "{error}");
    }
}
