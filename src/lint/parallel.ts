/**
 * `--concurrency` and `--shard`: the run's files split package first (see shard.ts), each part
 * linted in its own worker thread with its own TypeScript program, and the reports merged in the
 * order a one-thread run gives. Worker threads are spawned from a script the lint command names
 * (it holds the rule list; the engine never imports the rules).
 */
import { statSync } from "node:fs";
import { autoThreads, releaseIdlePartWorkers, takePartWorker, threadCpuMs } from "./part-pool.js";
import type { Rule } from "./rule.js";
import { loadConfig } from "./config.js";
import { addStats, emptyStats, lintFiles, type EngineOptions } from "./engine.js";
import { lintCached, type CacheOptions } from "./cache.js";
import { FILE_ROLES } from "./file-roles.js";
import { splitFiles, type Concurrency, type Part, type Shard } from "./shard.js";
import type { InternalError, LintReport } from "./types.js";

/** The run's flags a part needs to rebuild its config (a subset of `LintOptions`). */
export interface PartSettings {
  config?: string;
  rule: string[];
  stats: boolean;
}

/** What a part's worker thread is handed: enough to rebuild the run's engine options. */
export interface PartInput {
  cwd: string;
  options: PartSettings;
  tsconfigPath?: string;
  types: boolean;
  files: string[];
  lintOnly: string[];
}

/** `auto` starts a worker per this many files at most: below it, a thread's start-up costs more than it saves. */
const FILES_PER_AUTO_WORKER = 100;

/**
 * With the type checker, `auto` keeps a split only while the threads' programs stay apart: the files
 * the threads read besides those they lint (other packages' files their imports reach, or the rest
 * of a package cut in two) may add at most this share. A package's program cannot be split: two
 * threads on one package each parse and bind all of it (measured on a 1,000-file package: 1.7x the
 * CPU of one thread, and slower).
 */
const MAX_TYPED_EXTRA_READS = 0.25;

export interface PlanOptions {
  concurrency?: Concurrency;
  shard?: Shard;
  /** The worker script (it calls `lintPart`); without one, everything runs in this thread. */
  partWorker?: URL;
  options: PartSettings;
  /** `--cache`: reuse the results of files whose package (and imports) did not change. */
  cache?: CacheOptions;
}

export interface PlannedReport extends LintReport {
  /** How the files were split, for `--stats`; undefined when one thread linted them all. */
  split?: string;
  /** When each thread started, was ready, was handed its files and finished, for `--stats`. */
  timeline?: string;
  /** Said on standard error before the report's own notices (a cache that could not be used). */
  notices?: string[];
}

export function workerCount(concurrency: Concurrency | undefined, files: number): number {
  if (concurrency === undefined || concurrency === "off") return 1;
  // auto: half the cores (see autoThreads), and no more than one thread per FILES_PER_AUTO_WORKER files.
  // An explicit number is obeyed.
  if (concurrency === "auto") return Math.max(1, Math.min(autoThreads(), Math.floor(files / FILES_PER_AUTO_WORKER)));
  return concurrency;
}

/** Whether a split's type programs stay apart: its threads read at most MAX_TYPED_EXTRA_READS more files than they lint. */
export function typedSplitPays(parts: readonly Part[]): boolean {
  const linted = parts.reduce((sum, part) => sum + part.lint.length, 0);
  const read = parts.reduce((sum, part) => sum + part.context.length, 0);
  return read - linted <= MAX_TYPED_EXTRA_READS * linted;
}

/**
 * `auto` with the type checker: the most threads, up to `threads`, whose split `typedSplitPays`;
 * one thread (and no parts) when none does. `split` gives the parts for a thread count.
 */
export function autoTypedSplit(threads: number, split: (threads: number) => Part[]): { threads: number; parts?: Part[]; refused?: Part[] } {
  let refused: Part[] | undefined;
  for (let count = threads; count > 1; count--) {
    const parts = split(count);
    if (parts.length > 1 && typedSplitPays(parts)) return { threads: parts.length, parts, refused };
    refused ??= parts;
  }
  return { threads: 1, refused };
}

/** Lints `engine.files`, or this shard's part of them, over the worker threads asked for, reusing cached results. */
export async function lintPlanned(engine: EngineOptions, plan: PlanOptions): Promise<PlannedReport> {
  let scope: Part = { lint: [...engine.files], context: [...engine.files] };
  let note = "";
  if (plan.shard) {
    const parts = splitFiles(engine.files, plan.shard.count);
    scope = parts[plan.shard.index - 1] ?? { lint: [], context: [] };
    note = `shard ${plan.shard.index}/${plan.shard.count}: ${scope.lint.length} of ${engine.files.length} files (reading ${scope.context.length}); `;
  }
  if (!plan.cache || engine.contents !== undefined || engine.session !== undefined) {
    const report = await lintParts(engine, scope, plan);
    return { ...report, split: note || report.split ? `${note}${report.split ?? "one thread"}` : undefined };
  }

  // the cache lints in this thread: the started workers would only burn CPU loading the compiler
  releaseIdlePartWorkers();
  return lintCached(engine, scope, plan.cache, note);
}

/**
 * Lints `part.lint` (reading `part.context`) in this thread, or over this thread and worker threads:
 * this thread lints the first share itself while the workers lint the others; shares hold near-equal
 * bytes of source. Without the type checker every thread is handed the whole context, whose files it
 * reads and parses only where a rule reads another file; with it, each thread gets its own packages
 * (and what they import) and builds only their program.
 */
async function lintParts(engine: EngineOptions, part: Part, plan: PlanOptions): Promise<PlannedReport> {
  let threads = workerCount(plan.concurrency, part.lint.length);
  const whole = part.lint.length === engine.files.length;
  const single = () => {
    // the workers started for this run (they are loading the compiler) are not needed: stopped now, not at the end
    releaseIdlePartWorkers();
    return lintFiles(whole ? engine : { ...engine, files: part.context, lintOnly: new Set(part.lint) });
  };
  if (threads <= 1 || !plan.partWorker || engine.contents !== undefined || engine.session !== undefined) return single();
  const sizes = fileSizes(part.lint);
  const split = (count: number) =>
    splitFiles(part.lint, count, part.context, { withContext: engine.types, weightOf: (file) => sizes.get(file) ?? 0 });
  let parts: Part[];
  if (plan.concurrency === "auto" && engine.types) {
    const chosen = autoTypedSplit(threads, split);
    if (!chosen.parts) {
      const read = chosen.refused?.reduce((sum, piece) => sum + piece.context.length, 0) ?? 0;
      const report = await single();
      return {
        ...report,
        split: `one thread (auto: ${chosen.refused?.length ?? threads} threads would read ${read} files to lint ${part.lint.length}, each building the type program of the same packages)`,
      };
    }
    threads = chosen.threads;
    parts = chosen.parts;
  } else {
    parts = split(threads);
  }
  const [own, ...others] = parts.map((piece) => (engine.types ? piece : { ...piece, context: part.context }));
  const inWorkers = others.map((piece) =>
    runWorker(plan.partWorker!, {
      cwd: engine.cwd,
      options: plan.options,
      tsconfigPath: engine.tsconfigPath,
      types: engine.types,
      files: piece.context,
      lintOnly: piece.lint,
    }),
  );
  // started workers beyond the threads chosen (auto on a small run) stop now rather than load the compiler for nothing
  releaseIdlePartWorkers();
  // the workers' reports are awaited together below: one failing early must not go unhandled meanwhile
  for (const report of inWorkers) report.catch(() => undefined);
  const handed = now();
  const here = await lintFiles({ ...engine, files: own!.context, lintOnly: new Set(own!.lint) });
  const hereDone = now();
  const hereCpu = threadCpuMs();
  const fromWorkers = await Promise.all(inWorkers);
  const reports = [here, ...fromWorkers.map(({ report }) => report)];
  const described = parts.map(
    (piece) =>
      `${piece.lint.length} (${kilobytes(piece.lint, sizes)} KB${engine.types && piece.context.length > piece.lint.length ? `, reading ${piece.context.length} files` : ""})`,
  );
  const how = engine.types
    ? "by package and size, each thread building the type program of its own packages"
    : "by package and size; each thread reads another thread's files only where a rule reads them";
  return {
    ...mergeReports(reports),
    split: `${parts.length} threads (this one and ${others.length} worker${others.length === 1 ? "" : "s"}), files per thread: ${described.join(", ")}; split ${how}`,
    timeline: describeTimeline(
      { handed, done: hereDone, cpu: hereCpu },
      fromWorkers.map(({ times }) => times),
    ),
  };
}

/** Milliseconds since the epoch, comparable between threads (each thread's `performance.now()` has its own origin). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** A part worker's moments, in `now()` milliseconds. */
export interface PartTimes {
  /** The thread started (its own time origin). */
  started: number;
  /** It had loaded the engine, the rules and the compiler, before or after it was handed its files. */
  ready: number;
  /** Its files arrived. */
  handed: number;
  /** Its report was ready to post. */
  done: number;
  /** The CPU milliseconds the thread had used by then (Linux only). */
  cpu?: number;
}

/**
 * `--stats`: each thread's moments in seconds from this thread's start, and the CPU each had used
 * (its own thread only: V8's compiler and garbage-collector threads, shared by all, come on top).
 */
export function describeTimeline(
  here: { handed: number; done: number; cpu?: number },
  workers: readonly PartTimes[],
  origin = performance.timeOrigin,
): string {
  const at = (time: number) => `${((time - origin) / 1000).toFixed(2)} s`;
  const cpu = (ms: number | undefined) => (ms === undefined ? "" : `, CPU ${(ms / 1000).toFixed(2)} s`);
  const own = `this one linted from ${at(here.handed)} to ${at(here.done)}${cpu(here.cpu)}`;
  const others = workers.map(
    (times, index) =>
      `worker ${index + 1} started ${at(times.started)}, ready ${at(times.ready)}, handed its files ${at(times.handed)}, done ${at(times.done)}${cpu(times.cpu)}`,
  );
  return `${[own, ...others].join("; ")} (seconds since this thread started)`;
}

/** Each file's size in bytes (0 when it cannot be read: the lint reports that file). */
function fileSizes(files: readonly string[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const file of files) {
    try {
      // asyncpat-ignore-next-line blocking-in-async -- the lint thread serves nothing else while it splits the run, and one sync stat per file is cheaper than an awaited one
      sizes.set(file, statSync(file).size);
    } catch {
      sizes.set(file, 0);
    }
  }
  return sizes;
}

function kilobytes(files: readonly string[], sizes: ReadonlyMap<string, number>): number {
  return Math.round(files.reduce((sum, file) => sum + (sizes.get(file) ?? 0), 0) / 1024);
}

/** What a part worker posts back: its report and its moments, or why it failed. */
export interface PartOutput {
  report?: LintReport;
  times?: PartTimes;
  error?: string;
}

function runWorker(url: URL, input: PartInput): Promise<{ report: LintReport; times: PartTimes }> {
  const worker = takePartWorker(url);
  return new Promise<{ report: LintReport; times: PartTimes }>((resolve, reject) => {
    worker.once("message", (message: PartOutput) => {
      if (message.report && message.times) resolve({ report: message.report, times: message.times });
      else reject(new Error(`a lint worker thread failed: ${message.error}`));
      // the report is in hand: a thread that fails to stop cleanly changes nothing
      worker.terminate().catch(() => undefined);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`a lint worker thread stopped with code ${code} before reporting`)));
    worker.postMessage(input);
  });
}

/** Inside a part's worker thread: the same engine options the run's own thread builds, for a part of the files. */
export async function lintPart(input: PartInput, rules: readonly Rule[]): Promise<LintReport> {
  const { options, cwd } = input;
  const config = loadConfig({ cwd, configPath: options.config, rules, overrides: options.rule });
  return lintFiles({
    files: input.files,
    lintOnly: new Set(input.lintOnly),
    rules: config.rules,
    knownRuleIds: new Set(rules.map((rule) => rule.id)),
    rulesForRole: (filePath, role) => config.rulesFor(filePath, role),
    skipRoles: new Set(FILE_ROLES.filter((role) => config.roles[role] === "skip")),
    cwd,
    tsconfigPath: input.tsconfigPath,
    types: input.types,
    timing: options.stats,
  });
}

/** Joins part reports into what one thread would have reported: results in path order, figures summed. */
export function mergeReports(reports: readonly LintReport[]): LintReport {
  const stats = emptyStats();
  const internalErrors: InternalError[] = [];
  for (const report of reports) {
    internalErrors.push(...report.internalErrors);
    addStats(stats, report.stats, "max");
  }
  const results = reports.flatMap((report) => report.results).sort((a, b) => a.filePath.localeCompare(b.filePath));
  internalErrors.sort((a, b) => a.filePath.localeCompare(b.filePath));
  return { results, internalErrors, stats };
}
