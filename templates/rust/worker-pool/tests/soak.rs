//! Soak: the compiled worker pool under load from clients that pipeline jobs over keep-alive TCP
//! connections, SIGTERM in the middle. Every line a client sent must be answered: `ok`, or
//! `refused` (retryable); no line may go unanswered and no job may fail; the process must exit 0
//! within SHUTDOWN_TIMEOUT_MS. `SOAK_SECONDS` (default 3) sets how long the load runs.
//!
//!     cargo test --test soak -- --nocapture
//!     SOAK_SECONDS=60 cargo test --release --test soak -- --nocapture
//!
//! Last line: `soak: N accepted, M refused, 0 lost, exit 0 after X ms`.

#![cfg(unix)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const CLIENTS: usize = 6;
/// Lines each client keeps in flight (pipelined) before it waits for an answer.
const WINDOW: usize = 4;
const SHUTDOWN_TIMEOUT_MS: u64 = 10_000;

#[derive(Default, Debug)]
struct Tally {
    accepted: u64,
    refused: u64,
    lost: u64,
    problems: Vec<String>,
}

fn client(addr: SocketAddr, stop: Arc<AtomicBool>) -> Tally {
    let mut tally = Tally::default();
    while !stop.load(Ordering::Relaxed) {
        let stream = match TcpStream::connect(addr) {
            Ok(stream) => stream,
            Err(error) if error.kind() == ErrorKind::ConnectionRefused => {
                // The listener is closed: never accepted, nothing to answer.
                tally.refused += 1;
                return tally;
            }
            Err(error) => {
                tally.problems.push(format!("connect: {error}"));
                tally.lost += 1;
                return tally;
            }
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut sent = 0u64;
        let mut answered = 0u64;
        let mut refusing = false;
        let send = |writer: &mut TcpStream, sent: &mut u64| -> bool {
            let n = 3_000 + (*sent % 7) * 500;
            if writer
                .write_all(format!("primes {n}\n").as_bytes())
                .is_err()
            {
                return false;
            }
            *sent += 1;
            true
        };
        for _ in 0..WINDOW {
            send(&mut writer, &mut sent);
        }
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) => {
                    tally.problems.push(format!("read: {error}"));
                    break;
                }
            }
            answered += 1;
            let answer = line.trim_end();
            if answer.starts_with("ok ") {
                tally.accepted += 1;
            } else if answer.starts_with("refused") {
                tally.refused += 1;
                refusing = true;
            } else {
                tally.problems.push(format!("answer {answer:?}"));
                tally.lost += 1;
            }
            // A refusal means the pool is shutting down: send nothing more on this connection.
            if !refusing && !stop.load(Ordering::Relaxed) && !send(&mut writer, &mut sent) {
                refusing = true;
            }
            if (refusing || stop.load(Ordering::Relaxed)) && answered == sent {
                break;
            }
        }
        if answered < sent {
            tally
                .problems
                .push(format!("{} lines sent got no answer", sent - answered));
            tally.lost += sent - answered;
        }
        if refusing {
            return tally;
        }
    }
    tally
}

#[test]
fn soak_sigterm_under_pipelined_load_loses_nothing() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(3);
    let mut child = Command::new(env!("CARGO_BIN_EXE_asyncpat-worker-pool"))
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("CONCURRENCY", "2")
        .env("QUEUE_CAPACITY", "16")
        .env("SHUTDOWN_TIMEOUT_MS", SHUTDOWN_TIMEOUT_MS.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the worker pool binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .expect("the pool prints its address");
    let addr: SocketAddr = first
        .trim()
        .strip_prefix("listening on ")
        .expect("a listening line")
        .parse()
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let stop = stop.clone();
            thread::spawn(move || client(addr, stop))
        })
        .collect();
    thread::sleep(Duration::from_secs(seconds));
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let signalled = Instant::now();
    // SAFETY: kill has no memory-safety preconditions; the pid is our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = signalled + Duration::from_millis(SHUTDOWN_TIMEOUT_MS + 5_000);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the pool did not exit within its shutdown deadline");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let exit_ms = signalled.elapsed().as_millis();
    stop.store(true, Ordering::Relaxed);
    let mut total = Tally::default();
    for handle in clients {
        let tally = handle.join().expect("a client thread panicked");
        total.accepted += tally.accepted;
        total.refused += tally.refused;
        total.lost += tally.lost;
        total.problems.extend(tally.problems);
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let code = status
        .code()
        .map_or_else(|| format!("{status}"), |code| code.to_string());
    println!(
        "soak: {CLIENTS} pipelining clients; pool: {}",
        stderr.lines().last().unwrap_or("")
    );
    println!(
        "soak: {} accepted, {} refused, {} lost, exit {code} after {exit_ms} ms",
        total.accepted, total.refused, total.lost
    );
    assert!(total.problems.is_empty(), "problems: {:?}", total.problems);
    assert_eq!(total.lost, 0);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(total.accepted >= 20, "the load did not run: {total:?}");
    let drained = stderr
        .lines()
        .find_map(|line| line.split("drained: accepted=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|count| count.parse::<u64>().ok())
        .expect("a drained line with the accepted count");
    assert_eq!(
        drained, total.accepted,
        "every job the pool accepted was answered ok"
    );
}
