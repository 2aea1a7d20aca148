/**
 * Recall replay on real bug fixes: `npm run replay`. Every case under test/replay/cases/<rule>--<shape>/
 * holds an excerpt of a public repository before (`before.<ext>`) and after (`after.<ext>`) a commit
 * that fixed an async bug, and a case.json naming the rule that should report the buggy version.
 * Each file is linted on its own (a single-file lint: per-run facts such as another file's signal
 * handler cannot leak between cases) with every rule on (`asyncpat:strict`), with `--types` where
 * case.json says so. Prints a table per rule (buggy versions caught by the expected rule, fixed
 * versions still flagged by it) and writes test/replay/results.json, which test/replay/replay.test.ts
 * reads to lock in what works. Nothing here is tuned to the cases: it reports what the build does.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(repoRoot, "bin", "asyncpat.js");
const casesDir = path.join(repoRoot, "test", "replay", "cases");
const resultsPath = path.join(repoRoot, "test", "replay", "results.json");

/** Targets from issue 9: share of buggy versions caught, share of fixed versions still flagged. */
const TARGET_CAUGHT = 0.85;
const TARGET_FIXED_FLAGGED = 0.05;

interface CaseJson {
  rule: string;
  repo: string;
  commit: string;
  path: string;
  shape: string;
  types: boolean;
}

interface ReplayCase extends CaseJson {
  id: string;
  language: "ts" | "rust";
  before: string;
  after: string;
}

interface EslintJson {
  filePath: string;
  messages: { ruleId: string | null; line: number; message: string }[];
}

interface FileResult {
  /** Rule ids reported in this file (a parse error is `parse-error`). */
  rules: string[];
  /** Lines the expected rule reported. */
  lines: number[];
}

export interface CaseResult {
  id: string;
  rule: string;
  language: "ts" | "rust";
  repo: string;
  commit: string;
  path: string;
  shape: string;
  types: boolean;
  before: string;
  after: string;
  caught: boolean;
  fixedFlagged: boolean;
  beforeLines: number[];
  afterLines: number[];
  beforeRules: string[];
  afterRules: string[];
  /** True when linting this case's files together with all others gives a different answer than alone. */
  isolate: boolean;
}

const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".rs"];

export function loadCases(): ReplayCase[] {
  const cases: ReplayCase[] = [];
  for (const id of readdirSync(casesDir).sort()) {
    const dir = path.join(casesDir, id);
    if (!existsSync(path.join(dir, "case.json"))) continue;
    const meta = JSON.parse(readFileSync(path.join(dir, "case.json"), "utf8")) as CaseJson;
    const files = readdirSync(dir);
    const find = (stem: string) => {
      const name = files.find((file) => file.startsWith(`${stem}.`) && SOURCE_EXTENSIONS.includes(path.extname(file)));
      if (!name) throw new Error(`${id}: no ${stem}.<ext> file`);
      return path.join(dir, name);
    };
    const before = find("before");
    const after = find("after");
    if (!id.startsWith(`${meta.rule}--`)) throw new Error(`${id}: folder name does not start with its rule ${meta.rule}--`);
    cases.push({ ...meta, types: meta.types === true, id, before, after, language: path.extname(before) === ".rs" ? "rust" : "ts" });
  }
  return cases;
}

/**
 * Copies each case's files to the path they had in their repository (`<work>/<case>/before/<path>`),
 * so that file roles (source, test, example) are judged as they were there, not from this
 * repository's `test/replay/` folder. Returns the laid-out path of every case file.
 */
export function layOut(
  cases: readonly { id: string; path: string; before: string; after: string }[],
  work: string,
  root = repoRoot,
): Map<string, string> {
  const laid = new Map<string, string>();
  for (const entry of cases) {
    for (const [version, file] of [
      ["before", entry.before],
      ["after", entry.after],
    ] as const) {
      const original = entry.path.replace(/\.[^./]+$/, path.extname(file));
      const target = path.join(work, entry.id, version, original);
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(path.resolve(root, file), target);
      laid.set(path.resolve(root, file), target);
    }
  }
  return laid;
}

function strictConfig(): { file: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "asyncpat-replay-"));
  const file = path.join(dir, "asyncpat.config.json");
  writeFileSync(file, JSON.stringify({ extends: "asyncpat:strict" }));
  return { file, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Lints the given files in one run; returns each file's findings. */
export async function lintFiles(files: string[], types: boolean, config: string): Promise<Map<string, EslintJson["messages"]>> {
  const result = await execa(
    process.execPath,
    [bin, "lint", "--config", config, "--format", "json", types ? "--types" : "--no-types", ...files],
    {
      cwd: repoRoot,
      reject: false,
      env: { NO_COLOR: "1" },
    },
  );
  if (result.exitCode === 2) throw new Error(`lint failed: ${String(result.stderr)}`);
  const byFile = new Map<string, EslintJson["messages"]>();
  for (const file of JSON.parse(String(result.stdout)) as EslintJson[]) byFile.set(path.resolve(file.filePath), file.messages);
  for (const file of files) if (!byFile.has(path.resolve(file))) byFile.set(path.resolve(file), []);
  return byFile;
}

function summarize(messages: EslintJson["messages"], rule: string): FileResult {
  const ruleOf = (message: EslintJson["messages"][number]) =>
    message.ruleId ?? (message.message.startsWith("Parsing error") ? "parse-error" : "other");
  return {
    rules: [...new Set(messages.map(ruleOf))].sort(),
    lines: messages.filter((message) => message.ruleId === rule).map((message) => message.line),
  };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]);
      }
    }),
  );
  return results;
}

const pct = (part: number, whole: number) => (whole === 0 ? "-" : `${((part / whole) * 100).toFixed(0)}%`);

async function main(): Promise<void> {
  const started = performance.now();
  const config = strictConfig();
  const loaded = loadCases();
  const laid = layOut(loaded, config.dir);
  const cases = loaded.map((entry) => ({
    ...entry,
    source: { before: entry.before, after: entry.after },
    before: laid.get(entry.before)!,
    after: laid.get(entry.after)!,
  }));
  try {
    // Single-file lint of every before/after (the figures), a few at a time.
    const jobs = cases.flatMap((entry) => [
      { entry, file: entry.before },
      { entry, file: entry.after },
    ]);
    const alone = new Map<string, EslintJson["messages"]>();
    await mapLimit(jobs, Math.max(1, os.cpus().length), async ({ entry, file }) => {
      const messages = (await lintFiles([file], entry.types, config.file)).get(path.resolve(file)) ?? [];
      alone.set(path.resolve(file), messages);
    });
    // One run over everything (as the regression test does): a case whose answer differs there is
    // linted on its own by the test.
    const together = new Map<string, EslintJson["messages"]>();
    for (const types of [false, true]) {
      const files = cases.filter((entry) => entry.types === types).flatMap((entry) => [entry.before, entry.after]);
      if (files.length > 0) for (const [file, messages] of await lintFiles(files, types, config.file)) together.set(file, messages);
    }

    const results: CaseResult[] = cases.map((entry) => {
      const before = summarize(alone.get(path.resolve(entry.before)) ?? [], entry.rule);
      const after = summarize(alone.get(path.resolve(entry.after)) ?? [], entry.rule);
      const beforeTogether = summarize(together.get(path.resolve(entry.before)) ?? [], entry.rule);
      const afterTogether = summarize(together.get(path.resolve(entry.after)) ?? [], entry.rule);
      return {
        id: entry.id,
        rule: entry.rule,
        language: entry.language,
        repo: entry.repo,
        commit: entry.commit,
        path: entry.path,
        shape: entry.shape,
        types: entry.types,
        before: path.relative(repoRoot, entry.source.before).split(path.sep).join("/"),
        after: path.relative(repoRoot, entry.source.after).split(path.sep).join("/"),
        caught: before.lines.length > 0,
        fixedFlagged: after.lines.length > 0,
        beforeLines: before.lines,
        afterLines: after.lines,
        beforeRules: before.rules,
        afterRules: after.rules,
        isolate: beforeTogether.lines.length > 0 !== before.lines.length > 0 || afterTogether.lines.length > 0 !== after.lines.length > 0,
      };
    });

    const parseErrors = results.filter((result) => result.beforeRules.includes("parse-error") || result.afterRules.includes("parse-error"));
    const rules = [...new Set(results.map((result) => result.rule))].sort();
    const perRule = rules.map((rule) => {
      const list = results.filter((result) => result.rule === rule);
      return {
        rule,
        cases: list.length,
        ts: list.filter((result) => result.language === "ts").length,
        rust: list.filter((result) => result.language === "rust").length,
        caught: list.filter((result) => result.caught).length,
        fixedFlagged: list.filter((result) => result.fixedFlagged).length,
      };
    });
    const total = {
      cases: results.length,
      ts: results.filter((result) => result.language === "ts").length,
      rust: results.filter((result) => result.language === "rust").length,
      caught: results.filter((result) => result.caught).length,
      fixedFlagged: results.filter((result) => result.fixedFlagged).length,
    };
    const misses = results.filter((result) => !result.caught);

    const lines: string[] = [];
    const row = (cells: (string | number)[]) =>
      lines.push(
        `${String(cells[0]).padEnd(27)} ${cells
          .slice(1)
          .map((cell) => String(cell).padStart(9))
          .join(" ")}`,
      );
    row(["rule", "cases", "TS/JS", "Rust", "caught", "caught %", "fixed hit", "fixed %"]);
    for (const entry of perRule) {
      row([
        entry.rule,
        entry.cases,
        entry.ts,
        entry.rust,
        `${entry.caught}/${entry.cases}`,
        pct(entry.caught, entry.cases),
        `${entry.fixedFlagged}/${entry.cases}`,
        pct(entry.fixedFlagged, entry.cases),
      ]);
    }
    row([
      "total",
      total.cases,
      total.ts,
      total.rust,
      `${total.caught}/${total.cases}`,
      pct(total.caught, total.cases),
      `${total.fixedFlagged}/${total.cases}`,
      pct(total.fixedFlagged, total.cases),
    ]);
    lines.push("");
    lines.push(
      `Buggy versions caught by the expected rule: ${total.caught}/${total.cases} = ${pct(total.caught, total.cases)} (target >= ${TARGET_CAUGHT * 100}%${total.caught / total.cases >= TARGET_CAUGHT ? ", met" : ", NOT met"}).`,
    );
    lines.push(
      `Fixed versions still flagged by that rule: ${total.fixedFlagged}/${total.cases} = ${pct(total.fixedFlagged, total.cases)} (target <= ${TARGET_FIXED_FLAGGED * 100}%${total.fixedFlagged / total.cases <= TARGET_FIXED_FLAGGED ? ", met" : ", NOT met"}).`,
    );
    if (misses.length > 0) {
      lines.push("", `Expected misses (${misses.length}), tracked in test/replay/results.json:`);
      for (const miss of misses) lines.push(`  - ${miss.id} (${miss.language === "rust" ? "Rust" : "TS/JS"}): ${miss.shape}`);
    }
    const flaggedFixes = results.filter((result) => result.fixedFlagged);
    if (flaggedFixes.length > 0) {
      lines.push("", "Fixed versions still flagged:");
      for (const result of flaggedFixes) lines.push(`  - ${result.id}: ${result.after}:${result.afterLines.join(",")}`);
    }
    if (parseErrors.length > 0) lines.push("", `Parse errors (fix the excerpt): ${parseErrors.map((result) => result.id).join(", ")}`);
    const isolated = results.filter((result) => result.isolate);
    if (isolated.length > 0)
      lines.push(
        "",
        `Answer differs when linted together with the other cases (the test lints these alone): ${isolated.map((result) => result.id).join(", ")}`,
      );
    lines.push(
      "",
      `${results.length} cases, ${jobs.length} single-file lints and ${together.size} files in the combined run; ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    );
    process.stdout.write(`${lines.join("\n")}\n`);

    const report = {
      generatedBy: "npm run replay (scripts/replay.ts)",
      note: "Single-file lints with asyncpat:strict. caught: the buggy version is reported by the case's rule; fixedFlagged: the fixed version still is. expectedMisses lists what the current build does not catch yet.",
      targets: { caught: TARGET_CAUGHT, fixedFlagged: TARGET_FIXED_FLAGGED },
      totals: { ...total, caughtRate: total.caught / total.cases, fixedFlaggedRate: total.fixedFlagged / total.cases },
      perRule,
      expectedMisses: misses.map((miss) => ({ id: miss.id, rule: miss.rule, language: miss.language, shape: miss.shape })),
      cases: results,
    };
    writeFileSync(resultsPath, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    config.cleanup();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
