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
use tokio::time::timeout;

pub type Message = Arc<str>;

/// Requests waiting for the broker; senders wait when it is full.
const COMMAND_QUEUE: usize = 256;

enum Command {
    Publish {
        topic: String,
        message: Message,
        reply: oneshot::Sender<usize>,
    },
    Subscribe {
        topic: String,
        reply: oneshot::Sender<broadcast::Receiver<Message>>,
    },
    Watch {
        topic: String,
        reply: oneshot::Sender<watch::Receiver<Option<Message>>>,
    },
    Latest {
        topic: String,
        reply: oneshot::Sender<Option<Message>>,
    },
}

#[derive(Debug, PartialEq, Eq)]
pub enum BrokerError {
    /// The broker did not answer within the request timeout.
    Busy,
    /// The broker has stopped.
    Closed,
}

impl fmt::Display for BrokerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BrokerError::Busy => "the broker is busy; try again",
            BrokerError::Closed => "the broker has stopped",
        })
    }
}

/// Talks to the broker task; cheap to clone. The broker stops when the last handle is dropped.
#[derive(Clone)]
pub struct Broker {
    commands: mpsc::Sender<Command>,
    request_timeout: Duration,
}

impl Broker {
    /// Starts the broker task. Each topic keeps up to `capacity` messages for slow subscribers.
    pub fn start(capacity: usize, request_timeout: Duration) -> (Broker, JoinHandle<()>) {
        let (commands, inbox) = mpsc::channel(COMMAND_QUEUE);
        let task = tokio::spawn(run(inbox, capacity));
        (
            Broker {
                commands,
                request_timeout,
            },
            task,
        )
    }

    /// Publishes to a topic; returns how many subscribers will receive the message.
    pub async fn publish(&self, topic: &str, message: &str) -> Result<usize, BrokerError> {
        let message: Message = Arc::from(message);
        self.request(|reply| Command::Publish {
            topic: topic.to_owned(),
            message,
            reply,
        })
        .await
    }

    pub async fn subscribe(
        &self,
        topic: &str,
    ) -> Result<broadcast::Receiver<Message>, BrokerError> {
        self.request(|reply| Command::Subscribe {
            topic: topic.to_owned(),
            reply,
        })
        .await
    }

    pub async fn watch(
        &self,
        topic: &str,
    ) -> Result<watch::Receiver<Option<Message>>, BrokerError> {
        self.request(|reply| Command::Watch {
            topic: topic.to_owned(),
            reply,
        })
        .await
    }

    pub async fn latest(&self, topic: &str) -> Result<Option<Message>, BrokerError> {
        self.request(|reply| Command::Latest {
            topic: topic.to_owned(),
            reply,
        })
        .await
    }

    /// Request/response over a oneshot, bounded by the request timeout end to end.
    async fn request<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, BrokerError> {
        let (reply, response) = oneshot::channel();
        let exchange = async {
            self.commands
                .send(command(reply))
                .await
                .map_err(|_| BrokerError::Closed)?;
            response.await.map_err(|_| BrokerError::Closed)
        };
        timeout(self.request_timeout, exchange)
            .await
            .map_err(|_| BrokerError::Busy)?
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

fn topic(topics: &mut HashMap<String, Topic>, name: String, capacity: usize) -> &mut Topic {
    topics.entry(name).or_insert_with(|| Topic::new(capacity))
}

async fn run(mut inbox: mpsc::Receiver<Command>, capacity: usize) {
    let mut topics: HashMap<String, Topic> = HashMap::new();
    // Replies are sent with `let _ =`: the requester may have timed out and left, which is fine.
    while let Some(command) = inbox.recv().await {
        match command {
            Command::Publish {
                topic: name,
                message,
                reply,
            } => {
                let topic = topic(&mut topics, name, capacity);
                topic.latest.send_replace(Some(message.clone()));
                // An error only means nobody is subscribed right now.
                let receivers = topic.messages.send(message).unwrap_or(0);
                let _ = reply.send(receivers);
            }
            Command::Subscribe { topic: name, reply } => {
                let _ = reply.send(topic(&mut topics, name, capacity).messages.subscribe());
            }
            Command::Watch { topic: name, reply } => {
                let _ = reply.send(topic(&mut topics, name, capacity).latest.subscribe());
            }
            Command::Latest { topic: name, reply } => {
                let _ = reply.send(
                    topics
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
        Broker::start(capacity, Duration::from_secs(1)).0
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
        let (broker, task) = Broker::start(2, Duration::from_secs(1));
        let mut subscriber = broker.subscribe("news").await.unwrap();
        drop(broker);
        task.await.unwrap();
        assert_eq!(subscriber.recv().await, Err(RecvError::Closed));
    }
}
