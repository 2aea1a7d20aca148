import rule from "../../../rules/blocking-in-async/index.js";
import { rustRuleTester } from "../../helpers/rule-tester.js";

rustRuleTester(rule, {
  valid: [
    // already-offloaded: the closure runs on the blocking pool, not on a runtime worker.
    {
      name: "closure given to the crate's own spawn_blocking wrapper in another module (tokio's asyncify)",
      filename: "fs/read.rs",
      code: `use crate::fs::asyncify;\nuse std::{io, path::Path};\npub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {\n    let path = path.as_ref().to_owned();\n    asyncify(move || std::fs::read(path)).await\n}`,
      files: {
        "src/fs/mod.rs": `mod read;\npub(crate) async fn asyncify<F, T>(f: F) -> std::io::Result<T>\nwhere\n    F: FnOnce() -> std::io::Result<T> + Send + 'static,\n    T: Send + 'static,\n{\n    match tokio::task::spawn_blocking(f).await {\n        Ok(res) => res,\n        Err(_) => Err(std::io::Error::new(std::io::ErrorKind::Other, "background task failed")),\n    }\n}`,
      },
    },
    {
      name: "closure with a block body given to a spawn_blocking wrapper of the same file",
      code: `async fn asyncify<F: FnOnce() -> T + Send + 'static, T: Send + 'static>(f: F) -> T {\n    tokio::task::spawn_blocking(f).await.unwrap()\n}\npub async fn list(path: std::path::PathBuf) -> std::io::Result<usize> {\n    asyncify(move || {\n        let entries = std::fs::read_dir(path)?;\n        Ok(entries.count())\n    })\n    .await\n}`,
    },
    {
      name: "wrapper of a wrapper that runs its closure on a std thread",
      code: `fn on_thread<F: FnOnce() + Send + 'static>(job: F) {\n    std::thread::spawn(move || job());\n}\nfn background<F: FnOnce() + Send + 'static>(f: F) {\n    on_thread(f)\n}\nasync fn save(bytes: Vec<u8>) {\n    background(move || std::fs::write("out.bin", bytes).unwrap());\n}`,
    },
    {
      name: "closure given to a method spawn_blocking of a runtime handle",
      code: `async fn f(handle: tokio::runtime::Handle) {\n    handle.spawn_blocking(|| std::fs::read("big.bin")).await.unwrap().unwrap();\n}`,
    },
    // Test code: a test blocks its own runtime on purpose.
    {
      name: "std::fs set-up inside a #[tokio::test]",
      code: `#[tokio::test]\nasync fn create_dir() {\n    let dir = tempfile::tempdir().unwrap();\n    std::fs::create_dir(dir.path().join("a")).unwrap();\n    tokio::fs::remove_dir(dir.path().join("a")).await.unwrap();\n}`,
    },
    {
      name: "a #[should_panic] test checking that the blocking client panics inside a runtime",
      code: `#[tokio::test]\n#[should_panic]\nasync fn blocking_in_runtime() {\n    let _ = reqwest::blocking::get("http://127.0.0.1:1");\n}`,
    },
    {
      name: "async helper inside a #[cfg(test)] module",
      code: `pub async fn real() {}\n\n#[cfg(test)]\nmod tests {\n    async fn fixture() -> Vec<u8> {\n        std::fs::read("tests/fixture.bin").unwrap()\n    }\n}`,
    },
    {
      name: "test module file declared #[cfg(test)] mod tests; in lib.rs (quinn's src/tests.rs)",
      filename: "tests.rs",
      code: `async fn rebind(endpoint: Endpoint) {\n    endpoint.rebind(std::net::UdpSocket::bind(local()).unwrap()).unwrap();\n}`,
      files: { "src/lib.rs": `pub mod endpoint;\n\n#[cfg(test)]\nmod tests;` },
    },
    {
      name: "a test macro alias (#[maybe_tokio_test]) and a cfg(all(test, …)) module",
      code: `#[cfg(all(test, not(loom)))]\nmod tests {\n    async fn helper() { std::thread::sleep(std::time::Duration::from_millis(1)); }\n}\n#[maybe_tokio_test]\nasync fn reads() { std::fs::read("x").unwrap(); }`,
    },
    // Start-up code: nothing else runs on the runtime yet.
    {
      name: "certificates read in #[tokio::main] before the first await",
      code: `#[tokio::main]\nasync fn run(options: Opt) -> anyhow::Result<()> {\n    let key = std::fs::read(&options.key)?;\n    let cert_chain = match std::fs::read(&options.cert) {\n        Ok(x) => x,\n        Err(_) => generate(),\n    };\n    let endpoint = Endpoint::server(config(cert_chain, key), options.listen)?;\n    while let Some(conn) = endpoint.accept().await {\n        tokio::spawn(handle(conn));\n    }\n    Ok(())\n}`,
    },
    {
      name: "config read in the async block main hands to block_on",
      code: `fn main() {\n    let rt = tokio::runtime::Runtime::new().unwrap();\n    rt.block_on(async {\n        let cfg = std::fs::read_to_string("app.toml").unwrap();\n        serve(cfg).await;\n    });\n}`,
    },
    // std bind on an address written as an IP: no name resolution, returns at once.
    {
      name: "std UdpSocket bound to an IPv6 literal inside async code",
      code: `async fn rebind(endpoint: Endpoint) {\n    let socket = std::net::UdpSocket::bind("[::]:0").unwrap();\n    endpoint.rebind(socket).unwrap();\n}`,
    },
    {
      name: "std TcpListener bound to 127.0.0.1:0 and to a SocketAddr built from an IP",
      code: `use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};\nasync fn listen() {\n    let a = TcpListener::bind("127.0.0.1:0").unwrap();\n    let b = TcpListener::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)).unwrap();\n    let c = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).unwrap();\n}`,
    },
    {
      name: "tokio::fs in an async handler",
      code: `async fn h(p: &str) -> std::io::Result<String> { tokio::fs::read_to_string(p).await }`,
    },
    { name: "tokio sleep", code: `async fn f() { tokio::time::sleep(std::time::Duration::from_millis(5)).await; }` },
    { name: "std::fs in sync startup code", code: `fn load_config() -> String { std::fs::read_to_string("app.toml").unwrap() }` },
    {
      name: "blocking work inside spawn_blocking",
      code: `async fn f() { tokio::task::spawn_blocking(|| std::fs::read("big.bin")).await.unwrap().unwrap(); }`,
    },
    {
      name: "thread::sleep inside a std thread",
      code: `async fn f() { std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(1))); }`,
    },
    {
      name: "block_in_place for a short blocking section",
      code: `async fn f() { tokio::task::block_in_place(|| std::fs::write("x", b"y")).unwrap(); }`,
    },
    { name: "tokio::process::Command", code: `async fn f() { tokio::process::Command::new("ls").output().await.unwrap(); }` },
    { name: "std Command spawned without waiting", code: `async fn f() { std::process::Command::new("true").spawn().unwrap(); }` },
    {
      name: "main before the runtime starts",
      code: `fn main() { let cfg = std::fs::read_to_string("cfg").unwrap(); tokio::runtime::Runtime::new().unwrap().block_on(run(cfg)); }`,
    },
    {
      name: "a method named read on a tokio file",
      code: `use tokio::io::AsyncReadExt;\nasync fn f(mut file: tokio::fs::File, buf: &mut [u8]) { file.read(buf).await.unwrap(); }`,
    },
    { name: "std::fs in a test helper without async", code: `#[test]\nfn reads() { assert!(std::fs::metadata("Cargo.toml").is_ok()); }` },
    { name: "reqwest async client", code: `async fn f(c: &reqwest::Client) { c.get("http://x").send().await.unwrap(); }` },
    { name: "fs path as a string", code: `async fn f() { let s = "std::fs::read"; }` },
    {
      name: "tempfile builder inside spawn_blocking",
      code: `use tempfile::Builder;\nasync fn stage(prefix: String) -> std::io::Result<tempfile::TempDir> {\n    tokio::task::spawn_blocking(move || Builder::new().prefix(&prefix).tempdir()).await.unwrap()\n}`,
    },
    {
      name: "sync helper of the file that does no blocking work",
      code: `fn parse(text: &str) -> usize { text.len() }\nasync fn handle(text: String) -> usize { parse(&text) }`,
    },
    {
      name: "sync helper that reads a file, called from sync code only",
      code: `fn load(path: &str) -> String { std::fs::read_to_string(path).unwrap() }\nfn init() -> String { load("a") }`,
    },
  ],
  invalid: [
    {
      name: "std::fs::read in an async fn inside tokio's cfg_fs! { … } item macro (the items of a feature gate)",
      code: `cfg_fs! {\n    pub async fn load(path: &Path) -> std::io::Result<Vec<u8>> {\n        let bytes = std::fs::read(path)?;\n        Ok(bytes)\n    }\n}`,
      errors: [{ messageId: "rustBlocking", line: 3 }],
    },
    {
      name: "tempfile::Builder::new().prefix(..).tempdir() in an async fn",
      code: `use tempfile::Builder;\nasync fn stage(prefix: &str) -> std::io::Result<()> {\n    let dir = Builder::new().prefix(prefix).tempdir()?;\n    copy_into(dir.path()).await\n}`,
      errors: [{ messageId: "rustBlocking", line: 3 }],
    },
    {
      name: "tempfile::tempdir() in an async fn",
      code: `async fn stage() -> std::io::Result<()> {\n    let dir = tempfile::tempdir()?;\n    copy_into(dir.path()).await\n}`,
      errors: [{ messageId: "rustBlocking", line: 2 }],
    },
    {
      name: "spawned reload loop calls a sync helper of the file that reads PEM files",
      code: `fn load_tls_config(path: &str) -> std::io::Result<Key> {\n    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(path).map_err(std::io::Error::other)?;\n    Ok(key)\n}\nasync fn reload(mut changes: Receiver<()>) {\n    loop {\n        changes.recv().await;\n        let _ = load_tls_config("key.pem");\n    }\n}`,
      errors: [{ messageId: "rustBlocking", line: 8 }],
    },
    {
      name: "closure given to a crate function that calls it on the runtime (not a wrapper)",
      code: `async fn with_retry<T, F: Fn() -> std::io::Result<T>>(f: F) -> std::io::Result<T> {\n    match f() { Ok(v) => Ok(v), Err(_) => f() }\n}\nasync fn load() -> std::io::Result<Vec<u8>> {\n    with_retry(|| std::fs::read("data.bin")).await\n}`,
      errors: [{ messageId: "rustBlocking", line: 5 }],
    },
    {
      name: "a wrapper's name in another module that does not offload",
      filename: "util/read.rs",
      code: `use crate::util::asyncify;\npub async fn read(p: std::path::PathBuf) -> std::io::Result<Vec<u8>> {\n    asyncify(move || std::fs::read(p)).await\n}`,
      files: {
        "src/fs/mod.rs": `pub(crate) async fn asyncify<F: FnOnce() -> T + Send + 'static, T: Send + 'static>(f: F) -> T {\n    tokio::task::spawn_blocking(f).await.unwrap()\n}`,
        "src/util/mod.rs": `mod read;\npub(crate) async fn asyncify<F: FnOnce() -> T, T>(f: F) -> T {\n    f()\n}`,
      },
      errors: [{ messageId: "rustBlocking", line: 3 }],
    },
    {
      name: "module compiled outside tests (#[cfg(not(test))])",
      code: `#[cfg(not(test))]\nmod real {\n    async fn load() -> Vec<u8> {\n        std::fs::read("data.bin").unwrap()\n    }\n}`,
      errors: [{ messageId: "rustBlocking", line: 4 }],
    },
    {
      name: "a module file declared without #[cfg(test)]",
      filename: "tests.rs",
      code: `pub async fn load() -> Vec<u8> {\n    std::fs::read("data.bin").unwrap()\n}`,
      files: { "src/lib.rs": `#[cfg(feature = "x")]\npub mod tests;` },
      errors: [{ messageId: "rustBlocking", line: 2 }],
    },
    {
      name: "blocking read in #[tokio::main] after the first await (connections may be running)",
      code: `#[tokio::main]\nasync fn main() {\n    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();\n    let cfg = std::fs::read_to_string("app.toml").unwrap();\n    serve(listener, cfg).await;\n}`,
      errors: [{ messageId: "rustBlocking", line: 4 }],
    },
    {
      name: "blocking read in #[tokio::main] after a task was spawned",
      code: `#[tokio::main]\nasync fn main() {\n    tokio::spawn(metrics());\n    let cfg = std::fs::read_to_string("app.toml").unwrap();\n    run(cfg).await;\n}`,
      errors: [{ messageId: "rustBlocking", line: 4 }],
    },
    {
      name: "blocking read inside the accept loop of #[tokio::main]",
      code: `#[tokio::main]\nasync fn main() {\n    let l = tokio::net::TcpListener::bind("0.0.0.0:80").await.unwrap();\n    loop {\n        let page = std::fs::read("index.html").unwrap();\n        let (s, _) = l.accept().await.unwrap();\n        tokio::spawn(send(s, page));\n    }\n}`,
      errors: [{ messageId: "rustBlocking", line: 5 }],
    },
    {
      name: "std bind to a host name resolves it, blocking",
      code: `async fn listen(addr: String) {\n    let a = std::net::TcpListener::bind("localhost:8080").unwrap();\n    let b = std::net::TcpListener::bind(addr).unwrap();\n}`,
      errors: [
        { messageId: "rustBlocking", line: 2 },
        { messageId: "rustBlocking", line: 3 },
      ],
    },
    {
      name: "std::fs inside an async handler",
      code: `async fn handle(p: &str) -> String {\n    std::fs::read_to_string(p).unwrap()\n}`,
      errors: [{ messageId: "rustBlocking", line: 2 }],
    },
    {
      name: "thread::sleep as async backoff",
      code: `use std::thread;\nasync fn retry() {\n    thread::sleep(std::time::Duration::from_millis(100));\n}`,
      errors: [{ messageId: "rustBlocking", line: 3 }],
    },
    {
      name: "imported fs module",
      code: `use std::fs;\nasync fn save(b: &[u8]) { fs::write("out", b).unwrap(); }`,
      errors: [{ messageId: "rustBlocking", line: 2 }],
    },
    {
      name: "File::open in async",
      code: `use std::fs::File;\nasync fn f() { let file = File::open("x").unwrap(); }`,
      errors: [{ messageId: "rustBlocking", line: 2 }],
    },
    {
      name: "blocking TcpStream connect in async",
      code: `async fn f() { let s = std::net::TcpStream::connect("10.0.0.1:80"); }`,
      errors: [{ messageId: "rustBlocking", line: 1 }],
    },
    {
      name: "reqwest::blocking in async",
      code: `async fn f() { let body = reqwest::blocking::get("http://x").unwrap(); }`,
      errors: [{ messageId: "rustBlocking", line: 1 }],
    },
    {
      name: "std Command output in async",
      code: `use std::process::Command;\nasync fn f() {\n    let out = Command::new("git").arg("status").output().unwrap();\n}`,
      errors: [{ messageId: "rustBlocking", line: 3 }],
    },
    {
      name: "inside an async block spawned on the runtime",
      code: `fn start() {\n    tokio::spawn(async {\n        std::thread::sleep(std::time::Duration::from_secs(1));\n    });\n}`,
      errors: [{ messageId: "rustBlocking", line: 3 }],
    },
    {
      name: "inside an iterator closure of an async fn",
      code: `async fn load(paths: Vec<String>) -> Vec<Vec<u8>> {\n    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()\n}`,
      errors: [{ messageId: "rustBlocking", line: 2 }],
    },
    {
      name: "async closure",
      code: `fn f() { let g = async move || { std::fs::remove_file("x").unwrap(); }; }`,
      errors: [{ messageId: "rustBlocking", line: 1 }],
    },
    {
      name: "async method in an impl",
      code: `impl Store {\n    async fn flush(&self) {\n        std::fs::rename("a.tmp", "a").unwrap();\n    }\n}`,
      errors: [{ messageId: "rustBlocking", line: 3 }],
    },
    {
      name: "stdin read in an async loop",
      code: `async fn repl() { let stdin = std::io::stdin(); }`,
      errors: [{ messageId: "rustBlocking", line: 1 }],
    },
  ],
});
