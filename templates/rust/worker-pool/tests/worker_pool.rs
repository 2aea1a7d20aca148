//! Starts the compiled worker pool, submits jobs over loopback and stops it with real signals.

// Signals and process handling below are POSIX.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

struct Pool {
    child: Child,
    addr: SocketAddr,
    /// The metrics listener's address, when `METRICS_ADDR` was set.
    metrics_addr: Option<SocketAddr>,
    // Kept open: closing it would make the pool's next stdout write fail.
    _stdout: BufReader<ChildStdout>,
}

impl Pool {
    fn start(env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_asyncpat-worker-pool"))
            .env("BIND_ADDR", "127.0.0.1:0")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the worker pool binary starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the pool prints its address");
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
                .expect("the pool prints its metrics address");
            line.trim()
                .strip_prefix("metrics on ")
                .unwrap_or_else(|| panic!("unexpected second line {line:?}"))
                .parse()
                .unwrap()
        });
        Pool {
            child,
            addr,
            metrics_addr,
            _stdout: stdout,
        }
    }

    fn connect(&self) -> Client {
        let stream = TcpStream::connect(self.addr).expect("connect to the pool");
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
                "the pool did not exit within {within:?}"
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

impl Pool {
    /// Polls `stats` until it reads `expected` (`accepted=N queued=M`), instead of sleeping a
    /// fixed time: fast on an idle machine, patient on a loaded CI.
    fn wait_for_stats(&self, expected: &str) {
        let mut probe = self.connect();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let stats = probe.ask("stats");
            if stats == format!("stats {expected}") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "still {stats:?}, waiting for {expected:?}"
            );
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Pool {
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

    fn answer(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("an answer line");
        line.trim_end().to_owned()
    }

    fn ask(&mut self, request: &str) -> String {
        self.send(request);
        self.answer()
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
fn serves_metrics_and_probes_on_metrics_addr_through_the_drain() {
    let pool = Pool::start(&[("CONCURRENCY", "1"), ("METRICS_ADDR", "127.0.0.1:0")]);
    let metrics = pool.metrics_addr.expect("a metrics listener");
    let mut running = pool.connect();
    let mut queued = pool.connect();
    running.send("spin 1500");
    pool.wait_for_stats("accepted=1 queued=0");
    queued.send("spin 100");
    pool.wait_for_stats("accepted=2 queued=1");

    let (status, text) = http_get(metrics, "/metrics");
    assert_eq!(status, 200);
    assert_eq!(figure(&text, "jobs_accepted_total"), Some(2), "{text}");
    assert_eq!(figure(&text, "jobs_queued"), Some(1), "{text}");
    assert_eq!(figure(&text, "jobs_running"), Some(1), "{text}");
    assert_eq!(figure(&text, "shutdown_phase"), Some(0), "{text}");
    assert_eq!(http_get(metrics, "/healthz").0, 200);
    assert_eq!(http_get(metrics, "/readyz").0, 200);
    assert_eq!(http_get(metrics, "/nope").0, 404);

    pool.signal(libc::SIGTERM);
    // Readiness goes off while the 1.5 s job still runs; the listener still answers.
    let deadline = Instant::now() + Duration::from_secs(10);
    while http_get(metrics, "/readyz").0 != 503 {
        assert!(Instant::now() < deadline, "/readyz still 200 after SIGTERM");
        thread::sleep(Duration::from_millis(10));
    }
    let (_, draining) = http_get(metrics, "/metrics");
    assert_eq!(figure(&draining, "shutdown_phase"), Some(1), "{draining}");
    assert_eq!(http_get(metrics, "/healthz").0, 200);
    assert_eq!(running.answer(), "ok 1500");
    assert_eq!(queued.answer(), "ok 100");
    let (status, stderr) = pool.wait(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{stderr}");
    // Structured logs: every stderr line is a JSON object with a level.
    assert!(
        stderr
            .lines()
            .all(|line| line.starts_with('{') && line.contains("\"level\":")),
        "{stderr}"
    );
}

#[test]
fn answers_jobs_from_several_clients() {
    let pool = Pool::start(&[("CONCURRENCY", "2")]);
    let mut first = pool.connect();
    let mut second = pool.connect();
    assert_eq!(first.ask("primes 100"), "ok 25");
    assert_eq!(second.ask("primes 1000"), "ok 168");
    assert_eq!(first.ask("spin 10"), "ok 10");
    assert!(second.ask("fly 3").starts_with("error "));
}

#[test]
fn a_job_over_its_timeout_is_answered_timeout_and_its_slot_comes_back() {
    let pool = Pool::start(&[("CONCURRENCY", "1"), ("JOB_TIMEOUT_MS", "200")]);
    let mut client = pool.connect();
    let started = Instant::now();
    assert_eq!(client.ask("spin 60000"), "timeout");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(
        client.ask("primes 10"),
        "ok 4",
        "the only slot was released"
    );
}

#[test]
fn sigterm_finishes_accepted_jobs_then_exits_0() {
    let pool = Pool::start(&[("CONCURRENCY", "1")]);
    let mut running = pool.connect();
    let mut queued = pool.connect();
    running.send("spin 1500");
    pool.wait_for_stats("accepted=1 queued=0");
    queued.send("spin 100");
    pool.wait_for_stats("accepted=2 queued=1");
    pool.signal(libc::SIGTERM);
    assert_eq!(running.answer(), "ok 1500");
    assert_eq!(
        queued.answer(),
        "ok 100",
        "a queued job is accepted, so it runs"
    );
    let (status, stderr) = pool.wait(Duration::from_secs(5));
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("accepted=2 completed=2 timed_out=0 failed=0 skipped=0"),
        "{stderr}"
    );
}

#[test]
fn exits_1_when_jobs_outlive_the_shutdown_deadline() {
    let pool = Pool::start(&[("SHUTDOWN_TIMEOUT_MS", "200"), ("JOB_TIMEOUT_MS", "60000")]);
    let mut client = pool.connect();
    client.send("spin 5000");
    pool.wait_for_stats("accepted=1 queued=0");
    pool.signal(libc::SIGINT);
    let (status, stderr) = pool.wait(Duration::from_secs(3));
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("deadline"), "{stderr}");
}

#[test]
fn a_second_sigterm_exits_at_once_with_143() {
    let pool = Pool::start(&[("JOB_TIMEOUT_MS", "60000")]);
    let mut client = pool.connect();
    client.send("spin 5000");
    pool.wait_for_stats("accepted=1 queued=0");
    pool.signal(libc::SIGTERM);
    // The listener closes once the first signal was handled.
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(pool.addr).is_ok() {
        assert!(Instant::now() < deadline, "the listener never closed");
        thread::sleep(Duration::from_millis(10));
    }
    pool.signal(libc::SIGTERM);
    let (status, stderr) = pool.wait(Duration::from_secs(2));
    assert_eq!(status.code(), Some(143), "{stderr}");
}
