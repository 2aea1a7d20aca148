//! Starts the compiled supervisor, feeds it items over loopback, sends real signals and checks
//! the order of the shutdown steps and the exit codes.

// Signals and process handling below are POSIX.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

struct Service {
    child: Child,
    addr: SocketAddr,
    /// The metrics listener's address, when `METRICS_ADDR` was set.
    metrics_addr: Option<SocketAddr>,
    lines: mpsc::Receiver<String>,
}

impl Service {
    fn start(env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_asyncpat-graceful-shutdown"))
            .env("BIND_ADDR", "127.0.0.1:0")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the service binary starts");
        let lines = forward_lines(child.stdout.take().unwrap());
        let first = lines
            .recv_timeout(Duration::from_secs(10))
            .expect("the service prints its address");
        let addr = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .parse()
            .unwrap();
        let metrics_addr = env.iter().any(|(key, _)| *key == "METRICS_ADDR").then(|| {
            let second = lines
                .recv_timeout(Duration::from_secs(10))
                .expect("the service prints its metrics address");
            second
                .strip_prefix("metrics on ")
                .unwrap_or_else(|| panic!("unexpected second line {second:?}"))
                .parse()
                .unwrap()
        });
        Service {
            child,
            addr,
            metrics_addr,
            lines,
        }
    }

    /// Sends items on a new connection, pipelined, without waiting for their answers.
    fn enqueue(&self, items: &[&str]) -> Producer {
        let mut stream = TcpStream::connect(self.addr).expect("connect to the intake");
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        let acks = BufReader::new(stream.try_clone().unwrap());
        for item in items {
            stream.write_all(format!("{item}\n").as_bytes()).unwrap();
        }
        Producer {
            acks,
            _stream: stream,
        }
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill has no memory-safety preconditions; the pid is our own child.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill failed");
    }

    /// Waits until stdout prints `line`; returns everything printed up to and including it.
    fn wait_for(&self, line: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let next = self
                .lines
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("no {line:?} in {seen:?}"));
            let found = next == line;
            seen.push(next);
            if found {
                return seen;
            }
        }
    }

    /// Waits for the process to exit; returns its status and the stdout lines not yet read.
    fn wait(mut self, within: Duration) -> (ExitStatus, Vec<String>) {
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the service did not exit within {within:?}"
            );
            thread::sleep(Duration::from_millis(20));
        };
        let rest =
            std::iter::from_fn(|| self.lines.recv_timeout(Duration::from_secs(2)).ok()).collect();
        (status, rest)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads stdout on a thread so the service never blocks on a full pipe.
struct Producer {
    acks: BufReader<TcpStream>,
    _stream: TcpStream,
}

impl Producer {
    /// The answers to every item sent, in order, until the service closes the connection.
    fn answers(mut self) -> Vec<String> {
        let mut answers = Vec::new();
        let mut line = String::new();
        while self.acks.read_line(&mut line).unwrap_or(0) > 0 {
            answers.push(line.trim_end().to_owned());
            line.clear();
        }
        answers
    }
}

fn forward_lines(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            assert!(
                !line.starts_with('{') || line.contains("\"level\":"),
                "a log line without a level: {line}"
            );
            if sender.send(message_of(&line)).is_err() {
                break;
            }
        }
    });
    receiver
}

/// The service logs JSON objects (tracing-subscriber); the tests compare their messages. Lines
/// that are not JSON (`listening on`, `metrics on`) are kept as they are.
fn message_of(line: &str) -> String {
    if !line.starts_with('{') {
        return line.to_owned();
    }
    let start = match line.find("\"message\":\"") {
        Some(start) => start + "\"message\":\"".len(),
        None => return line.to_owned(),
    };
    let mut message = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => message.extend(chars.next()),
            '"' => break,
            c => message.push(c),
        }
    }
    message
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

fn figure(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn serves_metrics_and_probes_on_metrics_addr_through_the_drain() {
    let service = Service::start(&[
        ("ITEM_DELAY_MS", "500"),
        ("TICK_INTERVAL_MS", "50"),
        ("METRICS_ADDR", "127.0.0.1:0"),
    ]);
    let metrics = service.metrics_addr.expect("a metrics listener");
    // Eight items of 0.5 s each: the drain outlasts the checks made during it.
    let producer = service.enqueue(&["a", "b", "c", "d", "e", "f", "g", "h"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut text = String::new();
    while figure(&text, "items_accepted_total") != Some(8.0) {
        assert!(Instant::now() < deadline, "items never accepted: {text}");
        text = http_get(metrics, "/metrics").1;
    }
    let in_queue = figure(&text, "items_queued").unwrap()
        + figure(&text, "items_in_flight").unwrap()
        + figure(&text, "items_processed_total").unwrap();
    assert_eq!(
        in_queue, 8.0,
        "each accepted item is queued, in flight or processed: {text}"
    );
    assert!(figure(&text, "items_queued").unwrap() >= 1.0, "{text}");
    assert_eq!(figure(&text, "shutdown_phase"), Some(0.0), "{text}");
    assert_eq!(http_get(metrics, "/healthz").0, 200);
    assert_eq!(http_get(metrics, "/readyz").0, 200);
    assert_eq!(http_get(metrics, "/nope").0, 404);
    service.wait_for("heartbeat processed=0");
    assert!(
        figure(&http_get(metrics, "/metrics").1, "heartbeat_lag_seconds").is_some(),
        "the heartbeat reports its lag"
    );

    service.signal(libc::SIGTERM);
    // Readiness goes off at the signal, while the drain still has items to record.
    let deadline = Instant::now() + Duration::from_secs(10);
    while http_get(metrics, "/readyz").0 != 503 {
        assert!(Instant::now() < deadline, "/readyz still 200 after SIGTERM");
        thread::sleep(Duration::from_millis(10));
    }
    let draining = http_get(metrics, "/metrics").1;
    assert_eq!(figure(&draining, "shutdown_phase"), Some(1.0), "{draining}");
    assert_eq!(
        http_get(metrics, "/healthz").0,
        200,
        "alive while it drains"
    );
    assert_eq!(producer.answers(), ["recorded"; 8]);
    let (status, rest) = service.wait(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{rest:?}");
}

fn position(lines: &[String], wanted: &str) -> usize {
    lines
        .iter()
        .position(|line| line.starts_with(wanted))
        .unwrap_or_else(|| panic!("no {wanted:?} in {lines:?}"))
}

#[test]
fn sigterm_stops_intake_drains_the_queue_then_stops_the_heartbeat_and_exits_0() {
    let journal = std::env::temp_dir().join(format!(
        "graceful-shutdown-journal-{}.log",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&journal);
    let service = Service::start(&[
        ("ITEM_DELAY_MS", "100"),
        ("TICK_INTERVAL_MS", "50"),
        ("JOURNAL_PATH", journal.to_str().unwrap()),
    ]);
    let producer = service.enqueue(&["a", "b", "c", "d", "e"]);
    // SIGTERM while the items are queued: the first is being handled, four wait.
    service.wait_for("processed a");
    service.signal(libc::SIGTERM);
    let answers = producer.answers();
    let (status, rest) = service.wait(Duration::from_secs(10));
    assert_eq!(
        answers, ["recorded"; 5],
        "every item taken is acknowledged only once it is in the journal"
    );
    assert_eq!(status.code(), Some(0), "{rest:?}");

    let intake_stopped = position(&rest, "shutdown: intake stopped");
    let drained = position(&rest, "shutdown: queue drained (5 items processed)");
    let heartbeat_stopped = position(&rest, "shutdown: heartbeat stopped");
    let closed = position(&rest, "shutdown: journal closed");
    assert!(position(&rest, "SIGTERM received") < intake_stopped);
    assert!(
        intake_stopped < drained && drained < heartbeat_stopped && heartbeat_stopped < closed,
        "{rest:?}"
    );
    assert!(
        position(&rest, "processed e") < drained,
        "every queued item is handled before the drain ends"
    );
    assert!(
        rest.iter()
            .any(|line| line.starts_with("heartbeat processed=")),
        "the heartbeat ran: {rest:?}"
    );
    assert_eq!(rest.last().map(String::as_str), Some("shutdown: complete"));
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        "a\nb\nc\nd\ne\n"
    );
    std::fs::remove_file(&journal).unwrap();
}

#[test]
fn sigint_on_an_idle_service_exits_0() {
    let service = Service::start(&[]);
    service.signal(libc::SIGINT);
    let (status, rest) = service.wait(Duration::from_secs(5));
    assert_eq!(status.code(), Some(0), "{rest:?}");
    assert_eq!(
        rest.first().map(String::as_str),
        Some("SIGINT received: shutting down")
    );
}

#[test]
fn exits_1_when_the_drain_outlives_the_shutdown_deadline() {
    let service = Service::start(&[("ITEM_DELAY_MS", "400"), ("SHUTDOWN_TIMEOUT_MS", "300")]);
    let producer = service.enqueue(&["a", "b", "c"]);
    service.wait_for("processed a");
    service.signal(libc::SIGTERM);
    let answers = producer.answers();
    let (status, rest) = service.wait(Duration::from_secs(5));
    assert_eq!(
        answers.len(),
        3,
        "the items the deadline cut short are refused, not left unanswered: {answers:?}"
    );
    assert!(answers
        .iter()
        .all(|answer| answer == "recorded" || answer == "refused shutting down"));
    assert!(
        answers.contains(&"refused shutting down".to_owned()),
        "{answers:?}"
    );
    assert!(
        rest.contains(&"shutdown: journal closed".to_owned()),
        "the deadline path still closes the journal: {rest:?}"
    );
    assert_eq!(status.code(), Some(1), "{rest:?}");
    assert!(
        rest.contains(&"shutdown: deadline of 300 ms exceeded".to_owned()),
        "{rest:?}"
    );
}

#[test]
fn a_second_signal_forces_exit_130() {
    let service = Service::start(&[("ITEM_DELAY_MS", "1000"), ("SHUTDOWN_TIMEOUT_MS", "30000")]);
    let _producer = service.enqueue(&["a", "b", "c"]);
    // b and c are queued behind a (1 s each) once a is done: the drain is still running at the second signal
    service.wait_for("processed a");
    service.signal(libc::SIGTERM);
    service.wait_for("SIGTERM received: shutting down");
    service.signal(libc::SIGINT);
    let started = Instant::now();
    let (status, rest) = service.wait(Duration::from_secs(5));
    assert_eq!(status.code(), Some(130), "{rest:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        rest.contains(&"shutdown: SIGINT received again, exiting now".to_owned()),
        "{rest:?}"
    );
}

#[test]
#[cfg(target_os = "linux")]
fn a_failing_service_stops_everything_with_exit_1() {
    // Every journal write fails on /dev/full: the consumer's first failure must surface.
    let service = Service::start(&[("JOURNAL_PATH", "/dev/full")]);
    let producer = service.enqueue(&["doomed"]);
    assert_eq!(
        producer.answers(),
        ["refused shutting down"],
        "never acknowledged: it is not on disk"
    );
    let (status, rest) = service.wait(Duration::from_secs(5));
    assert_eq!(status.code(), Some(1), "{rest:?}");
    assert!(
        position(&rest, "consumer failed: No space left on device")
            < position(&rest, "a service failed: shutting down"),
        "the failure is logged, then the shutdown: {rest:?}"
    );
}
