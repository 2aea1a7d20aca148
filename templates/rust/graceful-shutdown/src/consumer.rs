//! The consumer: drains the bounded queue one item at a time and records each in the journal.
//! It has no stop signal of its own: it ends when the queue is closed *and* empty, which is what
//! makes "stop intake, then drain" an ordered shutdown instead of a race.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::sync::mpsc;

pub async fn run(
    mut items: mpsc::Receiver<String>,
    mut journal: Journal,
    item_delay: Duration,
    processed: Arc<AtomicU64>,
) -> io::Result<Journal> {
    while let Some(item) = items.recv().await {
        // Stands in for the real work on an item (a database write, an HTTP call...).
        tokio::time::sleep(item_delay).await;
        journal.record(&item).await?;
        processed.fetch_add(1, Ordering::Relaxed);
        println!("processed {item}");
    }
    Ok(journal)
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
            // Flushed per item: a crash loses at most the item in hand.
            file.flush().await?;
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

    #[tokio::test]
    async fn drains_everything_queued_before_the_queue_closed() {
        let path = std::env::temp_dir().join(format!("journal-{}.log", std::process::id()));
        let _ = tokio::fs::remove_file(&path).await;
        let (queue, items) = mpsc::channel(4);
        for n in 0..3 {
            queue.send(format!("item-{n}")).await.unwrap();
        }
        drop(queue);
        let processed = Arc::new(AtomicU64::new(0));
        let journal = Journal::open(Some(&path)).await.unwrap();
        let journal = run(items, journal, Duration::ZERO, processed.clone())
            .await
            .unwrap();
        journal.close().await.unwrap();
        assert_eq!(processed.load(Ordering::Relaxed), 3);
        assert_eq!(
            tokio::fs::read_to_string(&path).await.unwrap(),
            "item-0\nitem-1\nitem-2\n"
        );
        tokio::fs::remove_file(&path).await.unwrap();
    }

    #[tokio::test]
    #[cfg(target_os = "linux")]
    async fn a_journal_write_error_stops_the_consumer() {
        let (queue, items) = mpsc::channel(1);
        queue.send("item".to_owned()).await.unwrap();
        let journal = Journal::open(Some(Path::new("/dev/full"))).await.unwrap();
        let result = run(items, journal, Duration::ZERO, Arc::default()).await;
        assert!(result.is_err());
    }
}
