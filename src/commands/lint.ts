import { Command, Option } from "commander";
import { Worker } from "node:worker_threads";
import { ExitCode, UsageError } from "../errors.js";
import type { LintOptions } from "../lint/run.js";
import { parseConcurrency, parseShard } from "../lint/shard.js";
import { parseCacheStrategy } from "../lint/cache.js";
import type { LintWorkerInput, LintWorkerOutput } from "./lint-protocol.js";

/** Stack for the lint worker: enough for TypeScript to parse code nested 10,000+ levels deep. */
const WORKER_STACK_MB = 256;

class ReportedError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

async function lintInWorker(paths: string[], options: LintOptions): Promise<number> {
  const input: LintWorkerInput = { paths, options, stdoutIsTTY: process.stdout.isTTY === true };
  const worker = new Worker(new URL("./lint-worker.js", import.meta.url), {
    workerData: input,
    resourceLimits: { stackSizeMb: WORKER_STACK_MB },
  });
  const output = await new Promise<LintWorkerOutput>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the lint worker stopped with code ${code} before reporting`)));
  });
  await worker.terminate();
  if (output.stdout) process.stdout.write(output.stdout);
  if (output.stderr) process.stderr.write(output.stderr);
  if (output.error) {
    const prefix = output.error.internal ? "internal error: " : "";
    throw new ReportedError(`${prefix}${output.error.message}`, output.error.exitCode);
  }
  return output.exitCode ?? ExitCode.internal;
}

function parseMaxWarnings(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new UsageError(`--max-warnings takes a whole number of 0 or more, not "${value}".`);
  }
  return parsed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerLintCommand(program: Command): void {
  program
    .command("lint")
    .description("report async anti-patterns in TypeScript, JavaScript and Rust files")
    .argument("[paths...]", "files, folders or globs to lint", ["."])
    .addOption(new Option("-f, --format <format>", "output format").choices(["stylish", "json", "sarif", "github"]).default("stylish"))
    .option("-o, --output-file <file>", "write the report to a file instead of standard output")
    .option("--max-warnings <n>", "exit 1 when there are more than n warnings", parseMaxWarnings)
    .option("-q, --quiet", "report errors only", false)
    .option("--rule <id=severity>", "set a rule's severity (off, warn, error); repeatable", collect, [])
    .option("-c, --config <file>", "use this config file instead of searching for one")
    .option("--tsconfig <file>", "TypeScript project config (default: the nearest tsconfig.json)")
    .option("--types", "use the type checker even without a tsconfig.json (default: only when one is found)")
    .option("--no-types", "never use the type checker (faster; rules rely on syntax and imports alone)")
    .option("--no-gitignore", "also lint files that .gitignore files ignore (by default they are skipped, like node_modules)")
    .option("--no-color", "disable colours (NO_COLOR and FORCE_COLOR are honoured too)")
    .option("--stats", "print file, line and per-rule timing figures to standard error", false)
    .option("--concurrency <n|auto|off>", "spread the files over worker threads, split by package (auto: one per core)", parseConcurrency)
    .option(
      "--shard <i/n>",
      "lint only the i-th of n parts of the files, split by package (join the reports with merge-reports)",
      parseShard,
    )
    .option("--cache", "reuse the results of files whose package, imports, config and tsconfig did not change", false)
    .option("--cache-location <path>", "the cache file, or a folder for it (default: .asyncpatcache)")
    .option(
      "--cache-strategy <strategy>",
      "how a changed file is noticed: metadata (size and time) or content (a hash)",
      parseCacheStrategy,
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 no errors (and warnings within --max-warnings), 1 errors or too many warnings,\n2 usage, config or internal error (or a path that does not exist), 130 interrupted.\n\nConfig: asyncpat.config.json, .asyncpatrc.json or package.json#asyncpat, found walking up from here.\nSuppress one line: // asyncpat-ignore-next-line <rule-id> -- <reason>",
    )
    .action(async (paths: string[], options: LintOptions) => {
      process.exitCode = await lintInWorker(paths, options);
    });
}
