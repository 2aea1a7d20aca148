import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";

interface EslintJson {
  filePath: string;
  messages: { ruleId: string | null; line: number }[];
}

const findings = (dir: string, stdout: string) =>
  (JSON.parse(stdout) as EslintJson[])
    .map((file) => [
      path.relative(dir, file.filePath).split(path.sep).join("/"),
      file.messages.filter((message) => message.ruleId === "missing-graceful-shutdown").map((message) => message.ruleId),
    ])
    .filter(([, ruleIds]) => ruleIds.length > 0);

// Facts that span files are decided per package (TypeScript) and per crate (Rust), never per run.
describe("asyncpat lint: cross-file facts are scoped to the package or crate", () => {
  it("a SIGTERM handler in one package does not cover another package's server in the same run", async () => {
    const server = `import express from "express";\nconst app = express();\napp.listen(3000);\n`;
    const handled = `import { createServer } from "node:http";\nconst server = createServer(() => {}).listen(8080);\nprocess.on("SIGTERM", () => server.close());\n`;
    const dir = makeTree({
      "packages/api/package.json": "{}",
      "packages/api/src/main.ts": server,
      "packages/worker/package.json": "{}",
      "packages/worker/src/main.ts": handled,
    });
    const result = await runCli(["lint", "--format", "json", "--rule", "missing-graceful-shutdown=error"], { cwd: dir });
    expect(findings(dir, result.stdout)).toEqual([["packages/api/src/main.ts", ["missing-graceful-shutdown"]]]);
  });

  it("in a Rust workspace, one crate's ctrl_c handler does not hide another crate's accept loop", async () => {
    const acceptLoop = `use tokio::net::TcpListener;\n\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {\n    let listener = TcpListener::bind("0.0.0.0:8080").await?;\n    loop {\n        let (socket, _) = listener.accept().await?;\n        tokio::spawn(async move { drop(socket) });\n    }\n}\n`;
    const withSignal = `#[tokio::main]\nasync fn main() {\n    tokio::signal::ctrl_c().await.unwrap();\n}\n`;
    const dir = makeTree({
      "Cargo.toml": '[workspace]\nmembers = ["gateway", "admin"]\n',
      "gateway/Cargo.toml": '[package]\nname = "gateway"\n',
      "gateway/src/main.rs": acceptLoop,
      "admin/Cargo.toml": '[package]\nname = "admin"\n',
      "admin/src/main.rs": withSignal,
    });
    const result = await runCli(["lint", "--format", "json", "--rule", "missing-graceful-shutdown=error"], { cwd: dir });
    expect(findings(dir, result.stdout)).toEqual([["gateway/src/main.rs", ["missing-graceful-shutdown"]]]);
  });
});
