/**
 * `asyncpat lsp --stdio` driven by a real LSP client over the built CLI's stdin and stdout
 * (`npm run build` first; `npm test` does).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DiagnosticSeverity, FileChangeType, type CodeAction } from "vscode-languageserver-protocol/node.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import { afterEach, describe, expect, it } from "vitest";
import { makeTree } from "../helpers/cli.js";
import { fileUri, LspClient } from "../helpers/lsp-client.js";

const bareFetch = `export async function load(url: string): Promise<string> {\n  const response = await fetch(url);\n  return response.text();\n}\n`;
const fixedFetch = `export async function load(url: string): Promise<string> {\n  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });\n  return response.text();\n}\n`;
const rustConnect = `use tokio::net::TcpStream;\n\nasync fn open(addr: &str) -> std::io::Result<TcpStream> {\n    TcpStream::connect(addr).await\n}\n`;
const rustWithDeadline = `use std::time::Duration;\nuse tokio::net::TcpStream;\nuse tokio::time::timeout;\n\nasync fn open(addr: &str) -> std::io::Result<TcpStream> {\n    timeout(Duration::from_secs(5), TcpStream::connect(addr)).await?\n}\n`;
const tsconfig = JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", strict: true, lib: ["ES2023"] } });

const clients: LspClient[] = [];
function startClient(cwd: string): LspClient {
  const client = new LspClient(cwd);
  clients.push(client);
  return client;
}
afterEach(() => {
  for (const client of clients.splice(0)) client.dispose();
});

function codes(params: { diagnostics: { code?: string | number }[] }): (string | number | undefined)[] {
  return params.diagnostics.map((diagnostic) => diagnostic.code);
}

// Each test starts a server that loads ts-morph and the rules: seconds on a loaded machine.
describe("asyncpat lsp --stdio", { timeout: 120_000 }, () => {
  it("publishes missing-timeout on open with the rule's docs, and clears it when the text is fixed", async () => {
    const dir = makeTree({ "package.json": "{}", "tsconfig.json": tsconfig, "src/load.ts": bareFetch });
    const file = path.join(dir, "src/load.ts");
    const client = startClient(dir);
    const init = await client.initialize(dir);
    expect(init.capabilities.codeActionProvider).toBeTruthy();

    const opened = await client.open(file, bareFetch);
    expect(codes(opened)).toEqual(["missing-timeout"]);
    const [diagnostic] = opened.diagnostics;
    expect(diagnostic!.source).toBe("asyncpat");
    expect(diagnostic!.severity).toBe(DiagnosticSeverity.Error);
    expect(diagnostic!.range.start).toEqual({ line: 1, character: 25 });
    expect(diagnostic!.codeDescription?.href).toMatch(/^file:\/\/.*\/docs\/rules\/missing-timeout\.md$/);
    expect(readFileSync(new URL(diagnostic!.codeDescription!.href), "utf8")).toContain("missing-timeout");

    const fixed = await client.change(file, fixedFetch);
    expect(fixed.diagnostics).toEqual([]);
    const broken = await client.change(file, bareFetch);
    expect(codes(broken)).toEqual(["missing-timeout"]);
    expect((await client.close(file)).diagnostics).toEqual([]);
    expect(await client.shutdown()).toBe(0);
  });

  it("lints the unsaved buffer, not the file on disk", async () => {
    const dir = makeTree({ "package.json": "{}", "src/load.ts": fixedFetch });
    const client = startClient(dir);
    await client.initialize(dir);
    expect(codes(await client.open(path.join(dir, "src/load.ts"), bareFetch))).toEqual(["missing-timeout"]);
    expect(codes(await client.open(path.join(dir, "src/new-file.ts"), bareFetch))).toEqual(["missing-timeout"]);
  });

  it("offers 'suppress with a reason', whose edit keeps the indentation and silences the finding", async () => {
    const dir = makeTree({ "package.json": "{}", "src/load.ts": bareFetch });
    const file = path.join(dir, "src/load.ts");
    const client = startClient(dir);
    await client.initialize(dir);
    const opened = await client.open(file, bareFetch);
    const diagnostic = opened.diagnostics[0]!;
    const actions = (await client.codeActions(file, diagnostic.range, opened)) as CodeAction[];
    const suppress = actions.find((action) => action.title.startsWith("Suppress missing-timeout"));
    expect(suppress?.kind).toBe("quickfix");
    const edits = suppress!.edit!.changes![fileUri(file)]!;
    const suppressed = TextDocument.applyEdits(TextDocument.create(fileUri(file), "typescript", 1, bareFetch), edits);
    expect(suppressed.split("\n")[1]).toMatch(/^ {2}\/\/ asyncpat-ignore-next-line missing-timeout -- \S/);
    expect(suppressed.split("\n")[2]).toBe("  const response = await fetch(url);");
    expect((await client.change(file, suppressed)).diagnostics).toEqual([]);
  });

  it("offers the rule's fix as the preferred quick fix, whose edit adds the deadline and clears the finding", async () => {
    const dir = makeTree({ "package.json": "{}", "src/load.ts": bareFetch });
    const file = path.join(dir, "src/load.ts");
    const client = startClient(dir);
    await client.initialize(dir);
    const opened = await client.open(file, bareFetch);
    const actions = (await client.codeActions(file, opened.diagnostics[0]!.range, opened)) as CodeAction[];
    const preferred = actions.filter((action) => action.isPreferred);
    expect(preferred).toHaveLength(1);
    expect(preferred[0]!.kind).toBe("quickfix");
    const fixed = TextDocument.applyEdits(
      TextDocument.create(fileUri(file), "typescript", 1, bareFetch),
      preferred[0]!.edit!.changes![fileUri(file)]!,
    );
    expect(fixed.split("\n")[1]).toBe("  const response = await fetch(url, { signal: AbortSignal.timeout(10000) });");
    expect((await client.change(file, fixed)).diagnostics).toEqual([]);
  });

  it("suppresses in Rust with the same comment", async () => {
    const dir = makeTree({ "Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n', "src/net.rs": rustConnect });
    const file = path.join(dir, "src/net.rs");
    const client = startClient(dir);
    await client.initialize(dir);
    const opened = await client.open(file, rustConnect, "rust");
    expect(codes(opened)).toEqual(["missing-timeout"]);
    expect(opened.diagnostics[0]!.range.start).toEqual({ line: 3, character: 4 });
    const actions = (await client.codeActions(file, opened.diagnostics[0]!.range, opened)) as CodeAction[];
    const suppress = actions.find((action) => action.title.startsWith("Suppress missing-timeout"))!;
    const suppressed = TextDocument.applyEdits(
      TextDocument.create(fileUri(file), "rust", 1, rustConnect),
      suppress.edit!.changes![fileUri(file)]!,
    );
    expect(suppressed.split("\n")[3]).toMatch(/^ {4}\/\/ asyncpat-ignore-next-line missing-timeout -- \S/);
    expect((await client.change(file, suppressed)).diagnostics).toEqual([]);
    expect((await client.change(file, rustWithDeadline)).diagnostics).toEqual([]);
  });

  it("takes severities from the config, and re-reads it when the client reports a change", async () => {
    const config = (severity: string) => JSON.stringify({ rules: { "missing-timeout": severity } });
    const dir = makeTree({ "package.json": "{}", "asyncpat.config.json": config("warn"), "src/load.ts": bareFetch });
    const file = path.join(dir, "src/load.ts");
    const configPath = path.join(dir, "asyncpat.config.json");
    const client = startClient(dir);
    await client.initialize(dir);
    const opened = await client.open(file, bareFetch);
    expect(codes(opened)).toEqual(["missing-timeout"]);
    expect(opened.diagnostics[0]!.severity).toBe(DiagnosticSeverity.Warning);

    writeFileSync(configPath, config("off"));
    expect((await client.filesChanged([{ uri: fileUri(configPath), type: FileChangeType.Changed }], fileUri(file))).diagnostics).toEqual(
      [],
    );

    writeFileSync(configPath, "{ not json");
    const broken = await client.filesChanged([{ uri: fileUri(configPath), type: FileChangeType.Changed }], fileUri(file));
    expect(codes(broken)).toEqual(["config-error"]);
    expect(broken.diagnostics[0]!.message).toContain(configPath);

    writeFileSync(configPath, config("error"));
    const strict = await client.filesChanged([{ uri: fileUri(configPath), type: FileChangeType.Changed }], fileUri(file));
    expect(codes(strict)).toEqual(["missing-timeout"]);
    expect(strict.diagnostics[0]!.severity).toBe(DiagnosticSeverity.Error);
  });

  it("re-lints open buffers when the client reports a tsconfig change", async () => {
    const dir = makeTree({ "package.json": "{}", "tsconfig.json": `{ "compilerOptions": { "target": 5 `, "src/load.ts": bareFetch });
    const file = path.join(dir, "src/load.ts");
    const tsconfigPath = path.join(dir, "tsconfig.json");
    const client = startClient(dir);
    await client.initialize(dir);
    const opened = await client.open(file, bareFetch);
    expect(codes(opened)).toEqual(["config-error"]);
    expect(opened.diagnostics[0]!.message).toContain(tsconfigPath);

    writeFileSync(tsconfigPath, tsconfig);
    expect(codes(await client.filesChanged([{ uri: fileUri(tsconfigPath), type: FileChangeType.Changed }], fileUri(file)))).toEqual([
      "missing-timeout",
    ]);
  });

  it("gives test files their role's rules, and skips the config's ignore globs", async () => {
    const dir = makeTree({ "package.json": "{}", "asyncpat.config.json": JSON.stringify({ ignore: ["generated/**"] }) });
    const client = startClient(dir);
    await client.initialize(dir);
    expect((await client.open(path.join(dir, "test/load.test.ts"), bareFetch)).diagnostics).toEqual([]);
    expect((await client.open(path.join(dir, "generated/load.ts"), bareFetch)).diagnostics).toEqual([]);
    expect(codes(await client.open(path.join(dir, "src/load.ts"), bareFetch))).toEqual(["missing-timeout"]);
  });

  it("ends with exit code 1 when the client closes its end without shutdown", async () => {
    const dir = makeTree({ "package.json": "{}" });
    const client = startClient(dir);
    await client.initialize(dir);
    client.process.stdin!.end();
    expect(await client.exited).toBe(1);
  });

  it("refuses to start without --stdio, naming the flag", async () => {
    const { runCli } = await import("../helpers/cli.js");
    const result = await runCli(["lsp"], { cwd: makeTree({}) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--stdio");
  });
});
