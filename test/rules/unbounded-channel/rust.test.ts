import rule from "../../../rules/unbounded-channel/index.js";
import { rustRuleTester } from "../../helpers/rule-tester.js";

rustRuleTester(rule, {
  valid: [
    {
      name: "requests that carry a oneshot reply sender, through a type alias (reqwest's blocking client)",
      code: `use tokio::sync::{mpsc, oneshot};\ntype OneshotResponse = oneshot::Sender<Result<Response, Error>>;\nfn new_handle() -> mpsc::UnboundedSender<(Request, OneshotResponse)> {\n    let (tx, rx) = mpsc::unbounded_channel::<(Request, OneshotResponse)>();\n    std::thread::spawn(move || run(rx));\n    tx\n}`,
    },
    {
      name: "requests with a reply sender, seen from the let's annotated type",
      code: `use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};\nuse tokio::sync::oneshot::Sender;\nfn actor() {\n    let (tx, rx): (UnboundedSender<(u64, Sender<String>)>, UnboundedReceiver<(u64, Sender<String>)>) = mpsc::unbounded_channel();\n}`,
    },
    {
      name: "unbounded channel inside a #[tokio::test] (the test sends its own messages)",
      code: `use tokio::sync::mpsc;\n#[tokio::test]\nasync fn send_recv_unbounded() {\n    let (tx, mut rx) = mpsc::unbounded_channel::<i32>();\n    tx.send(1).unwrap();\n    assert_eq!(rx.recv().await, Some(1));\n}`,
    },
    {
      name: "unbounded channel in a test under a test-macro alias (#[maybe_tokio_test])",
      code: `use tokio::sync::mpsc;\n#[maybe_tokio_test]\nasync fn select_streams() {\n    let (tx1, mut rx1) = mpsc::unbounded_channel::<i32>();\n}`,
    },
    {
      name: "unbounded channel in a loom test module file declared under #[cfg(test)]",
      filename: "sync/tests/loom_mpsc.rs",
      code: `use crate::sync::mpsc;\n#[test]\nfn closing_tx() {\n    loom::model(|| {\n        let (tx, mut rx) = mpsc::unbounded_channel::<()>();\n    });\n}\nfn helper() {\n    let (tx, rx) = mpsc::unbounded_channel::<()>();\n}`,
      files: {
        "src/sync/mod.rs": `pub mod mpsc;\n#[cfg(test)]\nmod tests;`,
        "src/sync/tests/mod.rs": `#[cfg(loom)]\nmod loom_mpsc;`,
      },
    },
    {
      name: "one message per drop: the sender stored in a struct sends only from its Drop impl",
      code: `use tokio::sync::mpsc;\nstruct Pool { returns: mpsc::UnboundedSender<Conn> }\nstruct Pooled { conn: Option<Conn>, returns: mpsc::UnboundedSender<Conn> }\nimpl Pool {\n    fn new() -> (Pool, mpsc::UnboundedReceiver<Conn>) {\n        let (tx, rx) = mpsc::unbounded_channel();\n        (Pool { returns: tx }, rx)\n    }\n}\nimpl Drop for Pooled {\n    fn drop(&mut self) {\n        if let Some(conn) = self.conn.take() { let _ = self.returns.send(conn); }\n    }\n}`,
    },
    {
      name: "a semaphore in front of the channel: every send takes a permit first",
      code: `use tokio::sync::{mpsc, Semaphore};\nstruct Queue { tx: mpsc::UnboundedSender<(Job, OwnedSemaphorePermit)>, limit: Arc<Semaphore> }\nimpl Queue {\n    fn new(limit: Arc<Semaphore>) -> (Self, mpsc::UnboundedReceiver<(Job, OwnedSemaphorePermit)>) {\n        let (tx, rx) = mpsc::unbounded_channel();\n        (Self { tx, limit }, rx)\n    }\n    async fn push(&self, job: Job) {\n        let permit = self.limit.clone().acquire_owned().await.unwrap();\n        let _ = self.tx.send((job, permit));\n    }\n}`,
    },
    { name: "bounded tokio mpsc", code: `use tokio::sync::mpsc;\nasync fn f() { let (tx, rx) = mpsc::channel::<u8>(64); }` },
    { name: "fully qualified bounded channel", code: `async fn f() { let (tx, rx) = tokio::sync::mpsc::channel(16); }` },
    { name: "flume bounded", code: `fn f() { let (tx, rx) = flume::bounded::<u32>(8); }` },
    { name: "crossbeam bounded", code: `use crossbeam_channel::bounded;\nfn f() { let (s, r) = bounded(0); }` },
    { name: "async_channel bounded", code: `fn f() { let (s, r) = async_channel::bounded::<String>(100); }` },
    { name: "broadcast has a capacity", code: `use tokio::sync::broadcast;\nfn f() { let (tx, _) = broadcast::channel::<u8>(1024); }` },
    { name: "watch keeps one value", code: `use tokio::sync::watch;\nfn f() { let (tx, rx) = watch::channel(0u64); }` },
    { name: "oneshot carries one value", code: `use tokio::sync::oneshot;\nfn f() { let (tx, rx) = oneshot::channel::<()>(); }` },
    { name: "std sync_channel is bounded", code: `use std::sync::mpsc::sync_channel;\nfn f() { let (tx, rx) = sync_channel::<u8>(4); }` },
    { name: "a method called unbounded on a builder is not a channel constructor", code: `fn f(b: Builder) { b.unbounded(); }` },
    { name: "a local function named unbounded", code: `fn unbounded() -> u8 { 0 }\nfn f() { let x = unbounded(); }` },
    { name: "std mpsc channel (documented limit)", code: `use std::sync::mpsc;\nfn f() { let (tx, rx) = mpsc::channel::<u8>(); }` },
    { name: "mention in a string", code: `fn f() { let s = "mpsc::unbounded_channel()"; }` },
    {
      name: "futures bounded mpsc channel",
      code: `use futures::channel::mpsc;\nasync fn wire() {\n    let (tx, rx) = mpsc::channel::<u32>(64);\n    run(tx, rx).await;\n}`,
    },
  ],
  invalid: [
    {
      name: "unbounded_channel inside a cfg_rt! { … } item macro, nested in a module",
      code: `mod worker {\n    cfg_rt! {\n        pub async fn start() {\n            let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Job>();\n            run(tx, rx).await;\n        }\n    }\n}`,
      errors: [{ messageId: "rustUnbounded", line: 4 }],
    },
    {
      name: "futures::channel::mpsc::unbounded controller mailbox",
      code: `use futures::channel::mpsc;\n#[tokio::main]\nasync fn main() {\n    let (tx, rx) = mpsc::unbounded::<Event>();\n    run(tx, rx).await;\n}`,
      errors: [{ messageId: "rustUnbounded", line: 4 }],
    },
    {
      name: "async_std unbounded channel",
      code: `async fn wire() {\n    let (tx, rx) = async_std::channel::unbounded::<u32>();\n    run(tx, rx).await;\n}`,
      errors: [{ messageId: "rustUnbounded", line: 2 }],
    },
    {
      name: "messages that carry an mpsc sender (a subscription, not one reply per request)",
      code: `use tokio::sync::mpsc;\nfn subscribe() {\n    let (tx, rx) = mpsc::unbounded_channel::<(Topic, mpsc::Sender<Event>)>();\n}`,
      errors: [{ messageId: "rustUnbounded", line: 3 }],
    },
    {
      name: "unbounded channel in a #[cfg(not(test))] module",
      code: `#[cfg(not(test))]\nmod pipeline {\n    fn start() {\n        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();\n    }\n}`,
      errors: [{ messageId: "rustUnbounded", line: 4 }],
    },
    {
      name: "sender sends from a Drop impl and from a plain method (no bound on the method's sends)",
      code: `use tokio::sync::mpsc;\nstruct Events { tx: mpsc::UnboundedSender<Event> }\nimpl Events {\n    fn new() -> (Self, mpsc::UnboundedReceiver<Event>) {\n        let (tx, rx) = mpsc::unbounded_channel();\n        (Self { tx }, rx)\n    }\n    fn emit(&self, e: Event) { let _ = self.tx.send(e); }\n}\nimpl Drop for Events {\n    fn drop(&mut self) { let _ = self.tx.send(Event::Closed); }\n}`,
      errors: [{ messageId: "rustUnbounded", line: 5 }],
    },
    {
      name: "unbounded pipeline channel grows until OOM",
      code: `use tokio::sync::mpsc;\nasync fn pipeline() {\n    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();\n}`,
      errors: [{ messageId: "rustUnbounded", line: 3 }],
    },
    {
      name: "fully qualified tokio unbounded",
      code: `async fn f() { let (tx, rx) = tokio::sync::mpsc::unbounded_channel(); }`,
      errors: [{ messageId: "rustUnbounded", line: 1 }],
    },
    {
      name: "imported unbounded_channel fn",
      code: `use tokio::sync::mpsc::unbounded_channel;\nfn f() {\n  let (tx, rx) = unbounded_channel::<u8>();\n}`,
      errors: [{ messageId: "rustUnbounded", line: 3 }],
    },
    {
      name: "flume unbounded",
      code: `fn f() { let (tx, rx) = flume::unbounded::<u32>(); }`,
      errors: [{ messageId: "rustUnbounded", line: 1 }],
    },
    {
      name: "crossbeam_channel unbounded via use",
      code: `use crossbeam_channel::unbounded;\nfn f() { let (s, r) = unbounded::<u8>(); }`,
      errors: [{ messageId: "rustUnbounded", line: 2 }],
    },
    {
      name: "crossbeam::channel path",
      code: `fn f() { let (s, r) = crossbeam::channel::unbounded::<u8>(); }`,
      errors: [{ messageId: "rustUnbounded", line: 1 }],
    },
    {
      name: "async_channel unbounded",
      code: `fn f() { let (s, r) = async_channel::unbounded::<String>(); }`,
      errors: [{ messageId: "rustUnbounded", line: 1 }],
    },
    {
      name: "aliased import",
      code: `use flume::unbounded as chan;\nfn f() { let (s, r) = chan::<u8>(); }`,
      errors: [{ messageId: "rustUnbounded", line: 2 }],
    },
    {
      name: "grouped use list",
      code: `use tokio::sync::{mpsc::{self, UnboundedSender}, Mutex};\nfn f() { let (tx, rx) = mpsc::unbounded_channel::<u8>(); }`,
      errors: [{ messageId: "rustUnbounded", line: 2 }],
    },
    {
      name: "in a struct constructor",
      code: `use tokio::sync::mpsc;\nimpl Hub {\n    fn new() -> Self {\n        let (tx, rx) = mpsc::unbounded_channel();\n        Self { tx, rx }\n    }\n}`,
      errors: [{ messageId: "rustUnbounded", line: 4 }],
    },
    {
      name: "two channels per connection",
      code: `use tokio::sync::mpsc;\nasync fn conn() {\n    let (a, _) = mpsc::unbounded_channel::<u8>();\n    let (b, _) = mpsc::unbounded_channel::<u8>();\n}`,
      errors: [
        { messageId: "rustUnbounded", line: 3 },
        { messageId: "rustUnbounded", line: 4 },
      ],
    },
    {
      name: "kanal unbounded_async",
      code: `fn f() { let (s, r) = kanal::unbounded_async::<u8>(); }`,
      errors: [{ messageId: "rustUnbounded", line: 1 }],
    },
  ],
});
