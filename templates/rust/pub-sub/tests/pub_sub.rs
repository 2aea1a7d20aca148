//! Starts the compiled broker, talks to it over loopback and stops it with real signals.

// Signals and process handling below are POSIX.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

struct Broker {
    child: Child,
    addr: SocketAddr,
    /// The metrics listener's address, when `METRICS_ADDR` was set.
    metrics_addr: Option<SocketAddr>,
    // Kept open: closing it would make the broker's next stdout write fail.
    _stdout: BufReader<ChildStdout>,
}

impl Broker {
    fn start(env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_asyncpat-pub-sub"))
            .env("BIND_ADDR", "127.0.0.1:0")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the broker binary starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the broker prints its address");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        let metrics_addr = env.iter().any(|(key, _)| *key == "METRICS_ADDR").then(|| {
            line.clear();
            stdout
                .read_line(&mut line)
                .expect("the broker prints its metrics address");
            line.trim()
                .strip_prefix("metrics on ")
                .unwrap_or_else(|| panic!("unexpected second line {line:?}"))
                .parse()
                .unwrap()
        });
        Broker {
            child,
            addr,
            metrics_addr,
            _stdout: stdout,
        }
    }

    fn connect(&self) -> Client {
        let stream = TcpStream::connect(self.addr).expect("connect to the broker");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
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
                "the broker did not exit within {within:?}"
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
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn send(&mut self, request: &str) {
        self.writer
            .write_all(format!("{request}\n").as_bytes())
            .unwrap();
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .expect("a line from the broker");
        line.trim_end().to_owned()
    }

    fn ask(&mut self, request: &str) -> String {
        self.send(request);
        self.line()
    }
}

/// A plain HTTP/1.1 GET on the metrics listener: the status code and the body.
fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect to the metrics listener");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nhost: test\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn figure(text: &str, name: &str) -> Option<i64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn serves_metrics_and_probes_on_metrics_addr() {
    let broker = Broker::start(&[("METRICS_ADDR", "127.0.0.1:0")]);
    let metrics = broker.metrics_addr.expect("a metrics listener");
    let mut subscriber = broker.connect();
    assert_eq!(subscriber.ask("SUB news"), "OK");
    let mut publisher = broker.connect();
    for n in 0..3 {
        assert_eq!(publisher.ask(&format!("PUB news item {n}")), "OK 1");
    }
    assert_eq!(publisher.ask("GET news"), "LATEST news item 2");
    let (status, text) = http_get(metrics, "/metrics");
    assert_eq!(status, 200);
    assert_eq!(figure(&text, "pubsub_published_total"), Some(3), "{text}");
    assert_eq!(figure(&text, "pubsub_sessions_open"), Some(2), "{text}");
    assert_eq!(figure(&text, "pubsub_subscribers_open"), Some(1), "{text}");
    assert_eq!(figure(&text, "pubsub_topics"), Some(1), "{text}");
    assert_eq!(
        figure(&text, "pubsub_requests_in_flight"),
        Some(0),
        "{text}"
    );
    assert_eq!(figure(&text, "shutdown_phase"), Some(0), "{text}");
    assert_eq!(http_get(metrics, "/healthz").0, 200);
    assert_eq!(http_get(metrics, "/readyz").0, 200);
    assert_eq!(http_get(metrics, "/nope").0, 404);
    broker.signal(libc::SIGTERM);
    for n in 0..3 {
        assert_eq!(subscriber.line(), format!("MSG news item {n}"));
    }
    assert_eq!(subscriber.line(), "BYE");
    let (status, stderr) = broker.wait(Duration::from_secs(5));
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr
            .lines()
            .all(|line| line.starts_with('{') && line.contains("\"level\":")),
        "structured logs: {stderr}"
    );
}

#[test]
fn fans_out_to_every_subscriber() {
    let broker = Broker::start(&[]);
    let mut subscribers: Vec<Client> = (0..5).map(|_| broker.connect()).collect();
    for subscriber in &mut subscribers {
        assert_eq!(subscriber.ask("SUB orders"), "OK");
    }
    let mut publisher = broker.connect();
    assert_eq!(publisher.ask("PUB orders order 1 placed"), "OK 5");
    assert_eq!(publisher.ask("PUB orders order 2 placed"), "OK 5");
    for subscriber in &mut subscribers {
        assert_eq!(subscriber.line(), "MSG orders order 1 placed");
        assert_eq!(subscriber.line(), "MSG orders order 2 placed");
    }
    drop(subscribers);
    // Sessions notice a closed client on their next read; give them a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    while publisher.ask("PUB orders anyone there?") != "OK 0" {
        assert!(Instant::now() < deadline, "closed subscribers are let go");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn keeps_the_latest_value_for_get_and_watch() {
    let broker = Broker::start(&[]);
    let mut client = broker.connect();
    assert_eq!(client.ask("GET price"), "NONE price");
    assert_eq!(client.ask("PUB price 10"), "OK 0");
    assert_eq!(client.ask("PUB price 11"), "OK 0");
    assert_eq!(client.ask("GET price"), "LATEST price 11");
    let mut watcher = broker.connect();
    assert_eq!(watcher.ask("WATCH price"), "OK");
    assert_eq!(
        watcher.line(),
        "LATEST price 11",
        "a late watcher gets the current value first"
    );
    client.ask("PUB price 12");
    assert_eq!(watcher.line(), "LATEST price 12");
}

#[test]
fn sigterm_says_bye_to_every_client_and_exits_0() {
    let broker = Broker::start(&[]);
    let mut subscriber = broker.connect();
    assert_eq!(subscriber.ask("SUB news"), "OK");
    let mut watcher = broker.connect();
    assert_eq!(watcher.ask("WATCH news"), "OK");
    let mut idle = broker.connect();
    assert_eq!(idle.ask("GET news"), "NONE news");
    broker.signal(libc::SIGTERM);
    assert_eq!(subscriber.line(), "BYE");
    assert_eq!(watcher.line(), "BYE");
    assert_eq!(idle.line(), "BYE");
    let (status, stderr) = broker.wait(Duration::from_secs(5));
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("SIGTERM received"), "{stderr}");
}

#[test]
fn sigint_stops_an_idle_broker_with_0() {
    let broker = Broker::start(&[]);
    broker.signal(libc::SIGINT);
    let (status, stderr) = broker.wait(Duration::from_secs(5));
    assert_eq!(status.code(), Some(0), "{stderr}");
}
