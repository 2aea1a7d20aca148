// Replay case (after the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/mofa-org/mofa
// Commit:     c96b122c24bf0005bcdff34a5e6b48050d0e6424 (fix)
// Path:       crates/mofa-kernel/src/agent/context.rs
// Subject:    fix(kernel): prune dead senders in EventBus and release lock before await
// Rule:       lock-across-await should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Rust EventBus::emit holds a tokio RwLock read guard (self.subscribers.read().await) while awaiting sender.send(event).await on bounded mpsc channels for every subscriber: a full channel starves subscribe()'s write lock

use serde::{Serialize, de::DeserializeOwned};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{RwLock, mpsc};

/// 事件总线
/// Event Bus
pub struct EventBus<S = serde_json::Value> {
    subscribers: RwLock<HashMap<String, Vec<mpsc::Sender<AgentEvent<S>>>>>,
}

impl<S: Send + Sync + 'static + Clone> EventBus<S> {
    /// 创建新的事件总线
    /// Create a new event bus
    pub fn new() -> Self {
        Self {
            subscribers: RwLock::new(HashMap::new()),
        }
    }

    /// 发送事件
    /// Emit an event to all subscribers, pruning dead (closed) senders.
    pub async fn emit(&self, event: AgentEvent<S>) {
        // Collect live senders under a brief write lock, pruning any closed
        // (dropped) receivers at the same time. The lock is released before
        // any `.await` so that concurrent `subscribe()` callers are never
        // starved.
        let snapshot: Vec<mpsc::Sender<AgentEvent<S>>> = {
            let mut subscribers = self.subscribers.write().await;
            let mut live = Vec::new();
            for key in [event.event_type.as_str(), "*"] {
                if let Some(senders) = subscribers.get_mut(key) {
                    senders.retain(|tx| !tx.is_closed());
                    live.extend(senders.iter().cloned());
                }
            }
            live
        }; // write lock released here, before any .await

        for sender in &snapshot {
            let _ = sender.send(event.clone()).await;
        }
    }

    /// 订阅事件
    /// Subscribe to events
    pub async fn subscribe(&self, event_type: &str) -> EventReceiver<S> {
        let (tx, rx) = mpsc::channel::<AgentEvent<S>>(100);
        let mut subscribers = self.subscribers.write().await;
        subscribers
            .entry(event_type.to_string())
            .or_insert_with(Vec::new)
            .push(tx);
        rx
    }
}
