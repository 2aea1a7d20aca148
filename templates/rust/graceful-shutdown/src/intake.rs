//! The intake: producers connect over TCP and send items, one per line; each item is answered
//! `queued` once it is in the bounded queue. When the queue is full, the send waits, the
//! connection stops reading, and TCP pushes back on the producer.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

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
    queue: mpsc::Sender<String>,
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
    queue: mpsc::Sender<String>,
    idle_timeout: Duration,
    stop: CancellationToken,
) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    loop {
        line.clear();
        let read = tokio::select! {
            _ = stop.cancelled() => return Ok(()),
            read = timeout(idle_timeout, read_line(&mut reader, &mut line)) => read,
        };
        match read {
            Err(_) | Ok(Ok(0)) => return Ok(()),
            Ok(Err(error)) => return Err(error),
            Ok(Ok(_)) => {}
        }
        let item = line.trim();
        if item.is_empty() {
            continue;
        }
        tokio::select! {
            _ = stop.cancelled() => return Ok(()),
            sent = queue.send(item.to_owned()) => {
                if sent.is_err() {
                    return Ok(());
                }
            }
        }
        match timeout(WRITE_TIMEOUT, writer.write_all(b"queued\n")).await {
            Ok(written) => written?,
            Err(_) => return Ok(()),
        }
    }
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
