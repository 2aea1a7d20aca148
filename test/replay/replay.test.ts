/**
 * Locks in the recall replay (test/replay/cases, figures from `npm run replay` in results.json):
 * every buggy version the current build catches must stay reported by its rule, and every fixed
 * version that is quiet for that rule must stay quiet. Misses are not asserted here: they are
 * tracked in results.json (`expectedMisses`) and printed by the script. The engine runs once over
 * all files (once more with --types if a case asks for it); a case whose answer depends on the
 * other files of the run (results.json `isolate`) is linted on its own.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { layOut } from "../../scripts/replay.js";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const bin = path.join(repoRoot, "bin", "asyncpat.js");

interface CaseResult {
  id: string;
  path: string;
  rule: string;
  types: boolean;
  before: string;
  after: string;
  caught: boolean;
  fixedFlagged: boolean;
  isolate: boolean;
}

interface EslintJson {
  filePath: string;
  messages: { ruleId: string | null; line: number; message: string }[];
}

const results = JSON.parse(readFileSync(path.join(repoRoot, "test", "replay", "results.json"), "utf8")) as { cases: CaseResult[] };
const cases = results.cases;

let workDir = "";
/** Laid-out file (at its original repository path) → the case file in this repository, relative. */
const sourceOf = new Map<string, string>();
const findings = new Map<string, EslintJson["messages"]>();

async function lint(files: string[], types: boolean): Promise<void> {
  if (files.length === 0) return;
  const result = await execa(
    process.execPath,
    [bin, "lint", "--config", path.join(workDir, "asyncpat.config.json"), "--format", "json", types ? "--types" : "--no-types", ...files],
    { cwd: repoRoot, reject: false, stdin: "ignore", env: { NO_COLOR: "1" } },
  );
  if (result.exitCode === 2) throw new Error(`asyncpat lint failed: ${String(result.stderr)}`);
  for (const file of JSON.parse(String(result.stdout)) as EslintJson[]) {
    findings.set(sourceOf.get(path.resolve(file.filePath))!, file.messages);
  }
}

const rulesIn = (file: string) => (findings.get(file) ?? []).map((message) => message.ruleId ?? "parse-error");

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), "asyncpat-replay-test-"));
  writeFileSync(path.join(workDir, "asyncpat.config.json"), JSON.stringify({ extends: "asyncpat:strict" }));
  const laid = layOut(cases, workDir, repoRoot);
  for (const [source, target] of laid) sourceOf.set(target, path.relative(repoRoot, source).split(path.sep).join("/"));
  const at = (file: string) => laid.get(path.resolve(repoRoot, file))!;
  const batched = cases.filter((entry) => !entry.isolate);
  await lint(
    batched.filter((entry) => !entry.types).flatMap((entry) => [at(entry.before), at(entry.after)]),
    false,
  );
  await lint(
    batched.filter((entry) => entry.types).flatMap((entry) => [at(entry.before), at(entry.after)]),
    true,
  );
  for (const entry of cases.filter((candidate) => candidate.isolate)) {
    await lint([at(entry.before)], entry.types);
    await lint([at(entry.after)], entry.types);
  }
}, 300_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("recall replay on real bug fixes", () => {
  it("has cases", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it("parses every before and after version", () => {
    const broken = cases.flatMap((entry) => [entry.before, entry.after]).filter((file) => rulesIn(file).includes("parse-error"));
    expect(broken).toEqual([]);
  });

  const caught = cases.filter((entry) => entry.caught);
  it.each(caught.map((entry) => [entry.id, entry] as const))("%s: the buggy version is still reported by its rule", (_id, entry) => {
    expect(rulesIn(entry.before)).toContain(entry.rule);
  });

  const quiet = cases.filter((entry) => !entry.fixedFlagged);
  it.each(quiet.map((entry) => [entry.id, entry] as const))("%s: the fixed version stays quiet for its rule", (_id, entry) => {
    expect(rulesIn(entry.after)).not.toContain(entry.rule);
  });
});
