//! The small listener for operators, apart from the service's own port: `GET /metrics`
//! (Prometheus text format), `GET /healthz` (the process answers) and `GET /readyz` (503 once the
//! shutdown has begun). It has no connection limit of the service's, so a probe or a scrape is
//! answered however busy the service is, and it stays up through the drain, so the shutdown can be
//! watched to the end. Shared by the asyncpat templates (`templates/rust/_shared`): what is
//! exposed comes from the template's own `metrics.rs` through [`Exposition`].

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::timeout;

/// A probe or a scrape sends its request head within this, and takes its answer within this.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest request head read; a longer one is answered 431.
const MAX_HEAD_BYTES: usize = 8 * 1024;

/// A `METRICS_ADDR` that is not an address: the template's config error is made from it.
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidAddr {
    pub variable: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// Where the listener binds, from `METRICS_ADDR` as `lookup` reads it: unset or blank, no
/// listener (`Ok(None)`); otherwise an address (`0.0.0.0:9464`; port 0 picks a free one).
pub fn configured_addr(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<SocketAddr>, InvalidAddr> {
    const VARIABLE: &str = "METRICS_ADDR";
    match lookup(VARIABLE) {
        None => Ok(None),
        Some(value) if value.trim().is_empty() => Ok(None),
        Some(value) => value.trim().parse().map(Some).map_err(|_| InvalidAddr {
            variable: VARIABLE,
            value,
            expected: "an address like 0.0.0.0:9464",
        }),
    }
}

/// What the listener exposes.
pub trait Exposition: Send + Sync + 'static {
    /// The Prometheus text exposition of every metric.
    fn render(&self) -> String;
    /// Ready until the shutdown begins: what `/readyz` reports.
    fn ready(&self) -> bool;
}

/// Serves probes and scrapes on `listener` until `stop` completes, then waits for the exchanges
/// in progress (each bounded by `EXCHANGE_TIMEOUT`).
pub async fn serve<E: Exposition>(
    listener: TcpListener,
    source: Arc<E>,
    stop: impl Future<Output = ()>,
) {
    tokio::pin!(stop);
    let mut exchanges = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            Some(_) = exchanges.join_next(), if !exchanges.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    exchanges.spawn(answer(stream, source.clone()));
                }
                Err(error) => {
                    tracing::warn!(%error, "metrics listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    while exchanges.join_next().await.is_some() {}
}

/// One request, one answer, then the connection closes.
async fn answer<E: Exposition>(mut stream: TcpStream, source: Arc<E>) {
    let mut head = Vec::with_capacity(512);
    let read = timeout(EXCHANGE_TIMEOUT, async {
        let mut chunk = [0u8; 1024];
        while !head.windows(4).any(|window| window == b"\r\n\r\n") {
            if head.len() > MAX_HEAD_BYTES {
                return false;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return false,
                Ok(read) => head.extend_from_slice(&chunk[..read]),
            }
        }
        true
    })
    .await;
    let (status, content_type, body) = match read {
        Ok(true) => route(&head, source.as_ref()),
        Ok(false) if head.len() > MAX_HEAD_BYTES => (
            "431 Request Header Fields Too Large",
            "text/plain; charset=utf-8",
            "request head too large\n".to_owned(),
        ),
        _ => return,
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = timeout(EXCHANGE_TIMEOUT, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

fn route<E: Exposition>(head: &[u8], source: &E) -> (&'static str, &'static str, String) {
    let text = String::from_utf8_lossy(head);
    let mut request_line = text.lines().next().unwrap_or("").split_whitespace();
    let method = request_line.next().unwrap_or("");
    let path = request_line
        .next()
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("");
    const PLAIN: &str = "text/plain; charset=utf-8";
    if method != "GET" {
        return ("405 Method Not Allowed", PLAIN, "use GET\n".to_owned());
    }
    match path {
        "/metrics" => (
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            source.render(),
        ),
        "/healthz" => ("200 OK", PLAIN, "ok\n".to_owned()),
        "/readyz" if source.ready() => ("200 OK", PLAIN, "ready\n".to_owned()),
        "/readyz" => (
            "503 Service Unavailable",
            PLAIN,
            "shutting down\n".to_owned(),
        ),
        _ => ("404 Not Found", PLAIN, "not found\n".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    struct Fixed {
        ready: AtomicBool,
    }

    impl Exposition for Fixed {
        fn render(&self) -> String {
            "up 1\n".to_owned()
        }
        fn ready(&self) -> bool {
            self.ready.load(Ordering::SeqCst)
        }
    }

    #[test]
    fn routes_the_probes_and_the_scrape() {
        let source = Fixed {
            ready: AtomicBool::new(true),
        };
        let get = |path: &str| route(format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes(), &source);
        assert_eq!(get("/metrics").0, "200 OK");
        assert_eq!(get("/metrics?x=1").2, "up 1\n");
        assert_eq!(get("/healthz").0, "200 OK");
        assert_eq!(get("/readyz").0, "200 OK");
        assert_eq!(get("/nope").0, "404 Not Found");
        assert_eq!(
            route(b"POST /metrics HTTP/1.1\r\n\r\n", &source).0,
            "405 Method Not Allowed"
        );
        source.ready.store(false, Ordering::SeqCst);
        assert_eq!(get("/readyz").0, "503 Service Unavailable");
        assert_eq!(get("/healthz").0, "200 OK");
    }

    #[test]
    fn reads_the_address_from_metrics_addr() {
        let read = |value: Option<&str>| {
            configured_addr(|name| {
                assert_eq!(name, "METRICS_ADDR");
                value.map(str::to_owned)
            })
        };
        assert_eq!(read(None), Ok(None), "off when unset");
        assert_eq!(read(Some("  ")), Ok(None), "off when blank");
        assert_eq!(
            read(Some(" 127.0.0.1:0 ")),
            Ok(Some(SocketAddr::from(([127, 0, 0, 1], 0))))
        );
        let error = read(Some("9464")).unwrap_err();
        assert_eq!(error.variable, "METRICS_ADDR");
        assert_eq!(error.value, "9464");
    }

    #[tokio::test]
    async fn answers_over_tcp_and_stops_when_told() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let source = Arc::new(Fixed {
            ready: AtomicBool::new(true),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, source, async move {
            let _ = stopped.await;
        }));
        let mut client = TcpStream::connect(addr).await.unwrap();
        client
            .write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\nup 1\n"), "{answer}");
        stop.send(()).unwrap();
        timeout(Duration::from_secs(5), server)
            .await
            .expect("serve returns once stopped")
            .unwrap();
    }
}
