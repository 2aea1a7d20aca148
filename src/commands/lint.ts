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

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

async function lintInWorker(paths: string[], options: LintOptions): Promise<number> {
  const stdinText = options.stdin ? await readStdin() : undefined;
  const input: LintWorkerInput = { paths, options, stdoutIsTTY: process.stdout.isTTY === true, stdinText };
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
    .argument("[paths...]", 'files, folders or globs to lint (default: ".")')
    .addOption(
      new Option("-f, --format <format>", "output format").choices(["stylish", "compact", "json", "sarif", "github"]).default("stylish"),
    )
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
    .option("--fix", "apply the fixes that keep behaviour and write the files that change", false)
    .option("--fix-dry-run", "apply fixes in memory only; the json report carries each fixed file as `output`", false)
    .option("--stdin", "lint the text on standard input (with --fix: print the fixed text instead of the report)", false)
    .option("--stdin-filename <path>", "the file standard input is linted as: its config, tsconfig and language (default: stdin.ts)")
    .option("--suppress-all", "record every finding in the suppressions file, so later runs report only new ones", false)
    .option("--suppress-rule <id>", "record this rule's findings in the suppressions file; repeatable", collect, [])
    .option("--suppressions-location <file>", "the suppressions file (default: asyncpat-suppressions.json here)")
    .option("--prune-suppressions", "lower the suppressions file's counts to the findings that remain", false)
    .option("--print-config <file>", "print the settings this file is linted with (preset, role, overrides, --rule) as JSON; lints nothing")
    .option("--stats", "print file, line and per-rule timing figures to standard error", false)
    .option(
      "--concurrency <n|auto|off>",
      "spread the files over threads, split by package (auto: half the cores, so one on 2 cores, at most one per 100 files; with types, only where the packages' programs stay apart)",
      parseConcurrency,
    )
    .option(
      "--shard <i/n>",
      "lint only the i-th of n parts of the files, split by package (join the reports with merge-reports)",
      parseShard,
    )
    .option("--cache", "reuse the results of files whose text, imports, package facts and settings did not change", false)
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
