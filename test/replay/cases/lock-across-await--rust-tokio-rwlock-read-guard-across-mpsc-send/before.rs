// Replay case (before the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/mofa-org/mofa
// Commit:     c96b122c24bf0005bcdff34a5e6b48050d0e6424 (its parent holds this version)
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
    /// Emit an event
    pub async fn emit(&self, event: AgentEvent<S>) {
        let subscribers = self.subscribers.read().await;

        // 发送给类型特定订阅者
        // Send to type-specific subscribers
        if let Some(senders) = subscribers.get(&event.event_type) {
            for sender in senders {
                let _ = sender.send(event.clone()).await;
            }
        }

        // 发送给通配订阅者
        // Send to wildcard subscribers
        if let Some(senders) = subscribers.get("*") {
            for sender in senders {
                let _ = sender.send(event.clone()).await;
            }
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
