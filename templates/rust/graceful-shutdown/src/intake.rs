//! The intake: producers connect over TCP and send items, one per line; each item is answered
//! `recorded` once the consumer has it in the journal (synced), `failed <reason>`, or `refused
//! shutting down` (send it again) when the service stops before handling it. When the queue is full, the send waits, the
//! connection stops reading, and TCP pushes back on the producer.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::task::JoinSet;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

use crate::consumer::Item;

/// An item longer than this is refused rather than buffered.
const MAX_LINE_BYTES: usize = 16 * 1024;
/// A producer that does not read its acknowledgements is dropped after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy)]
pub struct IntakeSettings {
    pub max_connections: usize,
    pub idle_timeout: Duration,
}

/// Accepts producers until `stop` is cancelled, then waits for their readers to finish. Every
/// queue sender is dropped when this returns, so the consumer sees the queue close.
pub async fn run(
    listener: TcpListener,
    queue: mpsc::Sender<Item>,
    settings: IntakeSettings,
    stop: CancellationToken,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(settings.max_connections));
    let mut producers = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            // Waiting for a slot before accepting leaves extra producers in the listen backlog.
            accepted = async {
                let slot = slots.clone().acquire_owned().await;
                (slot, listener.accept().await)
            } => match accepted {
                (Ok(slot), Ok((stream, _peer))) => {
                    let reader = read_items(stream, queue.clone(), settings.idle_timeout, stop.clone());
                    producers.spawn(async move {
                        let _slot = slot;
                        reader.await
                    });
                }
                (_, Err(error)) => {
                    // Usually EMFILE: out of file descriptors. Pause instead of spinning on it.
                    eprintln!("accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                (Err(_), _) => unreachable!("the connection semaphore is never closed"),
            },
            Some(finished) = producers.join_next(), if !producers.is_empty() => {
                if let Ok(Err(error)) = finished {
                    eprintln!("producer connection ended: {error}");
                }
            }
        }
    }
    drop(listener);
    // The readers watch the same token; wait for them so no queue sender outlives the intake.
    while producers.join_next().await.is_some() {}
    Ok(())
}

async fn read_items(
    stream: TcpStream,
    queue: mpsc::Sender<Item>,
    idle_timeout: Duration,
    stop: CancellationToken,
) -> io::Result<()> {
    let (reader, writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    // Answers go out in request order from their own task, so a producer can pipeline: the
    // reader keeps queueing while earlier items are still being handled.
    let (answers, pending) = mpsc::channel(PIPELINE_DEPTH);
    let unanswered = Arc::new(AtomicUsize::new(0));
    let answering = tokio::spawn(write_answers(writer, pending, unanswered.clone()));
    let answers = Answers {
        sender: answers,
        unanswered,
    };
    let mut line = String::new();
    let read_result = loop {
        line.clear();
        let read = tokio::select! {
            biased;
            _ = stop.cancelled() => break refuse_pipelined(&mut reader, &answers).await,
            read = timeout(idle_timeout, read_line(&mut reader, &mut line)) => read,
        };
        match read {
            Err(_) | Ok(Ok(0)) => break Ok(()),
            Ok(Err(error)) => break Err(error),
            Ok(Ok(_)) => {}
        }
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let (ack, acked) = oneshot::channel();
        let item = Item {
            text: text.to_owned(),
            ack,
        };
        let answer = tokio::select! {
            biased;
            // Intake stopped while the queue was full: this item is refused, not dropped.
            _ = stop.cancelled() => Answer::Refused,
            sent = queue.send(item) => match sent {
                Ok(()) => Answer::Pending(acked),
                Err(_) => Answer::Refused,
            },
        };
        let refused = matches!(answer, Answer::Refused);
        if answers.send(answer).await.is_err() {
            break Ok(());
        }
        if refused {
            break refuse_pipelined(&mut reader, &answers).await;
        }
    };
    drop(answers);
    // Every item this connection queued is answered before it closes.
    let written = answering.await.map_err(io::Error::other)?;
    read_result.and(written)
}

/// How many answers a connection may have outstanding before its reader waits.
const PIPELINE_DEPTH: usize = 32;
/// At shutdown, lines already sent are refused until none arrives for this long...
const PIPELINE_QUIET: Duration = Duration::from_millis(50);
/// ...or this many were refused.
const MAX_REFUSED_AT_SHUTDOWN: usize = 10_000;

enum Answer {
    /// Queued: answered `recorded` once the consumer has it on disk, `failed <reason>` if not,
    /// `refused` if the consumer stopped before it (the deadline).
    Pending(oneshot::Receiver<Result<(), String>>),
    Refused,
}

/// The reader's end of the answer queue, counting answers not yet written.
struct Answers {
    sender: mpsc::Sender<Answer>,
    unanswered: Arc<AtomicUsize>,
}

impl Answers {
    async fn send(&self, answer: Answer) -> Result<(), ()> {
        self.unanswered.fetch_add(1, Ordering::SeqCst);
        self.sender.send(answer).await.map_err(|_| ())
    }
}

async fn write_answers(
    mut writer: OwnedWriteHalf,
    mut pending: mpsc::Receiver<Answer>,
    unanswered: Arc<AtomicUsize>,
) -> io::Result<()> {
    while let Some(answer) = pending.recv().await {
        let line = match answer {
            Answer::Pending(acked) => match acked.await {
                Ok(Ok(())) => "recorded\n".to_owned(),
                Ok(Err(reason)) => format!("failed {reason}\n"),
                Err(_) => "refused shutting down\n".to_owned(),
            },
            Answer::Refused => "refused shutting down\n".to_owned(),
        };
        match timeout(WRITE_TIMEOUT, writer.write_all(line.as_bytes())).await {
            Ok(written) => written?,
            // The producer stopped reading: its remaining answers cannot reach it.
            Err(_) => return Ok(()),
        }
        unanswered.fetch_sub(1, Ordering::SeqCst);
    }
    writer.shutdown().await
}

/// Lines the producer sends after intake stopped are answered `refused shutting down`, so it
/// knows to send them again. A producer may still send while the answers to its earlier items
/// are on their way, so this keeps refusing until every answer is written and the line has been
/// quiet for a moment (within a bound).
async fn refuse_pipelined<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    answers: &Answers,
) -> io::Result<()> {
    let mut line = String::new();
    for _ in 0..MAX_REFUSED_AT_SHUTDOWN {
        line.clear();
        match timeout(PIPELINE_QUIET, read_line(reader, &mut line)).await {
            Ok(Ok(read)) if read > 0 && line.ends_with('\n') => {
                if !line.trim().is_empty() && answers.send(Answer::Refused).await.is_err() {
                    break;
                }
            }
            Err(_) if answers.unanswered.load(Ordering::SeqCst) > 0 => continue,
            _ => break,
        }
    }
    Ok(())
}

/// `read_line` with a length limit, so one endless line cannot exhaust memory.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut String,
) -> io::Result<usize> {
    let read = (&mut *reader)
        .take(MAX_LINE_BYTES as u64)
        .read_line(line)
        .await?;
    if read == MAX_LINE_BYTES && !line.ends_with('\n') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "item longer than 16 KiB",
        ));
    }
    Ok(read)
}
