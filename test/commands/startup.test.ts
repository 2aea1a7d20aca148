import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { binPath, cleanEnv, repoRoot } from "../helpers/cli.js";

/*
 * Start-up loads nothing it does not need: TypeScript (through ts-morph) is the heaviest module, and
 * commands that lint no TypeScript file must not load it. A preload script, in every thread, writes
 * each CommonJS file Node loads to a log; the test reads the log.
 */
const RECORDER = `const fs = require("node:fs");
const Module = require("node:module");
const load = Module.prototype.load;
Module.prototype.load = function (filename) {
  fs.appendFileSync(process.env.ASYNCPAT_LOAD_LOG, filename + "\\n");
  return load.apply(this, arguments);
};
`;

async function loadedFiles(
  args: string[],
  script?: string,
  cwd = repoRoot,
): Promise<{ exitCode: number | undefined; files: string[]; stdout: string; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "asyncpat-startup-"));
  const recorder = path.join(dir, "recorder.cjs");
  const log = path.join(dir, "loaded.log");
  writeFileSync(recorder, RECORDER);
  writeFileSync(log, "");
  const result = await execa(process.execPath, script ? ["--input-type=module", "-e", script] : [binPath, ...args], {
    cwd,
    env: cleanEnv({ NODE_OPTIONS: `--require ${recorder}`, ASYNCPAT_LOAD_LOG: log }),
    extendEnv: false,
    reject: false,
    stdin: "ignore",
  });
  return {
    exitCode: result.exitCode,
    files: readFileSync(log, "utf8").split("\n").filter(Boolean),
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}

const loadsAjv = (files: string[]) => files.some((file) => /node_modules[\\/]ajv[\\/]/.test(file));
const loadsTypeScript = (files: string[]) => files.some((file) => /node_modules[\\/](typescript|ts-morph|@ts-morph)[\\/]/.test(file));

describe("start-up", { timeout: 180_000 }, () => {
  it("the recorder sees TypeScript when something imports ts-morph", async () => {
    const { files } = await loadedFiles([], 'await import("ts-morph");');
    expect(loadsTypeScript(files)).toBe(true);
  });

  for (const args of [["--version"], ["--help"], ["lint", "--help"], ["new", "--help"], ["rules"], ["rules", "--format", "json"]]) {
    it(`asyncpat ${args.join(" ")} does not load TypeScript`, async () => {
      const { exitCode, files } = await loadedFiles(args);
      expect(exitCode).toBe(0);
      expect(loadsTypeScript(files)).toBe(false);
    });
  }

  /** A folder holding these files (paths relative to it). */
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "asyncpat-startup-project-"));
    for (const [relative, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
      writeFileSync(path.join(dir, relative), text);
    }
    return dir;
  }

  const crate = {
    "Cargo.toml": '[package]\nname = "one-file"\nversion = "0.1.0"\nedition = "2021"\n',
    "src/main.rs":
      "use tokio::sync::mpsc;\n\n#[tokio::main]\nasync fn main() {\n    let (tx, mut rx) = mpsc::unbounded_channel::<u32>();\n    tx.send(1).unwrap();\n    rx.recv().await;\n}\n",
  };

  const ruleIds = (stdout: string) =>
    (JSON.parse(stdout) as { messages: { ruleId: string }[] }[]).flatMap((file) => file.messages.map((m) => m.ruleId));

  it("asyncpat lint on a Rust-only crate runs the Rust rules and does not load TypeScript (nor the options validator)", async () => {
    const { exitCode, files, stdout } = await loadedFiles(["lint", "-f", "json", "."], undefined, project(crate));
    expect(exitCode).toBe(0);
    expect(ruleIds(stdout)).toEqual(["unbounded-channel"]);
    expect(loadsTypeScript(files)).toBe(false);
    expect(loadsAjv(files)).toBe(false);
  });

  it("asyncpat lint with rule options in its config on a Rust-only crate validates them and does not load TypeScript", async () => {
    const config = { rules: { "missing-timeout": ["error", { timeoutWrappers: ["with_deadline"] }], "async-interval": "off" } };
    const dir = project({ ...crate, "asyncpat.config.json": JSON.stringify(config) });
    const { exitCode, files, stdout } = await loadedFiles(["lint", "-f", "json", "."], undefined, dir);
    expect(exitCode).toBe(0);
    expect(ruleIds(stdout)).toEqual(["unbounded-channel"]);
    expect(loadsTypeScript(files)).toBe(false);
    expect(loadsAjv(files)).toBe(true);
  });

  it("asyncpat lint with an invalid rule option reports the config error without loading TypeScript, even beside TypeScript files", async () => {
    const config = { rules: { "missing-timeout": ["error", { timeoutWrapers: ["withDeadline"] }] } };
    const dir = project({ "asyncpat.config.json": JSON.stringify(config), "src/index.ts": "export const a = 1;\n" });
    const { exitCode, files, stderr } = await loadedFiles(["lint", "."], undefined, dir);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('unknown option "timeoutWrapers"');
    expect(loadsTypeScript(files)).toBe(false);
  });

  it("asyncpat lint on a TypeScript file loads TypeScript and runs the TypeScript rules", async () => {
    const dir = project({
      "src/index.ts": "export async function tick(): Promise<void> {}\nsetInterval(async () => { await tick(); }, 1000);\n",
    });
    const { exitCode, files, stdout } = await loadedFiles(["lint", "-f", "json", "."], undefined, dir);
    expect(exitCode).toBe(1);
    expect(ruleIds(stdout)).toContain("async-interval");
    expect(loadsTypeScript(files)).toBe(true);
  });
});
