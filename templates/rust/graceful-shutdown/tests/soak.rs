//! Soak: the compiled service under load from producers that pipeline items over TCP, SIGTERM in
//! the middle. Every item a producer sent must be answered: `recorded` (and then be in the
//! journal), or `refused` (retryable); no item may go unanswered or fail; the process must exit 0
//! within SHUTDOWN_TIMEOUT_MS. `SOAK_SECONDS` (default 3) sets how long the load runs.
//!
//!     cargo test --test soak -- --nocapture
//!     SOAK_SECONDS=60 cargo test --release --test soak -- --nocapture
//!
//! Last line: `soak: N accepted, M refused, 0 lost, exit 0 after X ms`.

#![cfg(unix)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const CLIENTS: usize = 6;
const MARK: &str = "soak-item";
/// Lines each client keeps in flight (pipelined) before it waits for an answer.
const WINDOW: usize = 4;
const SHUTDOWN_TIMEOUT_MS: u64 = 10_000;

#[derive(Default, Debug)]
struct Tally {
    accepted: u64,
    refused: u64,
    recorded: Vec<String>,
    lost: u64,
    problems: Vec<String>,
}

fn client(id: usize, addr: SocketAddr, stop: Arc<AtomicBool>) -> Tally {
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
        let first = tally.accepted + tally.refused + tally.lost;
        let send = |writer: &mut TcpStream, sent: &mut u64| -> bool {
            let item = format!("{MARK}-{id}-{}\n", first + *sent);
            if writer.write_all(item.as_bytes()).is_err() {
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
            if answer == "recorded" {
                tally.accepted += 1;
                tally
                    .recorded
                    .push(format!("{MARK}-{id}-{}", first + answered - 1));
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
    let journal = std::env::temp_dir().join(format!("soak-journal-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&journal);
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(3);
    let mut child = Command::new(env!("CARGO_BIN_EXE_asyncpat-graceful-shutdown"))
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("ITEM_DELAY_MS", "1")
        .env("QUEUE_CAPACITY", "16")
        .env("JOURNAL_PATH", &journal)
        .env("SHUTDOWN_TIMEOUT_MS", SHUTDOWN_TIMEOUT_MS.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the service binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .expect("the service prints its address");
    let addr: SocketAddr = first
        .trim()
        .strip_prefix("listening on ")
        .expect("a listening line")
        .parse()
        .unwrap();
    // Keep reading stdout so the service never blocks on a full pipe.
    let stdout_lines =
        thread::spawn(move || stdout.lines().map_while(Result::ok).collect::<Vec<_>>());

    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| {
            let stop = stop.clone();
            thread::spawn(move || client(id, addr, stop))
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
            panic!("the service did not exit within its shutdown deadline");
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
        total.recorded.extend(tally.recorded);
        total.problems.extend(tally.problems);
    }
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let out = stdout_lines.join().unwrap();
    let written = std::fs::read_to_string(&journal).unwrap_or_default();
    let journaled: HashSet<&str> = written.lines().collect();
    let missing = total
        .recorded
        .iter()
        .filter(|item| !journaled.contains(item.as_str()))
        .count() as u64;
    if missing > 0 {
        total.problems.push(format!(
            "{missing} items answered `recorded` are not in the journal"
        ));
        total.lost += missing;
    }
    let _ = std::fs::remove_file(&journal);
    let code = status
        .code()
        .map_or_else(|| format!("{status}"), |code| code.to_string());
    let drained = out
        .iter()
        .find_map(|line| line.split("shutdown: queue drained").nth(1))
        .map_or(String::new(), |rest| {
            let rest = rest.split('"').next().unwrap_or("");
            format!("shutdown: queue drained{rest}")
        });
    println!("soak: {CLIENTS} pipelining producers; {drained}");
    println!(
        "soak: {} accepted, {} refused, {} lost, exit {code} after {exit_ms} ms",
        total.accepted, total.refused, total.lost
    );
    assert!(total.problems.is_empty(), "problems: {:?}", total.problems);
    assert_eq!(total.lost, 0);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(total.accepted >= 20, "the load did not run: {total:?}");
    assert_eq!(
        journaled.len() as u64,
        total.accepted,
        "the journal holds exactly the recorded items"
    );
}
