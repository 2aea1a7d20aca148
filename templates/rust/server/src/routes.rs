//! Request handling: routing, the per-request deadline, body limits and the outbound call.
//! Replace the example routes with your own; keep the deadline wrapper in `handle`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Bytes, HttpBody};
use hyper::header::{HeaderValue, CONNECTION, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Body, Method, Request, Response, StatusCode};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::shutdown::Shutdown;

/// What every request handler can reach.
pub struct App {
    pub config: Config,
    /// Fires at the first signal: readiness turns off and responses close their connection.
    pub shutdown: Shutdown,
    pub metrics: Arc<Metrics>,
}

/// The hyper service: runs the route under the request deadline, so no request (and no outbound
/// call made on its behalf) outlives `REQUEST_TIMEOUT_MS`.
pub async fn handle(app: Arc<App>, request: Request<Body>) -> Result<Response<Body>, Infallible> {
    let deadline = app.config.request_timeout;
    let mut response = match timeout(deadline, route(&app, request)).await {
        Ok(response) => response,
        Err(_) => json(
            StatusCode::GATEWAY_TIMEOUT,
            r#"{"error":"request deadline exceeded"}"#,
        ),
    };
    app.metrics
        .responses
        .with_label_values(&[response.status().as_str()])
        .inc();
    if app.shutdown.is_triggered() {
        // Draining: the client opens a new connection (elsewhere) for its next request, instead
        // of sending it on a socket that is about to close.
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    Ok(response)
}

/// Liveness and readiness probes, and the metrics: answered even over the connection limit.
pub fn is_probe(request: &Request<Body>) -> bool {
    request.method() == Method::GET
        && matches!(request.uri().path(), "/healthz" | "/readyz" | "/metrics")
}

/// The answer to a connection over the limit: come back later, and do not keep this socket.
pub fn overloaded() -> Response<Body> {
    let mut response = json(
        StatusCode::SERVICE_UNAVAILABLE,
        r#"{"error":"server busy"}"#,
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

async fn route(app: &App, request: Request<Body>) -> Response<Body> {
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/healthz") => json(StatusCode::OK, r#"{"status":"ok"}"#),
        (&Method::GET, "/readyz") if app.shutdown.is_triggered() => {
            json(StatusCode::SERVICE_UNAVAILABLE, r#"{"ready":false}"#)
        }
        (&Method::GET, "/readyz") => json(StatusCode::OK, r#"{"ready":true}"#),
        (&Method::GET, "/metrics") => {
            let mut response = Response::new(Body::from(app.metrics.render()));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            response
        }
        (&Method::POST, "/echo") => echo(app, request.into_body()).await,
        (&Method::GET, "/delay") => delay(request.uri().query()).await,
        (&Method::GET, "/upstream") => upstream(app).await,
        (_, "/healthz" | "/readyz" | "/metrics" | "/echo" | "/delay" | "/upstream") => json(
            StatusCode::METHOD_NOT_ALLOWED,
            r#"{"error":"method not allowed"}"#,
        ),
        _ => json(StatusCode::NOT_FOUND, r#"{"error":"not found"}"#),
    }
}

/// Returns the request body as it came: shows the body limit and the body read timeout.
async fn echo(app: &App, body: Body) -> Response<Body> {
    let limit = app.config.max_body_bytes;
    match timeout(app.config.body_read_timeout, read_body(body, limit)).await {
        Err(_) => json(
            StatusCode::REQUEST_TIMEOUT,
            r#"{"error":"request body not received in time"}"#,
        ),
        Ok(Err(BodyError::TooLarge)) => json(
            StatusCode::PAYLOAD_TOO_LARGE,
            r#"{"error":"request body too large"}"#,
        ),
        Ok(Err(BodyError::Broken)) => json(
            StatusCode::BAD_REQUEST,
            r#"{"error":"request body could not be read"}"#,
        ),
        Ok(Ok(bytes)) => {
            let mut response = Response::new(Body::from(bytes));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
    }
}

/// Stands in for slow work (`/delay?ms=250`), capped by the request deadline like any handler.
async fn delay(query: Option<&str>) -> Response<Body> {
    let millis = query
        .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("ms=")))
        .and_then(|value| value.parse::<u64>().ok());
    match millis {
        Some(millis) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            json(StatusCode::OK, &format!(r#"{{"delayed_ms":{millis}}}"#))
        }
        None => json(
            StatusCode::BAD_REQUEST,
            r#"{"error":"expected ?ms=<milliseconds>"}"#,
        ),
    }
}

/// An outbound call: a line-based TCP exchange with `UPSTREAM_ADDR`. The connect has its own
/// timeout; the exchange is bounded by the request deadline around every route.
async fn upstream(app: &App) -> Response<Body> {
    let addr = match app.config.upstream_addr.as_deref() {
        Some(addr) => addr,
        None => {
            return json(
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"error":"UPSTREAM_ADDR is not set"}"#,
            )
        }
    };
    let stream = match timeout(app.config.connect_timeout, TcpStream::connect(addr)).await {
        Err(_) => {
            return json(
                StatusCode::GATEWAY_TIMEOUT,
                r#"{"error":"upstream connect timed out"}"#,
            )
        }
        Ok(Err(_)) => {
            return json(
                StatusCode::BAD_GATEWAY,
                r#"{"error":"upstream unreachable"}"#,
            )
        }
        Ok(Ok(stream)) => stream,
    };
    match ping(stream).await {
        Ok(reply) => json(
            StatusCode::OK,
            &format!(r#"{{"upstream":{}}}"#, json_string(&reply)),
        ),
        Err(_) => json(StatusCode::BAD_GATEWAY, r#"{"error":"upstream failed"}"#),
    }
}

async fn ping(mut stream: TcpStream) -> std::io::Result<String> {
    stream.write_all(b"PING\n").await?;
    let mut reply = String::new();
    // Bound what the upstream can make us buffer.
    BufReader::new(stream.take(4096))
        .read_line(&mut reply)
        .await?;
    Ok(reply.trim_end().to_owned())
}

#[derive(Debug, PartialEq, Eq)]
enum BodyError {
    TooLarge,
    Broken,
}

/// Reads a body of at most `limit` bytes; stops reading as soon as it is known to be larger.
async fn read_body(mut body: Body, limit: usize) -> Result<Bytes, BodyError> {
    if body.size_hint().lower() > limit as u64 {
        return Err(BodyError::TooLarge);
    }
    let mut collected = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|_| BodyError::Broken)?;
        if collected.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        collected.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(collected))
}

fn json(status: StatusCode, body: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(body.to_owned()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn json_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if u32::from(c) < 0x20 => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::shutdown;

    fn app(pairs: &[(&str, &str)]) -> (shutdown::Trigger, Arc<App>) {
        let config = Config::from_lookup(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
        .unwrap();
        let (trigger, shutdown) = shutdown::channel();
        (
            trigger,
            Arc::new(App {
                config,
                shutdown,
                metrics: Arc::default(),
            }),
        )
    }

    async fn call(
        app: &Arc<App>,
        method: Method,
        path: &str,
        body: &'static str,
    ) -> (StatusCode, String) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::from(body))
            .unwrap();
        let response = handle(app.clone(), request).await.unwrap();
        let status = response.status();
        let bytes = hyper::body::to_bytes(response.into_body()).await.unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn readiness_turns_off_once_shutdown_begins() {
        let (trigger, app) = app(&[]);
        assert_eq!(
            call(&app, Method::GET, "/readyz", "").await.0,
            StatusCode::OK
        );
        trigger.fire();
        assert_eq!(
            call(&app, Method::GET, "/readyz", "").await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            call(&app, Method::GET, "/healthz", "").await.0,
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn echo_enforces_the_body_limit() {
        let (_trigger, app) = app(&[("MAX_BODY_BYTES", "8")]);
        assert_eq!(
            call(&app, Method::POST, "/echo", "[1,2]").await,
            (StatusCode::OK, "[1,2]".into())
        );
        assert_eq!(
            call(&app, Method::POST, "/echo", "[1,2,3,4,5]").await.0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[tokio::test]
    async fn a_slow_handler_is_cut_off_at_the_deadline() {
        let (_trigger, app) = app(&[("REQUEST_TIMEOUT_MS", "20")]);
        assert_eq!(
            call(&app, Method::GET, "/delay?ms=5000", "").await.0,
            StatusCode::GATEWAY_TIMEOUT
        );
        assert_eq!(
            call(&app, Method::GET, "/delay?ms=1", "").await.0,
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn unknown_paths_and_methods_are_told_apart() {
        let (_trigger, app) = app(&[]);
        assert_eq!(
            call(&app, Method::GET, "/nope", "").await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            call(&app, Method::DELETE, "/echo", "").await.0,
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(
            call(&app, Method::GET, "/upstream", "").await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\n"), r#""a\"b\\c\u000a""#);
    }
}
