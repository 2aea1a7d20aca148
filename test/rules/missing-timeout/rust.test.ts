import rule from "../../../rules/missing-timeout/index.js";
import { rustRuleTester } from "../../helpers/rule-tester.js";

rustRuleTester(rule, {
  valid: [
    {
      name: "reqwest client built by a helper with a timeout, handed to post_graphql",
      code: `fn reqwest_client() -> reqwest::Client {\n    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()\n}\nasync fn get_chains(url: &str) -> Result<Chains> {\n    let client = reqwest_client();\n    post_graphql::<Chains, _>(&client, url, chains::Variables).await\n}`,
    },
    {
      name: "client without a timeout handed to a function of the same file that sets a per-request timeout",
      code: `async fn fetch(client: &reqwest::Client, url: &str) -> reqwest::Result<String> {\n    client.get(url).timeout(Duration::from_secs(5)).send().await?.text().await\n}\nasync fn run(url: &str) {\n    let client = reqwest::Client::new();\n    let _ = fetch(&client, url).await;\n}`,
    },
    {
      name: "connect to a loopback address written as a literal (h2's example client)",
      code: `use tokio::net::TcpStream;\npub async fn main_client() -> std::io::Result<()> {\n    let tcp = TcpStream::connect("127.0.0.1:5928").await?;\n    let v6 = TcpStream::connect("[::1]:5928").await?;\n    Ok(())\n}`,
    },
    {
      name: "connect in a test module file declared #[cfg(test)] mod tests; in lib.rs",
      filename: "tests.rs",
      code: `pub async fn start() -> tokio::net::TcpStream {\n    tokio::net::TcpStream::connect("db.internal:7000").await.unwrap()\n}`,
      files: { "src/lib.rs": `#[cfg(test)]\nmod tests;` },
    },
    {
      name: "helper's socket write bounded by a caller in another file of the run",
      code: `use std::time::Duration;\nuse tokio::io::AsyncWriteExt;\nuse tokio::net::TcpStream;\nuse tokio::time::timeout;\npub async fn ping(addr: &str) -> std::io::Result<()> {\n    let mut stream: TcpStream = timeout(Duration::from_secs(3), TcpStream::connect(addr)).await??;\n    stream.write_all(b"ping").await\n}`,
      files: {
        "src/health.rs": `pub async fn check(addr: &str) -> bool {\n    tokio::time::timeout(std::time::Duration::from_secs(1), crate::net::ping(addr)).await.is_ok()\n}`,
      },
    },
    {
      name: "another file's call under a configured wrapper",
      code: `use std::time::Duration;\nuse tokio::io::AsyncWriteExt;\nuse tokio::net::TcpStream;\nuse tokio::time::timeout;\npub async fn ping(addr: &str) -> std::io::Result<()> {\n    let mut stream: TcpStream = timeout(Duration::from_secs(3), TcpStream::connect(addr)).await??;\n    stream.write_all(b"ping").await\n}`,
      options: { timeoutWrappers: ["withDeadline"] },
      files: {
        "src/health.rs": `pub async fn check(addr: &str) -> bool {\n    with_deadline(\n        crate::net::ping(addr),\n    ).await.is_ok()\n}`,
      },
    },
    {
      name: "connect wrapped in tokio::time::timeout",
      code: `use tokio::net::TcpStream;\nuse tokio::time::timeout;\nasync fn open(addr: &str) -> std::io::Result<TcpStream> {\n    timeout(std::time::Duration::from_secs(3), TcpStream::connect(addr)).await?\n}`,
    },
    {
      name: "connect inside an async block handed to timeout",
      code: `use tokio::net::TcpStream;\nasync fn open(addr: &str) {\n    let _ = tokio::time::timeout(D, async {\n        let s = TcpStream::connect(addr).await?;\n        Ok::<_, std::io::Error>(s)\n    }).await;\n}`,
    },
    {
      name: "connect raced against a sleep in select! (token tree)",
      code: `use tokio::net::TcpStream;\nasync fn open(addr: &str) {\n    tokio::select! {\n        s = TcpStream::connect(addr) => drop(s),\n        _ = tokio::time::sleep(D) => {}\n    }\n}`,
    },
    {
      name: "socket helper whose only caller runs it under the request deadline (server template shape)",
      code: `use tokio::io::AsyncWriteExt;\nuse tokio::net::TcpStream;\nuse tokio::time::timeout;\nasync fn handle(s: TcpStream) { let _ = timeout(D, route(s)).await; }\nasync fn route(s: TcpStream) { let _ = ping(s).await; }\nasync fn ping(mut stream: TcpStream) -> std::io::Result<()> {\n    stream.write_all(b"PING\\n").await\n}`,
    },
    {
      name: "socket parameter of a helper nobody in this file calls (the caller owns the deadline)",
      code: `use tokio::io::AsyncWriteExt;\nuse tokio::net::TcpStream;\npub async fn send_frame(peer: &mut TcpStream, frame: &[u8]) -> std::io::Result<()> {\n    peer.write_all(frame).await\n}`,
    },
    {
      name: "generic AsyncRead stream is not known to be a socket",
      code: `use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};\nasync fn serve<S: AsyncRead + Unpin>(stream: S) {\n    let mut line = String::new();\n    let _ = BufReader::new(stream).read_line(&mut line).await;\n}`,
    },
    {
      name: "reqwest client built with a timeout",
      code: `async fn fetch(url: &str) -> reqwest::Result<String> {\n    let client = reqwest::Client::builder().timeout(D).build()?;\n    client.get(url).send().await?.text().await\n}`,
    },
    {
      name: "per-request timeout on a default reqwest client",
      code: `use reqwest::Client;\nasync fn fetch(url: &str) -> reqwest::Result<reqwest::Response> {\n    let client = Client::new();\n    client.get(url).timeout(D).send().await\n}`,
    },
    {
      name: "reqwest client received as a parameter (built elsewhere)",
      code: `async fn fetch(client: &reqwest::Client, url: &str) -> reqwest::Result<reqwest::Response> {\n    client.get(url).send().await\n}`,
    },
    {
      name: "oneshot reply bounded by timeout",
      code: `use tokio::sync::oneshot;\nasync fn get(actor: Actor) -> Option<u64> {\n    let (tx, rx) = oneshot::channel();\n    actor.send(Msg::Get { reply: tx }).await.ok()?;\n    tokio::time::timeout(D, rx).await.ok()?.ok()\n}`,
    },
    {
      name: "oneshot used as a shutdown signal (waiting forever is the point)",
      code: `use tokio::sync::oneshot;\nasync fn serve() {\n    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();\n    register(shutdown_tx);\n    let _ = shutdown_rx.await;\n}`,
    },
    {
      name: "oneshot receiver moved into a graceful-shutdown future",
      code: `use tokio::sync::oneshot;\nasync fn serve(server: Server, registry: &Registry) {\n    let (tx, rx) = oneshot::channel::<()>();\n    registry.store(Some(tx));\n    server.with_graceful_shutdown(async { rx.await.ok(); }).await;\n}`,
    },
    {
      name: "oneshot whose sender stays here (no request went out)",
      code: `use tokio::sync::oneshot;\nasync fn f() {\n    let (tx, rx) = oneshot::channel();\n    tokio::spawn(async move { let _ = tx.send(compute()); });\n    let _ = rx.await;\n}`,
    },
    {
      name: "tokio Command output under a timeout",
      code: `use tokio::process::Command;\nasync fn convert() {\n    let _ = tokio::time::timeout(D, Command::new("ffmpeg").arg("-i").output()).await;\n}`,
    },
    {
      name: "std::process::Command is not awaited (blocking-in-async's business)",
      code: `use std::process::Command;\nfn convert() {\n    let _ = Command::new("ffmpeg").output();\n}`,
    },
    {
      name: "Barrier::wait is not a child process",
      code: `use tokio::sync::Barrier;\nasync fn f(b: std::sync::Arc<Barrier>) {\n    let barrier = Barrier::new(2);\n    barrier.wait().await;\n}`,
    },
    {
      name: "test code is not checked",
      code: `#[cfg(test)]\nmod tests {\n    #[tokio::test]\n    async fn connects() {\n        let s = tokio::net::TcpStream::connect("db.internal:1").await;\n        assert!(s.is_err());\n    }\n}`,
    },
    {
      name: "configured wrapper (timeoutWrappers, snake_case)",
      code: `use tokio::net::TcpStream;\nasync fn open(addr: &str) {\n    let _ = with_deadline(TcpStream::connect(addr)).await;\n}\nasync fn read(mut s: TcpStream) {\n    let _ = with_deadline(async move { s.read_exact(&mut [0u8; 4]).await }).await;\n}`,
      options: { timeoutWrappers: ["withDeadline"] },
    },
    {
      name: "read on a socket whose reader loop races a cancellation token",
      code: `use tokio::io::AsyncReadExt;\nuse tokio::net::TcpStream;\nasync fn pump(mut s: TcpStream, stop: Token) {\n    let mut buf = [0u8; 1024];\n    loop {\n        tokio::select! {\n            _ = stop.cancelled() => return,\n            n = s.read(&mut buf) => if n.unwrap_or(0) == 0 { return },\n        }\n    }\n}\nasync fn start(s: TcpStream, stop: Token) { pump(s, stop).await }`,
    },
    {
      name: "socket helpers calling each other, none called with a socket of this file",
      code: `use tokio::io::AsyncWriteExt;\nuse tokio::net::TcpStream;\nasync fn write_value(stream: &mut TcpStream, v: &[u8]) -> std::io::Result<()> {\n    stream.write_all(v).await\n}\npub async fn write_frame(stream: &mut TcpStream, frame: &[Vec<u8>]) -> std::io::Result<()> {\n    for v in frame { write_value(stream, v).await?; }\n    Ok(())\n}`,
    },
    {
      name: "socket in a struct field of a connection wrapper (its callers own the deadline)",
      code: `use tokio::io::{AsyncReadExt, BufWriter};\nuse tokio::net::TcpStream;\nstruct Connection { stream: BufWriter<TcpStream>, buffer: bytes::BytesMut }\nimpl Connection {\n    async fn read_frame(&mut self) -> std::io::Result<usize> {\n        self.stream.read_buf(&mut self.buffer).await\n    }\n    async fn next(&mut self) -> std::io::Result<usize> { self.read_frame().await }\n}`,
    },
    {
      name: "integration-test helper under tests/",
      filename: "tests/support.rs",
      code: `pub async fn start() -> tokio::net::TcpStream {\n    tokio::net::TcpStream::connect("db.internal:7000").await.unwrap()\n}`,
    },
  ],
  invalid: [
    {
      name: "connect inside an impl gated by a cfg_net! { … } item macro",
      code: `use tokio::net::TcpStream;\ncfg_net! {\n    impl Upstream {\n        pub async fn open(&self) -> std::io::Result<TcpStream> {\n            TcpStream::connect(&self.addr).await\n        }\n    }\n}`,
      errors: [{ messageId: "rustConnect", line: 5 }],
    },
    {
      name: "reqwest Client::new() handed to graphql_client's post_graphql (the send happens inside the library)",
      code: `use graphql_client::reqwest::post_graphql;\nimpl Service {\n    pub async fn get_chains(&self) -> Result<Vec<ChainId>, IndexerError> {\n        let client = reqwest::Client::new();\n        let result = post_graphql::<Chains, _>(&client, &self.http(), chains::Variables).await?;\n        Ok(result.data.unwrap().chains.list)\n    }\n}`,
      errors: [{ messageId: "rustReqwestHandedOver", line: 5 }],
    },
    {
      name: "connect to localhost or to an address in a variable (name resolution, a remote peer)",
      code: `use tokio::net::TcpStream;\npub async fn open(addr: &str) -> std::io::Result<()> {\n    let a = TcpStream::connect("localhost:5928").await?;\n    let b = TcpStream::connect(addr).await?;\n    Ok(())\n}`,
      errors: [
        { messageId: "rustConnect", line: 3 },
        { messageId: "rustConnect", line: 4 },
      ],
    },
    {
      name: "helper's socket write: the other file calls it with no deadline",
      code: `use std::time::Duration;\nuse tokio::io::AsyncWriteExt;\nuse tokio::net::TcpStream;\nuse tokio::time::timeout;\npub async fn ping(addr: &str) -> std::io::Result<()> {\n    let mut stream: TcpStream = timeout(Duration::from_secs(3), TcpStream::connect(addr)).await??;\n    stream.write_all(b"ping").await\n}`,
      files: {
        "src/health.rs": `pub async fn check(addr: &str) -> bool {\n    crate::net::ping(addr).await.is_ok()\n}`,
        "src/retry.rs": `pub fn backoff() -> std::time::Duration {\n    tokio::time::timeout(D, idle()).now()\n}`,
      },
      errors: [{ messageId: "rustSocketIo", line: 7 }],
    },
    {
      name: "a deadline call in this file's own text is not another file's caller",
      code: `use std::time::Duration;\nuse tokio::io::AsyncWriteExt;\nuse tokio::net::TcpStream;\nuse tokio::time::timeout;\npub async fn ping(addr: &str) -> std::io::Result<()> {\n    let mut stream: TcpStream = timeout(Duration::from_secs(3), TcpStream::connect(addr)).await??;\n    stream.write_all(b"ping").await\n}\n\npub async fn check(addr: &str) -> bool {\n    // timeout(\n    ping(addr).await.is_ok()\n}`,
      files: { "src/other.rs": `pub async fn unrelated() {}` },
      errors: [{ messageId: "rustSocketIo", line: 7 }],
    },
    {
      name: "connect that never returns when the network drops packets",
      code: `use tokio::net::TcpStream;\npub async fn open(addr: &str) -> std::io::Result<TcpStream> {\n    let stream = TcpStream::connect(addr).await?;\n    Ok(stream)\n}`,
      errors: [{ messageId: "rustConnect", line: 3 }],
    },
    {
      name: "fully qualified tokio::net connect",
      code: `async fn open() {\n    let _ = tokio::net::TcpStream::connect("db:5432").await;\n}`,
      errors: [{ messageId: "rustConnect", line: 2 }],
    },
    {
      name: "UnixStream connect to a daemon socket",
      code: `use tokio::net::UnixStream;\nasync fn docker() -> std::io::Result<UnixStream> {\n    UnixStream::connect("/var/run/docker.sock").await\n}`,
      errors: [{ messageId: "rustConnect", line: 3 }],
    },
    {
      name: "reqwest::Client::new() used in a handler",
      code: `async fn handler(url: String) -> Result<String, reqwest::Error> {\n    let client = reqwest::Client::new();\n    let body = client.get(&url).header("accept", "json").send().await?.text().await?;\n    Ok(body)\n}`,
      errors: [{ messageId: "rustReqwest", line: 3 }],
    },
    {
      name: "reqwest::get convenience function",
      code: `async fn ip() -> reqwest::Result<String> {\n    reqwest::get("https://ifconfig.me").await?.text().await\n}`,
      errors: [{ messageId: "rustReqwest", line: 2 }],
    },
    {
      name: "builder with only a connect_timeout (the response can still stall)",
      code: `use reqwest::Client;\nasync fn post(url: &str) {\n    let http = Client::builder().connect_timeout(D).build().unwrap();\n    let _ = http.post(url).json(&1).send().await;\n}`,
      errors: [{ messageId: "rustReqwest", line: 4 }],
    },
    {
      name: "static Lazy client without a timeout",
      code: `use once_cell::sync::Lazy;\nuse reqwest::Client;\nstatic HTTP: Lazy<Client> = Lazy::new(|| Client::new());\nasync fn ping(url: &str) {\n    let _ = HTTP.get(url).send().await;\n}`,
      errors: [{ messageId: "rustReqwest", line: 5 }],
    },
    {
      name: "client field initialised with Client::new() in the constructor",
      code: `use reqwest::Client;\nstruct Api { http: Client }\nimpl Api {\n    fn new() -> Self { Self { http: Client::new() } }\n    async fn user(&self, id: u64) -> reqwest::Result<reqwest::Response> {\n        self.http.get(format!("/users/{id}")).send().await\n    }\n}`,
      errors: [{ messageId: "rustReqwest", line: 6 }],
    },
    {
      name: "oneshot reply from an actor that may never answer",
      code: `use tokio::sync::{mpsc, oneshot};\nasync fn get(tx: &mpsc::Sender<Command>, key: String) -> Option<Vec<u8>> {\n    let (resp_tx, resp_rx) = oneshot::channel();\n    tx.send(Command::Get { key, resp: resp_tx }).await.ok()?;\n    resp_rx.await.ok()\n}`,
      errors: [{ messageId: "rustOneshotReply", line: 5 }],
    },
    {
      name: "oneshot reply sender in a tuple message",
      code: `use tokio::sync::oneshot;\nasync fn ask(jobs: Jobs, job: Job) -> Outcome {\n    let (reply, outcome) = oneshot::channel();\n    jobs.try_send((job, reply)).unwrap();\n    match outcome.await { Ok(o) => o, Err(_) => Outcome::Lost }\n}`,
      errors: [{ messageId: "rustOneshotReply", line: 5 }],
    },
    {
      name: "echo server reading and writing an accepted socket with no idle timeout",
      code: `use tokio::io::{AsyncReadExt, AsyncWriteExt};\nuse tokio::net::TcpListener;\nasync fn serve(listener: TcpListener) -> std::io::Result<()> {\n    loop {\n        let (mut socket, _) = listener.accept().await?;\n        tokio::spawn(async move {\n            let mut buf = [0; 1024];\n            let n = socket.read(&mut buf).await.unwrap_or(0);\n            let _ = socket.write_all(&buf[..n]).await;\n        });\n    }\n}`,
      errors: [
        { messageId: "rustSocketIo", line: 8 },
        { messageId: "rustSocketIo", line: 9 },
      ],
    },
    {
      name: "line reader on the read half of a connected stream",
      code: `use tokio::io::{AsyncBufReadExt, BufReader};\nuse tokio::net::TcpStream;\nuse tokio::time::timeout;\nasync fn banner(addr: &str) -> std::io::Result<String> {\n    let stream = timeout(D, TcpStream::connect(addr)).await??;\n    let (read, _write) = stream.into_split();\n    let mut reader = BufReader::new(read);\n    let mut line = String::new();\n    reader.read_line(&mut line).await?;\n    Ok(line)\n}`,
      errors: [{ messageId: "rustSocketIo", line: 9 }],
    },
    {
      name: "per-connection handler spawned from the accept loop",
      code: `use tokio::io::AsyncReadExt;\nuse tokio::net::{TcpListener, TcpStream};\nasync fn handle(mut socket: TcpStream) {\n    let mut len = [0u8; 4];\n    let _ = socket.read_exact(&mut len).await;\n}\nasync fn run(l: TcpListener) {\n    while let Ok((s, _)) = l.accept().await { tokio::spawn(handle(s)); }\n}`,
      errors: [{ messageId: "rustSocketIo", line: 5 }],
    },
    {
      name: "spawned task escapes the caller's timeout",
      code: `use tokio::net::TcpStream;\nasync fn f() {\n    let _ = tokio::time::timeout(D, async {\n        tokio::spawn(async { let _ = TcpStream::connect("a:1").await; });\n    }).await;\n}`,
      errors: [{ messageId: "rustConnect", line: 4 }],
    },
    {
      name: "tokio Command output awaited with no deadline",
      code: `use tokio::process::Command;\nasync fn thumbnail(input: &str) -> std::io::Result<()> {\n    let out = Command::new("convert").arg(input).arg("out.png").output().await?;\n    Ok(())\n}`,
      errors: [{ messageId: "rustProcess", line: 3 }],
    },
    {
      name: "spawned tokio child waited on through a variable",
      code: `use tokio::process::Command;\nasync fn run() -> std::io::Result<()> {\n    let mut child = Command::new("backup").spawn()?;\n    child.wait().await?;\n    Ok(())\n}`,
      errors: [{ messageId: "rustProcess", line: 4 }],
    },
  ],
});
