import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";

const code = `export async function ping(url: string) {\n  return (await fetch(url)).ok;\n}\nexport function start() {\n  ping("http://localhost:1");\n}\n`;

function tree() {
  return makeTree({ "package.json": "{}", "src/a.ts": code, "src/b.ts": code });
}

async function lint(cwd: string, cache: string) {
  const result = await runCli(["lint", "--format", "json", "--no-types"], { cwd, env: { ASYNCPAT_COMPILE_CACHE: cache } });
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(1);
  return result.stdout;
}

describe("the compiler's V8 code cache", () => {
  it("is written to a folder only this user can write, and a run that reads it reports the same", async () => {
    const dir = tree();
    const cache = path.join(dir, ".compile-cache");
    const first = await lint(dir, cache);
    expect(statSync(cache).mode & 0o077).toBe(0);
    expect(readdirSync(cache).length).toBeGreaterThan(0);
    const second = await lint(dir, cache);
    expect(second).toBe(first);
    expect(JSON.parse(second)).toHaveLength(2);
  });

  it("is neither read nor written in a folder others may write to", async () => {
    const dir = tree();
    const cache = path.join(dir, "shared");
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    await lint(dir, cache);
    expect(readdirSync(cache)).toEqual([]);
  });

  it("is off with ASYNCPAT_COMPILE_CACHE=off", async () => {
    const dir = tree();
    await lint(dir, "off");
    expect(existsSync(path.join(dir, "off"))).toBe(false);
  });
});
