import { access, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UsageError } from "../errors.js";
import { packageRoot, version } from "../version.js";
import type { Rule } from "./rule.js";
import { prepareBulkSuppressions, type BulkSuppressionFlags } from "./bulk-suppressions.js";
import { loadConfig } from "./config.js";
import { FILE_ROLES } from "./file-roles.js";
import { lintableExtensions, type EngineOptions } from "./engine.js";
import { lintPlanned, type PlannedReport, type PlanOptions } from "./parallel.js";
import type { Concurrency, Shard } from "./shard.js";
import { cacheOptionsFor, type CacheStrategy } from "./cache.js";
import { discoverFiles } from "./files.js";
import { lintAndFix } from "./fix-run.js";
import { stdinTarget } from "./stdin.js";
import { printConfig } from "./print-config.js";
import type { FileResult, LintReport } from "./types.js";
import { formatters } from "./formatters/index.js";
import { findNearestTsconfig } from "./typescript/files.js";

/** Colour for the terminal: --no-color and NO_COLOR turn it off, FORCE_COLOR on, else a TTY decides. */
export function useColor(flag: boolean | undefined, stream: { isTTY?: boolean }, env = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  return stream.isTTY === true;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** The options of one lint run, as `asyncpat lint` parses them from its flags. */
export interface LintOptions extends BulkSuppressionFlags {
  format: "stylish" | "json" | "sarif" | "github" | "compact";
  outputFile?: string;
  maxWarnings?: number;
  quiet: boolean;
  rule: string[];
  config?: string;
  tsconfig?: string;
  color?: boolean;
  /** undefined: use the type checker when a tsconfig.json is found. */
  types?: boolean;
  stats: boolean;
  /** false: do not skip what .gitignore files ignore (`--no-gitignore`). */
  gitignore?: boolean;
  /** Apply fixes and write the files that changed (with `stdin`: print the fixed text instead of the report). */
  fix?: boolean;
  /** Apply fixes in memory only; the report carries each file's fixed text as `output`. */
  fixDryRun?: boolean;
  /** Lint `LintIO.stdinText` instead of files on disk. */
  stdin?: boolean;
  /** The path standard input is linted as (default `stdin.ts` in the cwd). */
  stdinFilename?: string;
  /** `--concurrency`: worker threads to spread the files over (default off). */
  concurrency?: Concurrency;
  /** `--shard i/n`: lint only this part of the files (CI matrices; join with `merge-reports`). */
  shard?: Shard;
  /** `--cache`, `--cache-location`, `--cache-strategy`: reuse results of unchanged packages. */
  cache?: boolean;
  cacheLocation?: string;
  cacheStrategy?: CacheStrategy;
  /** `--print-config <file>`: print the settings this file is linted with as JSON instead of linting. */
  printConfig?: string;
}

/** What the running program provides: the worker script for `--concurrency` (absent: one thread). */
export interface LintRuntime {
  partWorker?: URL;
}

export interface LintIO {
  stdout: { write(text: string): void; isTTY?: boolean };
  stderr: { write(text: string): void };
  /** What was read from standard input, for `--stdin`. */
  stdinText?: string;
}

/** Drops what is not reported: run on every pass's report before `--fix` chooses its fixes, and on the final one. */
function filterReport(report: LintReport, options: LintOptions): LintReport {
  if (!options.quiet) return report;
  const results = report.results.map((result): FileResult => {
    const messages = result.messages.filter((message) => message.severity === 2);
    return { ...result, messages, warningCount: 0 };
  });
  return { ...report, results };
}

export async function runLint(
  paths: string[],
  options: LintOptions,
  rules: readonly Rule[],
  io: LintIO = { stdout: process.stdout, stderr: process.stderr },
  runtime: LintRuntime = {},
): Promise<number> {
  const cwd = process.cwd();
  const config = loadConfig({ cwd, configPath: options.config, rules, overrides: options.rule });
  const bulkSuppressions = prepareBulkSuppressions(options, cwd, new Set(rules.map((rule) => rule.id)));
  let tsconfigPath: string | undefined;
  if (options.tsconfig) {
    tsconfigPath = path.resolve(cwd, options.tsconfig);
    await access(tsconfigPath).catch(() => {
      throw new UsageError(`--tsconfig ${options.tsconfig}: no such file.`);
    });
  } else {
    tsconfigPath = findNearestTsconfig(cwd);
  }
  if (options.printConfig !== undefined) {
    const printed = printConfig(options.printConfig, {
      cwd,
      config,
      rules,
      extensions: lintableExtensions(),
      gitignore: options.gitignore !== false,
      tsconfigPath,
      types: options.types,
    });
    io.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (options.fix && options.fixDryRun) throw new UsageError("--fix and --fix-dry-run cannot be used together; pick one.");
  if (options.stdinFilename !== undefined && !options.stdin)
    throw new UsageError("--stdin-filename names the text of --stdin; add --stdin.");
  const stdin = options.stdin
    ? stdinTarget({ cwd, filename: options.stdinFilename, paths, text: io.stdinText, extensions: lintableExtensions() })
    : undefined;
  const files = stdin
    ? [stdin.path]
    : discoverFiles(paths.length > 0 ? paths : ["."], {
        cwd,
        extensions: lintableExtensions(),
        ignore: config.ignore,
        ignoreBase: config.baseDir,
        gitignore: options.gitignore !== false,
      });
  const started = performance.now();
  const engineOptions: EngineOptions = {
    files,
    contents: stdin?.contents,
    rules: config.rules,
    knownRuleIds: new Set(rules.map((rule) => rule.id)),
    rulesForRole: (filePath, role) => config.rulesFor(filePath, role),
    skipRoles: new Set(FILE_ROLES.filter((role) => config.roles[role] === "skip")),
    cwd,
    tsconfigPath,
    types: options.types ?? tsconfigPath !== undefined,
    timing: options.stats,
  };
  const plan: PlanOptions = {
    concurrency: options.concurrency,
    shard: options.shard,
    partWorker: runtime.partWorker,
    options: { config: options.config, rule: options.rule, stats: options.stats },
    cache: cacheOptionsFor(options, {
      version,
      ruleIds: rules.map((rule) => rule.id),
      config,
      tsconfigPath,
      types: options.types ?? tsconfigPath !== undefined,
    }),
  };
  // the fix passes choose fixes among what will be reported: not what the baseline suppresses, not warnings with --quiet
  const filter = (report: LintReport) => filterReport({ ...report, results: bulkSuppressions.suppress(report.results) }, options);
  const { raw, outputs } =
    options.fix || options.fixDryRun
      ? await lintAndFix(engineOptions, { filter, lint: (engine) => lintPlanned(engine, plan) })
      : { raw: await lintPlanned(engineOptions, plan), outputs: new Map<string, string>() };
  const report: PlannedReport = raw;
  const elapsed = performance.now() - started;
  if (options.fix && !stdin) await writeFixes(outputs);

  // first, before anything reads the messages: what the baseline suppresses is neither reported nor fixed
  const bulk = bulkSuppressions.apply(raw.results);
  let results = filterReport({ ...raw, results: bulk.results }, options).results;
  results = results.map((result) => {
    const output = outputs.get(result.filePath);
    return output === undefined ? result : { ...result, output };
  });
  const formatter = formatters[options.format];
  const toFile = options.outputFile !== undefined;
  // ESLint's `--stdin --fix`: the fixed text goes to standard output in place of the report (which
  // still goes to --output-file when one is given).
  const printFixed = options.fix === true && stdin !== undefined;
  if (printFixed) io.stdout.write(outputs.get(stdin.path) ?? stdin.contents.get(stdin.path)!);
  const output = formatter(results, {
    cwd,
    rules: new Map(rules.map((rule) => [rule.id, rule])),
    color: options.format === "stylish" && !toFile && useColor(options.color, io.stdout),
    version,
    docsDir: path.join(packageRoot, "docs", "rules"),
  });
  if (toFile) {
    const target = path.resolve(cwd, options.outputFile!);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, output);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`--output-file ${options.outputFile}: cannot write the report (${reason}). Pass a path in a writable folder.`);
    }
  } else if (output && !printFixed) {
    io.stdout.write(output);
  }

  for (const notice of [...(report.notices ?? []), ...bulk.notices]) io.stderr.write(notice);
  for (const error of report.internalErrors) {
    const relative = path.relative(cwd, error.filePath);
    io.stderr.write(
      `asyncpat: internal error: rule "${error.ruleId}" crashed on ${relative}; its findings for that file are missing. Please report this.\n  ${error.message.split("\n").slice(0, 4).join("\n  ")}\n`,
    );
  }
  if (options.stats) {
    const { stats } = report;
    const perLanguage = Object.entries(stats.byLanguage)
      .map(
        ([language, figures]) =>
          `${language}: ${plural(figures.files, "file")}, ${plural(figures.lines, "line")}, ${figures.ms.toFixed(0)} ms`,
      )
      .join("; ");
    io.stderr.write(
      `asyncpat: ${plural(stats.files, "file")}, ${plural(stats.lines, "line")} in ${elapsed.toFixed(0)} ms (type checker ${stats.typeCheckerMs.toFixed(0)} ms); ${perLanguage}\n`,
    );
    const byRole = (counts: Partial<Record<string, number>>) =>
      FILE_ROLES.filter((role) => counts[role])
        .map((role) => `${counts[role]} ${role}`)
        .join(", ") || "none";
    if (report.split) io.stderr.write(`asyncpat: split: ${report.split}\n`);
    if (report.timeline) io.stderr.write(`asyncpat: threads: ${report.timeline}\n`);
    io.stderr.write(`asyncpat: files linted by role: ${byRole(stats.linted)}; not linted: ${byRole(stats.skipped)} (config "roles")\n`);
    const slowest = Object.entries(stats.ruleMs).sort((a, b) => b[1] - a[1]);
    if (slowest.length > 0) {
      io.stderr.write(`asyncpat: time per rule: ${slowest.map(([ruleId, ms]) => `${ruleId} ${ms.toFixed(0)} ms`).join(", ")}\n`);
    }
  }

  return exitCodeOf(results, report, options, io);
}

async function writeFixes(outputs: ReadonlyMap<string, string>): Promise<void> {
  for (const [filePath, text] of outputs) {
    try {
      await writeFile(filePath, text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`--fix: cannot write ${filePath} (${reason}); make it writable or run without --fix.`);
    }
  }
}

function exitCodeOf(results: readonly FileResult[], report: LintReport, options: LintOptions, io: LintIO): number {
  if (report.internalErrors.length > 0) return ExitCode.internal;
  const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
  const warnings = results.reduce((sum, result) => sum + result.warningCount, 0);
  if (errors > 0) return ExitCode.findings;
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    io.stderr.write(`asyncpat: ${plural(warnings, "warning")}, more than --max-warnings ${options.maxWarnings}.\n`);
    return ExitCode.findings;
  }
  return ExitCode.ok;
}
