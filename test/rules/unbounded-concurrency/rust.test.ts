import rule from "../../../rules/unbounded-concurrency/index.js";
import { rustRuleTester } from "../../helpers/rule-tester.js";

rustRuleTester(rule, {
  valid: [
    {
      name: "spawn per request whose sender waits on its oneshot reply (reqwest's blocking client runtime)",
      code: `use tokio::sync::{mpsc, oneshot};\ntype OneshotResponse = oneshot::Sender<Result<Response, Error>>;\nfn start(client: Client) {\n    let (tx, rx) = mpsc::unbounded_channel::<(Request, OneshotResponse)>();\n    std::thread::spawn(move || {\n        let f = async move {\n            let mut rx = rx;\n            while let Some((req, req_tx)) = rx.recv().await {\n                let req_fut = client.execute(req);\n                tokio::spawn(forward(req_fut, req_tx));\n            }\n        };\n        block_on(f);\n    });\n}`,
    },
    {
      name: "spawn per message inside a #[tokio::test] (the test sends a fixed count)",
      code: `#[tokio::test]\nasync fn spawns_per_message() {\n    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u32>();\n    while let Some(n) = rx.recv().await {\n        tokio::task::spawn_local(async move { n });\n    }\n}`,
    },
    {
      name: "semaphore permit acquired per item",
      code: `async fn f(items: Vec<I>, sem: Arc<Semaphore>) {\n    for i in items {\n        let p = sem.clone().acquire_owned().await.unwrap();\n        tokio::spawn(async move { let _p = p; work(i).await });\n    }\n}`,
    },
    {
      name: "JoinSet capped with join_next",
      code: `async fn f(items: Vec<I>) {\n    let mut set = tokio::task::JoinSet::new();\n    for i in items {\n        if set.len() >= 8 { set.join_next().await; }\n        set.spawn(work(i));\n    }\n}`,
    },
    { name: "fixed worker count from a small range", code: `async fn f() { for id in 0..4 { tokio::spawn(worker(id)); } }` },
    { name: "range up to a constant", code: `async fn f() { for id in 0..WORKERS { tokio::spawn(worker(id)); } }` },
    { name: "array literal of services", code: `async fn f() { for s in [a(), b(), c()] { tokio::spawn(s); } }` },
    {
      name: "buffer_unordered stream",
      code: `async fn f(urls: Vec<String>) { stream::iter(urls).map(fetch).buffer_unordered(8).collect::<Vec<_>>().await; }`,
    },
    { name: "spawn outside any loop", code: `async fn f() { tokio::spawn(serve()); }` },
    {
      name: "spawn inside a closure in a loop is a different body",
      code: `async fn f(items: Vec<I>) { for i in items { let g = move || tokio::spawn(work(i)); keep(g); } }`,
    },
    { name: "join_all over a literal vec", code: `async fn f() { futures::future::join_all(vec![a(), b()]).await; }` },
    {
      name: "join_all over a map of an array literal of services (fixed size)",
      code: `async fn f() { futures::future::join_all([a, b, c].iter().map(|s| s.start())).await; }`,
    },
    {
      name: "FuturesUnordered from a map over a small range of workers",
      code: `async fn f() { let mut set: FuturesUnordered<_> = (0..4).map(worker).collect(); while set.next().await.is_some() {} }`,
    },
    {
      name: "buffer_unordered over the zone list (the bounded fix)",
      code: `async fn f(zones: Vec<Zone>) { let mut s = futures::stream::iter(zones).map(|z| async move { save(&z).await }).buffer_unordered(10); while let Some(_) = s.next().await {} }`,
    },
    {
      name: "FuturesUnordered over a SmallVec filled from conns.drain(..count) where count is capped by a config option (parallel DNS requests)",
      code: `async fn send(mut conns: Vec<Conn>, opts: &Opts, request: Req) {\n    let mut par_conns = SmallVec::<[Conn; 2]>::new();\n    let count = conns.len().min(opts.num_concurrent_reqs.max(1));\n    for conn in conns.drain(..count) {\n        par_conns.push(conn);\n    }\n    let mut requests = par_conns.into_iter().map(|c| c.send(request.clone())).collect::<FuturesUnordered<_>>();\n    while let Some(_) = requests.next().await {}\n}`,
    },
    {
      name: "join_all over a map of the first few peers (take of a constant)",
      code: `async fn f(peers: Vec<Peer>) { futures::future::join_all(peers.iter().take(MAX_FANOUT).map(|p| p.ping())).await; }`,
    },
    {
      name: "collect of a mapped list into a Vec, not a future set",
      code: `async fn f(zones: Vec<Zone>) { let names: Vec<_> = zones.iter().map(|z| z.name()).collect(); use_all(names); }`,
    },
    {
      name: "accept loop with a connection semaphore",
      code: `async fn f(l: L, sem: Arc<Semaphore>) {\n    loop {\n        let permit = sem.clone().acquire_owned().await.unwrap();\n        let (s, _) = l.accept().await.unwrap();\n        tokio::spawn(async move { let _p = permit; handle(s).await });\n    }\n}`,
    },
    { name: "recv loop processing inline", code: `async fn f(mut rx: Rx) { while let Some(job) = rx.recv().await { run(job).await; } }` },
    {
      name: "worker pool sized by available_parallelism",
      code: `async fn run(rx: Receiver<Job>) {\n    let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(4);\n    let mut set = tokio::task::JoinSet::new();\n    for i in 0..n {\n        set.spawn(worker(i, rx.clone()));\n    }\n    while set.join_next().await.is_some() {}\n}`,
    },
    {
      name: "worker pool sized by available_parallelism inline",
      code: `async fn run(rx: Receiver<Job>) -> std::io::Result<()> {\n    let mut set = JoinSet::new();\n    for i in 0..std::thread::available_parallelism()?.get() {\n        set.spawn(worker(i, rx.clone()));\n    }\n    Ok(())\n}`,
    },
    {
      name: "worker pool sized by num_cpus",
      code: `async fn run(rx: Receiver<Job>) {\n    for i in 0..num_cpus::get() {\n        tokio::spawn(worker(i, rx.clone()));\n    }\n}`,
    },
    {
      name: "worker pool sized by a config field",
      code: `async fn run(config: &Config, rx: Receiver<Job>) {\n    let mut set = JoinSet::new();\n    for i in 0..config.workers {\n        set.spawn(worker(i, rx.clone()));\n    }\n}`,
    },
    {
      name: "worker pool sized by a nested self config field",
      code: `impl Pool {\n    async fn start(&self) {\n        for id in 0..self.settings.pool_size {\n            tokio::spawn(worker(id, self.queue.clone()));\n        }\n    }\n}`,
    },
    {
      name: "worker pool sized by a let from config",
      code: `async fn run(cfg: Cfg, rx: Receiver<Job>) {\n    let count = cfg.concurrency.get();\n    for i in 0..count {\n        tokio::spawn(worker(i, rx.clone()));\n    }\n}`,
    },
    {
      name: "worker pool sized by a parameter named workers",
      code: `async fn start(workers: usize, rx: Receiver<Job>) {\n    for i in 0..workers {\n        tokio::spawn(worker(i, rx.clone()));\n    }\n}`,
    },
    {
      name: "worker pool sized by a path constant",
      code: `async fn run(rx: Receiver<Job>) {\n    for i in 0..=config::MAX_WORKERS {\n        tokio::spawn(worker(i, rx.clone()));\n    }\n}`,
    },
    {
      name: "input length capped with min",
      code: `async fn run(items: Vec<Job>) {\n    for i in 0..items.len().min(8) {\n        tokio::spawn(worker(i));\n    }\n}`,
    },
    {
      name: "parallelism minus one, at least one",
      code: `async fn run(rx: Receiver<Job>) {\n    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());\n    for i in 0..(cpus - 1).max(1) {\n        tokio::spawn(worker(i, rx.clone()));\n    }\n}`,
    },
    {
      name: "bounded reserve before spawn",
      code: `async fn f(mut rx: Rx, tx: Tx) { while let Some(job) = rx.recv().await { let slot = tx.reserve().await.unwrap(); tokio::spawn(run(job, slot)); } }`,
    },
    {
      name: "FuturesUnordered filled by push in a loop over an array of constant hosts",
      code: `use futures::stream::{FuturesUnordered, StreamExt};\nasync fn probe() {\n    let mut set = FuturesUnordered::new();\n    for host in ["a.example", "b.example", "c.example"] {\n        set.push(async move { ping(host).await });\n    }\n    while set.next().await.is_some() {}\n}`,
    },
    {
      name: "FuturesUnordered filled by push in a loop over a constant list",
      code: `async fn probe() {\n    let mut set = futures::stream::FuturesUnordered::new();\n    for host in BOOTSTRAP_PEERS.iter() {\n        set.push(ping(host));\n    }\n    while set.next().await.is_some() {}\n}`,
    },
    {
      name: "FuturesUnordered filled by push in a loop over a configured upstream list",
      code: `async fn check(config: &Config) {\n    let mut checks = FuturesUnordered::new();\n    for upstream in &config.upstreams {\n        checks.push(async move { health(upstream).await });\n    }\n    while checks.next().await.is_some() {}\n}`,
    },
    {
      name: "FuturesUnordered filled by push over a configured name-server list read by a method",
      code: `async fn query(&self) {\n    let mut requests = FuturesUnordered::new();\n    for server in self.config.name_servers() {\n        requests.push(self.send(server));\n    }\n    while requests.next().await.is_some() {}\n}`,
    },
    {
      name: "spawn per configured backend",
      code: `async fn start(settings: Settings) {\n    for backend in settings.backends.iter() {\n        tokio::spawn(watch(backend.clone()));\n    }\n}`,
    },
    {
      name: "FuturesUnordered push after a semaphore permit is acquired",
      code: `async fn fetch_all(urls: Vec<String>, limit: Arc<Semaphore>) {\n    let mut set = FuturesUnordered::new();\n    for url in urls {\n        let permit = limit.clone().acquire_owned().await.unwrap();\n        set.push(async move { let _permit = permit; fetch(&url).await });\n    }\n    while set.next().await.is_some() {}\n}`,
    },
    {
      name: "FuturesUnordered drained while filled to a cap",
      code: `async fn fetch_all(urls: Vec<String>) {\n    let mut set = FuturesUnordered::new();\n    for url in urls {\n        while set.len() >= 16 {\n            set.next().await;\n        }\n        set.push(fetch(url));\n    }\n    while set.next().await.is_some() {}\n}`,
    },
    {
      name: "FuturesUnordered of ready futures that wait on nothing",
      code: `async fn f(items: Vec<u32>) {\n    let mut set = FuturesUnordered::new();\n    for n in items {\n        set.push(futures::future::ready(n * 2));\n        set.push(async move { n + 1 });\n    }\n    while set.next().await.is_some() {}\n}`,
    },
    {
      name: "push into a Vec, not a future set",
      code: `async fn f(urls: Vec<String>) {\n    let mut pending = Vec::new();\n    for url in urls {\n        pending.push(fetch(url));\n    }\n    run_in_batches(pending, 8).await;\n}`,
    },
    {
      name: "buffer_unordered over the input instead of pushing",
      code: `async fn f(urls: Vec<String>) {\n    let results: Vec<_> = futures::stream::iter(urls).map(|url| async move { fetch(&url).await }).buffer_unordered(8).collect().await;\n    keep(results);\n}`,
    },
    {
      name: "join_all over a map of a configured peer list",
      code: `async fn f(config: &Config) { futures::future::join_all(config.peers.iter().map(|p| p.ping())).await; }`,
    },
    {
      name: "FuturesUnordered filled per request whose sender waits on its oneshot reply",
      code: `use tokio::sync::{mpsc, oneshot};\nasync fn serve(mut rx: mpsc::Receiver<(Query, oneshot::Sender<Answer>)>) {\n    let mut pending = FuturesUnordered::new();\n    while let Some((query, reply)) = rx.recv().await {\n        pending.push(async move { let _ = reply.send(resolve(query).await); });\n    }\n    while pending.next().await.is_some() {}\n}`,
    },
  ],
  invalid: [
    {
      name: "spawn per message of a channel whose messages carry no reply sender",
      code: `use tokio::sync::mpsc;\nasync fn pump() {\n    let (tx, rx) = mpsc::unbounded_channel::<(Request, u64)>();\n    let mut rx = rx;\n    while let Some((req, id)) = rx.recv().await {\n        tokio::spawn(handle(req, id));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 6 }],
    },
    {
      name: "spawn per message in a #[cfg(not(test))] function",
      code: `#[cfg(not(test))]\nasync fn pump(mut rx: tokio::sync::mpsc::Receiver<u32>) {\n    while let Some(n) = rx.recv().await {\n        tokio::spawn(async move { n });\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 4 }],
    },
    {
      name: "spawn per url",
      code: `async fn f(urls: Vec<String>) {\n    for url in urls {\n        tokio::spawn(async move { fetch(&url).await });\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 3 }],
    },
    {
      name: "spawn per item pushed to a Vec of handles",
      code: `async fn f(items: Vec<I>) {\n    let mut hs = vec![];\n    for i in items {\n        hs.push(tokio::spawn(work(i)));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 4 }],
    },
    {
      name: "JoinSet without a cap",
      code: `async fn f(items: Vec<I>) {\n    let mut set = tokio::task::JoinSet::new();\n    for i in items {\n        set.spawn(work(i));\n    }\n    while let Some(r) = set.join_next().await { r.unwrap(); }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 4 }],
    },
    {
      name: "spawn per message from a channel",
      code: `async fn f(mut rx: Rx) {\n    while let Some(job) = rx.recv().await {\n        tokio::spawn(run(job));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 3 }],
    },
    {
      name: "spawn per connection without a limit",
      code: `async fn f(l: L) {\n    loop {\n        let (s, _) = l.accept().await.unwrap();\n        tokio::spawn(handle(s));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 4 }],
    },
    {
      name: "while let accept",
      code: `async fn f(l: L) {\n    while let Ok((s, _)) = l.accept().await {\n        tokio::spawn(handle(s));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 3 }],
    },
    {
      name: "imported spawn over a map's entries",
      code: `use tokio::spawn;\nasync fn f(m: HashMap<K, V>) {\n    for (k, v) in m {\n        spawn(sync(k, v));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 4 }],
    },
    {
      name: "range over input length",
      code: `async fn f(n: usize) {\n    for i in 0..n {\n        tokio::spawn(work(i));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 3 }],
    },
    {
      name: "range over a collection's len",
      code: `async fn f(items: Vec<Job>) {\n    for i in 0..items.len() {\n        tokio::spawn(work(items[i].clone()));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 3 }],
    },
    {
      name: "range over a len kept in a let named like workers",
      code: `async fn f(items: Vec<Job>) {\n    let workers = items.len();\n    for i in 0..workers {\n        tokio::spawn(work(i));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 4 }],
    },
    {
      name: "range over an input count parameter",
      code: `async fn f(input_count: usize) {\n    for i in 0..input_count {\n        tokio::spawn(work(i));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 3 }],
    },
    {
      name: "range over a request field",
      code: `async fn f(request: BatchRequest) {\n    for i in 0..request.count {\n        tokio::spawn(work(i));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 3 }],
    },
    {
      name: "range over an iterator count",
      code: `async fn f(lines: Lines) {\n    let total = lines.clone().count();\n    for i in 0..total {\n        tokio::spawn(work(i));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 4 }],
    },
    {
      name: "large literal range",
      code: `async fn f() {\n    for i in 0..100_000 {\n        tokio::spawn(work(i));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 3 }],
    },
    {
      name: "join_all over a map of ids",
      code: `async fn f(ids: Vec<u64>) {\n    futures::future::join_all(ids.iter().map(|id| load(*id))).await;\n}`,
      errors: [{ messageId: "rustJoinAllMap", line: 2 }],
    },
    {
      name: "imported try_join_all",
      code: `use futures::future::try_join_all;\nasync fn f(ids: Vec<u64>) {\n    try_join_all(ids.into_iter().map(load)).await.unwrap();\n}`,
      errors: [{ messageId: "rustJoinAllMap", line: 3 }],
    },
    {
      name: "FuturesUnordered collected from a map over an input list (a sled's whole zone list)",
      code: `use futures::stream::{FuturesUnordered, StreamExt};\nasync fn collect(zones: Vec<Zone>, client: &Client) {\n    let mut log_futs: FuturesUnordered<_> = zones\n        .iter()\n        .map(|zone| save_zone_log(client, zone))\n        .collect();\n    while let Some(r) = log_futs.next().await {\n        drop(r);\n    }\n}`,
      errors: [{ messageId: "rustCollectFutureSet", line: 6 }],
    },
    {
      name: "turbofish collect into FuturesUnordered over input ids",
      code: `async fn f(ids: &[u64]) {\n    let mut futs = ids.iter().map(|id| load(*id)).collect::<futures::stream::FuturesUnordered<_>>();\n    while let Some(_) = futs.next().await {}\n}`,
      errors: [{ messageId: "rustCollectFutureSet", line: 2 }],
    },
    {
      name: "join_all over a let of mapped uploads (every parcel file opened and uploaded at once)",
      code: `async fn push(to_upload: Vec<(String, PathBuf)>, client: &Client) -> Result<()> {\n    let parcel_futures = to_upload\n        .into_iter()\n        .map(|(sha, path)| (sha, path, client.clone()))\n        .map(|(sha, path, client)| async move { client.create_parcel_from_file(&sha, path).await });\n    futures::future::join_all(parcel_futures).await;\n    Ok(())\n}`,
      errors: [{ messageId: "rustJoinAllMap", line: 6 }],
    },
    {
      name: "stream next loop",
      code: `async fn f(mut s: S) {\n    while let Some(ev) = s.next().await {\n        tokio::task::spawn(handle(ev));\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 3 }],
    },
    {
      name: "FuturesUnordered filled by push per url of a parameter",
      code: `use futures::stream::{FuturesUnordered, StreamExt};\nasync fn fetch_all(urls: Vec<String>) {\n    let mut set = FuturesUnordered::new();\n    for url in urls {\n        set.push(async move { fetch(&url).await });\n    }\n    while let Some(_) = set.next().await {}\n}`,
      errors: [{ messageId: "rustPushPerItem", line: 5 }],
    },
    {
      name: "FuturesOrdered typed by its let, filled by push_back per row of a query result",
      code: `async fn refresh(db: &Db) -> Result<()> {\n    let rows = db.query("select id from users").await?;\n    let mut updates: FuturesOrdered<_> = FuturesOrdered::new();\n    for row in rows {\n        updates.push_back(refresh_user(row.get(0)));\n    }\n    while updates.next().await.is_some() {}\n    Ok(())\n}`,
      errors: [{ messageId: "rustPushPerItem", line: 5 }],
    },
    {
      name: "FuturesUnordered filled by push per entry of a directory listing",
      code: `async fn upload_dir(dir: &Path, client: &Client) -> io::Result<()> {\n    let mut uploads = futures::stream::FuturesUnordered::new();\n    for entry in std::fs::read_dir(dir)? {\n        let path = entry?.path();\n        uploads.push(Box::pin(async move { client.upload(&path).await }));\n    }\n    while uploads.next().await.is_some() {}\n    Ok(())\n}`,
      errors: [{ messageId: "rustPushPerItem", line: 5 }],
    },
    {
      name: "FuturesUnordered filled by push per item of a request body",
      code: `async fn batch(Json(body): Json<Batch>, client: Client) {\n    let mut calls = FuturesUnordered::new();\n    for item in body.items.iter() {\n        calls.push(client.post(&item.url).send());\n    }\n    while calls.next().await.is_some() {}\n}`,
      errors: [{ messageId: "rustPushPerItem", line: 4 }],
    },
    {
      name: "JoinSet bound by let, with a name that does not say set, spawned per input item",
      code: `async fn f(items: Vec<Job>) {\n    let mut workers = tokio::task::JoinSet::new();\n    for job in items {\n        workers.spawn(run(job));\n    }\n    while workers.join_next().await.is_some() {}\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 4 }],
    },
    {
      name: "spawn per peer of a server's own field (not configuration)",
      code: `impl Node {\n    async fn broadcast(&self, msg: Msg) {\n        let mut handles = Vec::new();\n        for peer in self.peers.iter() {\n            handles.push(tokio::spawn(send(peer.clone(), msg.clone())));\n        }\n        futures::future::join_all(handles).await;\n    }\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 5 }],
    },
    {
      name: "spawn per entry of a tokio::fs::read_dir listing (next_entry loop)",
      code: `async fn index(dir: &Path) -> std::io::Result<()> {\n    let mut entries = tokio::fs::read_dir(dir).await?;\n    let mut handles = Vec::new();\n    while let Some(entry) = entries.next_entry().await? {\n        handles.push(tokio::spawn(hash_file(entry.path())));\n    }\n    Ok(())\n}`,
      errors: [{ messageId: "rustSpawnPerItem", line: 5 }],
    },
    {
      name: "FuturesUnordered filled by push per row of a query's row stream (try_next loop)",
      code: `async fn notify_all(pool: &PgPool) -> Result<()> {\n    let mut rows = sqlx::query("select email from users").fetch(pool);\n    let mut sends = FuturesUnordered::new();\n    while let Some(row) = rows.try_next().await? {\n        sends.push(async move { send_mail(row.get(0)).await });\n    }\n    while sends.next().await.is_some() {}\n    Ok(())\n}`,
      errors: [{ messageId: "rustPushPerItem", line: 5 }],
    },
  ],
});
