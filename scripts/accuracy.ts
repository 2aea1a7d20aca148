/**
 * Accuracy on real code: `npm run accuracy`.
 *
 * Lints every package of accuracy/corpus.json as published (tests, examples, fixtures and type
 * declarations included; only duplicate builds excluded) with every rule on (`asyncpat:strict`), in
 * two modes: syntax only (`--no-types`) and with the type checker (`--types`). No corpus package
 * ships a tsconfig.json, so `--types` makes asyncpat build its default program (allowJs, ES2022,
 * lib es2023, NodeNext, no dependency resolution: the files linted are the program). Rust crates
 * have no type-checker mode: they are linted once and the same findings count in both modes.
 *
 * Each finding is joined with the hand verdict in docs/accuracy-verdicts.json, keyed
 * `package|file|rule|sha256(trimmed line text)[0:12]` (no mode: a finding seen in both modes shares
 * one verdict; the report says which findings only one mode produces). Writes docs/accuracy.md
 * (figures per half, kind, file role and rule; every tuning-half finding with its verdict; the
 * held-out half as aggregate figures only), docs/accuracy-summary.json (the same figures, machine
 * readable, for comparing runs) and docs/accuracy-unjudged.json (the findings still to judge).
 *
 * It also writes docs/accuracy-tuning-causes.md: the tuning half's false and debatable findings
 * grouped by the `cause` of their verdict (causes described in accuracy/causes.json). Held-out
 * findings never appear there, nor individually in docs/accuracy.md.
 *
 * Environment: ACCURACY_CACHE (tarball cache, default $TMPDIR/asyncpat-accuracy-cache; the last
 * run's raw findings are kept there too), ACCURACY_ONLY (comma-separated package names, for a
 * partial run that writes nothing but docs/accuracy-unjudged.json), ACCURACY_REUSE=1 (rebuild the
 * reports from the last run's raw findings without linting again, after editing verdicts; the
 * committed reports come from a fresh run). A partial run keeps its raw findings in
 * $ACCURACY_CACHE/partial-run.json; ACCURACY_BASELINE=<such a file> makes a later partial run list the
 * tuning-half true positives it no longer reports (and the other findings that went away).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import {
  batchOf,
  classifyRole,
  countLines,
  HALVES,
  KINDS,
  loadCorpus,
  materialize,
  packageFiles,
  ROLES,
  type CorpusPackage,
  type Half,
  type Kind,
  type Role,
} from "./accuracy-corpus.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(repoRoot, "bin", "asyncpat.js");
const corpusPath = path.join(repoRoot, "accuracy", "corpus.json");
const verdictsPath = path.join(repoRoot, "docs", "accuracy-verdicts.json");
const reportPath = path.join(repoRoot, "docs", "accuracy.md");
const summaryPath = path.join(repoRoot, "docs", "accuracy-summary.json");
const pendingPath = path.join(repoRoot, "docs", "accuracy-unjudged.json");
const causesPath = path.join(repoRoot, "accuracy", "causes.json");
const causesReportPath = path.join(repoRoot, "docs", "accuracy-tuning-causes.md");

type Mode = "syntax" | "types";
const MODES: Mode[] = ["syntax", "types"];
type VerdictName = "true-positive" | "false-positive" | "debatable";
type Status = VerdictName | "unjudged";

interface Verdict {
  verdict: VerdictName;
  note: string;
  /** For false and debatable verdicts in the tuning half: an id from accuracy/causes.json. */
  cause?: string;
}

interface Finding {
  key: string;
  pkg: string;
  version: string;
  half: Half;
  /** The corpus batch of the package (1 to 4; see `batch` in accuracy/corpus.json). */
  batch: number;
  kind: Kind;
  role: Role;
  file: string;
  line: number;
  ruleId: string;
  code: string;
  message: string;
  mode: Mode;
}

interface EslintJson {
  filePath: string;
  messages: { ruleId: string | null; line: number; message: string }[];
}

interface PackageRun {
  entry: CorpusPackage;
  files: number;
  lines: number;
  linesByRole: Record<Role, number>;
  findings: Record<Mode, number>;
  lintMs: Record<Mode, number>;
  statsLines: Record<Mode, number>;
}

function findingKey(pkg: string, file: string, ruleId: string, code: string): string {
  const digest = createHash("sha256").update(code.trim()).digest("hex").slice(0, 12);
  return `${pkg}|${file}|${ruleId}|${digest}`;
}

const emptyRoles = (): Record<Role, number> => ({ source: 0, test: 0, example: 0, fixture: 0, generated: 0 });

async function lintPackage(entry: CorpusPackage, root: string, files: string[], config: string, mode: Mode) {
  const started = performance.now();
  const flags = entry.kind === "rust-crate" ? [] : [mode === "types" ? "--types" : "--no-types"];
  // Thousands of files fit on one command line (medusa's 1,552 names are ~90 KB).
  const result = await execa(process.execPath, [bin, "lint", "--config", config, "--format", "json", "--stats", ...flags, ...files], {
    cwd: root,
    reject: false,
    maxBuffer: 512 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  if (result.exitCode === 2 || result.exitCode === null) {
    throw new Error(
      `${entry.name}@${entry.version} (${mode}): lint failed (exit ${result.exitCode}): ${String(result.stderr).slice(0, 2000)}`,
    );
  }
  const stats = /asyncpat: (\d+) files?, (\d+) lines?/.exec(String(result.stderr));
  return { json: JSON.parse(String(result.stdout)) as EslintJson[], ms, statsLines: Number(stats?.[2] ?? 0) };
}

async function main(): Promise<void> {
  const started = performance.now();
  const corpus = loadCorpus(corpusPath);
  const only = process.env.ACCURACY_ONLY?.split(",").map((name) => name.trim());
  const packages = corpus.packages.filter((entry) => !only || only.includes(entry.name));
  if (packages.some((entry) => !entry.half))
    throw new Error("accuracy/corpus.json has packages without a half: the split is made once, by scripts/accuracy-split.ts");
  const verdicts: Record<string, Verdict> = existsSync(verdictsPath) ? JSON.parse(readFileSync(verdictsPath, "utf8")) : {};
  const ruleIds: string[] = (
    JSON.parse((await execa(process.execPath, [bin, "rules", "--format", "json"])).stdout) as { id: string }[]
  ).map((rule) => rule.id);
  const cacheDir = process.env.ACCURACY_CACHE ?? path.join(os.tmpdir(), "asyncpat-accuracy-cache");
  const lastRunPath = path.join(cacheDir, "last-run.json");
  let findings: Finding[] = [];
  let runs: PackageRun[] = [];
  let modeMs: Record<Mode, number> = { syntax: 0, types: 0 };
  const missingCrates: string[] = [];
  const reuse = process.env.ACCURACY_REUSE === "1";
  // the whole run's time, kept from the run whose findings are reused
  let reusedSeconds: number | undefined;
  if (reuse) {
    if (!existsSync(lastRunPath)) throw new Error(`ACCURACY_REUSE=1 but ${lastRunPath} does not exist: run without it first`);
    const last = JSON.parse(readFileSync(lastRunPath, "utf8")) as {
      findings: Finding[];
      runs: PackageRun[];
      modeMs: Record<Mode, number>;
      seconds?: number;
    };
    reusedSeconds = last.seconds;
    // Halves, kinds and roles are re-read from the current corpus file and role rule.
    const byName = new Map(corpus.packages.map((entry) => [entry.name, entry]));
    runs = last.runs.map((run) => ({ ...run, entry: byName.get(run.entry.name) ?? run.entry }));
    findings = last.findings.map((finding) => {
      const entry = byName.get(finding.pkg);
      return { ...finding, half: entry?.half ?? finding.half, batch: entry ? batchOf(entry) : (finding.batch ?? 1) };
    });
    modeMs = last.modeMs;
    process.stdout.write(`Reusing the raw findings of the last run (${lastRunPath}); verdicts re-read.\n`);
  }
  const work = mkdtempSync(path.join(os.tmpdir(), "asyncpat-accuracy-"));
  try {
    if (reuse) packages.length = 0;
    // Outside every package root, so no package config is picked up; no `ignore`: the file list is explicit.
    const config = path.join(work, "asyncpat.config.json");
    writeFileSync(config, JSON.stringify({ extends: "asyncpat:strict" }));
    for (const entry of packages) {
      let root: string;
      try {
        root = await materialize(entry, work, cacheDir);
      } catch (error) {
        if (entry.source === "debian") {
          missingCrates.push(entry.debianPackage ?? `librust-${entry.name}-dev`);
          process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
          continue;
        }
        throw error;
      }
      const files = packageFiles(root, entry);
      const roleOf = new Map<string, Role>();
      const linesByRole = emptyRoles();
      let lines = 0;
      for (const file of files) {
        const text = readFileSync(path.join(root, file), "utf8");
        const role = classifyRole(file, text);
        roleOf.set(file, role);
        const count = countLines(text);
        linesByRole[role] += count;
        lines += count;
      }
      const run: PackageRun = {
        entry,
        files: files.length,
        lines,
        linesByRole,
        findings: { syntax: 0, types: 0 },
        lintMs: { syntax: 0, types: 0 },
        statsLines: { syntax: 0, types: 0 },
      };
      const modes: Mode[] = entry.kind === "rust-crate" ? ["syntax"] : MODES;
      for (const mode of modes) {
        const result = await lintPackage(entry, root, files, config, mode);
        run.lintMs[mode] = result.ms;
        run.statsLines[mode] = result.statsLines;
        modeMs[mode] += result.ms;
        for (const file of result.json) {
          const relative = path.relative(root, file.filePath).split(path.sep).join("/");
          const source = readFileSync(file.filePath, "utf8").split(/\r?\n/);
          for (const message of file.messages) {
            const ruleId = message.ruleId ?? (message.message.startsWith("Parsing error") ? "parse-error" : "suppression-comment");
            const code = (source[message.line - 1] ?? "").trim();
            const base = {
              key: findingKey(entry.name, relative, ruleId, code),
              pkg: entry.name,
              version: entry.version,
              half: entry.half!,
              batch: batchOf(entry),
              kind: entry.kind,
              role: roleOf.get(relative) ?? classifyRole(relative),
              file: relative,
              line: message.line,
              ruleId,
              code,
              message: message.message,
            };
            // Rust has no type-checker mode: its one run counts in both.
            for (const counted of entry.kind === "rust-crate" ? MODES : [mode]) {
              findings.push({ ...base, mode: counted });
              run.findings[counted]++;
            }
          }
        }
      }
      if (entry.kind === "rust-crate") {
        run.lintMs.types = 0;
        run.statsLines.types = run.statsLines.syntax;
      }
      runs.push(run);
      const statsNote = MODES.some((mode) => run.statsLines[mode] !== lines)
        ? ` (lint --stats counted ${run.statsLines.syntax}/${run.statsLines.types})`
        : "";
      process.stdout.write(
        `${entry.half!.padEnd(8)} ${`${entry.name}@${entry.version}`.padEnd(28)} ${String(files.length).padStart(5)} files ${String(lines).padStart(7)} lines  syntax ${String(run.findings.syntax).padStart(4)} findings ${(run.lintMs.syntax / 1000).toFixed(1).padStart(6)} s  types ${String(run.findings.types).padStart(4)} findings ${(run.lintMs.types / 1000).toFixed(1).padStart(6)} s${statsNote}\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!reuse && !only) {
    writeFileSync(lastRunPath, JSON.stringify({ findings, runs, modeMs, seconds: (performance.now() - started) / 1000 }));
  }
  if (missingCrates.length > 0) {
    process.stderr.write(
      `Missing Rust crates (Debian's librust-*-dev packages put them in /usr/share/cargo/registry); install them with:\n  apt-get update && apt-get install ${[...new Set(missingCrates)].join(" ")}\n`,
    );
    if (!only) {
      // Figures without part of the corpus would not be comparable with earlier runs.
      process.stderr.write("Reports not written: the corpus is incomplete.\n");
      process.exitCode = 1;
      return;
    }
  }
  const elapsed = reusedSeconds ?? (performance.now() - started) / 1000;

  const statusOf = (finding: Finding): Status => verdicts[finding.key]?.verdict ?? "unjudged";
  const unjudged = new Map<string, Finding>();
  for (const finding of findings) if (statusOf(finding) === "unjudged" && !unjudged.has(finding.key)) unjudged.set(finding.key, finding);
  rmSync(pendingPath, { force: true });
  if (unjudged.size > 0) {
    const list = [...unjudged.values()];
    const modesOf = (key: string) => [...new Set(findings.filter((finding) => finding.key === key).map((finding) => finding.mode))];
    writeFileSync(
      pendingPath,
      `${JSON.stringify(
        Object.fromEntries(
          list.map((finding) => [
            finding.key,
            {
              half: finding.half,
              batch: finding.batch,
              role: finding.role,
              version: finding.version,
              file: finding.file,
              line: finding.line,
              modes: modesOf(finding.key),
              code: finding.code,
              message: finding.message,
            },
          ]),
        ),
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`${unjudged.size} findings have no verdict yet: see ${path.relative(repoRoot, pendingPath)}\n`);
  }
  if (only && !reuse) {
    // The partial run's raw findings, so a later partial run can list what it lost (ACCURACY_BASELINE).
    writeFileSync(path.join(cacheDir, "partial-run.json"), JSON.stringify({ findings }));
  }
  if (only && process.env.ACCURACY_BASELINE) {
    // Tuning-half findings judged true in the baseline partial run that this run no longer reports.
    const ran = new Set(runs.map((run) => run.entry.name));
    const baseline = (JSON.parse(readFileSync(process.env.ACCURACY_BASELINE, "utf8")) as { findings: Finding[] }).findings.filter(
      (finding) => ran.has(finding.pkg),
    );
    const now = new Set(findings.map((finding) => `${finding.mode} ${finding.key}`));
    const lost = baseline.filter(
      (finding) => finding.half === "tuning" && statusOf(finding) === "true-positive" && !now.has(`${finding.mode} ${finding.key}`),
    );
    process.stdout.write(`${lost.length} true positives of the baseline (tuning half) are no longer reported\n`);
    for (const finding of lost)
      process.stdout.write(`  LOST ${finding.mode} ${finding.pkg} ${finding.file}:${finding.line} ${finding.ruleId}: ${finding.code}\n`);
    const gone = baseline.filter(
      (finding) => finding.half === "tuning" && statusOf(finding) !== "true-positive" && !now.has(`${finding.mode} ${finding.key}`),
    );
    const goneTally = new Map<string, number>();
    for (const finding of gone) {
      const cause = (verdicts[finding.key] as { cause?: string } | undefined)?.cause ?? statusOf(finding);
      const label = `${finding.mode} ${finding.pkg} ${finding.ruleId} ${cause}`;
      goneTally.set(label, (goneTally.get(label) ?? 0) + 1);
    }
    process.stdout.write(`${gone.length} non-true findings of the baseline (tuning half) are gone:\n`);
    for (const [label, count] of [...goneTally].sort()) process.stdout.write(`  ${String(count).padStart(5)}  GONE ${label}\n`);
  }
  if (only) {
    // per package, mode and verdict, with the causes of what is not true: enough to see what a rule change did
    const tally = new Map<string, number>();
    for (const finding of findings) {
      const verdict = verdicts[finding.key];
      const label = `${finding.pkg} ${finding.mode} ${finding.ruleId} ${statusOf(finding)}${verdict && verdict.verdict !== "true-positive" && "cause" in verdict ? ` (${String((verdict as { cause?: string }).cause)})` : ""}`;
      tally.set(label, (tally.get(label) ?? 0) + 1);
    }
    for (const [label, count] of [...tally].sort()) process.stdout.write(`  ${String(count).padStart(5)}  ${label}\n`);
    // the subset's figures per batch, half and mode (false per 10 KLOC of the packages run)
    for (const batch of [...new Set(runs.map((run) => batchOf(run.entry)))].sort((a, b) => a - b))
      for (const half of HALVES)
        for (const mode of MODES) {
          const inSet = (run: PackageRun) => batchOf(run.entry) === batch && run.entry.half === half;
          const lines = runs.filter(inSet).reduce((sum, run) => sum + run.lines, 0);
          if (lines === 0) continue;
          const inSubset = findings.filter((f) => f.batch === batch && f.half === half && f.mode === mode);
          const count = (status: Status) => inSubset.filter((finding) => statusOf(finding) === status).length;
          process.stdout.write(
            `batch ${batch} ${half.padEnd(8)} ${mode.padEnd(6)}: ${inSubset.length} findings in ${lines} lines: ${count("true-positive")} true, ${count("debatable")} debatable, ${count("false-positive")} false, ${count("unjudged")} unjudged; false per 10 KLOC ${((count("false-positive") / lines) * 10_000).toFixed(2)}\n`,
          );
        }
    process.stdout.write(
      `Partial run (ACCURACY_ONLY): docs/accuracy.md and docs/accuracy-summary.json left as they were. ${elapsed.toFixed(0)} s.\n`,
    );
    return;
  }

  // ---- figures
  interface Figures {
    lines: number;
    findings: number;
    "true-positive": number;
    debatable: number;
    "false-positive": number;
    unjudged: number;
    falsePer10k: number;
    precision: number | null;
  }
  const figures = (list: Finding[], lines: number): Figures => {
    const tally = { "true-positive": 0, debatable: 0, "false-positive": 0, unjudged: 0 };
    for (const finding of list) tally[statusOf(finding)]++;
    const judged = tally["true-positive"] + tally.debatable + tally["false-positive"];
    return {
      lines,
      findings: list.length,
      ...tally,
      falsePer10k: lines > 0 ? Number(((tally["false-positive"] / lines) * 10_000).toFixed(2)) : 0,
      precision: judged > 0 ? Number((tally["true-positive"] / judged).toFixed(3)) : null,
    };
  };
  const linesOf = (select: (run: PackageRun) => boolean, role?: Role) =>
    runs.filter(select).reduce((sum, run) => sum + (role ? run.linesByRole[role] : run.lines), 0);
  const of = (mode: Mode, half?: Half, filter: (finding: Finding) => boolean = () => true) =>
    findings.filter((finding) => finding.mode === mode && (!half || finding.half === half) && filter(finding));
  const allRuleIds = [...new Set([...ruleIds, ...findings.map((finding) => finding.ruleId)])];

  const summary = {
    generated: new Date().toISOString(),
    seconds: Number(elapsed.toFixed(0)),
    lintSeconds: { syntax: Number((modeMs.syntax / 1000).toFixed(1)), types: Number((modeMs.types / 1000).toFixed(1)) },
    cores: os.cpus().length,
    packages: runs.map((run) => ({
      name: run.entry.name,
      version: run.entry.version,
      kind: run.entry.kind,
      half: run.entry.half,
      batch: batchOf(run.entry),
      files: run.files,
      lines: run.lines,
      linesByRole: run.linesByRole,
      findings: run.findings,
      lintSeconds: { syntax: Number((run.lintMs.syntax / 1000).toFixed(1)), types: Number((run.lintMs.types / 1000).toFixed(1)) },
    })),
    halves: {} as Record<string, unknown>,
    /** Per batch, per half, per mode: the totals and per kind (each later batch was added and split after the earlier ones were tuned). */
    batches: {} as Record<string, unknown>,
  };
  const batches = [...new Set(runs.map((run) => batchOf(run.entry)))].sort((a, b) => a - b);
  for (const half of [...HALVES, "all"] as const) {
    const inHalf = (run: PackageRun) => half === "all" || run.entry.half === half;
    const h = half === "all" ? undefined : half;
    const perMode: Record<string, unknown> = {};
    for (const mode of MODES) {
      perMode[mode] = {
        total: figures(of(mode, h), linesOf(inHalf)),
        byKind: Object.fromEntries(
          KINDS.map((kind) => [
            kind,
            figures(
              of(mode, h, (f) => f.kind === kind),
              linesOf((run) => inHalf(run) && run.entry.kind === kind),
            ),
          ]),
        ),
        byRole: Object.fromEntries(
          ROLES.map((role) => [
            role,
            figures(
              of(mode, h, (f) => f.role === role),
              linesOf(inHalf, role),
            ),
          ]),
        ),
        byRule: Object.fromEntries(
          allRuleIds.map((rule) => [
            rule,
            figures(
              of(mode, h, (f) => f.ruleId === rule),
              linesOf(inHalf),
            ),
          ]),
        ),
      };
    }
    summary.halves[half] = perMode;
  }
  for (const batch of batches) {
    const perHalf: Record<string, unknown> = {};
    for (const half of HALVES) {
      const inSet = (run: PackageRun) => batchOf(run.entry) === batch && run.entry.half === half;
      perHalf[half] = Object.fromEntries(
        MODES.map((mode) => [
          mode,
          {
            total: figures(
              of(mode, half, (f) => f.batch === batch),
              linesOf(inSet),
            ),
            byKind: Object.fromEntries(
              KINDS.map((kind) => [
                kind,
                figures(
                  of(mode, half, (f) => f.batch === batch && f.kind === kind),
                  linesOf((run) => inSet(run) && run.entry.kind === kind),
                ),
              ]),
            ),
          },
        ]),
      );
    }
    summary.batches[String(batch)] = perHalf;
  }
  writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);

  // ---- report
  const fmt = (n: number) => n.toLocaleString("en-US");
  const row = (label: string, f: Figures) =>
    `| ${label} | ${fmt(f.lines)} | ${f.findings} | ${f["true-positive"]} | ${f.debatable} | ${f["false-positive"]} | ${f.unjudged} | ${f.falsePer10k.toFixed(2)} | ${f.precision === null ? "–" : f.precision.toFixed(2)} |`;
  const header = [
    "| | Lines | Findings | True | Debatable | False | Unjudged | False per 10 KLOC | Precision |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const totalLines = runs.reduce((sum, run) => sum + run.lines, 0);
  const out: string[] = [
    "# Accuracy on real code",
    "",
    "Generated by `npm run accuracy` (scripts/accuracy.ts) from a fresh run; verdicts come from",
    "`docs/accuracy-verdicts.json`, made by reading every finding in its source. Do not edit this file by hand.",
    "Machine-readable figures: `docs/accuracy-summary.json`. Corpus and split: `accuracy/corpus.json`.",
    "",
    `Corpus: ${runs.length} packages (${KINDS.map((kind) => `${runs.filter((run) => run.entry.kind === kind).length} ${kind}`).join(", ")}), ${fmt(runs.reduce((s, r) => s + r.files, 0))} files, ${fmt(totalLines)} lines, linted **as published**: tests, examples, fixtures and type declarations included; only duplicate builds (a CommonJS copy of an ESM build, a browser bundle) are excluded, as listed in the corpus file. Every rule on (\`asyncpat:strict\`).`,
    "",
    "Two modes: **syntax** (`--no-types`) and **types** (`--types`). No corpus package ships a tsconfig.json, so in types mode asyncpat builds its default program (allowJs, ES2022, lib es2023, NodeNext, no dependency resolution: only the package's own files are in the program, imported packages are `any`). Rust has no type-checker mode; a crate is linted once and its findings count in both modes.",
    "",
    `Whole run: ${elapsed.toFixed(0)} s on ${os.cpus().length} cores (lint time: syntax ${(modeMs.syntax / 1000).toFixed(0)} s, types ${(modeMs.types / 1000).toFixed(0)} s; the rest is npm pack and extraction).`,
    "",
    "**Split** (fixed before any tuning, see `splitRule` in the corpus file): rules may be tuned by looking at the **tuning** half only; the **held-out** half is reported here as aggregate figures only, so that it measures the tuned rules on code nobody tuned them on.",
    "",
    "Judging: a run lists findings without a verdict in `docs/accuracy-unjudged.json`; add each to `docs/accuracy-verdicts.json` as `{ verdict, note, cause }` (a note saying why, read from the code; a `cause` from `accuracy/causes.json` for false/debatable tuning findings), then `ACCURACY_REUSE=1 npm run accuracy` rebuilds the reports without linting again. Commit reports from a fresh run.",
    "",
    "Precision is true ÷ judged (debatable counts as not true). File roles come from the path (scripts/accuracy-corpus.ts, `classifyRole`): generated = `.d.ts`/minified; fixture = `fixtures/`; test = `*.test.*`, `*.spec.*`, `__tests__/`, `test/`, `tests/`, benches; example = `examples/`; else source (Rust `tests.rs`/`test.rs` module files count as test; unit tests inline in other `src/*.rs` files count as source).",
    "",
  ];
  out.push(
    "## At a glance",
    "",
    "| Half | Mode | Kind | Lines | Findings | True | Debatable | False | Unjudged | False per 10 KLOC | Precision |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const half of HALVES) {
    for (const mode of MODES) {
      const inHalf = (run: PackageRun) => run.entry.half === half;
      for (const kind of [undefined, ...KINDS]) {
        const f = kind
          ? figures(
              of(mode, half, (finding) => finding.kind === kind),
              linesOf((run) => inHalf(run) && run.entry.kind === kind),
            )
          : figures(of(mode, half), linesOf(inHalf));
        out.push(
          `| ${half} | ${mode} | ${kind ?? "**all**"} | ${fmt(f.lines)} | ${f.findings} | ${f["true-positive"]} | ${f.debatable} | ${f["false-positive"]} | ${f.unjudged} | ${f.falsePer10k.toFixed(2)} | ${f.precision === null ? "–" : f.precision.toFixed(2)} |`,
        );
      }
    }
  }
  out.push(
    "",
    "Per batch (batch 2 was added and split after batch 1 was tuned, batch 3 after batch 2 was, so each new tuning half was fresh data; see `splitRule` in the corpus file):",
    "",
    "| Batch | Half | Mode | Lines | Findings | True | Debatable | False | Unjudged | False per 10 KLOC | Precision |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const batch of batches)
    for (const half of HALVES)
      for (const mode of MODES) {
        const f = figures(
          of(mode, half, (finding) => finding.batch === batch),
          linesOf((run) => batchOf(run.entry) === batch && run.entry.half === half),
        );
        out.push(
          `| ${batch} | ${half} | ${mode} | ${fmt(f.lines)} | ${f.findings} | ${f["true-positive"]} | ${f.debatable} | ${f["false-positive"]} | ${f.unjudged} | ${f.falsePer10k.toFixed(2)} | ${f.precision === null ? "–" : f.precision.toFixed(2)} |`,
        );
      }
  out.push("");
  for (const half of HALVES) {
    out.push(`## ${half === "tuning" ? "Tuning half" : "Held-out half (aggregates only)"}`, "");
    for (const mode of MODES) {
      const h = half;
      const inHalf = (run: PackageRun) => run.entry.half === half;
      out.push(`### ${mode === "syntax" ? "Syntax only (`--no-types`)" : "With the type checker (`--types`)"}`, "", ...header);
      out.push(row("**all**", figures(of(mode, h), linesOf(inHalf))));
      for (const kind of KINDS)
        out.push(
          row(
            kind,
            figures(
              of(mode, h, (f) => f.kind === kind),
              linesOf((run) => inHalf(run) && run.entry.kind === kind),
            ),
          ),
        );
      for (const role of ROLES)
        out.push(
          row(
            `role: ${role}`,
            figures(
              of(mode, h, (f) => f.role === role),
              linesOf(inHalf, role),
            ),
          ),
        );
      for (const rule of allRuleIds) {
        const f = figures(
          of(mode, h, (finding) => finding.ruleId === rule),
          linesOf(inHalf),
        );
        if (f.findings > 0) out.push(row(`rule: ${rule}`, f));
      }
      out.push("");
    }
  }
  out.push(
    "## Per package",
    "",
    "| Half | Batch | Kind | Package | Files | Lines | source / test / example / fixture / generated | Findings syntax | Findings types | Lint syntax | Lint types |",
    "|---|---:|---|---|---:|---:|---|---:|---:|---:|---:|",
  );
  for (const run of runs) {
    out.push(
      `| ${run.entry.half} | ${batchOf(run.entry)} | ${run.entry.kind} | ${run.entry.name}@${run.entry.version} | ${run.files} | ${fmt(run.lines)} | ${ROLES.map((role) => fmt(run.linesByRole[role])).join(" / ")} | ${run.findings.syntax} | ${run.entry.kind === "rust-crate" ? "(same)" : run.findings.types} | ${(run.lintMs.syntax / 1000).toFixed(1)} s | ${run.entry.kind === "rust-crate" ? "–" : `${(run.lintMs.types / 1000).toFixed(1)} s`} |`,
    );
  }
  out.push(
    "",
    "## Every tuning-half finding and its verdict",
    "",
    "Findings that share a verdict note (one judgement applied to the same pattern, e.g. fastify's thenable `reply.send(…)` in 300 test lines) are listed once with the count and up to five locations; unjudged findings are listed one by one (and in docs/accuracy-unjudged.json). Mode: `both`, `syntax only` or `types only`.",
    "",
  );
  const tuning = findings.filter((finding) => finding.half === "tuning");
  for (const rule of allRuleIds) {
    const seen = new Map<string, { finding: Finding; modes: Set<Mode> }>();
    for (const finding of tuning.filter((f) => f.ruleId === rule)) {
      const id = `${finding.key}|${finding.line}`;
      const entry = seen.get(id) ?? { finding, modes: new Set<Mode>() };
      entry.modes.add(finding.mode);
      seen.set(id, entry);
    }
    if (seen.size === 0) continue;
    out.push(`### ${rule}`, "");
    // group by verdict + note; unjudged findings each form their own group
    const groups = new Map<string, { finding: Finding; modes: Set<Mode> }[]>();
    for (const entry of seen.values()) {
      const verdict = verdicts[entry.finding.key];
      const group = verdict ? `${verdict.verdict}|${verdict.note}` : `unjudged|${entry.finding.key}|${entry.finding.line}`;
      groups.set(group, [...(groups.get(group) ?? []), entry]);
    }
    const order: Record<string, number> = { "true-positive": 0, debatable: 1, "false-positive": 2, unjudged: 3 };
    const sorted = [...groups.values()].sort(
      (a, b) => order[statusOf(a[0]!.finding)]! - order[statusOf(b[0]!.finding)]! || b.length - a.length,
    );
    for (const group of sorted) {
      const first = group[0]!;
      const verdict = verdicts[first.finding.key];
      const label = (entry: { finding: Finding; modes: Set<Mode> }) =>
        `(${entry.modes.size === 2 ? "both" : `${[...entry.modes][0]} only`}, ${entry.finding.role}) \`${entry.finding.pkg}@${entry.finding.version}\` ${entry.finding.file}:${entry.finding.line}: \`${entry.finding.code.slice(0, 120).replace(/`/g, "'")}\``;
      if (group.length === 1) {
        out.push(`- **${statusOf(first.finding)}** ${label(first)}`);
      } else {
        out.push(`- **${statusOf(first.finding)}** × ${group.length} findings, e.g.:`);
        for (const entry of group.slice(0, 5)) out.push(`  - ${label(entry)}`);
        if (group.length > 5) out.push(`  - … and ${group.length - 5} more`);
      }
      if (verdict?.note) out.push(`  ${verdict.note}`);
    }
    out.push("");
  }
  writeFileSync(reportPath, `${out.join("\n")}\n`);
  writeFileSync(
    causesReportPath,
    causesReport(
      findings.filter((finding) => finding.half === "tuning"),
      verdicts,
    ),
  );

  for (const half of HALVES) {
    for (const mode of MODES) {
      const f = figures(
        of(mode, half),
        linesOf((run) => run.entry.half === half),
      );
      process.stdout.write(
        `${half.padEnd(8)} ${mode.padEnd(6)}: ${f.findings} findings in ${fmt(f.lines)} lines: ${f["true-positive"]} true, ${f.debatable} debatable, ${f["false-positive"]} false, ${f.unjudged} unjudged; false per 10 KLOC ${f.falsePer10k.toFixed(2)}; precision ${f.precision ?? "–"}\n`,
      );
    }
  }
  process.stdout.write(
    `${elapsed.toFixed(0)} s (lint: syntax ${(modeMs.syntax / 1000).toFixed(0)} s, types ${(modeMs.types / 1000).toFixed(0)} s). Wrote ${path.relative(repoRoot, reportPath)} and ${path.relative(repoRoot, summaryPath)}.\n`,
  );
}

/**
 * docs/accuracy-tuning-causes.md: the tuning half's false and debatable findings grouped by the
 * cause recorded in their verdict. Counts are distinct findings (a line seen in both modes counts
 * once) with the per-mode occurrences beside them.
 */
function causesReport(tuning: Finding[], verdicts: Record<string, Verdict>): string {
  const catalogue = JSON.parse(readFileSync(causesPath, "utf8")) as { causes: Record<string, { question: string; explanation: string }> };
  interface Item {
    finding: Finding;
    modes: Set<Mode>;
    verdict: Verdict;
  }
  const items = new Map<string, Item>();
  for (const finding of tuning) {
    const verdict = verdicts[finding.key];
    if (!verdict || verdict.verdict === "true-positive") continue;
    const id = `${finding.key}|${finding.line}`;
    const item = items.get(id) ?? { finding, modes: new Set<Mode>(), verdict };
    item.modes.add(finding.mode);
    items.set(id, item);
  }
  const byCause = new Map<string, Item[]>();
  for (const item of items.values()) {
    const cause = item.verdict.cause ?? "(no cause recorded)";
    byCause.set(cause, [...(byCause.get(cause) ?? []), item]);
  }
  const causes = [...byCause.entries()].sort((a, b) => b[1].length - a[1].length);
  const falseCount = (list: Item[]) => list.filter((item) => item.verdict.verdict === "false-positive").length;
  const out: string[] = [
    "# Tuning half: false and debatable findings by cause",
    "",
    "Generated by `npm run accuracy` from the verdicts' `cause` field (causes described in `accuracy/causes.json`).",
    "**Tuning half only**: the held-out half's findings are deliberately not listed anywhere in docs/, so that it",
    "still measures the rules on code nobody tuned them on. Counts are distinct findings (a line found in both",
    "modes counts once); `syntax`/`types` say how many of them each mode produces. Rust findings count in both modes.",
    "",
    "| Cause | Question the rule answered wrongly | Findings | False | Debatable | syntax mode | types mode |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const [cause, list] of causes) {
    const description = catalogue.causes[cause];
    out.push(
      `| \`${cause}\` | ${description?.question ?? "–"} | ${list.length} | ${falseCount(list)} | ${list.length - falseCount(list)} | ${list.filter((item) => item.modes.has("syntax")).length} | ${list.filter((item) => item.modes.has("types")).length} |`,
    );
  }
  out.push("");
  for (const [cause, list] of causes) {
    const description = catalogue.causes[cause];
    out.push(`## \`${cause}\`: ${description?.question ?? ""}`, "", description?.explanation ?? "", "");
    out.push("| Rule | Findings | False | Debatable | syntax mode | types mode | Packages |", "|---|---:|---:|---:|---:|---:|---|");
    const rules = [...new Set(list.map((item) => item.finding.ruleId))].sort();
    for (const rule of rules) {
      const ofRule = list.filter((item) => item.finding.ruleId === rule);
      const packages = [...new Set(ofRule.map((item) => item.finding.pkg))].sort().join(", ");
      out.push(
        `| ${rule} | ${ofRule.length} | ${falseCount(ofRule)} | ${ofRule.length - falseCount(ofRule)} | ${ofRule.filter((item) => item.modes.has("syntax")).length} | ${ofRule.filter((item) => item.modes.has("types")).length} | ${packages} |`,
      );
    }
    out.push("", "Examples:", "");
    for (const rule of rules) {
      // one or two per rule, from different packages where possible
      const ofRule = list.filter((item) => item.finding.ruleId === rule);
      const picked: Item[] = ofRule.slice(0, 1);
      const second =
        ofRule.find((item) => item.finding.pkg !== picked[0]!.finding.pkg) ??
        ofRule.find((item) => item.finding.key !== picked[0]!.finding.key && item.verdict.note !== picked[0]!.verdict.note) ??
        ofRule.find((item) => item.finding.key !== picked[0]!.finding.key);
      if (second) picked.push(second);
      for (const item of picked) {
        const modes = item.modes.size === 2 ? "both modes" : `${[...item.modes][0]} only`;
        out.push(
          `- \`${item.finding.key}\` (${item.verdict.verdict}, ${modes}) ${item.finding.file}:${item.finding.line}: \`${item.finding.code.slice(0, 100).replace(/`/g, "'")}\``,
        );
        out.push(`  ${item.verdict.note}`);
      }
    }
    out.push("");
  }
  return `${out.join("\n")}\n`;
}

await main();
