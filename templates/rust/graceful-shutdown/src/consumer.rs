//! The consumer: drains the bounded queue one item at a time, records each in the journal, and
//! only then acknowledges it. It ends when the queue is closed *and* empty (the ordered drain), or
//! at once when the root token is cancelled (a failure, or the shutdown deadline): items it did not
//! record are then answered `refused`, never acknowledged.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::sync::{mpsc, oneshot};
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

use crate::metrics::Metrics;

/// One queued item and the channel its producer waits on: `Ok` once it is in the journal (synced
/// to disk), `Err(reason)` when it failed; dropped unanswered when the consumer was cancelled.
pub struct Item {
    pub text: String,
    pub ack: oneshot::Sender<Result<(), String>>,
}

#[derive(Debug, Clone, Copy)]
pub struct ConsumerSettings {
    /// Stands in for the real work on an item (a database write, an HTTP call...).
    pub item_delay: Duration,
    /// Deadline of the work on one item.
    pub item_timeout: Duration,
}

pub async fn run(
    mut items: mpsc::Receiver<Item>,
    mut journal: Journal,
    settings: ConsumerSettings,
    metrics: Arc<Metrics>,
    cancel: CancellationToken,
) -> io::Result<Journal> {
    loop {
        let item = tokio::select! {
            // Biased: once cancelled, no further item is started.
            biased;
            _ = cancel.cancelled() => break,
            item = items.recv() => match item {
                Some(item) => item,
                None => break,
            },
        };
        metrics.queued.dec();
        metrics.in_flight.inc();
        let handled = tokio::select! {
            biased;
            // Dropping the item drops its ack: the producer is told `refused`.
            _ = cancel.cancelled() => {
                metrics.in_flight.dec();
                break;
            }
            handled = timeout(settings.item_timeout, handle(&item.text, settings.item_delay)) => handled,
        };
        if handled.is_err() {
            metrics.in_flight.dec();
            metrics.timed_out.inc();
            let _ = item.ack.send(Err("timeout".to_owned()));
            tracing::warn!(item = %item.text, "timed out {}", item.text);
            continue;
        }
        let recorded = journal.record(&item.text).await;
        metrics.in_flight.dec();
        recorded?;
        metrics.processed.inc();
        tracing::info!("processed {}", item.text);
        // Acknowledged only now that the item is on disk; the producer may have left meanwhile.
        let _ = item.ack.send(Ok(()));
    }
    Ok(journal)
}

async fn handle(_item: &str, delay: Duration) {
    tokio::time::sleep(delay).await;
}

/// An append-only file of handled items: the resource closed last on shutdown.
pub struct Journal {
    file: Option<BufWriter<File>>,
}

impl Journal {
    pub async fn open(path: Option<&Path>) -> io::Result<Self> {
        let file = match path {
            Some(path) => Some(BufWriter::new(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .await?,
            )),
            None => None,
        };
        Ok(Journal { file })
    }

    async fn record(&mut self, item: &str) -> io::Result<()> {
        if let Some(file) = &mut self.file {
            file.write_all(item.as_bytes()).await?;
            file.write_all(b"\n").await?;
            file.flush().await?;
            // Synced per item: an acknowledged item survives a crash or a power cut.
            file.get_ref().sync_data().await?;
        }
        Ok(())
    }

    /// Flushes and syncs to disk; consumes the journal so nothing can write after closing.
    pub async fn close(self) -> io::Result<()> {
        if let Some(mut file) = self.file {
            file.flush().await?;
            file.get_ref().sync_all().await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(delay_ms: u64, timeout_ms: u64) -> ConsumerSettings {
        ConsumerSettings {
            item_delay: Duration::from_millis(delay_ms),
            item_timeout: Duration::from_millis(timeout_ms),
        }
    }

    async fn queue_item(
        queue: &mpsc::Sender<Item>,
        text: &str,
    ) -> oneshot::Receiver<Result<(), String>> {
        let (ack, acked) = oneshot::channel();
        let item = Item {
            text: text.to_owned(),
            ack,
        };
        assert!(queue.send(item).await.is_ok());
        acked
    }

    #[tokio::test]
    async fn drains_everything_queued_and_acknowledges_each_item_once_it_is_journaled() {
        let path = std::env::temp_dir().join(format!("journal-{}.log", std::process::id()));
        let _ = tokio::fs::remove_file(&path).await;
        let (queue, items) = mpsc::channel(4);
        let mut acks = Vec::new();
        for n in 0..3 {
            acks.push(queue_item(&queue, &format!("item-{n}")).await);
        }
        drop(queue);
        let metrics = Arc::new(Metrics::new());
        let journal = Journal::open(Some(&path)).await.unwrap();
        let journal = run(
            items,
            journal,
            settings(0, 1_000),
            metrics.clone(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
        journal.close().await.unwrap();
        for ack in acks {
            assert_eq!(ack.await, Ok(Ok(())));
        }
        assert_eq!(metrics.processed.get(), 3);
        assert_eq!(metrics.in_flight.get(), 0);
        assert_eq!(
            tokio::fs::read_to_string(&path).await.unwrap(),
            "item-0\nitem-1\nitem-2\n"
        );
        tokio::fs::remove_file(&path).await.unwrap();
    }

    #[tokio::test]
    async fn an_item_over_its_timeout_is_answered_failed_and_not_journaled() {
        let (queue, items) = mpsc::channel(4);
        let slow = queue_item(&queue, "slow").await;
        drop(queue);
        let metrics = Arc::new(Metrics::new());
        let journal = Journal::open(None).await.unwrap();
        run(
            items,
            journal,
            settings(5_000, 50),
            metrics.clone(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
        assert_eq!(slow.await, Ok(Err("timeout".to_owned())));
        assert_eq!(metrics.processed.get(), 0);
    }

    #[tokio::test]
    async fn the_root_token_stops_the_consumer_mid_item_and_its_items_are_not_acknowledged() {
        let (queue, items) = mpsc::channel(4);
        let in_hand = queue_item(&queue, "in-hand").await;
        let queued = queue_item(&queue, "queued").await;
        let cancel = CancellationToken::new();
        let journal = Journal::open(None).await.unwrap();
        let consumer = tokio::spawn(run(
            items,
            journal,
            settings(60_000, 120_000),
            Arc::default(),
            cancel.clone(),
        ));
        tokio::time::sleep(Duration::from_millis(50)).await;
        cancel.cancel();
        let returned = timeout(Duration::from_secs(2), consumer).await;
        assert!(returned.is_ok(), "the consumer watches the token");
        assert!(
            returned.unwrap().unwrap().is_ok(),
            "the journal comes back to be closed"
        );
        drop(queue);
        assert!(
            in_hand.await.is_err(),
            "dropped unanswered: the producer is told refused"
        );
        assert!(queued.await.is_err());
    }

    #[tokio::test]
    #[cfg(target_os = "linux")]
    async fn a_journal_write_error_stops_the_consumer() {
        let (queue, items) = mpsc::channel(1);
        let _ack = queue_item(&queue, "item").await;
        let journal = Journal::open(Some(Path::new("/dev/full"))).await.unwrap();
        let result = run(
            items,
            journal,
            settings(0, 1_000),
            Arc::default(),
            CancellationToken::new(),
        )
        .await;
        assert!(result.is_err());
    }
}
