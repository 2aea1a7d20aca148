//! The intake: producers connect over TCP and send items, one per line; each item is answered
//! `recorded` once the consumer has it in the journal (synced), `failed <reason>`, or `refused
//! shutting down` (send it again) when the service stops before handling it. When the queue is full, the send waits, the
//! connection stops reading, and TCP pushes back on the producer.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::task::JoinSet;
use tokio::time::timeout;
use tokio_stream::StreamExt;
use tokio_util::codec::{FramedRead, LinesCodec, LinesCodecError};
use tokio_util::sync::CancellationToken;

use crate::consumer::Item;
use crate::metrics::Metrics;

/// An item longer than this ends the connection rather than being buffered: the codec's maximum
/// frame length.
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
    metrics: Arc<Metrics>,
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
                    let reader = read_items(stream, queue.clone(), settings.idle_timeout, stop.clone(), metrics.clone());
                    producers.spawn(async move {
                        let _slot = slot;
                        reader.await
                    });
                }
                (_, Err(error)) => {
                    // Usually EMFILE: out of file descriptors. Pause instead of spinning on it.
                    tracing::warn!("accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                (Err(_), _) => unreachable!("the connection semaphore is never closed"),
            },
            Some(finished) = producers.join_next(), if !producers.is_empty() => {
                if let Ok(Err(error)) = finished {
                    tracing::warn!("producer connection ended: {error}");
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
    metrics: Arc<Metrics>,
) -> io::Result<()> {
    let (reader, writer) = stream.into_split();
    // Lines are framed by `LinesCodec` with a maximum length. `FramedRead::next()` is
    // cancel-safe: when the stop branch of a `select!` (or the quiet window at shutdown) wins
    // while a line is half read, its bytes stay in the codec's buffer and the line is answered
    // whole later. `read_line` would drop them, and that item would get no answer at all.
    let mut reader = FramedRead::new(reader, LinesCodec::new_with_max_length(MAX_LINE_BYTES));
    // Answers go out in request order from their own task, so a producer can pipeline: the
    // reader keeps queueing while earlier items are still being handled.
    let (answers, pending) = mpsc::channel(PIPELINE_DEPTH);
    let unanswered = Arc::new(AtomicUsize::new(0));
    let told = Arc::new(AtomicBool::new(false));
    let answering = tokio::spawn(write_answers(
        writer,
        pending,
        AnswerCounts {
            unanswered: unanswered.clone(),
            told: told.clone(),
        },
        metrics.clone(),
    ));
    let answers = Answers {
        sender: answers,
        unanswered,
        told,
    };
    let read_result = loop {
        let read = tokio::select! {
            biased;
            _ = stop.cancelled() => break refuse_pipelined(&mut reader, &answers).await,
            read = timeout(idle_timeout, reader.next()) => read,
        };
        let line = match read {
            Err(_) | Ok(None) => break Ok(()),
            Ok(Some(Err(error))) => break Err(frame_error(error)),
            Ok(Some(Ok(line))) => line,
        };
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let (ack, acked) = oneshot::channel();
        let item = Item {
            text: text.to_owned(),
            ack,
        };
        // Counted as queued before the send, so the consumer never takes it off the gauge first.
        metrics.queued.inc();
        let answer = tokio::select! {
            biased;
            // Intake stopped while the queue was full: this item is refused, not dropped.
            _ = stop.cancelled() => Answer::Refused,
            sent = queue.send(item) => match sent {
                Ok(()) => {
                    metrics.accepted.inc();
                    Answer::Pending(acked)
                }
                Err(_) => Answer::Refused,
            },
        };
        if matches!(answer, Answer::Refused) {
            metrics.queued.dec();
        }
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
/// ...or this many were refused. A producer not refused yet gets this long to send one more
/// line (it is told to stop by that refusal) before its connection closes.
const MAX_REFUSED_AT_SHUTDOWN: usize = 10_000;
const PRODUCER_GRACE: Duration = Duration::from_secs(1);

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
    /// A `refused` answer was written: the producer knows the service is stopping.
    told: Arc<AtomicBool>,
}

/// What the writer shares with the reader: answers not yet written, and whether a refusal was.
struct AnswerCounts {
    unanswered: Arc<AtomicUsize>,
    told: Arc<AtomicBool>,
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
    counts: AnswerCounts,
    metrics: Arc<Metrics>,
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
        let refused = line.starts_with("refused");
        match timeout(WRITE_TIMEOUT, writer.write_all(line.as_bytes())).await {
            Ok(written) => written?,
            // The producer stopped reading: its remaining answers cannot reach it.
            Err(_) => return Ok(()),
        }
        if refused {
            metrics.refused.inc();
            counts.told.store(true, Ordering::SeqCst);
        }
        counts.unanswered.fetch_sub(1, Ordering::SeqCst);
    }
    writer.shutdown().await
}

/// Lines the producer sends after intake stopped are answered `refused shutting down`, so it
/// knows to send them again. A producer may still send while the answers to its earlier items
/// are on their way, so this keeps refusing until every answer is written and the line has been
/// quiet for a moment (within a bound).
async fn refuse_pipelined<R: AsyncRead + Unpin>(
    reader: &mut FramedRead<R, LinesCodec>,
    answers: &Answers,
) -> io::Result<()> {
    let mut silent = Duration::ZERO;
    for _ in 0..MAX_REFUSED_AT_SHUTDOWN {
        match timeout(PIPELINE_QUIET, reader.next()).await {
            Ok(Some(Ok(line))) => {
                silent = Duration::ZERO;
                if line.trim().is_empty() {
                    continue;
                }
                if answers.send(Answer::Refused).await.is_err() {
                    break;
                }
            }
            Err(_) if answers.unanswered.load(Ordering::SeqCst) > 0 => continue,
            // Every answer is written, but this producer has not been refused yet: it may be
            // about to send its next line in reply to the last answer (a busy machine can take a
            // while to schedule it). Closing now would leave that line unanswered.
            Err(_) if !answers.told.load(Ordering::SeqCst) && silent < PRODUCER_GRACE => {
                silent += PIPELINE_QUIET
            }
            _ => break,
        }
    }
    Ok(())
}

fn frame_error(error: LinesCodecError) -> io::Error {
    match error {
        LinesCodecError::MaxLineLengthExceeded => {
            io::Error::new(io::ErrorKind::InvalidData, "item longer than 16 KiB")
        }
        LinesCodecError::Io(error) => error,
    }
}
