import rule from "../../../rules/blocking-in-async/index.js";
import { rustRuleTester } from "../../helpers/rule-tester.js";

rustRuleTester(rule, {
  valid: [
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
  ],
  invalid: [
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
