import { access, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UsageError } from "../errors.js";
import { packageRoot, version } from "../version.js";
import type { Rule } from "./rule.js";
import { prepareBulkSuppressions, type BulkSuppressionFlags } from "./bulk-suppressions.js";
import { loadConfig } from "./config.js";
import { FILE_ROLES } from "./file-roles.js";
import { lintableExtensions, lintFiles } from "./engine.js";
import { discoverFiles } from "./files.js";
import { formatters } from "./formatters/index.js";
import { findNearestTsconfig } from "./typescript/backend.js";

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
}

export interface LintIO {
  stdout: { write(text: string): void; isTTY?: boolean };
  stderr: { write(text: string): void };
}

export async function runLint(
  paths: string[],
  options: LintOptions,
  rules: readonly Rule[],
  io: LintIO = { stdout: process.stdout, stderr: process.stderr },
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
  const files = discoverFiles(paths.length > 0 ? paths : ["."], {
    cwd,
    extensions: lintableExtensions(),
    ignore: config.ignore,
    ignoreBase: config.baseDir,
    gitignore: options.gitignore !== false,
  });
  const started = performance.now();
  const report = await lintFiles({
    files,
    rules: config.rules,
    knownRuleIds: new Set(rules.map((rule) => rule.id)),
    rulesForRole: (filePath, role) => config.rulesFor(filePath, role),
    skipRoles: new Set(FILE_ROLES.filter((role) => config.roles[role] === "skip")),
    cwd,
    tsconfigPath,
    types: options.types ?? tsconfigPath !== undefined,
    timing: options.stats,
  });
  const elapsed = performance.now() - started;

  // first, before anything reads the messages: what the baseline suppresses is neither reported nor fixed
  const bulk = bulkSuppressions.apply(report.results);
  let results = bulk.results;
  if (options.quiet) {
    results = results.map((result) => {
      const messages = result.messages.filter((message) => message.severity === 2);
      return { ...result, messages, warningCount: 0 };
    });
  }
  const formatter = formatters[options.format];
  const toFile = options.outputFile !== undefined;
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
  } else if (output) {
    io.stdout.write(output);
  }

  for (const notice of bulk.notices) io.stderr.write(notice);
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
    io.stderr.write(`asyncpat: files linted by role: ${byRole(stats.linted)}; not linted: ${byRole(stats.skipped)} (config "roles")\n`);
    const slowest = Object.entries(stats.ruleMs).sort((a, b) => b[1] - a[1]);
    if (slowest.length > 0) {
      io.stderr.write(`asyncpat: time per rule: ${slowest.map(([ruleId, ms]) => `${ruleId} ${ms.toFixed(0)} ms`).join(", ")}\n`);
    }
  }

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
