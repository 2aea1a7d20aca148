//! Starts the compiled server, talks HTTP/1.1 to it over loopback and stops it with real signals.

// Signals and process handling below are POSIX.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: SocketAddr,
    /// The operators' listener, when `METRICS_ADDR` was set.
    metrics_addr: Option<SocketAddr>,
    // Kept open: closing it would make the server's next stdout write fail.
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start(env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_asyncpat-server"))
            .env("BIND_ADDR", "127.0.0.1:0")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the server prints its address");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        let metrics_addr = env.iter().any(|(key, _)| *key == "METRICS_ADDR").then(|| {
            let mut line = String::new();
            stdout
                .read_line(&mut line)
                .expect("the server prints its metrics address");
            line.trim()
                .strip_prefix("metrics on ")
                .unwrap_or_else(|| panic!("unexpected second line {line:?}"))
                .parse()
                .unwrap()
        });
        Server {
            child,
            addr,
            metrics_addr,
            _stdout: stdout,
        }
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill has no memory-safety preconditions; the pid is our own child.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill failed");
    }

    /// Waits for the process to exit and returns its status and everything it wrote to stderr.
    fn wait(mut self, within: Duration) -> (ExitStatus, String) {
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit within {within:?}"
            );
            thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (status, stderr)
    }

    /// Polls `/metrics` until `n` requests (besides that scrape itself) are in their handlers:
    /// the synchronisation point instead of a fixed sleep, which a loaded CI machine can outlast.
    fn wait_for_in_flight(&self, n: u64) {
        let line = format!("http_requests_in_flight {}", n + 1);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, metrics) = self.get("/metrics");
            if metrics.lines().any(|l| l == line) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{n} request(s) never reached a handler: {metrics}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Polls `path` until it answers `status`.
    fn wait_for_status(&self, path: &str, status: u16) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (got, response) = self.get(path);
            if got == status {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{path} never answered {status}: {response}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        request(
            self.addr,
            &format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"),
        )
    }

    fn post(&self, path: &str, body: &str) -> (u16, String) {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        request(self.addr, &(head + body))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on a fresh connection; returns the status code and the whole response text.
fn request(addr: SocketAddr, raw: &str) -> (u16, String) {
    read_response(send(addr, raw))
}

/// Connects and sends `raw`; the connection is established (and queued for accept) on return.
fn send(addr: SocketAddr, raw: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    stream
}

fn read_response(mut stream: TcpStream) -> (u16, String) {
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the response");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[test]
fn serves_health_echo_and_not_found() {
    let server = Server::start(&[]);
    let (status, body) = server.get("/healthz");
    assert_eq!(status, 200, "{body}");
    assert!(body.ends_with(r#"{"status":"ok"}"#), "{body}");
    let (status, body) = server.post("/echo", r#"{"hello":"world"}"#);
    assert_eq!(status, 200);
    assert!(body.ends_with(r#"{"hello":"world"}"#), "{body}");
    assert_eq!(server.get("/missing").0, 404);
}

#[test]
fn exposes_prometheus_metrics_and_logs_json_lines() {
    let server = Server::start(&[]);
    assert_eq!(server.get("/healthz").0, 200);
    let (status, response) = server.get("/metrics");
    assert_eq!(status, 200, "{response}");
    for metric in [
        "http_requests_in_flight",
        "http_responses_total{status=\"200\"}",
        "http_connections_shed_total 0",
        "http_connections_open ",
        "upstream_waiting 0",
        "upstream_lock_timeouts_total 0",
        "runtime_lag_seconds ",
        "shutdown_phase 0",
    ] {
        assert!(response.contains(metric), "{metric} in {response}");
    }
    server.signal(libc::SIGINT);
    let (_, stderr) = server.wait(Duration::from_secs(10));
    assert!(
        stderr
            .lines()
            .filter(|line| !line.is_empty())
            .all(|line| line.starts_with('{') && line.contains("\"level\"")),
        "every log line is a JSON object: {stderr}"
    );
}

#[test]
fn refuses_a_body_over_the_limit_with_413() {
    let server = Server::start(&[("MAX_BODY_BYTES", "16")]);
    let (status, _) = server.post("/echo", &"x".repeat(17));
    assert_eq!(status, 413);
}

#[test]
fn sheds_load_with_503_and_retry_after_when_saturated_but_probes_still_answer() {
    let server = Server::start(&[("MAX_CONNECTIONS", "1")]);
    // Connected before any other client, so accepted first: the accept loop admits in order, so
    // this connection holds the only slot before the probes below arrive (no sleep to guess it).
    let busy = send(
        server.addr,
        "GET /delay?ms=5000 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    );
    let busy = thread::spawn(move || read_response(busy));
    let (status, response) = server.get("/healthz");
    assert_eq!(
        status, 200,
        "probes are exempt from the connection limit: {response}"
    );
    assert_eq!(server.get("/readyz").0, 200);
    let (status, response) = server.get("/delay?ms=1");
    assert_eq!(status, 503, "{response}");
    assert!(
        response.to_ascii_lowercase().contains("retry-after: 1"),
        "{response}"
    );
    let (status, metrics) = server.get("/metrics");
    assert_eq!(status, 200, "the scrape is exempt too: {metrics}");
    assert!(
        metrics
            .lines()
            .any(|line| line == "http_connections_shed_total 1"),
        "{metrics}"
    );
    assert_eq!(busy.join().unwrap().0, 200);
}

#[test]
fn answers_504_when_the_upstream_outlives_the_deadline() {
    // An upstream that accepts and then never answers: the request deadline must still hold.
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_addr = upstream.local_addr().unwrap().to_string();
    let _hold = thread::spawn(move || {
        let (socket, _) = upstream.accept().unwrap();
        thread::sleep(Duration::from_secs(5));
        drop(socket);
    });
    let server = Server::start(&[
        ("UPSTREAM_ADDR", &upstream_addr),
        ("REQUEST_TIMEOUT_MS", "300"),
    ]);
    let started = Instant::now();
    assert_eq!(server.get("/upstream").0, 504);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn calls_the_upstream_over_tcp() {
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_addr = upstream.local_addr().unwrap().to_string();
    thread::spawn(move || {
        let (mut socket, _) = upstream.accept().unwrap();
        let mut line = String::new();
        BufReader::new(socket.try_clone().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line, "PING\n");
        socket.write_all(b"PONG\n").unwrap();
    });
    let server = Server::start(&[("UPSTREAM_ADDR", &upstream_addr)]);
    let (status, body) = server.get("/upstream");
    assert_eq!(status, 200, "{body}");
    assert!(body.ends_with(r#"{"upstream":"PONG"}"#), "{body}");
}

/// A fake upstream: answers every `PING` line with `PONG <n>`, `n` counting its connections, so
/// a reply tells which connection carried it. `hold` (if any) is waited on before the first reply.
fn fake_upstream(hold: Option<mpsc::Receiver<()>>, received: mpsc::Sender<()>) -> String {
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = upstream.local_addr().unwrap().to_string();
    thread::spawn(move || {
        let mut hold = hold;
        for (n, socket) in upstream.incoming().enumerate() {
            let mut socket = socket.unwrap();
            let hold = hold.take();
            let received = received.clone();
            thread::spawn(move || {
                let mut reader = BufReader::new(socket.try_clone().unwrap());
                let mut line = String::new();
                let mut hold = hold;
                while reader.read_line(&mut line).unwrap_or(0) > 0 {
                    assert_eq!(line, "PING\n");
                    line.clear();
                    let _ = received.send(());
                    if let Some(hold) = hold.take() {
                        let _ = hold.recv();
                    }
                    if socket
                        .write_all(format!("PONG {}\n", n + 1).as_bytes())
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    addr
}

#[test]
fn reuses_one_upstream_connection_across_requests() {
    let (received, _pings) = mpsc::channel();
    let upstream_addr = fake_upstream(None, received);
    let server = Server::start(&[("UPSTREAM_ADDR", &upstream_addr)]);
    for _ in 0..3 {
        let (status, body) = server.get("/upstream");
        assert_eq!(status, 200, "{body}");
        assert!(body.ends_with(r#"{"upstream":"PONG 1"}"#), "{body}");
    }
}

#[test]
fn a_request_waits_for_the_busy_upstream_connection_at_most_the_lock_timeout() {
    let (release, hold) = mpsc::channel();
    let (received, pings) = mpsc::channel();
    let upstream_addr = fake_upstream(Some(hold), received);
    let server = Server::start(&[
        ("UPSTREAM_ADDR", &upstream_addr),
        ("UPSTREAM_LOCK_TIMEOUT_MS", "200"),
    ]);
    let addr = server.addr;
    let first = thread::spawn(move || {
        request(
            addr,
            "GET /upstream HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        )
    });
    // The first request now holds the upstream connection: the upstream has its PING.
    pings
        .recv_timeout(Duration::from_secs(10))
        .expect("the first request reaches the upstream");
    let (status, response) = server.get("/upstream");
    assert_eq!(status, 503, "{response}");
    assert!(
        response.to_ascii_lowercase().contains("retry-after: 1"),
        "{response}"
    );
    assert!(response.contains("upstream connection busy"), "{response}");
    release.send(()).unwrap();
    let (status, body) = first.join().unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.ends_with(r#"{"upstream":"PONG 1"}"#), "{body}");
    let (_, metrics) = server.get("/metrics");
    assert!(
        metrics
            .lines()
            .any(|line| line == "upstream_lock_timeouts_total 1"),
        "{metrics}"
    );
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_exits_0() {
    let server = Server::start(&[("READINESS_DRAIN_DELAY_MS", "0")]);
    let addr = server.addr;
    let in_flight = thread::spawn(move || {
        request(
            addr,
            "GET /delay?ms=1500 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        )
    });
    server.wait_for_in_flight(1);
    server.signal(libc::SIGTERM);
    let (status, body) = in_flight.join().unwrap();
    assert_eq!(status, 200, "{body}");
    thread::sleep(Duration::from_millis(100));
    assert!(
        TcpStream::connect(addr).is_err(),
        "the listener is closed while draining"
    );
    let (exit, stderr) = server.wait(Duration::from_secs(5));
    assert_eq!(exit.code(), Some(0), "{stderr}");
    assert!(stderr.contains("SIGTERM received"), "{stderr}");
}

#[test]
fn an_idle_socket_gives_its_connection_slot_back_after_idle_timeout() {
    let server = Server::start(&[("MAX_CONNECTIONS", "1"), ("IDLE_TIMEOUT_MS", "300")]);
    // Connects and never sends a byte: hyper's header timeout never starts for it.
    let _silent = TcpStream::connect(server.addr).unwrap();
    thread::sleep(Duration::from_millis(100));
    assert_eq!(
        server.get("/delay?ms=1").0,
        503,
        "the silent socket holds the only slot"
    );
    // Polled: the slot comes back once IDLE_TIMEOUT_MS has passed, however late the timer runs.
    server.wait_for_status("/delay?ms=1", 200);
}

#[test]
fn after_sigterm_readiness_fails_while_requests_are_still_served_then_the_listener_closes() {
    let server = Server::start(&[("READINESS_DRAIN_DELAY_MS", "1000")]);
    server.signal(libc::SIGTERM);
    server.wait_for_status("/readyz", 503);
    // A keep-alive request: the server itself closes the connection after answering.
    let (status, response) = request(
        server.addr,
        "GET /delay?ms=1 HTTP/1.1\r\nHost: test\r\n\r\n",
    );
    assert_eq!(
        status, 200,
        "still served in the readiness window: {response}"
    );
    assert!(
        response.to_ascii_lowercase().contains("connection: close"),
        "{response}"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(server.addr).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the listener closes after the window"
        );
        thread::sleep(Duration::from_millis(20));
    }
    let (exit, stderr) = server.wait(Duration::from_secs(5));
    assert_eq!(exit.code(), Some(0), "{stderr}");
}

#[test]
fn serves_metrics_and_probes_on_metrics_addr_through_the_drain() {
    let server = Server::start(&[
        ("METRICS_ADDR", "127.0.0.1:0"),
        ("READINESS_DRAIN_DELAY_MS", "0"),
    ]);
    let operators = server.metrics_addr.expect("a metrics listener");
    let get = |path: &str| {
        request(
            operators,
            &format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"),
        )
    };
    assert_eq!(get("/readyz").0, 200);
    let addr = server.addr;
    let in_flight = thread::spawn(move || {
        request(
            addr,
            "GET /delay?ms=3000 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        )
    });
    server.wait_for_in_flight(1);
    server.signal(libc::SIGTERM);
    // The service port is closed now, but the drain can still be watched here.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, metrics) = get("/metrics");
        assert_eq!(status, 200, "{metrics}");
        if metrics.lines().any(|line| line == "shutdown_phase 2") {
            assert!(
                metrics
                    .lines()
                    .any(|line| line == "http_requests_in_flight 1"),
                "the request is still draining: {metrics}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "never saw the drain: {metrics}");
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(get("/readyz").0, 503);
    assert_eq!(get("/healthz").0, 200);
    assert_eq!(in_flight.join().unwrap().0, 200);
    let (exit, stderr) = server.wait(Duration::from_secs(10));
    assert_eq!(exit.code(), Some(0), "{stderr}");
}

#[test]
fn sigint_on_an_idle_server_exits_0() {
    let server = Server::start(&[]);
    assert_eq!(server.get("/readyz").0, 200);
    server.signal(libc::SIGINT);
    let (exit, stderr) = server.wait(Duration::from_secs(5));
    assert_eq!(exit.code(), Some(0), "{stderr}");
}

#[test]
fn exits_1_when_the_drain_outlives_the_shutdown_deadline() {
    let server = Server::start(&[
        ("SHUTDOWN_TIMEOUT_MS", "200"),
        ("READINESS_DRAIN_DELAY_MS", "0"),
    ]);
    let addr = server.addr;
    let _stuck = thread::spawn(move || {
        request(
            addr,
            "GET /delay?ms=5000 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        )
    });
    server.wait_for_in_flight(1);
    server.signal(libc::SIGTERM);
    let (exit, stderr) = server.wait(Duration::from_secs(3));
    assert_eq!(exit.code(), Some(1), "{stderr}");
    assert!(stderr.contains("deadline"), "{stderr}");
}

#[test]
fn a_second_signal_exits_at_once_with_130() {
    let server = Server::start(&[]);
    let addr = server.addr;
    let _stuck = thread::spawn(move || {
        request(
            addr,
            "GET /delay?ms=5000 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        )
    });
    server.wait_for_in_flight(1);
    server.signal(libc::SIGTERM);
    // The first signal is handled once readiness fails; only then send the second, or both
    // could be pending at once and be taken in either order.
    server.wait_for_status("/readyz", 503);
    server.signal(libc::SIGINT);
    let (exit, stderr) = server.wait(Duration::from_secs(2));
    assert_eq!(exit.code(), Some(130), "{stderr}");
}
