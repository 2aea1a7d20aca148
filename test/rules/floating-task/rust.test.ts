import rule from "../../../rules/floating-task/index.js";
import { rustRuleTester } from "../../helpers/rule-tester.js";

rustRuleTester(rule, {
  valid: [
    {
      name: "handle awaited",
      code: `async fn f() -> Result<(), E> { let h = tokio::spawn(async { work().await?; Ok::<_, E>(()) }); h.await??; Ok(()) }`,
    },
    {
      name: "JoinSet spawn collects results",
      code: `use tokio::task::JoinSet;\nasync fn f() { let mut set = JoinSet::new(); set.spawn(async { work().await?; Ok::<_, E>(()) }); }`,
    },
    {
      name: "handles pushed into a Vec",
      code: `async fn f() { let mut hs = Vec::new(); for i in 0..4 { hs.push(tokio::spawn(async move { step(i).await? ; Ok::<_, E>(()) })); } }`,
    },
    {
      name: "handle returned to the caller",
      code: `fn start() -> tokio::task::JoinHandle<Result<(), E>> { tokio::spawn(async { run().await }) }`,
    },
    {
      name: "task logs its own error (per-connection spawn)",
      code: `async fn f(s: S) { tokio::spawn(async move { if let Err(e) = handle(s).await { eprintln!("{e}"); } }); }`,
    },
    { name: "task body with no fallible operations", code: `async fn f(tx: Tx) { tokio::spawn(async move { tx.send(1).await.ok(); }); }` },
    {
      name: "handle stored in a struct field",
      code: `impl W { fn start(&mut self) { self.task = Some(tokio::spawn(async { run().await })); } }`,
    },
    { name: "handle used later in select", code: `async fn f() { let h = tokio::spawn(async { run().await }); wait(h).await; }` },
    { name: "spawned fn returns unit", code: `async fn tick() { }\nasync fn f() { tokio::spawn(tick()); }` },
    { name: "std::thread::spawn is not a tokio task", code: `fn f() { std::thread::spawn(|| { run()?; Ok::<_, E>(()) }); }` },
    {
      name: "question mark only inside a nested closure",
      code: `async fn f() { tokio::spawn(async move { let g = || -> Result<(), E> { x()?; Ok(()) }; let _ = g(); }); }`,
    },
    {
      name: "anyhow task awaited through its handle",
      code: `async fn f(db: Db) -> anyhow::Result<()> {\n    let task = tokio::spawn(async move {\n        db.vacuum().await.context("vacuum")?;\n        anyhow::Ok(())\n    });\n    task.await??;\n    Ok(())\n}`,
    },
    {
      name: "return Err only inside a nested closure",
      code: `async fn f(items: Vec<I>) {\n    tokio::spawn(async move {\n        let check = |i: &I| -> Result<(), E> { if i.bad() { return Err(E::Bad); } Ok(()) };\n        for i in &items { let _ = check(i); }\n    });\n}`,
    },
    {
      name: "a tail call of a local fn named like a variant but returning unit",
      code: `async fn f() {\n    tokio::spawn(async move {\n        tick().await;\n        ok_done()\n    });\n}\nfn ok_done() {}`,
    },
    {
      name: "spawn of an unknown function (assumed to handle its errors)",
      code: `async fn f(s: S) { tokio::spawn(other_crate::serve(s)); }`,
    },
    {
      name: "spawned export loop whose select! arm breaks when the channel closes",
      code: `fn start(mut receiver: Receiver<Span>) {\n    tokio::spawn(async move {\n        let mut interval = tokio::time::interval(D);\n        loop {\n            tokio::select! {\n                msg = receiver.recv() => match msg { Some(span) => buffer.push(span), None => break },\n                _ = interval.tick() => flush(&mut buffer).await,\n            }\n        }\n    });\n}`,
    },
    {
      name: "spawned endless receive loop whose JoinHandle is kept in the owner",
      code: `fn start(mut receiver: Receiver<Span>) -> Exporter {\n    let task = tokio::spawn(async move {\n        loop {\n            tokio::select! {\n                Some(span) = receiver.recv() => buffer.push(span),\n                _ = interval.tick() => flush(&mut buffer).await,\n            }\n        }\n    });\n    Exporter { _task: task }\n}`,
    },
    {
      name: "spawned endless loop with an .expect() inside a #[tokio::test] (ends with the test's runtime)",
      code: `#[tokio::test]\nasync fn ticks() {\n    tokio::spawn(async move {\n        loop { tick().await; state.lock().expect("poisoned").inc(); }\n    });\n}`,
    },
    {
      name: "spawned loop with an .expect() that breaks out on shutdown",
      code: `fn start(registry: Registry, mut stop: Stop) {\n    tokio::spawn(async move {\n        loop {\n            if stop.is_set() { break; }\n            registry.gather().expect("encode");\n        }\n    });\n}`,
    },
    {
      name: "spawned endless loop with an .unwrap() only inside a nested closure that is not called in the loop",
      code: `fn start(cache: Cache) {\n    tokio::spawn(async move {\n        loop {\n            interval.tick().await;\n            cache.retain(|k, v| { let _f = || v.parse::<u32>().unwrap(); true });\n        }\n    });\n}`,
    },
    {
      name: "spawned ticker loop that receives from no channel",
      code: `fn start(cache: Cache) {\n    tokio::spawn(async move {\n        let mut interval = tokio::time::interval(D);\n        loop {\n            interval.tick().await;\n            cache.evict_expired();\n        }\n    });\n}`,
    },
  ],
  invalid: [
    {
      name: "detached task using ?",
      code: `async fn f(store: Store) {\n    tokio::spawn(async move {\n        store.flush().await?;\n        Ok::<_, std::io::Error>(())\n    });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "let _ = spawn drops the handle",
      code: `async fn f() {\n    let _ = tokio::spawn(async { run().await });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "named handle never used",
      code: `async fn f() {\n    let handle = tokio::spawn(async { run().await });\n    other().await;\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "spawn of a local fn returning Result",
      code: `async fn handle(s: S) -> std::io::Result<()> { Ok(()) }\nasync fn f(s: S) {\n    tokio::spawn(handle(s));\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 3 }],
    },
    {
      name: "imported spawn",
      code: `use tokio::spawn;\nasync fn f() {\n    spawn(async { run().await });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 3 }],
    },
    {
      name: "tokio::task::spawn path",
      code: `async fn f() {\n    tokio::task::spawn(async { sync().await? ; Ok::<_, E>(()) });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "spawn_local",
      code: `async fn f() {\n    tokio::task::spawn_local(async { run().await });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "spawn_blocking with a fallible closure result dropped",
      code: `async fn f() {\n    tokio::task::spawn_blocking(move || compress(&data));\n}\nfn compress(d: &[u8]) -> Result<Vec<u8>, E> { todo!() }`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "task module import",
      code: `use tokio::task;\nasync fn f() {\n    task::spawn(async { write().await });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 3 }],
    },
    {
      name: "fire-and-forget in a loop",
      code: `async fn f(items: Vec<I>) {\n    for i in items {\n        tokio::spawn(async move { upload(i).await? ; Ok::<_, E>(()) });\n    }\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 3 }],
    },
    {
      name: "underscore-named handle never used",
      code: `async fn f() {\n    let _task = tokio::spawn(async { run().await });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "anyhow task: context()? then anyhow::Ok tail",
      code: `async fn f(db: Db) {\n    tokio::spawn(async move {\n        db.vacuum().await.context("vacuum")?;\n        anyhow::Ok(())\n    });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "anyhow::Ok tail names the Result type of the task",
      code: `async fn f(cache: Cache) {\n    tokio::spawn(async move {\n        cache.refresh().await;\n        anyhow::Ok(())\n    });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "early return Err before an anyhow::Ok tail",
      code: `async fn f(job: Job) {\n    tokio::spawn(async move {\n        if !job.valid() {\n            return Err(anyhow::anyhow!("invalid job"));\n        }\n        job.run().await;\n        anyhow::Ok(())\n    });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "turbofish Ok::<(), E> tail",
      code: `async fn f(tx: Tx) {\n    tokio::spawn(async move {\n        tx.flush().await;\n        Ok::<(), anyhow::Error>(())\n    });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "turbofish on anyhow::Ok",
      code: `async fn f(s: Store) {\n    tokio::spawn(async move {\n        s.compact().await;\n        anyhow::Ok::<()>(())\n    });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "Result::<(), E>::Ok tail",
      code: `async fn f(s: Store) {\n    tokio::spawn(async move {\n        s.compact().await;\n        Result::<(), std::io::Error>::Ok(())\n    });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "spawned in a sync fn",
      code: `fn start() {\n    tokio::spawn(async { serve().await });\n}`,
      errors: [{ messageId: "rustDroppedHandle", line: 2 }],
    },
    {
      name: "spawned task whose handle is dropped, looping forever with a panicking .expect()",
      code: `fn start_metrics(registry: Registry) {\n    tokio::spawn(async move {\n        let mut interval = tokio::time::interval(D);\n        loop {\n            interval.tick().await;\n            let body = registry.gather().expect("metrics encode");\n            publish(body).await;\n        }\n    });\n}`,
      errors: [{ messageId: "rustDetachedPanickingLoop", line: 2 }],
    },
    {
      name: "spawned export loop over select! whose Some(span) = receiver.recv() arm never ends it, JoinHandle dropped",
      code: `impl BatchExporter {\n    pub fn new(exporter: Arc<dyn Exporter>) -> Self {\n        let (sender, mut receiver) = mpsc::channel(1024);\n        tokio::spawn(async move {\n            let mut interval = tokio::time::interval(D);\n            loop {\n                tokio::select! {\n                    Some(span) = receiver.recv() => {\n                        if let Err(e) = exporter.export(vec![span]).await { error!("{}", e); }\n                    }\n                    _ = interval.tick() => {}\n                }\n            }\n        });\n        Self { sender }\n    }\n}`,
      errors: [{ messageId: "rustDetachedEndlessLoop", line: 4 }],
    },
  ],
});
