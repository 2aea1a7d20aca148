import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, lstat, readlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const fixturesRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "templates");

export function tempDir(prefix = "asyncpat-test-"): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Every entry under `dir` (files, folders, links) with its content hash and mode. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      const absolute = path.join(dir, child);
      const stats = await lstat(absolute);
      if (entry.isSymbolicLink()) out[child] = `link:${await readlink(absolute)}`;
      else if (entry.isDirectory()) {
        out[`${child}/`] = `dir:${stats.mode.toString(8)}`;
        await walk(child);
      } else {
        out[child] = `${createHash("sha256")
          .update(await readFile(absolute))
          .digest("hex")}:${stats.mode.toString(8)}:${stats.mtimeMs}`;
      }
    }
  };
  await walk("");
  return out;
}

export async function listFiles(dir: string): Promise<string[]> {
  return Object.keys(await snapshotTree(dir))
    .filter((entry) => !entry.endsWith("/"))
    .sort();
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const cliPath = path.join(repoRoot, "bin", "asyncpat.js");

/** The e2e tests run the built CLI; `npm test` builds first (pretest), a bare `vitest` does not. */
export async function assertBuilt(): Promise<void> {
  const { stat } = await import("node:fs/promises");
  const [built, source] = await Promise.all([
    stat(path.join(repoRoot, "dist", "src", "cli.js")).catch(() => undefined),
    stat(path.join(repoRoot, "src", "scaffold", "create.ts")),
  ]);
  if (!built) throw new Error("dist/ is missing: run `npm run build` before the CLI tests.");
  if (built.mtimeMs < source.mtimeMs - 1000) console.warn("warning: dist/ is older than src/; run `npm run build`.");
}
