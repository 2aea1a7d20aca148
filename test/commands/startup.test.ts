import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

async function loadedFiles(args: string[], script?: string): Promise<{ exitCode: number | undefined; files: string[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "asyncpat-startup-"));
  const recorder = path.join(dir, "recorder.cjs");
  const log = path.join(dir, "loaded.log");
  writeFileSync(recorder, RECORDER);
  writeFileSync(log, "");
  const result = await execa(process.execPath, script ? ["--input-type=module", "-e", script] : [binPath, ...args], {
    cwd: repoRoot,
    env: cleanEnv({ NODE_OPTIONS: `--require ${recorder}`, ASYNCPAT_LOAD_LOG: log }),
    extendEnv: false,
    reject: false,
    stdin: "ignore",
  });
  return { exitCode: result.exitCode, files: readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

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
});
