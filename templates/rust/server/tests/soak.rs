//! Soak: the compiled server under keep-alive HTTP/1.1 clients looping `POST /echo`, SIGTERM in
//! the middle. Every request must be answered in full (200, or 503 + Retry-After) or refused
//! before it reached the server (a refused connection, or a new connection closed before any
//! answer); no kept-alive connection may be closed under a request; the process must exit 0
//! within READINESS_DRAIN_DELAY_MS + SHUTDOWN_TIMEOUT_MS. `SOAK_SECONDS` (default 3) sets how
//! long the load runs.
//!
//!     cargo test --test soak -- --nocapture
//!
//! Last line: `soak: N accepted, M refused, 0 lost, exit 0 after X ms`.

#![cfg(unix)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const CLIENTS: usize = 8;
/// The default readiness window. It is also what keeps a kept-alive client from sending a request
/// on a connection the drain is closing: every answer in the window says `Connection: close`, so
/// only a client thread stalled for this whole window between two requests could still hit that
/// race (which HTTP/1.1 leaves to the client's retry). A loaded 2-core CI runner can stall a
/// thread for half a second; two seconds leaves a wide margin.
const READINESS_DRAIN_DELAY_MS: u64 = 2_000;
const SHUTDOWN_TIMEOUT_MS: u64 = 5_000;
/// Answers every client must have had before the signal: SIGTERM goes out only once the load is
/// seen running on every client, however slowly a loaded CI machine starts the threads.
const WARM_UP_ANSWERS: u64 = 10;

#[derive(Default, Debug)]
struct Tally {
    accepted: u64,
    refused: u64,
    lost: u64,
    problems: Vec<String>,
}

enum Outcome {
    Answered { close: bool },
    Refused,
    Lost(String),
}

/// One request on `stream`; `reused` says whether the connection already carried one.
fn exchange(stream: &mut BufReader<TcpStream>, body: &str, reused: bool) -> Outcome {
    let head = format!(
        "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    if let Err(error) = stream.get_mut().write_all((head + body).as_bytes()) {
        return if reused {
            Outcome::Lost(format!("write on a kept-alive connection: {error}"))
        } else {
            Outcome::Refused
        };
    }
    let mut status_line = String::new();
    match stream.read_line(&mut status_line) {
        Ok(0) | Err(_) if !reused => return Outcome::Refused,
        Ok(0) => return Outcome::Lost("a kept-alive connection closed under a request".into()),
        Err(error) => return Outcome::Lost(format!("read on a kept-alive connection: {error}")),
        Ok(_) => {}
    }
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let (mut length, mut close, mut retry_after) = (0usize, false, false);
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).unwrap_or(0) == 0 {
            return Outcome::Lost(format!("response cut in its head ({status})"));
        }
        let header = line.trim_end().to_ascii_lowercase();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        } else if header == "connection: close" {
            close = true;
        } else if header.starts_with("retry-after:") {
            retry_after = true;
        }
    }
    let mut payload = vec![0; length];
    if stream.read_exact(&mut payload).is_err() {
        return Outcome::Lost(format!("response body cut ({status})"));
    }
    match status {
        200 if String::from_utf8_lossy(&payload).contains(body) => Outcome::Answered { close },
        503 if retry_after => Outcome::Refused,
        other => Outcome::Lost(format!("status {other}")),
    }
}

fn client(id: usize, addr: SocketAddr, stop: Arc<AtomicBool>, answered: Arc<AtomicU64>) -> Tally {
    let mut tally = Tally::default();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let stream = match TcpStream::connect(addr) {
            Ok(stream) => stream,
            // Refused, or reset during the handshake as the listener closes: either way nothing was
            // sent, so nothing reached the server (the module comment's "refused before it reached
            // the server").
            Err(error)
                if matches!(
                    error.kind(),
                    ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset
                ) =>
            {
                tally.refused += 1;
                thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(error) => {
                tally.problems.push(format!("connect: {error}"));
                return tally;
            }
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut stream = BufReader::new(stream);
        let mut reused = false;
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            match exchange(
                &mut stream,
                &format!("{{\"client\":{id},\"n\":{n}}}"),
                reused,
            ) {
                Outcome::Answered { close } => {
                    tally.accepted += 1;
                    answered.fetch_add(1, Ordering::SeqCst);
                    if close {
                        break;
                    }
                    reused = true;
                }
                Outcome::Refused => {
                    tally.refused += 1;
                    thread::sleep(Duration::from_millis(50));
                    break;
                }
                Outcome::Lost(problem) => {
                    tally.lost += 1;
                    tally.problems.push(problem);
                    break;
                }
            }
        }
    }
    tally
}

#[test]
fn soak_sigterm_under_keep_alive_load_loses_nothing() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(3);
    let mut child = Command::new(env!("CARGO_BIN_EXE_asyncpat-server"))
        .env("BIND_ADDR", "127.0.0.1:0")
        .env(
            "READINESS_DRAIN_DELAY_MS",
            READINESS_DRAIN_DELAY_MS.to_string(),
        )
        .env("SHUTDOWN_TIMEOUT_MS", SHUTDOWN_TIMEOUT_MS.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .expect("the server prints its address");
    let addr: SocketAddr = first
        .trim()
        .strip_prefix("listening on ")
        .expect("a listening line")
        .parse()
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let answered: Vec<_> = (0..CLIENTS).map(|_| Arc::new(AtomicU64::new(0))).collect();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| {
            let stop = stop.clone();
            let answered = answered[id].clone();
            thread::spawn(move || client(id, addr, stop, answered))
        })
        .collect();
    // Run the load for SOAK_SECONDS, and in any case until every client is seen getting answers:
    // a fixed sleep alone could signal before a starved client thread had even connected.
    let started = Instant::now();
    loop {
        let warm = answered
            .iter()
            .all(|count| count.load(Ordering::SeqCst) >= WARM_UP_ANSWERS);
        if warm && started.elapsed() >= Duration::from_secs(seconds) {
            break;
        }
        if started.elapsed() > Duration::from_secs(seconds + 120) {
            let _ = child.kill();
            panic!("the load never got going: answers per client {answered:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let signalled = Instant::now();
    // SAFETY: kill has no memory-safety preconditions; the pid is our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let limit = Duration::from_millis(READINESS_DRAIN_DELAY_MS + SHUTDOWN_TIMEOUT_MS);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > limit + Duration::from_secs(5) {
            let _ = child.kill();
            panic!("the server did not exit within its shutdown deadline");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let exit_ms = signalled.elapsed().as_millis();
    stop.store(true, Ordering::Relaxed);
    let mut total = Tally::default();
    for handle in clients {
        let tally = handle.join().expect("a client panicked");
        total.accepted += tally.accepted;
        total.refused += tally.refused;
        total.lost += tally.lost;
        total.problems.extend(tally.problems);
    }
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let code = status
        .code()
        .map_or_else(|| format!("{status}"), |code| code.to_string());
    println!("soak: {CLIENTS} keep-alive clients");
    println!(
        "soak: {} accepted, {} refused, {} lost, exit {code} after {exit_ms} ms",
        total.accepted, total.refused, total.lost
    );
    assert!(total.problems.is_empty(), "problems: {:?}", total.problems);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(exit_ms <= limit.as_millis(), "exit took {exit_ms} ms");
    assert!(
        total.accepted >= WARM_UP_ANSWERS * CLIENTS as u64,
        "the load did not run: {total:?}"
    );
}
