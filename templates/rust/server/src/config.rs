//! Settings read from environment variables, with defaults fit for production.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND_ADDR`: where to listen. Port 0 picks a free port (the tests use it).
    pub bind_addr: SocketAddr,
    /// `MAX_CONNECTIONS`: connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// `REQUEST_TIMEOUT_MS`: deadline for a whole request, including outbound calls (504 when hit).
    pub request_timeout: Duration,
    /// `HEADER_READ_TIMEOUT_MS`: a client must send its request head within this time.
    pub header_read_timeout: Duration,
    /// `BODY_READ_TIMEOUT_MS`: a client must send its request body within this time (408).
    pub body_read_timeout: Duration,
    /// `MAX_BODY_BYTES`: larger request bodies are refused with 413.
    pub max_body_bytes: usize,
    /// `UPSTREAM_ADDR`: the TCP service `/upstream` calls (`host:port`); unset disables it.
    pub upstream_addr: Option<String>,
    /// `CONNECT_TIMEOUT_MS`: deadline for opening the outbound connection.
    pub connect_timeout: Duration,
    /// `UPSTREAM_LOCK_TIMEOUT_MS`: how long a request waits for the shared upstream connection
    /// while another request uses it (503 + Retry-After when it stays busy).
    pub upstream_lock_timeout: Duration,
    /// `SHUTDOWN_TIMEOUT_MS`: how long in-flight requests may run after a shutdown signal.
    pub shutdown_timeout: Duration,
    /// `IDLE_TIMEOUT_MS`: a connection with no request in flight and no bytes moving for this long
    /// is closed, so idle sockets (before their first byte, or between keep-alive requests) give
    /// their connection slot back.
    pub idle_timeout: Duration,
    /// `READINESS_DRAIN_DELAY_MS`: after the first signal, how long `/readyz` answers 503 while
    /// the server still accepts and serves (every response then says `Connection: close`), so a
    /// load balancer stops routing here before the listener closes.
    pub readiness_drain_delay: Duration,
    /// `METRICS_ADDR`: where a separate listener for operators (`/metrics`, `/healthz`,
    /// `/readyz`) binds; unset: none. Unlike the service port's `/metrics`, it stays up through
    /// the drain, so the whole shutdown can be watched. Port 0 picks a free port, printed as
    /// `metrics on <addr>`.
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
        Ok(Self {
            bind_addr: parse(
                &lookup,
                "BIND_ADDR",
                SocketAddr::from(([127, 0, 0, 1], 3000)),
                "an address like 0.0.0.0:3000",
            )?,
            max_connections: positive(
                parse(&lookup, "MAX_CONNECTIONS", 256, "a positive integer")?,
                "MAX_CONNECTIONS",
            )?,
            request_timeout: millis("REQUEST_TIMEOUT_MS", 10_000)?,
            header_read_timeout: millis("HEADER_READ_TIMEOUT_MS", 5_000)?,
            body_read_timeout: millis("BODY_READ_TIMEOUT_MS", 5_000)?,
            max_body_bytes: parse(&lookup, "MAX_BODY_BYTES", 64 * 1024, "a number of bytes")?,
            upstream_addr: lookup("UPSTREAM_ADDR").filter(|addr| !addr.is_empty()),
            connect_timeout: millis("CONNECT_TIMEOUT_MS", 2_000)?,
            upstream_lock_timeout: millis("UPSTREAM_LOCK_TIMEOUT_MS", 1_000)?,
            shutdown_timeout: millis("SHUTDOWN_TIMEOUT_MS", 10_000)?,
            idle_timeout: millis("IDLE_TIMEOUT_MS", 30_000)?,
            readiness_drain_delay: millis("READINESS_DRAIN_DELAY_MS", 2_000)?,
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

fn positive(value: usize, variable: &'static str) -> Result<usize, ConfigError> {
    if value == 0 {
        return Err(ConfigError {
            variable,
            value: "0".into(),
            expected: "a positive integer",
        });
    }
    Ok(value)
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
    fn defaults_apply_when_nothing_is_set() {
        let config = config(&[]).unwrap();
        assert_eq!(config.bind_addr.port(), 3000);
        assert_eq!(config.max_connections, 256);
        assert_eq!(config.request_timeout, Duration::from_secs(10));
        assert_eq!(config.upstream_addr, None);
    }

    #[test]
    fn variables_override_defaults() {
        let config = config(&[
            ("BIND_ADDR", "127.0.0.1:0"),
            ("REQUEST_TIMEOUT_MS", "250"),
            ("UPSTREAM_ADDR", "db:5432"),
        ])
        .unwrap();
        assert_eq!(config.bind_addr.port(), 0);
        assert_eq!(config.request_timeout, Duration::from_millis(250));
        assert_eq!(config.upstream_addr.as_deref(), Some("db:5432"));
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        let error = config(&[("SHUTDOWN_TIMEOUT_MS", "soon")]).unwrap_err();
        assert!(
            error.to_string().contains("SHUTDOWN_TIMEOUT_MS=\"soon\""),
            "{error}"
        );
        assert!(config(&[("MAX_CONNECTIONS", "0")]).is_err());
        assert_eq!(config(&[]).unwrap().metrics_addr, None, "off by default");
        let error = config(&[("METRICS_ADDR", "9464")]).unwrap_err();
        assert!(error.to_string().contains("METRICS_ADDR"), "{error}");
    }
}
