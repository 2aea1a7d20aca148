/**
 * missing-timeout's fixes, through the real CLI: `lint --fix` adds a deadline, the rule has nothing
 * left to report, and the fixed files still compile under a strict tsc.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../../helpers/cli.js";
import { typecheck } from "../../helpers/typecheck.js";

const fetches = `export async function load(url: string, body: string): Promise<unknown[]> {
  const plain = await fetch(url);
  const posted = await fetch(url, { method: "POST", body });
  const empty = await fetch(new URL(url), {});
  return [await plain.json(), await posted.text(), empty.status];
}
`;

const events = `import { once } from "node:events";
import type { ChildProcess } from "node:child_process";

export async function waitForExit(child: ChildProcess): Promise<unknown> {
  const [code] = await once(child, "exit");
  return code;
}
`;

const children = `import { exec, execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const shell = promisify(exec);

export async function convert(input: string): Promise<string> {
  const { stdout } = await run("ffmpeg", ["-i", input, "out.mp4"]);
  const listing = await shell("git ls-remote origin", { cwd: "/tmp" });
  const version = await run("ffmpeg");
  exec("sync");
  return stdout.trim() + listing.stdout.trim() + version.stderr.trim();
}
`;

interface JsonResult {
  filePath: string;
  messages: { ruleId: string | null; fix?: { range: [number, number]; text: string }; suggestions?: { desc: string }[] }[];
  output?: string;
}

describe("missing-timeout --fix", { timeout: 240_000 }, () => {
  it("adds AbortSignal.timeout to bare fetch calls, leaves no finding, and the file still type-checks", async () => {
    const dir = makeTree({ "src/load.ts": fetches, "src/wait.ts": events, "src/convert.ts": children });
    expect(typecheck(dir)).toBe("");
    const before = await runCli(["lint", "--format", "json"], { cwd: dir });
    expect(before.exitCode).toBe(1);
    const reported = (JSON.parse(before.stdout) as JsonResult[]).flatMap((result) => result.messages);
    expect(reported.filter((message) => message.ruleId === "missing-timeout" && message.fix)).toHaveLength(8);

    const fixed = await runCli(["lint", "--fix"], { cwd: dir });
    expect(fixed.stderr).toBe("");
    expect(fixed.exitCode).toBe(0);
    const load = readFileSync(path.join(dir, "src/load.ts"), "utf8");
    expect(load).toContain("await fetch(url, { signal: AbortSignal.timeout(10000) })");
    expect(load).toContain(`await fetch(url, { signal: AbortSignal.timeout(10000), method: "POST", body })`);
    expect(load).toContain("await fetch(new URL(url), { signal: AbortSignal.timeout(10000) })");
    expect(readFileSync(path.join(dir, "src/wait.ts"), "utf8")).toContain(`once(child, "exit", { signal: AbortSignal.timeout(10000) })`);
    const convert = readFileSync(path.join(dir, "src/convert.ts"), "utf8");
    expect(convert).toContain(`await run("ffmpeg", ["-i", input, "out.mp4"], { timeout: 10000 })`);
    expect(convert).toContain(`await shell("git ls-remote origin", { timeout: 10000, cwd: "/tmp" })`);
    expect(convert).toContain(`await run("ffmpeg", { timeout: 10000 })`);
    expect(convert).toContain(`exec("sync", { timeout: 10000 })`);
    expect(typecheck(dir)).toBe("");
  });

  it("writes the configured fixTimeoutMs", async () => {
    const dir = makeTree({
      "src/load.ts": fetches,
      "asyncpat.config.json": JSON.stringify({ rules: { "missing-timeout": ["error", { fixTimeoutMs: 2500 }] } }),
    });
    const fixed = await runCli(["lint", "--fix"], { cwd: dir });
    expect(fixed.exitCode).toBe(0);
    expect(readFileSync(path.join(dir, "src/load.ts"), "utf8")).toContain("AbortSignal.timeout(2500)");
  });

  it("leaves an init it cannot see into alone: no fix for a variable or a spread", async () => {
    const code = `export async function load(url: string, init: RequestInit, extra: RequestInit): Promise<number> {
  const a = await fetch(url, init);
  const b = await fetch(url, { ...extra, method: "GET" });
  return a.status + b.status;
}
`;
    const dir = makeTree({ "src/load.ts": code });
    const result = await runCli(["lint", "--fix-dry-run", "--format", "json"], { cwd: dir });
    const [file] = JSON.parse(result.stdout) as JsonResult[];
    expect(file!.output).toBeUndefined();
    expect(readFileSync(path.join(dir, "src/load.ts"), "utf8")).toBe(code);
  });

  it("adds axios's timeout option to a request's config and to axios.create", async () => {
    const code = `import axios from "axios";

export const api = axios.create({ baseURL: "https://rates.example.com" });

export async function rates(): Promise<unknown[]> {
  const latest = await axios.get("https://rates.example.com/latest");
  const posted = await axios.post("https://rates.example.com/latest", { base: "EUR" }, { headers: { "x-id": "1" } });
  return [latest.data, posted.data];
}
`;
    const dir = makeTree({ "src/rates.ts": code });
    // axios (a dev dependency) is resolved through the repository's node_modules, so tsc checks its real types
    expect(typecheck(dir)).toBe("");
    const result = await runCli(["lint", "--fix-dry-run", "--format", "json", "--no-types"], { cwd: dir });
    const [file] = JSON.parse(result.stdout) as JsonResult[];
    expect(file!.messages.filter((message) => message.ruleId === "missing-timeout")).toEqual([]);
    expect(file!.output).toContain(`axios.create({ timeout: 10000, baseURL: "https://rates.example.com" })`);
    expect(file!.output).toContain(`axios.get("https://rates.example.com/latest", { timeout: 10000 })`);
    expect(file!.output).toContain(`{ base: "EUR" }, { timeout: 10000, headers: { "x-id": "1" } })`);
    writeFileSync(path.join(dir, "src/rates.ts"), file!.output!);
    expect(typecheck(dir)).toBe("");
  });

  it("adds a signal to http/https requests (options literal, url only, url and callback), and the file still type-checks", async () => {
    const code = `import http from "node:http";
import https from "node:https";

export function ping(host: string, onStatus: (status: number | undefined) => void): void {
  const a = http.request({ host, path: "/healthz", method: "GET" });
  a.on("error", () => onStatus(undefined));
  a.end();
  const b = https.get("https://example.com/healthz");
  b.on("error", () => onStatus(undefined));
  const c = https.get(\`https://\${host}/healthz\`, (response) => onStatus(response.statusCode));
  c.on("error", () => onStatus(undefined));
}
`;
    const dir = makeTree({ "src/ping.ts": code });
    expect(typecheck(dir)).toBe("");
    const fixed = await runCli(["lint", "--fix"], { cwd: dir });
    expect(fixed.exitCode).toBe(0);
    const output = readFileSync(path.join(dir, "src/ping.ts"), "utf8");
    expect(output).toContain(`http.request({ signal: AbortSignal.timeout(10000), host, path: "/healthz", method: "GET" })`);
    expect(output).toContain(`https.get("https://example.com/healthz", { signal: AbortSignal.timeout(10000) })`);
    expect(output).toContain("{ signal: AbortSignal.timeout(10000) }, (response) => onStatus(response.statusCode))");
    expect(typecheck(dir)).toBe("");
  });

  it("offers a suggestion, not a fix, for node-fetch (its own AbortSignal type)", async () => {
    const code = `import fetch from "node-fetch";\n\nexport async function load(url: string) {\n  return fetch(url);\n}\n`;
    const dir = makeTree({ "src/load.ts": code });
    const result = await runCli(["lint", "--format", "json"], { cwd: dir });
    const messages = (JSON.parse(result.stdout) as JsonResult[])[0]!.messages.filter((message) => message.ruleId === "missing-timeout");
    expect(messages).toHaveLength(1);
    expect(messages[0]!.fix).toBeUndefined();
    expect(messages[0]!.suggestions).toHaveLength(1);
  });
});
