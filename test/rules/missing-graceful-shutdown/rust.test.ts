import rule from "../../../rules/missing-graceful-shutdown/index.js";
import { rustRuleTester } from "../../helpers/rule-tester.js";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintFiles } from "../../../src/lint/engine.js";
import { makeTree, runCli } from "../../helpers/cli.js";

const acceptLoop = (extra = "") =>
  `use tokio::net::TcpListener;\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {\n    let listener = TcpListener::bind("127.0.0.1:0").await?;\n    ${extra}\n    loop {\n        let (socket, _) = listener.accept().await?;\n        tokio::spawn(async move { serve(socket).await });\n    }\n}`;

rustRuleTester(rule, {
  valid: [
    {
      name: "accept loop in a test module file (src/tests.rs under #[cfg(test)] mod tests;)",
      filename: "tests.rs",
      code: `async fn serve_n(endpoint: Endpoint, n: usize) {\n    for _ in 0..n {\n        let incoming = endpoint.accept().await.unwrap();\n        tokio::spawn(incoming);\n    }\n}`,
      files: { "src/lib.rs": `#[cfg(test)]\nmod tests;`, "examples/server.rs": `fn main() {}` },
    },
    {
      name: "accept loop inside a #[tokio::test]",
      code: `fn main() {}\n#[tokio::test]\nasync fn many_connections() {\n    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();\n    loop {\n        let (s, _) = l.accept().await.unwrap();\n        tokio::spawn(async move { drop(s) });\n    }\n}`,
    },
    {
      name: "select! against ctrl_c",
      code: `#[tokio::main]\nasync fn main() {\n    let l = tokio::net::TcpListener::bind("0:0").await.unwrap();\n    loop { tokio::select! { r = l.accept() => { let _ = r; } _ = tokio::signal::ctrl_c() => break, } }\n}`,
    },
    {
      name: "SIGTERM stream feeds a watch channel",
      code: acceptLoop(`let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;`),
    },
    { name: "CancellationToken tree", code: acceptLoop(`let token = tokio_util::sync::CancellationToken::new();`) },
    {
      name: "hyper server with graceful shutdown",
      code: `#[tokio::main]\nasync fn main() {\n    hyper::Server::bind(&addr).serve(make_svc).with_graceful_shutdown(shutdown_signal()).await.unwrap();\n}`,
    },
    {
      name: "src/main.rs accept loop whose ctrl_c handler is in a module of the same binary (src/shutdown.rs)",
      filename: "main.rs",
      code: `mod shutdown;\n#[tokio::main]\nasync fn main() {\n    let l = tokio::net::TcpListener::bind("0.0.0.0:80").await.unwrap();\n    loop { let (s, _) = l.accept().await.unwrap(); drop(s); }\n}`,
      files: { "src/shutdown.rs": `pub async fn wait() { tokio::signal::ctrl_c().await.unwrap(); }` },
    },
    {
      name: "library crate without main",
      code: `pub async fn run(l: tokio::net::TcpListener) {\n    loop {\n        let (s, _) = l.accept().await.unwrap();\n        tokio::spawn(async move { handle(s).await });\n    }\n}`,
    },
    {
      name: "single accept, no loop (a test helper)",
      code: `fn main() {}\nasync fn once(l: tokio::net::TcpListener) { let (s, _) = l.accept().await.unwrap(); }`,
    },
    {
      name: "shutdown handled in another file of the run is out of this snippet, so ctrl_c here",
      code: acceptLoop(`tokio::spawn(async { tokio::signal::ctrl_c().await.ok(); });`),
    },
    {
      name: "ctrl_c listened for in signals.rs, another file of the run",
      code: acceptLoop(),
      files: { "src/signals.rs": `pub async fn wait() {\n    tokio::signal::ctrl_c().await.ok();\n}` },
    },
    { name: "a shutdown_signal helper", code: acceptLoop(`let stop = shutdown_signal();`) },
    { name: "signal_hook_tokio", code: acceptLoop(`let signals = signal_hook_tokio::Signals::new(&[15])?;`) },
    {
      name: "accept not awaited (std listener incoming in a thread)",
      code: `fn main() { let l = std::net::TcpListener::bind("0:0").unwrap(); for s in l.incoming() { drop(s); } }`,
    },
    { name: "accept method of an unrelated type outside a loop", code: `fn main() {}\nasync fn f(h: Handshake) { h.accept().await; }` },
    { name: "serve without a server receiver", code: `fn main() {}\nasync fn f(x: X) { x.serve().await; }` },
    {
      name: "a string that holds // is not a comment: the ctrl_c after it still counts",
      code: acceptLoop(`let url = "http://localhost"; let stop = tokio::signal::ctrl_c();`),
    },
  ],
  invalid: [
    {
      name: "axum::serve with ctrl_c and with_graceful_shutdown named only in comments",
      code: `// TODO: with_graceful_shutdown(shutdown_signal()) on ctrl_c()\n#[tokio::main]\nasync fn main() {\n    /* SignalKind::terminate() */\n    let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await.unwrap();\n    axum::serve(listener, app()).await.unwrap();\n}`,
      errors: [{ messageId: "rustServeForever", line: 6 }],
    },
    { name: "accept loop with no shutdown path", code: acceptLoop(), errors: [{ messageId: "rustAcceptLoop", line: 7 }] },
    {
      name: "accept loop in server.rs of a binary whose main.rs has no shutdown path",
      code: `pub async fn run(l: tokio::net::TcpListener) {\n    loop {\n        let (s, _) = l.accept().await.unwrap();\n        tokio::spawn(async move { handle(s).await });\n    }\n}`,
      files: { "src/main.rs": `#[tokio::main]\nasync fn main() {\n    server::run(listener().await).await;\n}` },
      errors: [{ messageId: "rustAcceptLoop", line: 3 }],
    },
    {
      name: "while let accept loop",
      code: `#[tokio::main]\nasync fn main() {\n    let l = tokio::net::TcpListener::bind("0:0").await.unwrap();\n    while let Ok((s, _)) = l.accept().await {\n        tokio::spawn(handle(s));\n    }\n}`,
      errors: [{ messageId: "rustAcceptLoop", line: 4 }],
    },
    {
      name: "accept loop in a helper called from main",
      code: `fn main() { rt().block_on(run()); }\nasync fn run() {\n    let l = tokio::net::TcpListener::bind("0:0").await.unwrap();\n    loop {\n        match l.accept().await { Ok((s, _)) => { tokio::spawn(handle(s)); } Err(_) => continue }\n    }\n}`,
      errors: [{ messageId: "rustAcceptLoop", line: 5 }],
    },
    {
      name: "unix socket accept loop",
      code: `#[tokio::main]\nasync fn main() {\n    let l = tokio::net::UnixListener::bind("/tmp/s").unwrap();\n    loop {\n        let (s, _) = l.accept().await.unwrap();\n        tokio::spawn(handle(s));\n    }\n}`,
      errors: [{ messageId: "rustAcceptLoop", line: 5 }],
    },
    {
      name: "two awaits in one loop reported once",
      code: `#[tokio::main]\nasync fn main() {\n    loop {\n        let (a, _) = l.accept().await.unwrap();\n        let (b, _) = l.accept().await.unwrap();\n    }\n}`,
      errors: [{ messageId: "rustAcceptLoop", line: 4 }],
    },
    {
      name: "hyper 0.14 server served forever",
      code: `#[tokio::main]\nasync fn main() {\n    let addr = ([127, 0, 0, 1], 3000).into();\n    hyper::Server::bind(&addr).serve(make_svc).await.unwrap();\n}`,
      errors: [{ messageId: "rustServeForever", line: 4 }],
    },
    {
      name: "axum::serve forever",
      code: `#[tokio::main]\nasync fn main() {\n    let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await.unwrap();\n    axum::serve(listener, app).await.unwrap();\n}`,
      errors: [{ messageId: "rustServeForever", line: 4 }],
    },
    {
      name: "accept loop in an impl method",
      code: `fn main() {}\nimpl Server {\n    async fn run(&self) {\n        loop {\n            let (s, _) = self.listener.accept().await.unwrap();\n            tokio::spawn(handle(s));\n        }\n    }\n}`,
      errors: [{ messageId: "rustAcceptLoop", line: 5 }],
    },
    {
      name: "for loop over accepted connections",
      code: `fn main() {}\nasync fn run(l: L) {\n    for _ in 0.. {\n        let (s, _) = l.accept().await.unwrap();\n    }\n}`,
      errors: [{ messageId: "rustAcceptLoop", line: 4 }],
    },
    {
      name: "explicit runtime builder main",
      code: `fn main() {\n    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();\n    rt.block_on(async {\n        let l = tokio::net::TcpListener::bind("0:0").await.unwrap();\n        loop { let (s, _) = l.accept().await.unwrap(); drop(s); }\n    });\n}`,
      errors: [{ messageId: "rustAcceptLoop", line: 5 }],
    },
    {
      name: "process::exit is not a shutdown path",
      code: `#[tokio::main]\nasync fn main() {\n    std::process::exit(run().await);\n}\nasync fn run() -> i32 {\n    loop { let (s, _) = LISTENER.accept().await.unwrap(); drop(s); }\n}`,
      errors: [{ messageId: "rustAcceptLoop", line: 6 }],
    },
    {
      name: "Server::from_tcp served forever",
      code: `#[tokio::main]\nasync fn main() {\n    hyper::Server::from_tcp(l).unwrap().serve(svc).await.unwrap();\n}`,
      errors: [{ messageId: "rustServeForever", line: 3 }],
    },
    {
      name: "src/main.rs binary without a handler beside a src/bin binary with one",
      filename: "main.rs",
      code: `#[tokio::main]\nasync fn main() {\n    let l = tokio::net::TcpListener::bind("0.0.0.0:80").await.unwrap();\n    loop { let (s, _) = l.accept().await.unwrap(); drop(s); }\n}`,
      files: {
        "src/bin/admin.rs": `#[tokio::main]\nasync fn main() { tokio::signal::ctrl_c().await.unwrap(); }`,
      },
      errors: [{ messageId: "rustAcceptLoop", line: 4 }],
    },
  ],
});

describe("missing-graceful-shutdown (Rust) in a Cargo workspace", () => {
  const acceptMain = `#[tokio::main]\nasync fn main() {\n    let l = tokio::net::TcpListener::bind("0.0.0.0:80").await.unwrap();\n    loop { let (s, _) = l.accept().await.unwrap(); drop(s); }\n}\n`;
  const handledMain = `#[tokio::main]\nasync fn main() {\n    let l = tokio::net::TcpListener::bind("0.0.0.0:81").await.unwrap();\n    loop {\n        tokio::select! {\n            r = l.accept() => { drop(r); }\n            _ = tokio::signal::ctrl_c() => break,\n        }\n    }\n}\n`;

  it("decides the shutdown handler per crate: one crate's ctrl_c does not hide the other's missing one", async () => {
    const dir = makeTree({
      "Cargo.toml": `[workspace]\nmembers = ["gateway", "worker"]\n`,
      "gateway/Cargo.toml": `[package]\nname = "gateway"\nversion = "0.1.0"\nedition = "2021"\n`,
      "gateway/src/main.rs": handledMain,
      "worker/Cargo.toml": `[package]\nname = "worker"\nversion = "0.1.0"\nedition = "2021"\n`,
      "worker/src/main.rs": acceptMain,
      "worker/src/bin/metrics.rs": `#[tokio::main]\nasync fn main() { tokio::signal::ctrl_c().await.unwrap(); }\n`,
    });
    const files = ["gateway/src/main.rs", "worker/src/main.rs", "worker/src/bin/metrics.rs"].map((name) => path.join(dir, name));
    const report = await lintFiles({
      files,
      rules: [{ rule, severity: "error", options: {} }],
      knownRuleIds: new Set([rule.id]),
      cwd: dir,
      types: false,
    });
    const found = report.results.flatMap((result) =>
      result.messages.map((message) => `${path.relative(dir, result.filePath).replace(/\\/g, "/")}:${message.line}:${message.ruleId}`),
    );
    expect(found).toEqual(["worker/src/main.rs:4:missing-graceful-shutdown"]);
  });

  it("reports a src/bin/<name>.rs server through the CLI: a Cargo binary target is no one-shot script, and #![…] is no shebang", async () => {
    const dir = makeTree({
      "Cargo.toml": `[package]\nname = "edge"\nversion = "0.1.0"\nedition = "2021"\n`,
      "asyncpat.config.json": JSON.stringify({ extends: "asyncpat:strict" }),
      "src/lib.rs": "pub fn version() -> u32 { 1 }\n",
      "src/bin/gateway.rs": `#![deny(unsafe_code)]\n${acceptMain}`,
      "src/bin/proxy/main.rs": acceptMain,
    });
    const result = await runCli(["lint", "--format", "json", "."], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(1);
    const found = (JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string; line: number }[] }[]).flatMap((file) =>
      file.messages.map((message) => `${path.relative(dir, file.filePath).replace(/\\/g, "/")}:${message.line}:${message.ruleId}`),
    );
    expect(found).toEqual(["src/bin/gateway.rs:5:missing-graceful-shutdown", "src/bin/proxy/main.rs:4:missing-graceful-shutdown"]);
  });
});
