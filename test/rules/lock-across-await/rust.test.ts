import rule from "../../../rules/lock-across-await/index.js";
import { rustRuleTester } from "../../helpers/rule-tester.js";

rustRuleTester(rule, {
  valid: [
    {
      name: "guard dropped before the await (clippy #6446)",
      code: `use std::sync::Mutex;\nasync fn f(m: &Mutex<Vec<u8>>) {\n    let mut guard = m.lock().unwrap();\n    guard.push(1);\n    drop(guard);\n    tokio::time::sleep(D).await;\n}`,
    },
    {
      name: "guard in an inner block closed before the await",
      code: `use std::sync::Mutex;\nasync fn f(m: &Mutex<u64>) {\n    let value = {\n        let guard = m.lock().unwrap();\n        *guard\n    };\n    send(value).await;\n}`,
    },
    {
      name: "guard as a temporary of a statement",
      code: `use std::sync::Mutex;\nasync fn f(m: &Mutex<Vec<u8>>, tx: Tx) {\n    m.lock().unwrap().push(1);\n    let n = m.lock().unwrap().len();\n    tx.send(n).await;\n}`,
    },
    {
      name: "guard in an if condition ends before the body",
      code: `use std::sync::Mutex;\nasync fn f(m: &Mutex<Vec<u8>>) {\n    if m.lock().unwrap().is_empty() {\n        tokio::time::sleep(D).await;\n    }\n}`,
    },
    {
      name: "std::mem::drop before the await in a retry loop",
      code: `use std::sync::Mutex;\nasync fn f(m: &Mutex<bool>) {\n    loop {\n        let ready = m.lock().unwrap();\n        if *ready { return; }\n        std::mem::drop(ready);\n        tokio::time::sleep(D).await;\n    }\n}`,
    },
    {
      name: "tokio Mutex held across an await of an in-memory operation on the guarded data",
      code: `use tokio::sync::Mutex;\nasync fn f(cache: &Mutex<Cache>) {\n    let mut cache = cache.lock().await;\n    cache.refresh_index().await;\n    cache.insert(1);\n}`,
    },
    {
      name: "tokio Mutex guarding the writer it writes to (what an async mutex is for)",
      code: `use tokio::io::AsyncWriteExt;\nuse tokio::sync::Mutex;\nasync fn send(conn: &Mutex<Conn>, frame: &[u8]) -> std::io::Result<()> {\n    let mut conn = conn.lock().await;\n    conn.stream.write_all(frame).await?;\n    conn.stream.flush().await\n}`,
    },
    {
      name: "tokio Mutex guarding a database connection passed to the query",
      code: `use tokio::sync::Mutex;\nasync fn save(conn: &Mutex<PgConnection>, id: i64) -> Result<(), sqlx::Error> {\n    let mut conn = conn.lock().await;\n    sqlx::query("UPDATE t SET seen = true WHERE id = $1").bind(id).execute(&mut *conn).await?;\n    Ok(())\n}`,
    },
    {
      name: "tokio guard dropped before the network publish",
      code: `use tokio::sync::RwLock;\nasync fn publish(subs: &RwLock<Vec<Client>>, payload: Vec<u8>) {\n    let guard = subs.read().await;\n    let clients = guard.clone();\n    drop(guard);\n    for c in clients { let _ = c.publish("t", payload.clone()).await; }\n}`,
    },
    {
      name: "await inside a spawned task is not this future's await",
      code: `use std::sync::Mutex;\nasync fn f(m: &Mutex<u64>) {\n    let guard = m.lock().unwrap();\n    let n = *guard;\n    tokio::spawn(async move { tokio::time::sleep(D).await; use_it(n); });\n}`,
    },
    {
      name: "let _ = lock drops the guard at once",
      code: `use std::sync::Mutex;\nasync fn f(m: &Mutex<u64>) {\n    let _ = m.lock().unwrap();\n    tokio::time::sleep(D).await;\n}`,
    },
    {
      name: "io::stdout().lock() is not a mutex guard held across",
      code: `use std::io::Write;\nasync fn f() {\n    writeln!(std::io::stdout().lock(), "hi").unwrap();\n    tokio::time::sleep(D).await;\n}`,
    },
    {
      name: "file lock on a declared non-mutex type",
      code: `async fn f(file: &std::fs::File) {\n    let held = file.lock().unwrap();\n    tokio::time::sleep(D).await;\n}`,
    },
    {
      name: "File::lock() on a file opened in the function is not a mutex",
      code: `use std::fs::File;\nuse std::sync::Mutex;\nasync fn f(path: &str) -> std::io::Result<()> {\n    let file = File::open(path)?;\n    let held = file.lock().unwrap();\n    tokio::time::sleep(D).await;\n    Ok(())\n}`,
    },
    {
      name: "bare lock() of a tokio Mutex is a future handed to timeout, not a guard",
      code: `use tokio::sync::Mutex;\nasync fn f(m: &Mutex<u64>) {\n    let fut = m.lock();\n    let guard = tokio::time::timeout(D, fut).await;\n}`,
    },
    {
      name: "guard in a sync helper called from async code",
      code: `use std::sync::Mutex;\nfn bump(m: &Mutex<u64>) { *m.lock().unwrap() += 1; }\nasync fn f(m: &Mutex<u64>) {\n    bump(m);\n    tokio::time::sleep(D).await;\n}`,
    },
    {
      name: "value copied out of a guard helper before the await",
      code: `use std::sync::{Mutex, MutexGuard};\nstruct Store { state: Mutex<State> }\nimpl Store {\n    fn state(&self) -> MutexGuard<'_, State> { self.state.lock().unwrap() }\n    async fn save(&self) {\n        let rows = self.state().rows.clone();\n        persist(&rows).await;\n    }\n}`,
    },
    {
      name: "tokio read guard scoped in a block inside a macro_rules! retry body, before the backoff",
      code: `use futures_timer::Delay;\nuse tokio::sync::RwLock;\nstruct Client { cluster: RwLock<Cluster> }\nmacro_rules! retry {\n    ($self: ident, |$cluster: ident| $call: expr) => {{\n        for _ in 0..10 {\n            let res = {\n                let $cluster = &$self.cluster.read().await;\n                $call.await\n            };\n            if res.is_ok() { return res; }\n            Delay::new(Duration::from_secs(1)).await;\n        }\n        unreachable!()\n    }};\n}`,
    },
    {
      name: "tool cloned out of a tokio read guard before the tool runs under a timeout",
      code: `use tokio::sync::RwLock;\nstruct Agent { tools: RwLock<HashMap<String, Arc<dyn Tool>>> }\nimpl Agent {\n    async fn run(&self, name: &str) -> String {\n        let tool = { let tools = self.tools.read().await; tools.get(name).cloned() };\n        match tool {\n            Some(tool) => tokio::time::timeout(D, tool.execute(name)).await.ok().map(|r| r.to_string()).unwrap_or_default(),\n            None => String::new(),\n        }\n    }\n}`,
    },
    {
      name: "a macro_rules! body that awaits without taking a lock",
      code: `macro_rules! call {\n    ($client: ident, $req: expr) => {\n        $client.send($req).await?\n    };\n}`,
    },
  ],
  invalid: [
    {
      name: "MQTT broker holding a read guard across a network publish",
      code: `use tokio::sync::RwLock;\nasync fn publish(subscriptions: &RwLock<HashMap<String, Vec<Client>>>, topic: &str, payload: Vec<u8>) {\n    let subs = subscriptions.read().await;\n    for client in subs.get(topic).into_iter().flatten() {\n        client.publish(topic, payload.clone()).await.ok();\n    }\n}`,
      errors: [{ messageId: "rustAsyncGuardAcrossAwait", line: 5 }],
    },
    {
      name: "std Mutex guard across a sleep in a retry loop",
      code: `use std::sync::Mutex;\nasync fn wait_ready(state: &Mutex<bool>) {\n    loop {\n        let ready = state.lock().unwrap();\n        if *ready { return; }\n        tokio::time::sleep(D).await;\n    }\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 6 }],
    },
    {
      name: "tokio Mutex held across rx.recv().await",
      code: `use tokio::sync::Mutex;\nasync fn drain(state: &Mutex<Vec<Job>>, rx: &mut Receiver<Job>) {\n    let mut jobs = state.lock().await;\n    while let Some(job) = rx.recv().await {\n        jobs.push(job);\n    }\n}`,
      errors: [{ messageId: "rustAsyncGuardAcrossAwait", line: 4 }],
    },
    {
      name: "std RwLock read guard across a socket write",
      code: `use std::sync::RwLock;\nasync fn f(subs: &RwLock<HashMap<String, Vec<String>>>, peer: &mut TcpStream) -> std::io::Result<()> {\n    let guard = subs.read().unwrap();\n    if let Some(names) = guard.get("t") {\n        peer.write_all(names.join(",").as_bytes()).await?;\n    }\n    Ok(())\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 5 }],
    },
    {
      name: "drop only in one branch leaves the other path holding",
      code: `use std::sync::Mutex;\nasync fn f(m: &Mutex<u64>, fast: bool) {\n    let guard = m.lock().unwrap();\n    if fast { drop(guard); }\n    flush().await;\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 5 }],
    },
    {
      name: "parking_lot guard (no unwrap) across an await",
      code: `use parking_lot::Mutex;\nasync fn f(m: &Mutex<Vec<u8>>) {\n    let mut buf = m.lock();\n    buf.clear();\n    refill().await;\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 5 }],
    },
    {
      name: "guard temporary in a while-let scrutinee lives through the body",
      code: `use std::sync::Mutex;\nasync fn f(queue: &Mutex<VecDeque<Job>>) {\n    while let Some(job) = queue.lock().unwrap().pop_front() {\n        run(job).await;\n    }\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 4 }],
    },
    {
      name: "guard temporary in a match scrutinee lives through the arms",
      code: `use std::sync::Mutex;\nasync fn f(peers: &Mutex<HashMap<u64, Peer>>, id: u64) {\n    match peers.lock().unwrap().get(&id) {\n        Some(peer) => peer.ping().await,\n        None => {}\n    }\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 4 }],
    },
    {
      name: "guard temporary in the same statement as the await",
      code: `use std::sync::Mutex;\nasync fn f(state: &Mutex<State>, tx: Tx) {\n    tx.send(state.lock().unwrap().snapshot()).await.ok();\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 3 }],
    },
    {
      name: "shadowed guard is not dropped",
      code: `use std::sync::Mutex;\nasync fn f(data: &Mutex<Vec<u8>>) {\n    let data = data.lock().unwrap();\n    let data = data.clone();\n    upload(data).await;\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 5 }],
    },
    {
      name: "guard of a struct field Arc<Mutex<…>> across an HTTP request",
      code: `use std::sync::{Arc, Mutex};\nstruct Svc { tokens: Arc<Mutex<Tokens>>, http: reqwest::Client }\nimpl Svc {\n    async fn call(&self) {\n        let tokens = self.tokens.lock().unwrap();\n        let _ = self.http.get("https://x").bearer_auth(&tokens.access).send().await;\n    }\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 6 }],
    },
    {
      name: "tokio RwLock write guard across a sleep",
      code: `use tokio::sync::RwLock;\nasync fn f(config: &RwLock<Config>) {\n    let mut config = config.write().await;\n    config.reloading = true;\n    tokio::time::sleep(D).await;\n}`,
      errors: [{ messageId: "rustAsyncGuardAcrossAwait", line: 5 }],
    },
    {
      name: "tokio Mutex held while sending to a bounded channel",
      code: `use tokio::sync::Mutex;\nasync fn f(state: &Mutex<Vec<u64>>, tx: &Sender<u64>) {\n    let items = state.lock().await;\n    for item in items.iter() {\n        tx.send(*item).await.ok();\n    }\n}`,
      errors: [{ messageId: "rustAsyncGuardAcrossAwait", line: 5 }],
    },
    {
      name: "tokio Mutex held while connecting upstream",
      code: `use tokio::sync::Mutex;\nasync fn f(pool: &Mutex<Vec<TcpStream>>) -> std::io::Result<()> {\n    let mut pool = pool.lock().await;\n    let stream = TcpStream::connect("db:5432").await?;\n    pool.push(stream);\n    Ok(())\n}`,
      errors: [{ messageId: "rustAsyncGuardAcrossAwait", line: 4 }],
    },
    {
      name: "guard bound through map_err(…)? across a database call",
      code: `use std::sync::Mutex;\nasync fn f(cache: &Mutex<Cache>, db: &Pool) -> Result<(), E> {\n    let mut cache = cache.lock().map_err(|_| E::Poisoned)?;\n    let row = db.fetch_row(1).await?;\n    cache.put(row);\n    Ok(())\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 4 }],
    },
    {
      name: "tokio Mutex imported under an alias, held across an HTTP request",
      code: `use std::sync::Mutex;\nuse tokio::sync::Mutex as AsyncMutex;\nasync fn f(session: &AsyncMutex<Session>, client: &reqwest::Client) {\n    let session = session.lock().await;\n    let _ = client.get("https://api/x").bearer_auth(&session.token).send().await;\n}`,
      errors: [{ messageId: "rustAsyncGuardAcrossAwait", line: 5 }],
    },
    {
      name: "guard from a helper declared to return a std MutexGuard",
      code: `use std::sync::{Mutex, MutexGuard};\nstruct Store { state: Mutex<State> }\nimpl Store {\n    fn state(&self) -> MutexGuard<'_, State> { self.state.lock().unwrap() }\n    async fn save(&self) {\n        let state = self.state();\n        persist(&state.rows).await;\n    }\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 7 }],
    },
    {
      name: "reportUnknownAwaits: tokio guard across an unknown call",
      code: `use tokio::sync::Mutex;\nasync fn f(m: &Mutex<u64>) {\n    let n = m.lock().await;\n    remote_increment(*n).await;\n}`,
      options: { reportUnknownAwaits: true },
      errors: [{ messageId: "rustAsyncGuardUnknownAwait", line: 4 }],
    },
    {
      name: "tokio RwLock read guard held across a tool run bounded by tokio::time::timeout",
      code: `use tokio::sync::RwLock;\nstruct Agent { tools: RwLock<HashMap<String, Arc<dyn Tool>>> }\nimpl Agent {\n    async fn run(&self, name: &str) -> String {\n        async {\n            let tools = self.tools.read().await;\n            match tools.get(name) {\n                Some(tool) => match tokio::time::timeout(D, tool.execute(name)).await { Ok(r) => r, Err(_) => String::new() },\n                None => String::new(),\n            }\n        }\n        .instrument(span)\n        .await\n    }\n}`,
      errors: [{ messageId: "rustAsyncGuardAcrossAwait", line: 8 }],
    },
    {
      name: "tokio RwLock read guard in a macro_rules! retry body held across the reconnect backoff (futures-timer Delay)",
      code: `use futures_timer::Delay;\nuse tokio::sync::RwLock;\nstruct Client { cluster: RwLock<(Cluster, Instant)> }\nmacro_rules! retry {\n    ($self: ident, |$cluster: ident| $call: expr) => {{\n        for _ in 0..10 {\n            let $cluster = &$self.cluster.read().await.0;\n            match $call.await { Ok(r) => return Ok(r), Err(e) => last = Err(e) }\n            while let Err(e) = $self.reconnect(1).await {\n                Delay::new(Duration::from_secs(1)).await;\n            }\n        }\n        unreachable!()\n    }};\n}`,
      errors: [{ messageId: "rustAsyncGuardAcrossAwait", line: 10 }],
    },
    {
      name: "std Mutex guard in a macro_rules! body held across a sleep",
      code: `use std::sync::Mutex;\nmacro_rules! wait_ready {\n    ($state: expr) => {\n        loop {\n            let ready = $state.lock().unwrap();\n            if *ready { break; }\n            tokio::time::sleep(D).await;\n        }\n    };\n}`,
      errors: [{ messageId: "rustSyncGuardAcrossAwait", line: 7 }],
    },
  ],
});
