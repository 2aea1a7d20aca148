import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const binPath = path.join(repoRoot, "bin", "asyncpat.js");

/**
 * The caller's environment without what would change the CLI's behaviour under test: its CI flag,
 * colour settings, Node options, the package manager's and vitest's variables. `extra` goes on top
 * (a key set to undefined is removed).
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  const dropped = (key: string): boolean =>
    !(key in extra) &&
    (key === "CI" ||
      key === "NO_COLOR" ||
      key === "FORCE_COLOR" ||
      key === "NODE_OPTIONS" ||
      key.startsWith("npm_") ||
      key.startsWith("VITEST"));
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !dropped(entry[0])));
}

/**
 * Runs the built CLI (`npm run build` first; `npm test` does) the way a user's shell would, with no
 * standard input (or `input` piped in) and a clean environment (add `CI`, `NO_COLOR`, … through `env`).
 */
export async function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; timeout?: number; input?: string },
) {
  const result = await execa(process.execPath, [binPath, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    extendEnv: false,
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: "ignore" as const }),
    timeout: options.timeout ?? 120_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), timedOut: result.timedOut };
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
