//! Request handling: routing, the per-request deadline, body limits and the outbound call.
//! Replace the example routes with your own; keep the deadline wrapper in `handle`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Bytes, HttpBody};
use hyper::header::{HeaderValue, CONNECTION, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Body, Method, Request, Response, StatusCode};
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio::time::timeout;
use tokio_stream::StreamExt;
use tokio_util::codec::{FramedRead, LinesCodec, LinesCodecError};

use crate::config::Config;
use crate::metrics::{Counted, Metrics};
use crate::shutdown::Shutdown;

/// What every request handler can reach.
pub struct App {
    pub config: Config,
    /// Fires at the first signal: readiness turns off and responses close their connection.
    pub shutdown: Shutdown,
    pub metrics: Arc<Metrics>,
    /// The outbound connection `/upstream` shares between requests.
    pub upstream: Upstream,
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

/// The upstream connection, kept open and shared by every request. One exchange at a time runs
/// on it, and its guard is held across the exchange's awaits, so it sits behind an async
/// `tokio::sync::Mutex` (a `std::sync::Mutex` guard must never be held across an `.await`).
#[derive(Default)]
pub struct Upstream {
    connection: Mutex<Option<UpstreamConnection>>,
}

/// One line-framed TCP connection: `LinesCodec` bounds what the upstream can make us buffer.
struct UpstreamConnection {
    replies: FramedRead<OwnedReadHalf, LinesCodec>,
    requests: OwnedWriteHalf,
}

/// Longest reply line the upstream may send.
const MAX_UPSTREAM_LINE_BYTES: usize = 4096;

/// An outbound call: a line-based TCP exchange with `UPSTREAM_ADDR` on the shared connection. A
/// request waits for it at most `UPSTREAM_LOCK_TIMEOUT_MS` (then 503 + Retry-After: the caller
/// may retry, nothing was sent); the connect has its own timeout; the exchange is bounded by the
/// request deadline around every route.
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
    let locked = {
        let _waiting = Counted::new(&app.metrics.upstream_waiting);
        timeout(
            app.config.upstream_lock_timeout,
            app.upstream.connection.lock(),
        )
        .await
    };
    let mut slot = match locked {
        Ok(slot) => slot,
        Err(_) => {
            app.metrics.upstream_lock_timeouts.inc();
            let mut response = json(
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"error":"upstream connection busy"}"#,
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            return response;
        }
    };
    // The connection is taken out while in use: if this request is cut off mid-exchange (its
    // deadline), the half-used connection is dropped with it, never handed to the next request.
    if let Some(mut connection) = slot.take() {
        if let Ok(reply) = ping(&mut connection).await {
            *slot = Some(connection);
            return pong(&reply);
        }
        // The kept connection went stale (the upstream closed it). PING is safe to repeat: try
        // once more on a new connection.
    }
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
    let (reader, requests) = stream.into_split();
    let mut connection = UpstreamConnection {
        replies: FramedRead::new(
            reader,
            LinesCodec::new_with_max_length(MAX_UPSTREAM_LINE_BYTES),
        ),
        requests,
    };
    match ping(&mut connection).await {
        Ok(reply) => {
            *slot = Some(connection);
            pong(&reply)
        }
        Err(_) => json(StatusCode::BAD_GATEWAY, r#"{"error":"upstream failed"}"#),
    }
}

fn pong(reply: &str) -> Response<Body> {
    json(
        StatusCode::OK,
        &format!(r#"{{"upstream":{}}}"#, json_string(reply)),
    )
}

async fn ping(connection: &mut UpstreamConnection) -> std::io::Result<String> {
    connection.requests.write_all(b"PING\n").await?;
    match connection.replies.next().await {
        Some(Ok(reply)) => Ok(reply),
        Some(Err(LinesCodecError::Io(error))) => Err(error),
        Some(Err(LinesCodecError::MaxLineLengthExceeded)) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "upstream reply line too long",
        )),
        None => Err(std::io::ErrorKind::UnexpectedEof.into()),
    }
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
                upstream: Upstream::default(),
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
