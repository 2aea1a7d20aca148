import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileRole, type FileRole } from "./file-roles.js";
import { applySuppressions } from "./suppressions.js";
import type {
  BackendContext,
  BackendRunOptions,
  ConfiguredRule,
  FileResult,
  InternalError,
  LanguageBackend,
  LintMessage,
  LintReport,
  LintStats,
} from "./types.js";
import { TYPESCRIPT_EXTENSIONS } from "./typescript/files.js";
import { withImplementations } from "./rule-manifest.js";
import type { Language } from "./rule-meta.js";

/** Files larger than this are skipped with a warning: generated bundles, not code people wrote. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface EngineOptions extends BackendRunOptions {
  files: readonly string[];
  rules: readonly ConfiguredRule[];
  /** Every rule id the tool knows, enabled or not, so suppressions of disabled rules are not "unknown". */
  knownRuleIds: ReadonlySet<string>;
  /** The rules of a file of this role, aligned with `rules`; without it every file gets `rules`. */
  rulesForRole?: (filePath: string, role: FileRole) => readonly (ConfiguredRule | undefined)[];
  /** Roles whose files are not linted (default: fixture and generated). */
  skipRoles?: ReadonlySet<FileRole>;
  /**
   * Text to lint instead of what is on disk, by absolute path: standard input, an editor's unsaved
   * buffer, a fix pass's output. A path here need not exist on disk.
   */
  contents?: ReadonlyMap<string, string>;
}

const DEFAULT_SKIPPED_ROLES: ReadonlySet<FileRole> = new Set(["fixture", "generated"]);

const rustExtensions = [".rs"];

async function loadBackend(extension: string): Promise<LanguageBackend | undefined> {
  // loaded on demand: a run without TypeScript files never loads the compiler
  if ((TYPESCRIPT_EXTENSIONS as readonly string[]).includes(extension)) return (await import("./typescript/backend.js")).typescriptBackend;
  if (rustExtensions.includes(extension)) return (await import("./rust/backend.js")).rustBackend;
  return undefined;
}

export function lintableExtensions(): string[] {
  return [...TYPESCRIPT_EXTENSIONS, ...rustExtensions];
}

function isBinary(buffer: Buffer): boolean {
  const length = Math.min(buffer.length, 8000);
  for (let index = 0; index < length; index++) if (buffer[index] === 0) return true;
  return false;
}

function summarize(filePath: string, messages: LintMessage[], source?: string): FileResult {
  messages.sort((a, b) => a.line - b.line || a.column - b.column || (a.ruleId ?? "").localeCompare(b.ruleId ?? ""));
  let errorCount = 0;
  let warningCount = 0;
  for (const message of messages) {
    if (message.severity === 2) errorCount++;
    else warningCount++;
  }
  return { filePath, messages, errorCount, warningCount, source };
}

/** The figures of a run that linted nothing: the start of every sum. */
export function emptyStats(): LintStats {
  return { files: 0, lines: 0, parseMs: 0, rulesMs: 0, typeCheckerMs: 0, ruleMs: {}, byLanguage: {}, linted: {}, skipped: {} };
}

function addCounts(into: Partial<Record<string, number>>, from: Partial<Record<string, number>>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + (value ?? 0);
}

/**
 * Adds one report's figures to `into`. A language's wall time is summed for runs one after another
 * (`"sum"`) and is the longest for threads that ran side by side (`"max"`).
 */
export function addStats(into: LintStats, from: LintStats, languageMs: "sum" | "max"): void {
  into.files += from.files;
  into.lines += from.lines;
  into.parseMs += from.parseMs;
  into.rulesMs += from.rulesMs;
  into.typeCheckerMs += from.typeCheckerMs;
  addCounts(into.ruleMs, from.ruleMs);
  addCounts(into.linted, from.linted);
  addCounts(into.skipped, from.skipped);
  for (const [language, figures] of Object.entries(from.byLanguage)) {
    const sum = (into.byLanguage[language] ??= { files: 0, lines: 0, ms: 0 });
    sum.files += figures.files;
    sum.lines += figures.lines;
    sum.ms = languageMs === "sum" ? sum.ms + figures.ms : Math.max(sum.ms, figures.ms);
  }
}

/**
 * Context files a backend reads on demand: the same checks as for the files read up front (binary,
 * size, a role that is not linted), applied when the text is first asked for; undefined for a file
 * those checks leave out, as if it had not been handed in.
 */
function contextReader(
  paths: readonly string[],
  known: ReadonlySet<string>,
  options: EngineOptions,
  siblings: ReadonlySet<string>,
  skipRoles: ReadonlySet<FileRole>,
): BackendContext {
  const texts = new Map<string, string | undefined>();
  const textOf = (filePath: string): string | undefined => {
    if (!known.has(filePath)) return undefined;
    if (texts.has(filePath)) return texts.get(filePath);
    let text: string | undefined;
    try {
      const override = options.contents?.get(filePath);
      const buffer = override !== undefined ? Buffer.from(override, "utf8") : readFileSync(filePath);
      if (!isBinary(buffer) && buffer.length <= MAX_FILE_BYTES) {
        const decoded = buffer.toString("utf8");
        if (!skipRoles.has(fileRole({ filePath, text: decoded, siblings, fallbackRoot: options.cwd }))) text = decoded;
      }
    } catch {
      // deleted or unreadable since the run listed it: left out, as if it had not been handed in
    }
    texts.set(filePath, text);
    return text;
  };
  return { paths, text: textOf };
}

/**
 * Lints the given files with the given rules. Language-neutral: each file goes to the backend for
 * its extension; suppressions are applied here, the same way for every language.
 */
export async function lintFiles(options: EngineOptions): Promise<LintReport> {
  const stats = emptyStats();
  const skipRoles = options.skipRoles ?? DEFAULT_SKIPPED_ROLES;
  const siblings = new Set(options.files);
  const roles = new Map<string, FileRole>();
  const results: FileResult[] = [];
  const internalErrors: InternalError[] = [];
  const groups = new Map<LanguageBackend, { path: string; text: string }[]>();

  // per backend that defers context: its deferred files, and every file of the run in order
  const deferred = new Map<LanguageBackend, { later: Set<string>; paths: string[] }>();
  for (const filePath of options.files) {
    const backend = await loadBackend(path.extname(filePath));
    if (!backend) continue;
    const reported = options.lintOnly?.has(filePath) ?? true;
    if (!deferred.has(backend) && backend.defersContext?.(options)) deferred.set(backend, { later: new Set(), paths: [] });
    const lazy = deferred.get(backend);
    lazy?.paths.push(filePath);
    if (lazy && !reported) {
      // another thread's file: read only if a rule asks for it
      lazy.later.add(filePath);
      continue;
    }
    const override = options.contents?.get(filePath);
    const buffer = override !== undefined ? Buffer.from(override, "utf8") : await readFile(filePath);
    if (isBinary(buffer)) continue;
    if (buffer.length > MAX_FILE_BYTES) {
      if (!reported) continue;
      results.push(
        summarize(filePath, [
          {
            ruleId: null,
            severity: 1,
            message: `File skipped: ${(buffer.length / 1024 / 1024).toFixed(1)} MB is over the ${MAX_FILE_BYTES / 1024 / 1024} MB limit for hand-written code; add it to "ignore" in the config if it is generated.`,
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 1,
          },
        ]),
      );
      continue;
    }
    const text = buffer.toString("utf8");
    const role = fileRole({ filePath, text, siblings, fallbackRoot: options.cwd });
    if (skipRoles.has(role)) {
      if (reported) stats.skipped[role] = (stats.skipped[role] ?? 0) + 1;
      continue;
    }
    if (reported) stats.linted[role] = (stats.linted[role] ?? 0) + 1;
    roles.set(filePath, role);
    const list = groups.get(backend) ?? [];
    list.push({ path: filePath, text });
    groups.set(backend, list);
  }

  const enabledRuleIds = new Set(options.rules.map((configured) => configured.rule.id));
  for (const [backend, files] of groups) {
    const started = performance.now();
    // rules from the manifest get this language's implementations now, and only now: a run without TypeScript files loads none of theirs
    const load = await withImplementations(options.rules, backend.language as Language);
    const rulesFor =
      options.rulesForRole &&
      ((filePath: string) => options.rulesForRole!(filePath, roles.get(filePath) ?? "source").map((entry) => entry && load(entry)));
    const lazy = deferred.get(backend);
    const context = lazy && contextReader(lazy.paths, lazy.later, options, siblings, skipRoles);
    const outcome = await backend.lint(files, options.rules.map(load), { ...options, rulesFor, context });
    const elapsed = performance.now() - started;
    internalErrors.push(...outcome.internalErrors.filter((error) => options.lintOnly?.has(error.filePath) ?? true));
    stats.typeCheckerMs += outcome.typeCheckerMs;
    for (const [ruleId, ms] of Object.entries(outcome.ruleMs)) stats.ruleMs[ruleId] = (stats.ruleMs[ruleId] ?? 0) + ms;
    const languageStats = { files: 0, lines: 0, ms: elapsed };
    for (const file of outcome.files) {
      if (options.lintOnly && !options.lintOnly.has(file.filePath)) continue;
      languageStats.files++;
      languageStats.lines += file.lines;
      const messages = applySuppressions(file.messages, file.directives, options.knownRuleIds, enabledRuleIds);
      results.push(summarize(file.filePath, messages, file.source));
    }
    stats.byLanguage[backend.language] = languageStats;
    stats.files += languageStats.files;
    stats.lines += languageStats.lines;
    stats.rulesMs += elapsed;
  }
  results.sort((a, b) => a.filePath.localeCompare(b.filePath));
  return { results, internalErrors, stats };
}
