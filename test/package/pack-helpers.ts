import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../scaffold/helpers.js";
import { cleanEnv } from "../helpers/cli.js";

/**
 * One npm cache for every npm command these tests run (the user's own, unless npm_config_cache says
 * otherwise), so each template's install after the first mostly reads from disk.
 */
export const npmCache = process.env.npm_config_cache ?? path.join(os.homedir(), ".npm");

export function npmEnv(extra: Record<string, string> = {}): Record<string, string> {
  return cleanEnv({
    npm_config_cache: npmCache,
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    ...extra,
  });
}

export async function run(file: string, args: string[], cwd: string, timeout = 600_000) {
  const { execa } = await import("execa");
  const started = Date.now();
  const result = await execa(file, args, { cwd, env: npmEnv(), extendEnv: false, reject: false, all: true, stdin: "ignore", timeout });
  return Object.assign(result, { seconds: (Date.now() - started) / 1000 });
}

/** Fails with the command's own output (its head and tail when long), so a CI log shows what broke. */
export function expectOk(result: { exitCode?: number; all?: string; command: string; cwd?: string }): void {
  if (result.exitCode === 0) return;
  const lines = (result.all ?? "").split("\n");
  const shown = lines.length > 120 ? [...lines.slice(0, 80), `… ${lines.length - 110} lines left out …`, ...lines.slice(-30)] : lines;
  throw new Error(`\`${result.command}\` exited with ${result.exitCode} in ${result.cwd ?? "?"}:\n${shown.join("\n")}`);
}

export interface Packed {
  tarball: string;
  files: string[];
}

/** `npm pack` of this repository into a fresh temp folder; it packs the dist/ that `npm test` just built (pretest) instead of rebuilding. */
export async function packRepository(): Promise<Packed> {
  const destination = await mkdtemp(path.join(os.tmpdir(), "asyncpat-pack-"));
  const result = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], repoRoot);
  expectOk(result);
  const json = result.stdout.slice(result.stdout.indexOf("["));
  const [info] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed no JSON:\n${result.all}`);
  return { tarball: path.join(destination, path.basename(info.filename)), files: info.files.map((file) => file.path) };
}
