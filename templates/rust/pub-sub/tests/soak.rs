//! Soak: the compiled broker under load from publishers on keep-alive TCP connections and
//! subscribers on a few topics, SIGTERM in the middle. Every `PUB` answered `OK` must reach every
//! subscriber of its topic before that subscriber's `BYE`; every other `PUB` must be refused in a
//! way a client can retry (`BYE` instead of an answer, `ERR ... try again`, or a refused
//! connection); the process must exit 0 within SHUTDOWN_TIMEOUT_MS. `SOAK_SECONDS` (default 3)
//! sets how long the load runs.
//!
//!     cargo test --test soak -- --nocapture
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

const TOPICS: [&str; 2] = ["soak-a", "soak-b"];
const SUBSCRIBERS_PER_TOPIC: usize = 3;
const PUBLISHERS: usize = 4;
const SHUTDOWN_TIMEOUT_MS: u64 = 10_000;
/// What each topic keeps for subscribers that fall behind. Lag is the broker's designed answer to
/// a slow subscriber (`LAGGED <n>`, covered by the unit tests); this soak is about the shutdown, so
/// the buffer holds more than a subscriber thread starved for seconds on a loaded CI machine can
/// fall behind (the default 128 is under 50 ms of this load), and any lag still fails the soak.
const TOPIC_CAPACITY: usize = 65_536;

#[derive(Default, Debug)]
struct Published {
    accepted: Vec<(usize, String)>,
    refused: u64,
    problems: Vec<String>,
}

fn publisher(id: usize, addr: SocketAddr, stop: Arc<AtomicBool>) -> Published {
    let mut published = Published::default();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let stream = match TcpStream::connect(addr) {
            Ok(stream) => stream,
            Err(error) if error.kind() == ErrorKind::ConnectionRefused => {
                published.refused += 1;
                return published;
            }
            Err(error) => {
                published.problems.push(format!("connect: {error}"));
                return published;
            }
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut answer = String::new();
        while !stop.load(Ordering::Relaxed) {
            let topic = n % TOPICS.len();
            let message = format!("p{id}-{n}");
            n += 1;
            if writer
                .write_all(format!("PUB {} {message}\n", TOPICS[topic]).as_bytes())
                .is_err()
            {
                published.refused += 1;
                return published;
            }
            answer.clear();
            match reader.read_line(&mut answer) {
                Ok(0) => {
                    published
                        .problems
                        .push(format!("{message}: connection closed without an answer"));
                    return published;
                }
                Ok(_) => {}
                Err(error) => {
                    published.problems.push(format!("{message}: {error}"));
                    return published;
                }
            }
            match answer.trim_end() {
                answer if answer.starts_with("OK ") => published.accepted.push((topic, message)),
                // The server is stopping: the request was not read; send it elsewhere.
                "BYE" => {
                    published.refused += 1;
                    return published;
                }
                answer if answer.starts_with("ERR ") && answer.ends_with("try again") => {
                    published.refused += 1;
                }
                other => published.problems.push(format!("{message}: {other:?}")),
            }
        }
    }
    published
}

struct Subscribed {
    topic: usize,
    received: HashSet<String>,
    lagged: u64,
    bye: bool,
}

fn subscribe(addr: SocketAddr, topic: usize) -> (BufReader<TcpStream>, TcpStream) {
    let stream = TcpStream::connect(addr).expect("subscribe");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    writer
        .write_all(format!("SUB {}\n", TOPICS[topic]).as_bytes())
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut ok = String::new();
    reader.read_line(&mut ok).unwrap();
    assert_eq!(ok, "OK\n");
    (reader, writer)
}

fn receive(topic: usize, mut reader: BufReader<TcpStream>, _writer: TcpStream) -> Subscribed {
    let mut subscribed = Subscribed {
        topic,
        received: HashSet::new(),
        lagged: 0,
        bye: false,
    };
    let prefix = format!("MSG {} ", TOPICS[topic]);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return subscribed,
            Ok(_) => {}
        }
        let line = line.trim_end();
        if let Some(message) = line.strip_prefix(&prefix) {
            subscribed.received.insert(message.to_owned());
        } else if let Some(missed) = line.strip_prefix("LAGGED ") {
            subscribed.lagged += missed.parse::<u64>().unwrap_or(1);
        } else if line == "BYE" {
            subscribed.bye = true;
            return subscribed;
        }
    }
}

#[test]
fn soak_sigterm_under_publish_and_subscribe_load_loses_nothing() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(3);
    let mut child = Command::new(env!("CARGO_BIN_EXE_asyncpat-pub-sub"))
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("SHUTDOWN_TIMEOUT_MS", SHUTDOWN_TIMEOUT_MS.to_string())
        .env("TOPIC_CAPACITY", TOPIC_CAPACITY.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the broker binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .expect("the broker prints its address");
    let addr: SocketAddr = first
        .trim()
        .strip_prefix("listening on ")
        .expect("a listening line")
        .parse()
        .unwrap();
    let drain_stdout = thread::spawn(move || stdout.lines().map_while(Result::ok).count());

    let subscribers: Vec<_> = (0..TOPICS.len() * SUBSCRIBERS_PER_TOPIC)
        .map(|n| {
            let topic = n % TOPICS.len();
            let (reader, writer) = subscribe(addr, topic);
            thread::spawn(move || receive(topic, reader, writer))
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let publishers: Vec<_> = (0..PUBLISHERS)
        .map(|id| {
            let stop = stop.clone();
            thread::spawn(move || publisher(id, addr, stop))
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
            panic!("the broker did not exit within its shutdown deadline");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let exit_ms = signalled.elapsed().as_millis();
    stop.store(true, Ordering::Relaxed);

    let mut accepted = Vec::new();
    let mut refused = 0;
    let mut problems = Vec::new();
    for handle in publishers {
        let published = handle.join().expect("a publisher panicked");
        accepted.extend(published.accepted);
        refused += published.refused;
        problems.extend(published.problems);
    }
    let mut lost = problems.len() as u64;
    for handle in subscribers {
        let subscribed = handle.join().expect("a subscriber panicked");
        let missing = accepted
            .iter()
            .filter(|(topic, message)| {
                *topic == subscribed.topic && !subscribed.received.contains(message)
            })
            .count() as u64;
        if missing > 0 {
            problems.push(format!(
                "a subscriber of {} missed {missing} accepted messages",
                TOPICS[subscribed.topic]
            ));
            lost += missing;
        }
        if subscribed.lagged > 0 {
            problems.push(format!("a subscriber lagged by {}", subscribed.lagged));
        }
        if !subscribed.bye {
            problems.push("a subscriber's stream ended without BYE".to_owned());
        }
    }
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let _ = drain_stdout.join();
    let code = status
        .code()
        .map_or_else(|| format!("{status}"), |code| code.to_string());
    println!(
        "soak: {PUBLISHERS} publishers, {} subscribers on {} topics",
        TOPICS.len() * SUBSCRIBERS_PER_TOPIC,
        TOPICS.len()
    );
    println!(
        "soak: {} accepted, {refused} refused, {lost} lost, exit {code} after {exit_ms} ms",
        accepted.len()
    );
    assert!(problems.is_empty(), "problems: {problems:?}");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(accepted.len() >= 100, "the load did not run");
}
