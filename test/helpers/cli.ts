import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const binPath = path.join(repoRoot, "bin", "asyncpat.js");

/** Runs the built CLI (`npm run build` first; `npm test` does) the way a user's shell would. */
export async function runCli(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }) {
  const result = await execa(process.execPath, [binPath, ...args], {
    cwd: options.cwd,
    env: { NO_COLOR: undefined, FORCE_COLOR: undefined, CI: "true", ...options.env },
    extendEnv: true,
    reject: false,
    stdin: "ignore",
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A fresh folder with the given files (path → content). */
export function makeTree(files: Record<string, string | Buffer>, prefix = "asyncpat-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(dir, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return dir;
}
