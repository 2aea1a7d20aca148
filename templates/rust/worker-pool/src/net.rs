//! The line protocol clients use to submit jobs over TCP.
//!
//! Each request line (`primes <n>` or `spin <ms>`) gets one answer line: `ok <result>`,
//! `timeout`, `error <reason>` or `refused <reason>`. `stats` answers
//! `stats accepted=<jobs accepted so far> queued=<jobs waiting for a slot>`.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::time::timeout;
use tokio_stream::StreamExt;
use tokio_util::codec::{FramedRead, LinesCodec, LinesCodecError};

use crate::pool::{Outcome, Submitter};
use crate::shutdown::Shutdown;
use crate::work::Work;

/// A request line longer than this ends the connection rather than being buffered: the codec's
/// maximum frame length.
const MAX_LINE_BYTES: usize = 1024;
/// At shutdown, lines already sent are refused until none arrives for this long...
const PIPELINE_QUIET: Duration = Duration::from_millis(50);
/// ...or this many were refused.
const MAX_REFUSED_AT_SHUTDOWN: usize = 10_000;
/// A client that stops reading its answers is dropped after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one connection until the client leaves, goes idle, or shutdown begins. A job already
/// submitted is always answered before the connection closes.
///
/// Requests are framed by `tokio_util::codec::LinesCodec` with a maximum length. Unlike
/// `read_line`, `FramedRead::next()` is cancel-safe: when the shutdown branch of the `select!`
/// wins while a line is half read, the bytes stay in the codec's buffer and the line is refused
/// whole in `refuse_pipelined`, never lost.
pub async fn serve<S>(
    stream: S,
    submitter: Submitter,
    idle_timeout: Duration,
    mut shutdown: Shutdown,
) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (reader, mut writer) = tokio::io::split(stream);
    let mut lines = FramedRead::new(reader, LinesCodec::new_with_max_length(MAX_LINE_BYTES));
    loop {
        let read = tokio::select! {
            biased;
            _ = shutdown.wait() => return refuse_pipelined(&mut lines, &mut writer, &submitter).await,
            read = timeout(idle_timeout, lines.next()) => read,
        };
        let answer = match read {
            Err(_) | Ok(None) => return Ok(()),
            Ok(Some(Err(error))) => return Err(frame_error(error)),
            Ok(Some(Ok(line))) => answer(&submitter, line.trim()).await,
        };
        match timeout(WRITE_TIMEOUT, writer.write_all(answer.as_bytes())).await {
            Ok(result) => result?,
            Err(_) => return Ok(()),
        }
    }
}

fn frame_error(error: LinesCodecError) -> io::Error {
    match error {
        LinesCodecError::MaxLineLengthExceeded => {
            io::Error::new(io::ErrorKind::InvalidData, "request line too long")
        }
        LinesCodecError::Io(error) => error,
    }
}

/// At shutdown, lines the client already sent (pipelined behind the one in progress) are answered
/// `refused shutting down` instead of being dropped with the connection: the client knows to
/// send them again elsewhere. Reads only what arrives without waiting, within a bound.
async fn refuse_pipelined<R, W>(
    lines: &mut FramedRead<R, LinesCodec>,
    writer: &mut W,
    submitter: &Submitter,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    for _ in 0..MAX_REFUSED_AT_SHUTDOWN {
        match timeout(PIPELINE_QUIET, lines.next()).await {
            Ok(Some(Ok(_line))) => {
                submitter.metrics().refused.inc();
                match timeout(WRITE_TIMEOUT, writer.write_all(b"refused shutting down\n")).await {
                    Ok(result) => result?,
                    Err(_) => return Ok(()),
                }
            }
            _ => break,
        }
    }
    writer.flush().await
}

async fn answer(submitter: &Submitter, request: &str) -> String {
    if request == "stats" {
        // Introspection for operators (and tests, which wait on it instead of sleeping).
        return format!(
            "stats accepted={} queued={}\n",
            submitter.accepted(),
            submitter.queued()
        );
    }
    let work = match Work::parse(request) {
        Ok(work) => work,
        Err(reason) => return format!("error {reason}\n"),
    };
    match submitter.submit(work).await {
        Ok(Outcome::Done(value)) => format!("ok {value}\n"),
        Ok(Outcome::TimedOut) => "timeout\n".to_owned(),
        Ok(Outcome::Failed(reason)) => format!("error {reason}\n"),
        Err(refused) => {
            submitter.metrics().refused.inc();
            format!("refused {refused}\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;
    use crate::pool::{self, PoolSettings};
    use crate::shutdown;

    #[tokio::test]
    async fn answers_each_request_line() {
        let (trigger, shutdown) = shutdown::channel();
        let settings = PoolSettings {
            concurrency: 1,
            queue_capacity: 2,
            job_timeout: Duration::from_secs(5),
        };
        let (submitter, _dispatcher) = pool::start(settings, shutdown.clone());
        let (client, server) = tokio::io::duplex(4096);
        let session = tokio::spawn(serve(server, submitter, Duration::from_secs(5), shutdown));

        let (mut from_server, mut to_server) = tokio::io::split(client);
        to_server
            .write_all(b"primes 100\nnonsense\n")
            .await
            .unwrap();
        to_server.shutdown().await.unwrap();
        let mut answers = String::new();
        from_server.read_to_string(&mut answers).await.unwrap();
        assert_eq!(
            answers,
            "ok 25\nerror expected \"primes <n>\" or \"spin <ms>\"\n"
        );
        session.await.unwrap().unwrap();
        trigger.fire();
    }

    #[tokio::test]
    async fn a_line_over_the_frame_limit_ends_the_connection_unbuffered() {
        let (trigger, shutdown) = shutdown::channel();
        let settings = PoolSettings {
            concurrency: 1,
            queue_capacity: 2,
            job_timeout: Duration::from_secs(5),
        };
        let (submitter, _dispatcher) = pool::start(settings, shutdown.clone());
        let (client, server) = tokio::io::duplex(64 * 1024);
        let session = tokio::spawn(serve(server, submitter, Duration::from_secs(5), shutdown));
        let (mut from_server, mut to_server) = tokio::io::split(client);
        to_server.write_all(b"primes 10\n").await.unwrap();
        let long = format!("primes {}\n", "9".repeat(MAX_LINE_BYTES * 2));
        // The session may close its end before the whole line is written.
        let _ = to_server.write_all(long.as_bytes()).await;
        let mut answers = String::new();
        from_server.read_to_string(&mut answers).await.unwrap();
        assert_eq!(answers, "ok 4\n", "the long line got no answer");
        let ended = session.await.unwrap();
        assert_eq!(
            ended.unwrap_err().kind(),
            io::ErrorKind::InvalidData,
            "refused by the codec's maximum frame length"
        );
        trigger.fire();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_shutdown_pipelined_lines_are_refused_not_dropped() {
        let (trigger, shutdown) = shutdown::channel();
        let settings = PoolSettings {
            concurrency: 1,
            queue_capacity: 2,
            job_timeout: Duration::from_secs(5),
        };
        let (submitter, _dispatcher) = pool::start(settings, shutdown.clone());
        let (client, server) = tokio::io::duplex(4096);
        let session = tokio::spawn(serve(
            server,
            submitter.clone(),
            Duration::from_secs(5),
            shutdown,
        ));
        let (mut from_server, mut to_server) = tokio::io::split(client);
        to_server
            .write_all(b"spin 300\nprimes 10\nprimes 20\n")
            .await
            .unwrap();
        // The first job is running; the other two lines wait behind it.
        timeout(Duration::from_secs(10), async {
            while submitter.accepted() < 1 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
        .await
        .unwrap();
        trigger.fire();
        let mut answers = String::new();
        timeout(
            Duration::from_secs(10),
            from_server.read_to_string(&mut answers),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            answers,
            "ok 300\nrefused shutting down\nrefused shutting down\n"
        );
        session.await.unwrap().unwrap();
    }
}
