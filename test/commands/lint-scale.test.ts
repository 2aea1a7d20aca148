import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";

interface EslintJson {
  filePath: string;
  messages: { ruleId: string | null; line: number }[];
}

/*
 * A monorepo where cross-file facts decide findings: in `api`, the SIGTERM handler in one file
 * covers the server started in another, so a split that lints `server.ts` without reading
 * `shutdown.ts` would report a missing shutdown that one run does not.
 */
const server = `import { createServer } from "node:http";\nexport const server = createServer(() => {}).listen(8080);\n`;
const shutdown = `import { server } from "./server.js";\nprocess.on("SIGTERM", () => server.close());\n`;
const noTimeout = `export async function load(id: string) {\n  const response = await fetch("https://orders.internal/" + id);\n  return response.json();\n}\n`;
const floating = `async function work(): Promise<void> {\n  throw new Error("x");\n}\nexport function start() {\n  work();\n}\n`;
const bareServer = `import express from "express";\nconst app = express();\napp.listen(3000);\n`;

function monorepo(): string {
  return makeTree({
    "package.json": '{ "name": "root", "private": true }',
    "tsconfig.json": JSON.stringify({
      compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022" },
    }),
    "packages/api/package.json": "{}",
    "packages/api/src/server.ts": server,
    "packages/api/src/shutdown.ts": shutdown,
    "packages/api/src/orders.ts": noTimeout,
    "packages/api/src/jobs.ts": floating,
    "packages/worker/package.json": "{}",
    "packages/worker/src/main.ts": bareServer,
    "packages/worker/src/tasks.ts": floating,
    "packages/worker/src/fetch.ts": noTimeout,
  });
}

const LINT = ["lint", "--format", "json", "--rule", "missing-graceful-shutdown=error"];

function ruleIds(stdout: string): string[] {
  return (JSON.parse(stdout) as EslintJson[]).flatMap((file) =>
    file.messages.map((message) => `${path.basename(file.filePath)}:${message.ruleId}`),
  );
}

describe("asyncpat lint --concurrency", { timeout: 240_000 }, () => {
  it("gives the same JSON report with 2 worker threads as with one, and --stats says how files were split", async () => {
    const dir = monorepo();
    const off = await runCli([...LINT, "--no-types", "--concurrency", "off"], { cwd: dir });
    const two = await runCli([...LINT, "--no-types", "--concurrency", "2", "--stats"], { cwd: dir });
    expect(off.exitCode).toBe(1);
    expect(ruleIds(off.stdout)).toContain("main.ts:missing-graceful-shutdown");
    expect(ruleIds(off.stdout)).not.toContain("server.ts:missing-graceful-shutdown");
    expect(two.exitCode).toBe(1);
    expect(two.stdout).toBe(off.stdout);
    expect(two.stderr).toMatch(
      /split: 2 threads \(this one and 1 worker\), files per thread: \d+ \(\d+ KB\), \d+ \(\d+ KB\); split by package and size/,
    );
    // and when each thread started, was ready (engine, rules and compiler loaded), was handed its files and finished
    expect(two.stderr).toMatch(
      /threads: this one linted from [\d.]+ s to [\d.]+ s(, CPU [\d.]+ s)?; worker 1 started [\d.]+ s, ready [\d.]+ s, handed its files [\d.]+ s, done [\d.]+ s/,
    );
  });

  /*
   * One package split over two threads: the server is linted by this thread and the SIGTERM handler
   * that covers it sits in the worker's share (and the other way round), so each thread must see the
   * other's files to give one run's answer.
   */
  for (const types of ["--no-types", "--types"]) {
    it(`gives one run's report when a package's SIGTERM handler is in another thread's files (${types})`, async () => {
      const dir = makeTree({
        "package.json": '{ "name": "one", "private": true }',
        "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext" } }),
        "src/a-server.ts": server.replace('"node:http";', '"node:http";\nimport "./z-handlers.js";'),
        "src/b-orders.ts": noTimeout,
        "src/y-jobs.ts": floating,
        "src/y-other-server.ts": server.replace("8080", "8081"),
        "src/z-handlers.ts": `import { server } from "./y-other-server.js";\nprocess.on("SIGTERM", () => server.close());\n`,
      });
      const off = await runCli([...LINT, types, "--concurrency", "off"], { cwd: dir });
      const two = await runCli([...LINT, types, "--concurrency", "2", "--stats"], { cwd: dir });
      expect(off.exitCode).toBe(1);
      expect(ruleIds(off.stdout)).toContain("b-orders.ts:missing-timeout");
      expect(ruleIds(off.stdout)).not.toContain("a-server.ts:missing-graceful-shutdown");
      expect(ruleIds(off.stdout)).not.toContain("y-other-server.ts:missing-graceful-shutdown");
      expect(two.stderr).toMatch(/files per thread: [23]\b.*, [23]\b/);
      expect(two.stdout).toBe(off.stdout);
    });
  }

  /*
   * A thread reads another thread's files only when a rule asks, and then judges them as one run
   * does: the SIGTERM handler under `fixtures/` is not part of the run (a fixture is not linted), so
   * the server is reported either way, although the handler sits in the other thread's share.
   */
  it("leaves a file of another thread's share out when its role is not linted, as one run does", async () => {
    const dir = makeTree({
      "package.json": '{ "name": "one", "private": true }',
      "src/a-server.ts": server,
      "src/b-orders.ts": noTimeout,
      "src/fixtures/z-shutdown.ts": shutdown.replace("./server.js", "../a-server.js"),
      "src/y-jobs.ts": floating,
    });
    const off = await runCli([...LINT, "--no-types", "--concurrency", "off"], { cwd: dir });
    const two = await runCli([...LINT, "--no-types", "--concurrency", "2", "--stats"], { cwd: dir });
    expect(off.exitCode).toBe(1);
    expect(ruleIds(off.stdout)).toContain("a-server.ts:missing-graceful-shutdown");
    expect(two.stderr).toMatch(/files per thread: [12] .*, [23] /);
    expect(two.stdout).toBe(off.stdout);
  });

  it("gives one run's report for Rust crates split over threads, each thread linting only its own files", async () => {
    const fixtures = path.join(import.meta.dirname, "..", "fixtures", "bug-shapes-rust");
    const tree: Record<string, string> = { "Cargo.toml": '[package]\nname = "shapes"\nversion = "0.1.0"\nedition = "2021"\n' };
    for (const file of readdirSync(fixtures)) tree[`src/${file}`] = readFileSync(path.join(fixtures, file), "utf8");
    const dir = makeTree(tree);
    const off = await runCli(["lint", "--format", "json", "--concurrency", "off"], { cwd: dir });
    const two = await runCli(["lint", "--format", "json", "--concurrency", "2", "--stats"], { cwd: dir });
    expect(off.exitCode).toBe(1);
    expect(new Set(ruleIds(off.stdout)).size).toBeGreaterThanOrEqual(5);
    expect(two.stderr).toMatch(/split: 2 threads/);
    expect(two.stdout).toBe(off.stdout);
  });

  it("with types, each thread builds its package's program and the report is the same", async () => {
    const dir = monorepo();
    const off = await runCli([...LINT, "--types"], { cwd: dir });
    const two = await runCli([...LINT, "--types", "--concurrency", "2"], { cwd: dir });
    expect(off.exitCode).toBe(1);
    expect(ruleIds(off.stdout)).toContain("tasks.ts:floating-task");
    expect(two.stdout).toBe(off.stdout);
  });

  it("rejects a concurrency that is not a number, auto or off, naming the flag", async () => {
    const dir = monorepo();
    const result = await runCli(["lint", "--concurrency", "many"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--concurrency");
  });
});

describe("asyncpat lint --shard and merge-reports", { timeout: 240_000 }, () => {
  it("shard 1/2 and 2/2 merged equal the unsharded report, in JSON and in SARIF", async () => {
    const dir = monorepo();
    for (const format of ["json", "sarif"]) {
      const whole = await runCli(["lint", "--no-types", "--format", format, "--rule", "missing-graceful-shutdown=error"], { cwd: dir });
      expect(whole.exitCode).toBe(1);
      const shards: string[] = [];
      for (const shard of ["1/2", "2/2"]) {
        const file = `shard-${shard[0]}.${format}`;
        const run = await runCli(
          ["lint", "--no-types", "--format", format, "--rule", "missing-graceful-shutdown=error", "--shard", shard, "-o", file],
          {
            cwd: dir,
          },
        );
        expect(run.exitCode).not.toBe(2);
        shards.push(file);
      }
      const first = readFileSync(path.join(dir, shards[0]!), "utf8");
      const second = readFileSync(path.join(dir, shards[1]!), "utf8");
      expect(first).not.toBe(whole.stdout);
      expect(second).not.toBe(whole.stdout);
      const merged = await runCli(["merge-reports", "--format", format, ...shards], { cwd: dir });
      expect(merged.exitCode).toBe(1);
      expect(merged.stdout).toBe(whole.stdout);
    }
  });

  it("splits by package: each shard reports on one package's files", async () => {
    const dir = monorepo();
    const shard = await runCli([...LINT, "--no-types", "--shard", "1/2"], { cwd: dir });
    const files = (JSON.parse(shard.stdout) as EslintJson[]).map((file) => path.relative(dir, file.filePath).split(path.sep)[1]);
    expect(new Set(files)).toEqual(new Set(["api"]));
  });

  it("rejects a shard outside 1..n, and a report that is not JSON, naming the flag or file", async () => {
    const dir = makeTree({ "a.ts": "export {};\n", "broken.json": "{ not json" });
    const shard = await runCli(["lint", "--shard", "3/2"], { cwd: dir });
    expect(shard.exitCode).toBe(2);
    expect(shard.stderr).toContain("--shard");
    const merge = await runCli(["merge-reports", "broken.json"], { cwd: dir });
    expect(merge.exitCode).toBe(2);
    expect(merge.stderr).toContain("broken.json");
  });
});

describe("asyncpat lint --cache", { timeout: 240_000 }, () => {
  const safeRun = `export async function run(): Promise<void> {\n  try {\n    await step();\n  } catch {\n    // logged by the caller's monitor\n  }\n}\nasync function step(): Promise<void> {\n  throw new Error("x");\n}\n`;
  const unsafeRun = `export async function run(): Promise<void> {\n  await step();\n}\nasync function step(): Promise<void> {\n  throw new Error("x");\n}\n`;
  const caller = `import { run } from "./lib.js";\nexport function go(): void {\n  run();\n}\n`;

  for (const strategy of ["metadata", "content"]) {
    it(`re-reports a file when only a file it imports changed (--cache-strategy ${strategy})`, async () => {
      const dir = makeTree({
        "app/package.json": "{}",
        "app/src/lib.ts": safeRun,
        "app/src/main.ts": caller,
        "other/package.json": "{}",
        "other/src/index.ts": noTimeout,
      });
      const args = ["lint", "--no-types", "--format", "json", "--cache", "--cache-strategy", strategy, "--stats"];
      const cold = await runCli(args, { cwd: dir });
      expect(ruleIds(cold.stdout)).not.toContain("main.ts:floating-task");
      expect(cold.stderr).toContain("cache: reused 0 of 3 files");
      writeFileSync(path.join(dir, "app/src/lib.ts"), unsafeRun);
      const warm = await runCli(args, { cwd: dir });
      expect(ruleIds(warm.stdout)).toContain("main.ts:floating-task");
      expect(warm.stderr).toContain("cache: reused 1 of 3 files, linted 2");
      const uncached = await runCli(["lint", "--no-types", "--format", "json"], { cwd: dir });
      expect(warm.stdout).toBe(uncached.stdout);
    });
  }

  it("re-reports a server when the file with the package's SIGTERM handler changed, though the server does not import it", async () => {
    const dir = monorepo();
    const args = [...LINT, "--no-types", "--cache", "--cache-location", "cache-dir/"];
    const cold = await runCli(args, { cwd: dir });
    expect(ruleIds(cold.stdout)).not.toContain("server.ts:missing-graceful-shutdown");
    expect(existsSync(path.join(dir, "cache-dir", ".asyncpatcache"))).toBe(true);
    writeFileSync(
      path.join(dir, "packages/api/src/shutdown.ts"),
      `import { server } from "./server.js";\nexport const port = server.address();\n`,
    );
    const warm = await runCli(args, { cwd: dir });
    expect(ruleIds(warm.stdout)).toContain("server.ts:missing-graceful-shutdown");
  });

  it("reuses every result when nothing changed, and the report is the same", async () => {
    const dir = monorepo();
    const args = [...LINT, "--no-types", "--cache", "--stats"];
    const cold = await runCli(args, { cwd: dir });
    const warm = await runCli(args, { cwd: dir });
    expect(warm.stderr).toContain("cache: reused 7 of 7 files, linted 0");
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.exitCode).toBe(cold.exitCode);
  });

  it("drops the cache when a rule's severity changes", async () => {
    const dir = monorepo();
    await runCli([...LINT, "--no-types", "--cache"], { cwd: dir });
    const changed = await runCli(
      ["lint", "--format", "json", "--no-types", "--cache", "--stats", "--rule", "missing-graceful-shutdown=off"],
      { cwd: dir },
    );
    expect(changed.stderr).toContain("cache: reused 0 of 7 files");
    expect(ruleIds(changed.stdout)).not.toContain("main.ts:missing-graceful-shutdown");
  });
});
