//! The worker pool: a bounded job queue, a dispatcher that starts a job only when a slot is free,
//! CPU work on the blocking pool under a per-job timeout, and results gathered in a `JoinSet`.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinError, JoinHandle, JoinSet};
use tokio::time::timeout;

use crate::metrics::Metrics;
use crate::shutdown::Shutdown;
use crate::work::Work;

#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// `CONCURRENCY`: jobs running at once (blocking-pool threads in use).
    pub concurrency: usize,
    /// `QUEUE_CAPACITY`: accepted jobs waiting for a slot; producers wait when it is full.
    pub queue_capacity: usize,
    /// `JOB_TIMEOUT_MS`: a job running longer is cancelled and reported as timed out.
    pub job_timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done(u64),
    TimedOut,
    Failed(String),
}

/// The pool no longer takes jobs: shutdown has begun.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the pool is shutting down")
    }
}

/// Counts of finished jobs, reported when the pool has drained.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub completed: u64,
    pub timed_out: u64,
    pub failed: u64,
    /// Jobs whose client left before they started: not run.
    pub skipped: u64,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "completed={} timed_out={} failed={} skipped={}",
            self.completed, self.timed_out, self.failed, self.skipped
        )
    }
}

impl Stats {
    fn record(&mut self, joined: Result<Option<Outcome>, JoinError>, metrics: &Metrics) {
        metrics.running.dec();
        match joined {
            Ok(Some(Outcome::Done(_))) => {
                self.completed += 1;
                metrics.completed.inc();
            }
            Ok(Some(Outcome::TimedOut)) => {
                self.timed_out += 1;
                metrics.timed_out.inc();
            }
            Ok(Some(Outcome::Failed(_))) | Err(_) => {
                self.failed += 1;
                metrics.failed.inc();
            }
            Ok(None) => {
                self.skipped += 1;
                metrics.skipped.inc();
            }
        }
    }
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Outcome>,
}

/// The producer side; cheap to clone, one per connection.
#[derive(Clone)]
pub struct Submitter {
    queue: mpsc::Sender<Job>,
    accepted: Arc<AtomicU64>,
    /// Longer than any accepted job can take to be answered (see `submit`).
    reply_bound: Duration,
    queue_capacity: usize,
    metrics: Arc<Metrics>,
}

impl Submitter {
    /// Queues a job, waiting for room while the queue is full (backpressure instead of buffering
    /// without bound), then waits for its outcome.
    ///
    /// The wait for the reply is not the job's timeout: `JOB_TIMEOUT_MS` counts from the moment
    /// the job starts, and the dispatcher answers every job it accepted (or drops the reply,
    /// which reads as `Refused`). A timeout counted from the queue would report `timeout` for a
    /// job that then still runs, for nobody. The bound here is only a safety net, above the
    /// longest a queued job can wait: every job ahead of it taking its full timeout. Dropping this
    /// future (the client left) makes the dispatcher skip the job if it has not started.
    pub async fn submit(&self, work: Work) -> Result<Outcome, Refused> {
        let (reply, outcome) = oneshot::channel();
        self.queue
            .send(Job { work, reply })
            .await
            .map_err(|_| Refused)?;
        self.accepted.fetch_add(1, Ordering::Relaxed);
        self.metrics.accepted.inc();
        self.metrics.queued.inc();
        match timeout(self.reply_bound, outcome).await {
            Ok(answer) => answer.map_err(|_| Refused),
            Err(_) => Ok(Outcome::Failed(format!(
                "no answer within {} ms; the pool is stuck",
                self.reply_bound.as_millis()
            ))),
        }
    }

    /// Jobs waiting in the queue for a slot right now.
    pub fn queued(&self) -> usize {
        self.queue_capacity.saturating_sub(self.queue.capacity())
    }

    /// Jobs this pool has accepted into its queue so far (every clone counts).
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// The pool's metrics (shared with the metrics listener; holding them keeps no queue open).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }
}

/// Starts the dispatcher. It stops taking jobs when `shutdown` fires, finishes every job already
/// accepted, and returns the counts.
pub fn start(settings: PoolSettings, shutdown: Shutdown) -> (Submitter, JoinHandle<Stats>) {
    let (queue, jobs) = mpsc::channel(settings.queue_capacity);
    let metrics = Arc::new(Metrics::new());
    let dispatcher = tokio::spawn(dispatch(jobs, settings, shutdown, metrics.clone()));
    let accepted = Arc::new(AtomicU64::new(0));
    // Every job queued ahead, then this one, each taking its full timeout, plus a margin.
    let rounds = u32::try_from(settings.queue_capacity / settings.concurrency.max(1) + 2)
        .unwrap_or(u32::MAX);
    let reply_bound = settings.job_timeout.saturating_mul(rounds) + Duration::from_secs(5);
    (
        Submitter {
            queue,
            accepted,
            reply_bound,
            queue_capacity: settings.queue_capacity,
            metrics,
        },
        dispatcher,
    )
}

enum Event {
    ShutdownBegan,
    Finished(Result<Option<Outcome>, JoinError>),
    Next(Option<(OwnedSemaphorePermit, Job)>),
}

async fn dispatch(
    mut jobs: mpsc::Receiver<Job>,
    settings: PoolSettings,
    mut shutdown: Shutdown,
    metrics: Arc<Metrics>,
) -> Stats {
    let slots = Arc::new(Semaphore::new(settings.concurrency));
    let mut running = JoinSet::new();
    let mut stats = Stats::default();
    let mut intake_open = true;
    loop {
        let event = tokio::select! {
            // Biased: shutdown first, then finished jobs, then new ones, so a steady stream of
            // jobs can never starve the shutdown or the bookkeeping.
            biased;
            _ = shutdown.wait(), if intake_open => Event::ShutdownBegan,
            Some(joined) = running.join_next(), if !running.is_empty() => Event::Finished(joined),
            next = next_job(&slots, &mut jobs) => Event::Next(next),
        };
        match event {
            Event::ShutdownBegan => {
                // Senders now get an error (new jobs are refused); queued jobs can still be taken.
                jobs.close();
                intake_open = false;
            }
            Event::Finished(joined) => stats.record(joined, &metrics),
            Event::Next(Some((slot, job))) => {
                metrics.queued.dec();
                metrics.running.inc();
                running.spawn(run(job, slot, settings.job_timeout));
            }
            // Closed and empty: every accepted job has been started.
            Event::Next(None) => break,
        }
    }
    while let Some(joined) = running.join_next().await {
        stats.record(joined, &metrics);
    }
    stats
}

/// Takes a slot, then a job: a job leaves the queue only when it can start, so a busy pool fills
/// the queue and a full queue makes producers wait. Cancel-safe: dropping it loses no job.
async fn next_job(
    slots: &Arc<Semaphore>,
    jobs: &mut mpsc::Receiver<Job>,
) -> Option<(OwnedSemaphorePermit, Job)> {
    let slot = slots.clone().acquire_owned().await.ok()?;
    let job = jobs.recv().await?;
    Some((slot, job))
}

async fn run(job: Job, slot: OwnedSemaphorePermit, job_timeout: Duration) -> Option<Outcome> {
    if job.reply.is_closed() {
        // The client gave up while the job was queued: nobody would read the answer.
        return None;
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let work = job.work;
    let cancelled = cancel.clone();
    let blocking = tokio::task::spawn_blocking(move || {
        // The slot goes with the thread: it is freed when the CPU is, even after a timeout.
        let _slot = slot;
        work.run(&cancelled)
    });
    let outcome = match timeout(job_timeout, blocking).await {
        Ok(Ok(Some(value))) => Outcome::Done(value),
        Ok(Ok(None)) => Outcome::TimedOut,
        Ok(Err(error)) => Outcome::Failed(format!("job failed: {error}")),
        Err(_) => {
            // A blocking task cannot be aborted; ask the work loop to stop.
            cancel.store(true, Ordering::Relaxed);
            Outcome::TimedOut
        }
    };
    // The client may have disconnected; the outcome still counts in the stats.
    let _ = job.reply.send(outcome.clone());
    Some(outcome)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::shutdown;

    fn settings(concurrency: usize, queue_capacity: usize, job_timeout_ms: u64) -> PoolSettings {
        PoolSettings {
            concurrency,
            queue_capacity,
            job_timeout: Duration::from_millis(job_timeout_ms),
        }
    }

    fn spin(ms: u64) -> Work {
        Work::Spin(Duration::from_millis(ms))
    }

    #[tokio::test]
    async fn runs_jobs_and_reports_their_results() {
        let (trigger, shutdown) = shutdown::channel();
        let (submitter, dispatcher) = start(settings(2, 4, 5_000), shutdown);
        assert_eq!(
            submitter.submit(Work::CountPrimes(100)).await,
            Ok(Outcome::Done(25))
        );
        assert_eq!(
            submitter.submit(Work::CountPrimes(1_000)).await,
            Ok(Outcome::Done(168))
        );
        trigger.fire();
        assert_eq!(
            dispatcher.await.unwrap(),
            Stats {
                completed: 2,
                timed_out: 0,
                failed: 0,
                skipped: 0
            }
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_makes_the_producer_wait() {
        let (trigger, shutdown) = shutdown::channel();
        let (submitter, dispatcher) = start(settings(1, 1, 5_000), shutdown);
        let mut producers = JoinSet::new();
        // One job takes the only slot, the next fills the only queue place.
        for n in 1..=2 {
            let submitter_for_job = submitter.clone();
            producers.spawn(async move { submitter_for_job.submit(spin(300)).await });
            wait_until(|| submitter.accepted() == n).await;
        }
        assert_eq!(submitter.queue.capacity(), 0, "the queue is full");
        let third = submitter.submit(Work::CountPrimes(10));
        assert!(
            timeout(Duration::from_millis(100), third).await.is_err(),
            "the third producer waits"
        );
        while let Some(joined) = producers.join_next().await {
            assert_eq!(joined.unwrap(), Ok(Outcome::Done(300)));
        }
        trigger.fire();
        dispatcher.await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_job_timeout_counts_from_the_start_not_from_the_queue() {
        let (trigger, shutdown) = shutdown::channel();
        // 300 jobs of 10 ms on one slot: the last waits ~3 s in the queue, far past the 1 s
        // timeout, while each job runs in a hundredth of it, so a thread starved for a while on a
        // loaded machine still finishes its job in time (20 ms against 200 ms failed at load 20).
        let (submitter, dispatcher) = start(settings(1, 300, 1_000), shutdown);
        let mut jobs = JoinSet::new();
        for _ in 0..300 {
            let submitter = submitter.clone();
            jobs.spawn(async move { submitter.submit(spin(10)).await });
        }
        while let Some(joined) = jobs.join_next().await {
            assert_eq!(joined.unwrap(), Ok(Outcome::Done(10)));
        }
        trigger.fire();
        assert_eq!(dispatcher.await.unwrap().completed, 300);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_whose_client_left_while_queued_is_not_run() {
        let (trigger, shutdown) = shutdown::channel();
        let (submitter, dispatcher) = start(settings(1, 4, 5_000), shutdown);
        let first = {
            let submitter = submitter.clone();
            tokio::spawn(async move { submitter.submit(spin(200)).await })
        };
        // The first job has left the queue: it is running.
        wait_until(|| submitter.accepted() == 1 && submitter.queue.capacity() == 4).await;
        let abandoned = {
            let submitter = submitter.clone();
            tokio::spawn(async move { submitter.submit(spin(200)).await })
        };
        // The second job is queued behind the first; its client gives up.
        wait_until(|| submitter.accepted() == 2 && submitter.queue.capacity() == 3).await;
        abandoned.abort();
        assert_eq!(first.await.unwrap(), Ok(Outcome::Done(200)));
        trigger.fire();
        let stats = dispatcher.await.unwrap();
        assert_eq!((stats.completed, stats.skipped), (1, 1));
    }

    /// Polls instead of sleeping a fixed time: fast when the machine is, patient when it is loaded.
    async fn wait_until(condition: impl Fn() -> bool) {
        timeout(Duration::from_secs(10), async {
            while !condition() {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
        .await
        .expect("the condition held within 10 s");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_timed_out_job_is_reported_and_frees_its_slot() {
        let (trigger, shutdown) = shutdown::channel();
        let (submitter, dispatcher) = start(settings(1, 4, 100), shutdown);
        let started = Instant::now();
        assert_eq!(submitter.submit(spin(60_000)).await, Ok(Outcome::TimedOut));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(
            submitter.submit(Work::CountPrimes(10)).await,
            Ok(Outcome::Done(4)),
            "the slot came back"
        );
        trigger.fire();
        assert_eq!(
            dispatcher.await.unwrap(),
            Stats {
                completed: 1,
                timed_out: 1,
                failed: 0,
                skipped: 0
            }
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shutdown_finishes_accepted_jobs_and_refuses_new_ones() {
        let (trigger, shutdown) = shutdown::channel();
        let (submitter, dispatcher) = start(settings(1, 4, 5_000), shutdown);
        let mut accepted = JoinSet::new();
        for _ in 0..3 {
            let submitter = submitter.clone();
            accepted.spawn(async move { submitter.submit(spin(150)).await });
        }
        // Wait until the three jobs are in: one running (its slot taken), two queued.
        wait_until(|| submitter.accepted() == 3 && submitter.queue.capacity() == 2).await;
        trigger.fire();
        timeout(Duration::from_secs(2), async {
            while !submitter.queue.is_closed() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the dispatcher closes the queue");
        assert_eq!(submitter.submit(Work::CountPrimes(10)).await, Err(Refused));
        while let Some(joined) = accepted.join_next().await {
            assert_eq!(joined.unwrap(), Ok(Outcome::Done(150)));
        }
        assert_eq!(dispatcher.await.unwrap().completed, 3);
    }
}
