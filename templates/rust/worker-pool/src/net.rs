//! The line protocol clients use to submit jobs over TCP.
//!
//! Each request line (`primes <n>` or `spin <ms>`) gets one answer line: `ok <result>`,
//! `timeout`, `error <reason>` or `refused <reason>`.

use std::time::Duration;

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::time::timeout;

use crate::pool::{Outcome, Submitter};
use crate::shutdown::Shutdown;
use crate::work::Work;

/// A request line longer than this is refused rather than buffered.
const MAX_LINE_BYTES: usize = 1024;
/// A client that stops reading its answers is dropped after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one connection until the client leaves, goes idle, or shutdown begins. A job already
/// submitted is always answered before the connection closes.
pub async fn serve<S>(
    stream: S,
    submitter: Submitter,
    idle_timeout: Duration,
    mut shutdown: Shutdown,
) -> std::io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    loop {
        line.clear();
        let read = tokio::select! {
            _ = shutdown.wait() => return Ok(()),
            read = timeout(idle_timeout, read_line(&mut reader, &mut line)) => read,
        };
        let answer = match read {
            Err(_) => return Ok(()),
            Ok(Err(error)) => return Err(error),
            Ok(Ok(0)) => return Ok(()),
            Ok(Ok(_)) => answer(&submitter, line.trim()).await,
        };
        match timeout(WRITE_TIMEOUT, writer.write_all(answer.as_bytes())).await {
            Ok(result) => result?,
            Err(_) => return Ok(()),
        }
    }
}

async fn answer(submitter: &Submitter, request: &str) -> String {
    let work = match Work::parse(request) {
        Ok(work) => work,
        Err(reason) => return format!("error {reason}\n"),
    };
    match submitter.submit(work).await {
        Ok(Outcome::Done(value)) => format!("ok {value}\n"),
        Ok(Outcome::TimedOut) => "timeout\n".to_owned(),
        Ok(Outcome::Failed(reason)) => format!("error {reason}\n"),
        Err(refused) => format!("refused {refused}\n"),
    }
}

/// `read_line` with a length limit, so one endless line cannot exhaust memory.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut String,
) -> std::io::Result<usize> {
    let read = (&mut *reader)
        .take(MAX_LINE_BYTES as u64)
        .read_line(line)
        .await?;
    if read == MAX_LINE_BYTES && !line.ends_with('\n') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "request line too long",
        ));
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
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
}
