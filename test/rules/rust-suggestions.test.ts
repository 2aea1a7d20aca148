/**
 * The Rust rules' suggestions, applied to a small crate and checked with `cargo check --offline`
 * against Debian's vendored crates: the edited code compiles, and the rule has nothing left to say.
 */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { beforeAll, expect, it } from "vitest";
import blockingInAsync from "../../rules/blocking-in-async/index.js";
import missingTimeout from "../../rules/missing-timeout/index.js";
import { applyFixes } from "../../src/lint/fix.js";
import { makeTree } from "../helpers/cli.js";
import { lintRustSnippet } from "../helpers/rule-tester.js";
import { CARGO, DEBIAN_CRATES, DEBIAN_TOKIO, describeWithTools, RUST_PATH } from "../helpers/system-tools.js";

// Non-ASCII text before the code: suggestion ranges are UTF-16 offsets, not UTF-8 bytes.
const connect = `// Connexion à l'hôte ☕
use tokio::net::TcpStream;

pub async fn open(addr: String) -> std::io::Result<TcpStream> {
    TcpStream::connect(addr).await
}
`;

const blocking = `// Lecture du fichier ☕
pub async fn load() -> std::io::Result<String> {
    let path = String::from("/etc/hostname");
    std::fs::read_to_string(path)
}
`;

describeWithTools("Rust suggestions compile", [CARGO, DEBIAN_TOKIO], () => {
  let crate: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    const home = path.join(os.tmpdir(), "asyncpat-rust-suggestions-cargo-home");
    await mkdir(home, { recursive: true });
    await writeFile(
      path.join(home, "config.toml"),
      [
        "[source.crates-io]",
        'replace-with = "debian"',
        "[source.debian]",
        `directory = "${DEBIAN_CRATES}"`,
        "[net]",
        "offline = true",
        "",
      ].join("\n"),
    );
    env = { ...process.env, PATH: RUST_PATH, CARGO_HOME: home, CARGO_TERM_COLOR: "never", CARGO_BUILD_JOBS: "2" };
    crate = makeTree({
      "Cargo.toml":
        '[package]\nname = "suggested"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ntokio = { version = "1", features = ["full"] }\n',
    });
  });

  async function check(code: string): Promise<void> {
    await mkdir(path.join(crate, "src"), { recursive: true });
    await writeFile(path.join(crate, "src", "lib.rs"), code);
    const result = await execa("cargo", ["check", "--offline", "--quiet"], { cwd: crate, env, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
  }

  it("missing-timeout: tokio::time::timeout around a connect keeps the io::Result and compiles", { timeout: 600_000 }, async () => {
    const messages = await lintRustSnippet(missingTimeout, { code: connect, filename: "lib.rs" });
    expect(messages.map((message) => message.messageId)).toEqual(["rustConnect"]);
    const [suggestion] = messages[0]!.suggestions!;
    const fixed = applyFixes(connect, [suggestion!.fix]).output;
    expect(fixed).toContain("tokio::time::timeout(std::time::Duration::from_millis(10000), TcpStream::connect(addr)).await");
    expect(await lintRustSnippet(missingTimeout, { code: fixed, filename: "lib.rs" })).toEqual([]);
    await check(fixed);
  });

  it("blocking-in-async: spawn_blocking around a blocking std call keeps the value and compiles", { timeout: 600_000 }, async () => {
    const messages = await lintRustSnippet(blockingInAsync, { code: blocking, filename: "lib.rs" });
    expect(messages.map((message) => message.messageId)).toEqual(["rustBlocking"]);
    const [suggestion] = messages[0]!.suggestions!;
    const fixed = applyFixes(blocking, [suggestion!.fix]).output;
    expect(fixed).toContain("tokio::task::spawn_blocking(move || std::fs::read_to_string(path)).await");
    expect(await lintRustSnippet(blockingInAsync, { code: fixed, filename: "lib.rs" })).toEqual([]);
    await check(fixed);
  });
});
