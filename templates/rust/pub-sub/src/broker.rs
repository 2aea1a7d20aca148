//! The broker: one task owns every topic, and other tasks talk to it with messages that carry a
//! `oneshot` for the answer (the actor pattern: no lock is shared, none is held across an await).
//!
//! A topic is a bounded `broadcast` channel for the message stream (a slow subscriber is told how
//! many messages it missed instead of making the broker buffer for it) and a `watch` channel that
//! keeps only the latest message, for state that late readers need.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::{timeout_at, Instant};

use crate::metrics::Metrics;

pub type Message = Arc<str>;

/// Requests waiting for the broker; senders wait when it is full.
const COMMAND_QUEUE: usize = 256;

enum Command {
    Publish {
        topic: String,
        message: Message,
        reply: oneshot::Sender<Result<usize, BrokerError>>,
    },
    Subscribe {
        topic: String,
        reply: oneshot::Sender<Result<broadcast::Receiver<Message>, BrokerError>>,
    },
    Watch {
        topic: String,
        reply: oneshot::Sender<Result<watch::Receiver<Option<Message>>, BrokerError>>,
    },
    Latest {
        topic: String,
        reply: oneshot::Sender<Option<Message>>,
    },
}

#[derive(Debug, PartialEq, Eq)]
pub enum BrokerError {
    /// The broker did not answer within the request timeout; the request was not applied.
    Busy,
    /// Every topic slot holds a topic someone subscribes to or watches.
    TooManyTopics,
    /// The broker has stopped.
    Closed,
}

impl fmt::Display for BrokerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BrokerError::Busy => "the broker is busy; try again",
            BrokerError::TooManyTopics => "too many topics in use; try again later",
            BrokerError::Closed => "the broker has stopped",
        })
    }
}

/// Talks to the broker task; cheap to clone. The broker stops when the last handle is dropped.
#[derive(Clone)]
pub struct Broker {
    commands: mpsc::Sender<Command>,
    request_timeout: Duration,
    metrics: Arc<Metrics>,
}

impl Broker {
    /// Starts the broker task. Each topic keeps up to `capacity` messages for slow subscribers.
    ///
    /// At most `max_topics` topics are held; a new one evicts a topic nobody subscribes to or
    /// watches, so publishing to random topic names cannot grow memory without bound.
    pub fn start(
        capacity: usize,
        max_topics: usize,
        request_timeout: Duration,
    ) -> (Broker, JoinHandle<()>) {
        let (commands, inbox) = mpsc::channel(COMMAND_QUEUE);
        let metrics = Arc::new(Metrics::new());
        let task = tokio::spawn(run(inbox, capacity, max_topics, metrics.clone()));
        (
            Broker {
                commands,
                request_timeout,
                metrics,
            },
            task,
        )
    }

    /// The broker's metrics (shared with the metrics listener; holding them keeps no broker
    /// handle, so the broker still stops when the last handle is dropped).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Publishes to a topic; returns the receivers at send time (subscribers the message was
    /// queued for, not a delivery confirmation). `Busy` means it was not published.
    pub async fn publish(&self, topic: &str, message: &str) -> Result<usize, BrokerError> {
        let message: Message = Arc::from(message);
        let published = self
            .request(|reply| Command::Publish {
                topic: topic.to_owned(),
                message,
                reply,
            })
            .await
            .and_then(|published| published);
        match &published {
            Ok(_) => self.metrics.published.inc(),
            Err(_) => self.metrics.refused.inc(),
        }
        published
    }

    pub async fn subscribe(
        &self,
        topic: &str,
    ) -> Result<broadcast::Receiver<Message>, BrokerError> {
        self.request(|reply| Command::Subscribe {
            topic: topic.to_owned(),
            reply,
        })
        .await?
    }

    pub async fn watch(
        &self,
        topic: &str,
    ) -> Result<watch::Receiver<Option<Message>>, BrokerError> {
        self.request(|reply| Command::Watch {
            topic: topic.to_owned(),
            reply,
        })
        .await?
    }

    pub async fn latest(&self, topic: &str) -> Result<Option<Message>, BrokerError> {
        self.request(|reply| Command::Latest {
            topic: topic.to_owned(),
            reply,
        })
        .await
    }

    /// Request/response over a oneshot, bounded by the request timeout end to end. A request
    /// that times out was not applied: if the deadline passes while it is queued, the reply is
    /// closed first and the broker skips a command whose reply is closed; if the broker answered
    /// at that very moment, the answer is taken instead of reporting `Busy`.
    async fn request<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, BrokerError> {
        // Counted down on every path, a cancelled request included.
        let _in_flight = InFlight::count(&self.metrics.requests_in_flight);
        self.exchange(command).await
    }

    async fn exchange<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, BrokerError> {
        let deadline = Instant::now() + self.request_timeout;
        let (reply, mut response) = oneshot::channel();
        let sent = timeout_at(deadline, self.commands.send(command(reply))).await;
        let depth = COMMAND_QUEUE.saturating_sub(self.commands.capacity());
        self.metrics
            .command_queue
            .set(i64::try_from(depth).unwrap_or(i64::MAX));
        match sent {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(BrokerError::Closed),
            // Never queued: nothing to undo.
            Err(_) => return Err(BrokerError::Busy),
        }
        match timeout_at(deadline, &mut response).await {
            Ok(answer) => answer.map_err(|_| BrokerError::Closed),
            Err(_) => {
                response.close();
                response.try_recv().map_err(|_| BrokerError::Busy)
            }
        }
    }
}

/// Holds one unit of a gauge while alive.
struct InFlight<'a>(&'a prometheus::IntGauge);

impl<'a> InFlight<'a> {
    fn count(gauge: &'a prometheus::IntGauge) -> Self {
        gauge.inc();
        InFlight(gauge)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

struct Topic {
    messages: broadcast::Sender<Message>,
    latest: watch::Sender<Option<Message>>,
}

impl Topic {
    fn new(capacity: usize) -> Self {
        Topic {
            messages: broadcast::channel(capacity).0,
            latest: watch::channel(None).0,
        }
    }
}

impl Topic {
    /// Nobody subscribes to it or watches it: it may be evicted to make room.
    fn idle(&self) -> bool {
        self.messages.receiver_count() == 0 && self.latest.receiver_count() == 0
    }
}

/// The topic map, bounded: a new topic beyond `max_topics` evicts an idle one, or is refused.
struct Topics {
    map: HashMap<String, Topic>,
    capacity: usize,
    max_topics: usize,
}

impl Topics {
    fn get_or_create(&mut self, name: String) -> Result<&mut Topic, BrokerError> {
        if !self.map.contains_key(&name) && self.map.len() >= self.max_topics {
            let idle = self
                .map
                .iter()
                .find(|(_, topic)| topic.idle())
                .map(|(name, _)| name.clone())
                .ok_or(BrokerError::TooManyTopics)?;
            self.map.remove(&idle);
        }
        let capacity = self.capacity;
        Ok(self.map.entry(name).or_insert_with(|| Topic::new(capacity)))
    }
}

async fn run(
    mut inbox: mpsc::Receiver<Command>,
    capacity: usize,
    max_topics: usize,
    metrics: Arc<Metrics>,
) {
    let mut topics = Topics {
        map: HashMap::new(),
        capacity,
        max_topics,
    };
    // Replies are sent with `let _ =`: the requester may have timed out and left, which is fine.
    while let Some(command) = inbox.recv().await {
        metrics
            .topics
            .set(i64::try_from(topics.map.len()).unwrap_or(i64::MAX));
        match command {
            Command::Publish {
                topic: name,
                message,
                reply,
            } => {
                // The requester gave up (timed out) while this waited in the inbox: applying it
                // now would publish behind its back, and its retry would publish twice.
                if reply.is_closed() {
                    continue;
                }
                let published = topics.get_or_create(name).map(|topic| {
                    topic.latest.send_replace(Some(message.clone()));
                    // An error only means nobody is subscribed right now.
                    topic.messages.send(message).unwrap_or(0)
                });
                let _ = reply.send(published);
            }
            Command::Subscribe { topic: name, reply } => {
                if reply.is_closed() {
                    continue;
                }
                let _ = reply.send(
                    topics
                        .get_or_create(name)
                        .map(|topic| topic.messages.subscribe()),
                );
            }
            Command::Watch { topic: name, reply } => {
                if reply.is_closed() {
                    continue;
                }
                let _ = reply.send(
                    topics
                        .get_or_create(name)
                        .map(|topic| topic.latest.subscribe()),
                );
            }
            Command::Latest { topic: name, reply } => {
                let _ = reply.send(
                    topics
                        .map
                        .get(&name)
                        .and_then(|topic| topic.latest.borrow().clone()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::broadcast::error::RecvError;

    use super::*;

    fn broker(capacity: usize) -> Broker {
        Broker::start(capacity, 64, Duration::from_secs(1)).0
    }

    #[tokio::test]
    async fn fans_out_to_every_subscriber() {
        let broker = broker(8);
        let mut first = broker.subscribe("news").await.unwrap();
        let mut second = broker.subscribe("news").await.unwrap();
        let mut other = broker.subscribe("sport").await.unwrap();
        assert_eq!(broker.publish("news", "hello").await, Ok(2));
        assert_eq!(&*first.recv().await.unwrap(), "hello");
        assert_eq!(&*second.recv().await.unwrap(), "hello");
        assert!(matches!(
            other.try_recv(),
            Err(broadcast::error::TryRecvError::Empty)
        ));
    }

    #[tokio::test]
    async fn a_slow_subscriber_is_told_how_much_it_missed() {
        let broker = broker(2);
        let mut slow = broker.subscribe("ticks").await.unwrap();
        for n in 0..5 {
            broker.publish("ticks", &n.to_string()).await.unwrap();
        }
        // Capacity 2: the three oldest are gone, and the receiver is told so once.
        assert_eq!(slow.recv().await, Err(RecvError::Lagged(3)));
        assert_eq!(&*slow.recv().await.unwrap(), "3");
        assert_eq!(&*slow.recv().await.unwrap(), "4");
    }

    #[tokio::test]
    async fn keeps_the_latest_message_for_late_readers() {
        let broker = broker(2);
        assert_eq!(broker.latest("config").await, Ok(None));
        let mut watcher = broker.watch("config").await.unwrap();
        broker.publish("config", "v1").await.unwrap();
        broker.publish("config", "v2").await.unwrap();
        assert_eq!(
            broker.latest("config").await.unwrap().as_deref(),
            Some("v2")
        );
        watcher.changed().await.unwrap();
        assert_eq!(
            watcher.borrow_and_update().as_deref(),
            Some("v2"),
            "watch skips to the newest value"
        );
    }

    #[tokio::test]
    async fn dropping_a_subscriber_frees_its_place() {
        let broker = broker(2);
        let subscriber = broker.subscribe("news").await.unwrap();
        assert_eq!(broker.publish("news", "a").await, Ok(1));
        drop(subscriber);
        assert_eq!(broker.publish("news", "b").await, Ok(0));
    }

    #[tokio::test]
    async fn the_broker_stops_with_its_last_handle() {
        let (broker, task) = Broker::start(2, 64, Duration::from_secs(1));
        let mut subscriber = broker.subscribe("news").await.unwrap();
        drop(broker);
        task.await.unwrap();
        assert_eq!(subscriber.recv().await, Err(RecvError::Closed));
    }

    #[tokio::test]
    async fn publishing_to_random_topics_stays_within_max_topics_by_evicting_idle_ones() {
        let (broker, _task) = Broker::start(2, 3, Duration::from_secs(1));
        let _kept = broker.subscribe("kept").await.unwrap();
        for n in 0..100 {
            assert_eq!(broker.publish(&format!("random-{n}"), "x").await, Ok(0));
        }
        let mut still_held = 0;
        for n in 0..100 {
            if broker
                .latest(&format!("random-{n}"))
                .await
                .unwrap()
                .is_some()
            {
                still_held += 1;
            }
        }
        assert!(
            still_held <= 2,
            "idle topics were evicted: {still_held} of 100 held"
        );
        assert_eq!(
            broker.publish("kept", "still here").await,
            Ok(1),
            "a subscribed topic is never evicted"
        );
        let _watched = broker.watch("watched").await.unwrap();
        let _third = broker.subscribe("third").await.unwrap();
        assert_eq!(
            broker.publish("one-too-many", "x").await,
            Err(BrokerError::TooManyTopics)
        );
    }

    #[tokio::test]
    async fn a_publish_that_timed_out_in_the_queue_is_not_applied() {
        let (commands, mut inbox) = mpsc::channel(COMMAND_QUEUE);
        let broker = Broker {
            commands,
            request_timeout: Duration::from_millis(50),
            metrics: Arc::default(),
        };
        // Nobody serves the inbox yet: the publish waits there past its timeout.
        assert_eq!(
            broker.publish("orders", "once").await,
            Err(BrokerError::Busy)
        );
        let queued = inbox.recv().await.unwrap();
        let (commands, inbox_for_broker) = mpsc::channel(COMMAND_QUEUE);
        commands.send(queued).await.ok().unwrap();
        let served = tokio::spawn(run(inbox_for_broker, 4, 8, Arc::default()));
        let retry = Broker {
            commands,
            request_timeout: Duration::from_secs(1),
            metrics: Arc::default(),
        };
        // The stale command is served first: it must have been skipped.
        assert_eq!(
            retry.latest("orders").await,
            Ok(None),
            "the timed-out publish was not applied"
        );
        assert_eq!(retry.publish("orders", "retry").await, Ok(0));
        drop(retry);
        served.await.unwrap();
    }
}
