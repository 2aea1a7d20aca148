/**
 * `--fix`: lint, apply the fixes of the messages still reported, lint the fixed text again (through
 * `EngineOptions.contents`, nothing is written here), until nothing changes or MAX_PASSES is hit. A
 * pass whose output no longer parses is undone for that file, and that file gets no further fixes.
 */
import { lintFiles, type EngineOptions } from "./engine.js";
import { applyFixes, fixesOf } from "./fix.js";
import { createLintSession, type LintReport } from "./types.js";

/** ESLint's limit: a fix that keeps producing fixes stops here. */
export const MAX_PASSES = 10;

export interface FixRunOptions {
  /**
   * Applied to every pass's report before fixes are chosen, and to the report returned: only
   * messages it keeps are fixed (`--quiet` drops warnings, bulk suppressions drop known problems).
   */
  filter?: (report: LintReport) => LintReport;
  /** Lints; lintFiles unless the caller has another runner (`--concurrency`, `--shard`). */
  lint?: (options: EngineOptions) => Promise<LintReport>;
}

export interface FixRunResult {
  /** The report for the fixed text, after `filter`. */
  report: LintReport;
  /** The same report before `filter` (a caller that filters again, e.g. bulk suppressions that also write their file). */
  raw: LintReport;
  /** The fixed text of every file whose text changed, by absolute path. */
  outputs: Map<string, string>;
  passes: number;
}

export async function lintAndFix(engine: EngineOptions, options: FixRunOptions = {}): Promise<FixRunResult> {
  const filter = options.filter ?? ((report: LintReport) => report);
  const lint = options.lint ?? lintFiles;
  const contents = new Map(engine.contents ?? []);
  // One warm program for all passes: a pass re-parses only the files handed in again.
  const session = engine.session ?? createLintSession();
  const originals = new Map<string, string>();
  const frozen = new Set<string>();
  let raw!: LintReport;
  const run = async () => {
    raw = await lint({ ...engine, contents, session });
    return filter(raw);
  };

  let report = await run();
  for (const result of report.results) if (result.source !== undefined) originals.set(result.filePath, result.source);
  let passes = 0;
  while (passes < MAX_PASSES) {
    const previous = new Map<string, string>();
    for (const result of report.results) {
      if (frozen.has(result.filePath) || result.source === undefined) continue;
      if (result.messages.some((message) => message.fatal)) continue;
      const fixes = fixesOf(result.messages);
      if (fixes.length === 0) continue;
      const { output } = applyFixes(result.source, fixes);
      if (output === result.source) continue;
      previous.set(result.filePath, result.source);
      contents.set(result.filePath, output);
    }
    if (previous.size === 0) break;
    passes++;
    report = await run();
    const broken = report.results.filter(
      (result) => previous.has(result.filePath) && result.messages.some((message) => message.fatal && message.ruleId === null),
    );
    if (broken.length > 0) {
      for (const result of broken) {
        contents.set(result.filePath, previous.get(result.filePath)!);
        frozen.add(result.filePath);
      }
      report = await run();
    }
  }

  const outputs = new Map<string, string>();
  for (const [filePath, text] of contents) {
    const original = originals.get(filePath);
    if (original !== undefined && text !== original) outputs.set(filePath, text);
  }
  return { report, raw, outputs, passes };
}
