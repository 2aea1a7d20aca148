/*
 * `--cache` end to end: the built CLI on real files in temp folders, run twice or more. Each case
 * checks what `--stats` says came from the cache, and the findings against a run without the cache.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";

interface EslintJson {
  filePath: string;
  messages: { ruleId: string | null; line: number }[];
}

/** `file:rule` for every finding of a json report. */
function findings(stdout: string): string[] {
  return (JSON.parse(stdout) as EslintJson[]).flatMap((file) =>
    file.messages.map((message) => `${path.basename(file.filePath)}:${message.ruleId}`),
  );
}

/** What `--stats` says about the cache: files reused and linted. */
function cacheLine(stderr: string): { reused: number; linted: number } {
  const match = /cache: reused (\d+) of \d+ files, linted (\d+)/.exec(stderr);
  if (!match) throw new Error(`no cache line in:\n${stderr}`);
  return { reused: Number(match[1]), linted: Number(match[2]) };
}

const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022" } });

/** `go()` calls `run()` without awaiting it: a floating task once `run` returns a promise. */
const caller = `import { run } from "./lib.js";\nexport function go(): void {\n  run();\n}\n`;
const syncRun = `export function run(): void {\n  console.log("ran");\n}\n`;
const asyncRun = `export async function run(): Promise<void> {\n  await step();\n}\nasync function step(): Promise<void> {\n  throw new Error("x");\n}\n`;
const unrelated = (n: number) => `export function add${n}(a: number, b: number): number {\n  return a + b;\n}\n`;

function project(extra: Record<string, string> = {}): string {
  return makeTree({
    "package.json": '{ "name": "app", "private": true }',
    "tsconfig.json": TSCONFIG,
    "src/lib.ts": syncRun,
    "src/main.ts": caller,
    "src/math.ts": unrelated(1),
    "src/more.ts": unrelated(2),
    ...extra,
  });
}

async function lint(dir: string, flags: string[], extra: string[] = []) {
  const result = await runCli(["lint", "--format", "json", ...flags, "--cache", "--stats", ...extra], { cwd: dir });
  expect(result.exitCode, result.stderr).toBeLessThan(2);
  return { ...result, ids: findings(result.stdout), cache: cacheLine(result.stderr) };
}

async function uncached(dir: string, flags: string[]): Promise<string> {
  return (await runCli(["lint", "--format", "json", ...flags], { cwd: dir })).stdout;
}

const write = (dir: string, file: string, text: string) => writeFileSync(path.join(dir, file), text);

describe("asyncpat lint --cache: per-file invalidation", { timeout: 300_000 }, () => {
  for (const flags of [["--no-types"], ["--types"]]) {
    const mode = flags[0];
    it(`${mode}: a rerun with nothing changed reuses every result; one unrelated file changed re-lints only it`, async () => {
      const dir = project();
      const cold = await lint(dir, flags);
      expect(cold.cache).toEqual({ reused: 0, linted: 4 });
      const warm = await lint(dir, flags);
      expect(warm.cache).toEqual({ reused: 4, linted: 0 });
      expect(warm.stdout).toBe(cold.stdout);
      write(dir, "src/math.ts", unrelated(3));
      const one = await lint(dir, flags);
      expect(one.cache).toEqual({ reused: 3, linted: 1 });
      expect(one.stdout).toBe(await uncached(dir, flags));
    });

    it(`${mode}: a change in an imported file re-reports its dependant, both ways`, async () => {
      const dir = project();
      const cold = await lint(dir, flags);
      expect(cold.ids).not.toContain("main.ts:floating-task");
      write(dir, "src/lib.ts", asyncRun);
      const appears = await lint(dir, flags);
      expect(appears.ids).toContain("main.ts:floating-task");
      expect(appears.cache).toEqual({ reused: 2, linted: 2 });
      expect(appears.stdout).toBe(await uncached(dir, flags));
      write(dir, "src/lib.ts", syncRun);
      const disappears = await lint(dir, flags);
      expect(disappears.ids).not.toContain("main.ts:floating-task");
      expect(disappears.cache).toEqual({ reused: 2, linted: 2 });
    });

    it(`${mode}: a change two imports away (through a re-export) re-lints the files above it`, async () => {
      const dir = project({
        "src/main.ts": `import { run } from "./reexport.js";\nexport function go(): void {\n  run();\n}\n`,
        "src/reexport.ts": `export { run } from "./lib.js";\n`,
      });
      const cold = await lint(dir, flags);
      expect(cold.ids).not.toContain("main.ts:floating-task");
      write(dir, "src/lib.ts", asyncRun);
      const warm = await lint(dir, flags);
      expect(warm.cache).toEqual({ reused: 2, linted: 3 });
      // the type checker follows the re-export; the syntax-only analysis does not, with or without the cache
      if (mode === "--types") expect(warm.ids).toContain("main.ts:floating-task");
      expect(warm.stdout).toBe(await uncached(dir, flags));
    });

    it(`${mode}: in a chain of three files, a change in the middle one re-reports the first; a change in the last keeps it`, async () => {
      const leaf = (label: string) => `export function label(): string {\n  return "${label}";\n}\n`;
      const middle = (body: string) => `import { label } from "./leaf.js";\n${body}`;
      const dir = project({ "src/lib.ts": middle(syncRun), "src/leaf.ts": leaf("a") });
      const cold = await lint(dir, flags);
      expect(cold.ids).not.toContain("main.ts:floating-task");
      write(dir, "src/lib.ts", middle(asyncRun.replace('throw new Error("x")', "throw new Error(label())")));
      const middleChanged = await lint(dir, flags);
      expect(middleChanged.ids).toContain("main.ts:floating-task");
      // main.ts and lib.ts are linted again; leaf.ts and the unrelated files come from the cache
      expect(middleChanged.cache).toEqual({ reused: 3, linted: 2 });
      expect(middleChanged.stdout).toBe(await uncached(dir, flags));
      write(dir, "src/leaf.ts", leaf("b"));
      const leafChanged = await lint(dir, flags);
      expect(leafChanged.ids).toContain("main.ts:floating-task");
      expect(leafChanged.stdout).toBe(await uncached(dir, flags));
    });
  }

  it("--types: a new file where an import pointed at nothing re-lints the file that imports it", async () => {
    const dir = project({
      "src/lib.ts": `export const unused = 1;\n`,
      "src/main.ts": `import { run } from "./jobs.js";\nexport function go(): void {\n  run();\n}\n`,
    });
    const cold = await lint(dir, ["--types"]);
    expect(cold.ids).not.toContain("main.ts:floating-task");
    write(dir, "src/jobs.ts", asyncRun);
    const warm = await lint(dir, ["--types"]);
    expect(warm.ids).toContain("main.ts:floating-task");
    expect(warm.stdout).toBe(await uncached(dir, ["--types"]));
  });

  it("a comment or whitespace edit to an imported file re-lints that file only", async () => {
    const dir = project({ "src/use.ts": `import { add1 } from "./math.js";\nexport const three = add1(1, 2);\n` });
    await lint(dir, ["--types"]);
    write(dir, "src/math.ts", `// sums\n${unrelated(1)}\n\n`);
    const comment = await lint(dir, ["--types"]);
    expect(comment.cache).toEqual({ reused: 4, linted: 1 });
    expect(comment.stdout).toBe(await uncached(dir, ["--types"]));
    write(dir, "src/math.ts", unrelated(1).replace("a + b", "a - b"));
    const code = await lint(dir, ["--types"]);
    expect(code.cache).toEqual({ reused: 3, linted: 2 });
  });

  it("a SIGTERM handler added in a file that imports the server (the server does not import it) clears missing-graceful-shutdown, and removing it brings the finding back", async () => {
    const server = `import { createServer } from "node:http";\nexport const server = createServer(() => {}).listen(8080);\n`;
    const dir = makeTree({
      "package.json": '{ "name": "api", "private": true }',
      "src/server.ts": server,
      "src/shutdown.ts": `import { server } from "./server.js";\nexport function stop(): void {\n  server.close();\n}\n`,
      "src/math.ts": unrelated(1),
    });
    const flags = ["--no-types", "--rule", "missing-graceful-shutdown=error"];
    const cold = await lint(dir, flags);
    expect(cold.ids).toContain("server.ts:missing-graceful-shutdown");
    write(dir, "src/math.ts", unrelated(2));
    // math.ts is re-linted; the server once more, to learn whether math.ts changed the package's shutdown facts
    const unrelatedEdit = await lint(dir, flags);
    expect(unrelatedEdit.cache).toEqual({ reused: 1, linted: 2 });
    expect(unrelatedEdit.stderr).toContain("(1 of them to recompute package facts");
    expect(unrelatedEdit.ids).toContain("server.ts:missing-graceful-shutdown");
    write(
      dir,
      "src/shutdown.ts",
      `import { server } from "./server.js";\nexport function stop(): void {\n  server.close();\n}\nprocess.on("SIGTERM", stop);\n`,
    );
    const handled = await lint(dir, flags);
    expect(handled.ids).not.toContain("server.ts:missing-graceful-shutdown");
    expect(handled.cache.linted).toBe(2);
    expect(handled.stdout).toBe(await uncached(dir, flags));
    write(dir, "src/shutdown.ts", `import { server } from "./server.js";\nexport function stop(): void {\n  server.close();\n}\n`);
    const unhandled = await lint(dir, flags);
    expect(unhandled.ids).toContain("server.ts:missing-graceful-shutdown");
  });

  it("a change to the config file, a rule's options or the tsconfig re-lints every file", async () => {
    const dir = project({
      "src/main.ts": `import { run } from "./lib.js";\nexport function go(): void {\n  void run();\n}\n`,
      "src/lib.ts": asyncRun,
    });
    const config = (allowVoid: boolean, severity = "error") => JSON.stringify({ rules: { "floating-task": [severity, { allowVoid }] } });
    write(dir, "asyncpat.config.json", config(false));
    const cold = await lint(dir, ["--types"]);
    expect(cold.ids).toContain("main.ts:floating-task");
    write(dir, "asyncpat.config.json", config(true));
    const option = await lint(dir, ["--types"]);
    expect(option.cache).toEqual({ reused: 0, linted: 4 });
    expect(option.ids).not.toContain("main.ts:floating-task");
    write(dir, "asyncpat.config.json", config(false, "warn"));
    const severity = await lint(dir, ["--types"]);
    expect(severity.cache).toEqual({ reused: 0, linted: 4 });
    expect(severity.ids).toContain("main.ts:floating-task");
    expect(await lint(dir, ["--types"])).toMatchObject({ cache: { reused: 4, linted: 0 } });
    write(dir, "tsconfig.json", JSON.stringify({ compilerOptions: { ...JSON.parse(TSCONFIG).compilerOptions, strict: false } }));
    const tsconfig = await lint(dir, ["--types"]);
    expect(tsconfig.cache).toEqual({ reused: 0, linted: 4 });
  });

  it("a damaged cache file, or one another version wrote, is ignored with a warning and replaced", async () => {
    const dir = project({ "src/lib.ts": asyncRun });
    const cold = await lint(dir, ["--no-types"]);
    const cacheFile = path.join(dir, ".asyncpatcache");
    writeFileSync(cacheFile, "{ this is not json");
    const damaged = await lint(dir, ["--no-types"]);
    expect(damaged.stderr).toMatch(/the cache .*\.asyncpatcache cannot be read .*; linting every file/);
    expect(damaged.cache).toEqual({ reused: 0, linted: 4 });
    expect(damaged.stdout).toBe(cold.stdout);
    const written = JSON.parse(readFileSync(cacheFile, "utf8")) as { version: string };
    writeFileSync(cacheFile, JSON.stringify({ ...written, version: "0.0.1-other" }));
    const foreign = await lint(dir, ["--no-types"]);
    expect(foreign.stderr).toContain("was written by asyncpat 0.0.1-other; linting every file");
    expect(foreign.cache).toEqual({ reused: 0, linted: 4 });
    expect(foreign.stdout).toBe(cold.stdout);
    writeFileSync(cacheFile, "[1, 2, 3]");
    const wrongShape = await lint(dir, ["--no-types"]);
    expect(wrongShape.stderr).toContain("was written by another version of asyncpat");
    const again = await lint(dir, ["--no-types"]);
    expect(again.stderr).not.toContain("the cache");
    expect(again.cache).toEqual({ reused: 4, linted: 0 });
  });

  it("--cache-location takes a folder (with a slash, or one that exists) or a file", async () => {
    const dir = project();
    await lint(dir, ["--no-types"], ["--cache-location", "new-folder/"]);
    expect(statSync(path.join(dir, "new-folder", ".asyncpatcache")).isFile()).toBe(true);
    mkdirSync(path.join(dir, "existing"));
    await lint(dir, ["--no-types"], ["--cache-location", "existing"]);
    expect(statSync(path.join(dir, "existing", ".asyncpatcache")).isFile()).toBe(true);
    const file = await lint(dir, ["--no-types"], ["--cache-location", "caches/lint.json"]);
    expect(file.cache).toEqual({ reused: 0, linted: 4 });
    expect(statSync(path.join(dir, "caches", "lint.json")).isFile()).toBe(true);
    expect(existsSync(path.join(dir, ".asyncpatcache"))).toBe(false);
    const warm = await lint(dir, ["--no-types"], ["--cache-location", "caches/lint.json"]);
    expect(warm.cache).toEqual({ reused: 4, linted: 0 });
  });
});
