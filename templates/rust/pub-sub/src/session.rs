//! One client connection, speaking a line protocol:
//!
//! | request | answer |
//! | --- | --- |
//! | `PUB <topic> <message>` | `OK <receivers>`: subscribers at send time (queued for, not yet read) |
//! | `GET <topic>` | `LATEST <topic> <message>` or `NONE <topic>` |
//! | `SUB <topic>` | `OK`, then `MSG <topic> <message>` per message and `LAGGED <n>` when `n` were missed |
//! | `WATCH <topic>` | `OK`, then `LATEST <topic> <message>` now and on every change (intermediate values may be skipped) |
//!
//! `SUB` and `WATCH` turn the connection into a stream until the client leaves or the server
//! stops (`BYE`). A stream with nothing to send for `HEARTBEAT_MS` sends `PING` (clients ignore
//! it): proxies and NAT tables keep an idle subscriber's connection, and a peer that stopped
//! reading is found by the write timeout even on a quiet topic. Errors are answered `ERR <reason>`.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadHalf};
use tokio::sync::{broadcast, watch};
use tokio::time::{interval_at, timeout, Instant, Interval, MissedTickBehavior};
use tokio_stream::wrappers::WatchStream;
use tokio_stream::StreamExt;
use tokio_util::codec::{FramedRead, LinesCodec, LinesCodecError};
use tokio_util::sync::CancellationToken;

use crate::broker::{Broker, Message};
use crate::metrics::Metrics;

/// A request line longer than this ends the connection rather than being buffered: the codec's
/// maximum frame length. (`FramedRead` is also cancel-safe in `select!`, where `read_line` would
/// lose a half-read line.)
const MAX_LINE_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    /// A client that sends no request for this long is disconnected (not while subscribed).
    pub idle_timeout: Duration,
    /// A subscriber that cannot take a line within this time is disconnected: it is too slow.
    pub write_timeout: Duration,
    /// A stream (`SUB`, `WATCH`) with nothing to send for this long sends `PING`.
    pub heartbeat: Duration,
}

/// Ticks once the stream has been quiet for `period`; `reset()` after each line sent.
fn heartbeat(period: Duration) -> Interval {
    let mut ticks = interval_at(Instant::now() + period, period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticks
}

pub async fn serve<S>(
    stream: S,
    broker: Broker,
    settings: SessionSettings,
    stop: CancellationToken,
) -> std::io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (reader, writer) = tokio::io::split(stream);
    let mut session = Session {
        reader: FramedRead::new(reader, LinesCodec::new_with_max_length(MAX_LINE_BYTES)),
        writer,
        settings,
        stop,
        metrics: broker.metrics(),
    };
    loop {
        let read = tokio::select! {
            biased;
            _ = session.stop.cancelled() => return session.send("BYE\n").await,
            read = timeout(settings.idle_timeout, session.reader.next()) => read,
        };
        let line = match read {
            Err(_) | Ok(None) => return Ok(()),
            Ok(Some(Err(error))) => return Err(frame_error(error)),
            Ok(Some(Ok(line))) => line,
        };
        let mut words = line.trim_end().splitn(3, ' ');
        let answer = match (words.next(), words.next(), words.next()) {
            (Some("PUB"), Some(topic), Some(message)) if valid(topic) => {
                match broker.publish(topic, message).await {
                    Ok(reached) => format!("OK {reached}\n"),
                    Err(error) => format!("ERR {error}\n"),
                }
            }
            (Some("GET"), Some(topic), None) if valid(topic) => match broker.latest(topic).await {
                Ok(Some(message)) => format!("LATEST {topic} {message}\n"),
                Ok(None) => format!("NONE {topic}\n"),
                Err(error) => format!("ERR {error}\n"),
            },
            (Some("SUB"), Some(topic), None) if valid(topic) => match broker.subscribe(topic).await
            {
                Ok(messages) => {
                    // A subscriber holds no broker handle: at shutdown the broker stops once the
                    // publishers are done, and the stream ends after its last message.
                    drop(broker);
                    return session.stream_messages(topic, messages).await;
                }
                Err(error) => format!("ERR {error}\n"),
            },
            (Some("WATCH"), Some(topic), None) if valid(topic) => match broker.watch(topic).await {
                Ok(latest) => return session.stream_latest(topic, latest).await,
                Err(error) => format!("ERR {error}\n"),
            },
            _ => "ERR expected PUB <topic> <message>, GET <topic>, SUB <topic> or WATCH <topic>\n"
                .to_owned(),
        };
        session.send(&answer).await?;
    }
}

fn valid(topic: &str) -> bool {
    !topic.is_empty() && topic.len() <= 128 && !topic.contains(char::is_whitespace)
}

struct Session<R, W> {
    reader: FramedRead<ReadHalf<R>, LinesCodec>,
    writer: W,
    settings: SessionSettings,
    stop: CancellationToken,
    metrics: Arc<Metrics>,
}

impl<R: AsyncRead, W: AsyncWrite + Unpin> Session<R, W> {
    /// Writes a line, or gives up on a client that does not read.
    async fn send(&mut self, line: &str) -> std::io::Result<()> {
        match timeout(
            self.settings.write_timeout,
            self.writer.write_all(line.as_bytes()),
        )
        .await
        {
            Ok(written) => written,
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "subscriber too slow; disconnected",
            )),
        }
    }

    /// Resolves when the client closes its side (lines it sends while subscribed are ignored).
    async fn client_gone(reader: &mut FramedRead<ReadHalf<R>, LinesCodec>) {
        while matches!(reader.next().await, Some(Ok(_))) {}
    }

    async fn stream_messages(
        &mut self,
        topic: &str,
        mut messages: broadcast::Receiver<Message>,
    ) -> std::io::Result<()> {
        self.metrics.subscribers_open.inc();
        let streamed = self.stream_topic(topic, &mut messages).await;
        self.metrics.subscribers_open.dec();
        streamed
    }

    async fn stream_topic(
        &mut self,
        topic: &str,
        messages: &mut broadcast::Receiver<Message>,
    ) -> std::io::Result<()> {
        self.send("OK\n").await?;
        let mut stopping = false;
        let mut quiet = heartbeat(self.settings.heartbeat);
        loop {
            let received = tokio::select! {
                biased;
                // At shutdown, keep going: messages published before the broker stopped are still
                // delivered, and `Closed` (the broker is gone) ends the stream with BYE.
                _ = self.stop.cancelled(), if !stopping => {
                    stopping = true;
                    continue;
                }
                _ = Self::client_gone(&mut self.reader) => return Ok(()),
                received = messages.recv() => Some(received),
                _ = quiet.tick() => None,
            };
            // A `match`, not `let ... else`: Debian's rustc 1.63 (the CI fallback) lacks let-else.
            let received = match received {
                Some(received) => received,
                None => {
                    self.send("PING\n").await?;
                    continue;
                }
            };
            quiet.reset();
            let line = match received {
                Ok(message) => format!("MSG {topic} {message}\n"),
                // The broadcast buffer moved on without us: say how much was lost, keep going.
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    self.metrics.lagged.inc_by(missed);
                    format!("LAGGED {missed}\n")
                }
                Err(broadcast::error::RecvError::Closed) => return self.send("BYE\n").await,
            };
            self.send(&line).await?;
        }
    }

    async fn stream_latest(
        &mut self,
        topic: &str,
        latest: watch::Receiver<Option<Message>>,
    ) -> std::io::Result<()> {
        self.send("OK\n").await?;
        // WatchStream yields the current value first, then each change (skipping any that were
        // overwritten before we looked: for state, only the newest matters).
        let mut changes = WatchStream::new(latest);
        let mut quiet = heartbeat(self.settings.heartbeat);
        loop {
            let value = tokio::select! {
                biased;
                _ = self.stop.cancelled() => return self.send("BYE\n").await,
                _ = Self::client_gone(&mut self.reader) => return Ok(()),
                value = changes.next() => value,
                _ = quiet.tick() => {
                    self.send("PING\n").await?;
                    continue;
                }
            };
            match value {
                Some(Some(message)) => {
                    quiet.reset();
                    self.send(&format!("LATEST {topic} {message}\n")).await?
                }
                Some(None) => {}
                None => return self.send("BYE\n").await,
            }
        }
    }
}

fn frame_error(error: LinesCodecError) -> std::io::Error {
    match error {
        LinesCodecError::MaxLineLengthExceeded => {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "request line too long")
        }
        LinesCodecError::Io(error) => error,
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncBufReadExt, BufReader, DuplexStream, WriteHalf};

    use super::*;

    struct Client {
        lines: tokio::io::Lines<BufReader<ReadHalf<DuplexStream>>>,
        writer: WriteHalf<DuplexStream>,
        session: tokio::task::JoinHandle<std::io::Result<()>>,
    }

    impl Client {
        async fn send(&mut self, line: &str) {
            self.writer
                .write_all(format!("{line}\n").as_bytes())
                .await
                .unwrap();
        }

        async fn line(&mut self) -> String {
            timeout(Duration::from_secs(2), self.lines.next_line())
                .await
                .unwrap()
                .unwrap()
                .unwrap()
        }
    }

    fn connect(broker: &Broker, stop: &CancellationToken, buffer: usize) -> Client {
        connect_with_heartbeat(broker, stop, buffer, Duration::from_secs(60))
    }

    fn connect_with_heartbeat(
        broker: &Broker,
        stop: &CancellationToken,
        buffer: usize,
        heartbeat: Duration,
    ) -> Client {
        let (client, server) = tokio::io::duplex(buffer);
        let settings = SessionSettings {
            idle_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(5),
            heartbeat,
        };
        let session = tokio::spawn(serve(server, broker.clone(), settings, stop.clone()));
        let (reader, writer) = tokio::io::split(client);
        Client {
            lines: BufReader::new(reader).lines(),
            writer,
            session,
        }
    }

    #[tokio::test]
    async fn a_quiet_stream_sends_ping_and_messages_still_arrive() {
        let (broker, _task) = Broker::start(8, 64, Duration::from_secs(1));
        let stop = CancellationToken::new();
        let beat = Duration::from_millis(50);
        let mut subscriber = connect_with_heartbeat(&broker, &stop, 4096, beat);
        subscriber.send("SUB news").await;
        assert_eq!(subscriber.line().await, "OK");
        assert_eq!(subscriber.line().await, "PING");
        let mut watcher = connect_with_heartbeat(&broker, &stop, 4096, beat);
        watcher.send("WATCH news").await;
        assert_eq!(watcher.line().await, "OK");
        assert_eq!(watcher.line().await, "PING");

        let mut publisher = connect(&broker, &stop, 4096);
        publisher.send("PUB news hi").await;
        assert_eq!(publisher.line().await, "OK 1");
        for client in [&mut subscriber, &mut watcher] {
            let mut line = client.line().await;
            while line == "PING" {
                line = client.line().await;
            }
            assert!(line == "MSG news hi" || line == "LATEST news hi", "{line}");
        }
        stop.cancel();
    }

    #[tokio::test]
    async fn publish_get_and_subscribe() {
        let (broker, _task) = Broker::start(8, 64, Duration::from_secs(1));
        let stop = CancellationToken::new();
        let mut subscriber = connect(&broker, &stop, 4096);
        subscriber.send("SUB news").await;
        assert_eq!(subscriber.line().await, "OK");

        let mut publisher = connect(&broker, &stop, 4096);
        publisher.send("PUB news hello world").await;
        assert_eq!(publisher.line().await, "OK 1");
        assert_eq!(subscriber.line().await, "MSG news hello world");
        publisher.send("GET news").await;
        assert_eq!(publisher.line().await, "LATEST news hello world");
        publisher.send("GET sport").await;
        assert_eq!(publisher.line().await, "NONE sport");
        publisher.send("SHOUT").await;
        assert!(publisher.line().await.starts_with("ERR "));

        // A message published as the shutdown begins still reaches the subscriber before its BYE.
        publisher.send("PUB news last words").await;
        assert_eq!(publisher.line().await, "OK 1");
        stop.cancel();
        drop(broker);
        assert_eq!(publisher.line().await, "BYE");
        assert_eq!(subscriber.line().await, "MSG news last words");
        assert_eq!(subscriber.line().await, "BYE");
        for session in [subscriber.session, publisher.session] {
            session.await.unwrap().unwrap();
        }
    }

    #[tokio::test]
    async fn a_subscriber_that_cannot_keep_up_is_told_it_lagged() {
        let (broker, _task) = Broker::start(4, 64, Duration::from_secs(1));
        let stop = CancellationToken::new();
        // A 64-byte pipe: the session blocks writing while the broadcast buffer overflows.
        let mut slow = connect(&broker, &stop, 64);
        slow.send("SUB ticks").await;
        assert_eq!(slow.line().await, "OK");
        for n in 0..50 {
            broker
                .publish("ticks", &format!("tick-{n:02}"))
                .await
                .unwrap();
        }
        let mut seen = Vec::new();
        loop {
            let line = slow.line().await;
            let last = line == "MSG ticks tick-49";
            seen.push(line);
            if last {
                break;
            }
        }
        assert!(
            seen.iter().any(|line| line.starts_with("LAGGED ")),
            "{seen:?}"
        );
        assert!(
            seen.len() < 50,
            "messages were dropped for the slow subscriber, not buffered"
        );
    }

    #[tokio::test]
    async fn watch_streams_the_latest_value() {
        let (broker, _task) = Broker::start(4, 64, Duration::from_secs(1));
        let stop = CancellationToken::new();
        broker.publish("config", "v1").await.unwrap();
        let mut watcher = connect(&broker, &stop, 4096);
        watcher.send("WATCH config").await;
        assert_eq!(watcher.line().await, "OK");
        assert_eq!(watcher.line().await, "LATEST config v1");
        broker.publish("config", "v2").await.unwrap();
        assert_eq!(watcher.line().await, "LATEST config v2");
    }

    #[tokio::test]
    async fn a_line_over_the_maximum_frame_length_ends_the_connection() {
        let (broker, _task) = Broker::start(4, 64, Duration::from_secs(1));
        let stop = CancellationToken::new();
        let mut client = connect(&broker, &stop, 256 * 1024);
        let long = "x".repeat(MAX_LINE_BYTES + 1);
        client.send(&format!("PUB news {long}")).await;
        let ended = timeout(Duration::from_secs(2), client.session)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            ended.unwrap_err().kind(),
            std::io::ErrorKind::InvalidData,
            "refused by the codec, never buffered whole"
        );
    }
}
