/**
 * Bulk suppressions, ESLint 9.24's design: a file counts today's findings per file and rule, and a run
 * reports only the findings beyond those counts. Counting (rather than recording lines) keeps the
 * baseline stable when code moves; the first `count` findings of a rule in a file, in source order,
 * are the suppressed ones.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";
import type { FileResult, LintMessage, SuppressedLintMessage } from "./types.js";

export const DEFAULT_SUPPRESSIONS_FILE = "asyncpat-suppressions.json";

/** ESLint's format: `{ "src/a.ts": { "missing-timeout": { "count": 2 } } }`, paths relative to the file's folder. */
export type SuppressionsData = Record<string, Record<string, { count: number }>>;

export interface BulkSuppressionFlags {
  suppressAll?: boolean;
  suppressRule?: string[];
  suppressionsLocation?: string;
  pruneSuppressions?: boolean;
}

export interface StaleEntry {
  file: string;
  ruleId: string;
  recorded: number;
  found: number;
}

export interface BulkOutcome {
  results: FileResult[];
  suppressed: number;
  stale: StaleEntry[];
  /** Whether the suppressions file was written in this run. */
  written: boolean;
  /** Lines for standard error. */
  notices: string[];
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join("/");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Reads and checks a suppressions file; a missing file is an empty one. */
export function readSuppressions(filePath: string, label: string): SuppressionsData {
  if (!existsSync(filePath)) return {};
  let text: string;
  try {
    text = readFileSync(filePath, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${label}: cannot read the suppressions file (${reason}). Pass a readable file to --suppressions-location.`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `${label}: not valid JSON (${reason}). Fix it, or delete it and run \`asyncpat lint --suppress-all\` to record today's findings again.`,
    );
  }
  const shape = `must map file paths to { "<rule-id>": { "count": <whole number> } }, e.g. { "src/a.ts": { "missing-timeout": { "count": 2 } } }`;
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new UsageError(`${label}: the suppressions file ${shape}.`);
  for (const [file, rules] of Object.entries(data as Record<string, unknown>)) {
    if (typeof rules !== "object" || rules === null || Array.isArray(rules)) {
      throw new UsageError(`${label}: the entry "${file}" ${shape}.`);
    }
    for (const [ruleId, entry] of Object.entries(rules as Record<string, unknown>)) {
      const count = (entry as { count?: unknown } | null)?.count;
      if (typeof entry !== "object" || entry === null || typeof count !== "number" || !Number.isInteger(count) || count < 0) {
        throw new UsageError(`${label}: "${file}" → "${ruleId}" ${shape}.`);
      }
    }
  }
  return data as SuppressionsData;
}

/** Stable text: keys sorted, two-space indent, a final newline (a baseline lives in git and is diffed). */
export function serializeSuppressions(data: SuppressionsData): string {
  const sorted: SuppressionsData = {};
  for (const file of Object.keys(data).sort()) {
    const rules = data[file]!;
    const ruleIds = Object.keys(rules).sort();
    if (ruleIds.length === 0) continue;
    sorted[file] = Object.fromEntries(ruleIds.map((ruleId) => [ruleId, { count: rules[ruleId]!.count }]));
  }
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

function bySourceOrder(a: LintMessage, b: LintMessage): number {
  return a.line - b.line || a.column - b.column;
}

/** Counts the findings of real rules (not parse errors or comment warnings) per rule id. */
function countByRule(messages: readonly LintMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of messages) if (message.ruleId) counts.set(message.ruleId, (counts.get(message.ruleId) ?? 0) + 1);
  return counts;
}

function withCounts(result: FileResult, messages: LintMessage[], suppressedMessages: SuppressedLintMessage[]): FileResult {
  let errorCount = 0;
  let warningCount = 0;
  for (const message of messages) {
    if (message.severity === 2) errorCount++;
    else warningCount++;
  }
  return { ...result, messages, errorCount, warningCount, suppressedMessages };
}

/**
 * Moves the first `count` findings of each recorded file and rule (in source order) to
 * `suppressedMessages`, and lists the entries that record more findings than there are. Pure: the
 * caller decides what to write. Run it on a report before anything else reads its messages (`--fix`
 * must not fix what the baseline suppresses).
 */
export function applyBulkSuppressions(
  results: readonly FileResult[],
  data: SuppressionsData,
  baseDir: string,
): { results: FileResult[]; suppressed: number; stale: StaleEntry[] } {
  let suppressed = 0;
  const stale: StaleEntry[] = [];
  const out = results.map((result) => {
    const key = toPosix(path.relative(baseDir, result.filePath));
    const recorded = data[key];
    const found = countByRule(result.messages);
    if (recorded) {
      for (const [ruleId, { count }] of Object.entries(recorded)) {
        const actual = found.get(ruleId) ?? 0;
        if (actual < count) stale.push({ file: key, ruleId, recorded: count, found: actual });
      }
    }
    if (!recorded) return result;
    const budget = new Map(Object.entries(recorded).map(([ruleId, { count }]) => [ruleId, count]));
    const kept: LintMessage[] = [];
    const moved: SuppressedLintMessage[] = [];
    for (const message of [...result.messages].sort(bySourceOrder)) {
      const left = message.ruleId ? (budget.get(message.ruleId) ?? 0) : 0;
      if (left > 0) {
        budget.set(message.ruleId!, left - 1);
        moved.push({ ...message, suppressions: [{ kind: "file", justification: "" }] });
      } else {
        kept.push(message);
      }
    }
    suppressed += moved.length;
    const order = new Map(result.messages.map((message, index) => [message, index]));
    kept.sort((a, b) => order.get(a)! - order.get(b)!);
    return withCounts(result, kept, [...(result.suppressedMessages ?? []), ...moved]);
  });
  return { results: out, suppressed, stale };
}

/**
 * The new suppressions data after `--suppress-all` / `--suppress-rule` (today's counts of those rules
 * in the linted files replace the recorded ones) and `--prune-suppressions` (counts lowered to what
 * remains, entries of files that no longer exist dropped).
 */
export function updateSuppressions(
  data: SuppressionsData,
  results: readonly FileResult[],
  baseDir: string,
  update: { record: "all" | ReadonlySet<string> | undefined; prune: boolean },
): SuppressionsData {
  const next: SuppressionsData = Object.fromEntries(Object.entries(data).map(([file, rules]) => [file, { ...rules }]));
  const linted = new Set<string>();
  for (const result of results) {
    const key = toPosix(path.relative(baseDir, result.filePath));
    linted.add(key);
    const found = countByRule([...result.messages, ...(result.suppressedMessages ?? [])]);
    const rules = next[key] ?? {};
    if (update.record) {
      for (const [ruleId, count] of found) {
        if (update.record === "all" || update.record.has(ruleId)) rules[ruleId] = { count };
      }
    }
    if (update.prune) {
      for (const [ruleId, { count }] of Object.entries(rules)) {
        const actual = found.get(ruleId) ?? 0;
        if (actual === 0) delete rules[ruleId];
        else if (actual < count) rules[ruleId] = { count: actual };
      }
    }
    if (Object.keys(rules).length > 0) next[key] = rules;
    else delete next[key];
  }
  if (update.prune) {
    for (const file of Object.keys(next)) {
      if (!linted.has(file) && !existsSync(path.join(baseDir, file))) delete next[file];
    }
  }
  return next;
}

export interface BulkSuppressions {
  /** Applies (and, with the flags that ask for it, first updates and writes) the suppressions file: once per run, on the final report. */
  apply(results: readonly FileResult[]): BulkOutcome;
  /** The file as read, applied without writing anything: for intermediate passes (`--fix` must not fix what the baseline hides). */
  suppress(results: readonly FileResult[]): FileResult[];
}

/**
 * Checks the flags and reads the file before the run lints anything, so a typo in a rule id or a
 * broken file fails at once (exit 2) naming the flag or the file.
 */
export function prepareBulkSuppressions(flags: BulkSuppressionFlags, cwd: string, knownRuleIds: ReadonlySet<string>): BulkSuppressions {
  const rules = flags.suppressRule ?? [];
  for (const ruleId of rules) {
    if (!knownRuleIds.has(ruleId)) {
      throw new UsageError(`--suppress-rule ${ruleId}: no such rule; run \`asyncpat rules\` for the list of rule ids.`);
    }
  }
  const location = flags.suppressionsLocation ?? DEFAULT_SUPPRESSIONS_FILE;
  const filePath = path.resolve(cwd, location);
  const label = flags.suppressionsLocation !== undefined ? `--suppressions-location ${location}` : location;
  const data = readSuppressions(filePath, label);
  const baseDir = path.dirname(filePath);
  const record = flags.suppressAll ? "all" : rules.length > 0 ? new Set(rules) : undefined;
  const prune = flags.pruneSuppressions === true;

  return {
    suppress: (results) => applyBulkSuppressions(results, data, baseDir).results,
    apply(results) {
      let current = data;
      let written = false;
      if (record || prune) {
        current = updateSuppressions(data, results, baseDir, { record, prune });
        const text = serializeSuppressions(current);
        const before = existsSync(filePath) ? readFileSync(filePath, "utf8") : undefined;
        if (text !== before && !(before === undefined && Object.keys(current).length === 0)) {
          try {
            writeFileSync(filePath, text);
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            throw new UsageError(
              `${label}: cannot write the suppressions file (${reason}). Pass a writable path to --suppressions-location.`,
            );
          }
          written = true;
        }
      }
      const outcome = applyBulkSuppressions(results, current, baseDir);
      const linted = new Set(results.map((result) => toPosix(path.relative(baseDir, result.filePath))));
      for (const [file, rules] of Object.entries(current)) {
        if (linted.has(file) || existsSync(path.join(baseDir, file))) continue;
        for (const [ruleId, { count }] of Object.entries(rules)) outcome.stale.push({ file, ruleId, recorded: count, found: 0 });
      }
      const relative = toPosix(path.relative(cwd, filePath)) || location;
      const notices: string[] = [];
      if (written) notices.push(`asyncpat: wrote ${relative}.`);
      if (outcome.suppressed > 0) {
        notices.push(`asyncpat: ${plural(outcome.suppressed, "problem")} suppressed by ${relative}.`);
      }
      if (outcome.stale.length > 0) {
        const shown = outcome.stale
          .slice(0, 5)
          .map((entry) => `${entry.file} ${entry.ruleId}: ${entry.recorded} recorded, ${entry.found} found`)
          .join("; ");
        const more = outcome.stale.length > 5 ? `; and ${outcome.stale.length - 5} more` : "";
        const flag = flags.suppressionsLocation !== undefined ? ` --suppressions-location ${location}` : "";
        notices.push(
          `asyncpat: ${relative} records more problems than remain (${shown}${more}); run \`asyncpat lint --prune-suppressions${flag}\` so fixed problems cannot come back unnoticed.`,
        );
      }
      return { ...outcome, written, notices: notices.map((line) => `${line}\n`) };
    },
  };
}
