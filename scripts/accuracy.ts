/**
 * Accuracy on real code: `npm run accuracy`. Fetches the published sources of well-kept async
 * packages from the npm registry (`npm pack`), lints their library code with every rule on
 * (`asyncpat:strict`), joins each finding with the hand-made verdict in docs/accuracy-verdicts.json
 * (keyed by package, file, rule and the finding's line text, so verdicts survive line moves), and
 * writes docs/accuracy.md. Unjudged findings are listed as such; judge them and run again.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(repoRoot, "bin", "asyncpat.js");
const verdictsPath = path.join(repoRoot, "docs", "accuracy-verdicts.json");
const reportPath = path.join(repoRoot, "docs", "accuracy.md");

/** Package, pinned version, and the library code inside its tarball (tests, examples and types left out). */
export const CORPUS: { name: string; version: string; paths: string[] }[] = [
  { name: "undici", version: "8.13.1", paths: ["index.js", "index-fetch.js", "lib"] },
  { name: "fastify", version: "5.12.8", paths: ["fastify.js", "lib"] },
  { name: "ioredis", version: "6.0.0", paths: ["built"] },
  { name: "bullmq", version: "6.7.0", paths: ["dist/esm"] },
  { name: "piscina", version: "5.3.2", paths: ["src"] },
  { name: "p-queue", version: "10.0.0", paths: ["dist"] },
  { name: "pg-pool", version: "3.14.0", paths: ["index.js"] },
  { name: "pg", version: "8.23.1", paths: ["lib"] },
  { name: "ws", version: "8.23.0", paths: ["index.js", "lib"] },
  { name: "generic-pool", version: "3.9.0", paths: ["index.js", "lib"] },
];

interface Verdict {
  verdict: "true-positive" | "false-positive" | "debatable";
  note: string;
}

interface Finding {
  key: string;
  pkg: string;
  file: string;
  line: number;
  ruleId: string;
  code: string;
  message: string;
}

interface EslintJson {
  filePath: string;
  messages: { ruleId: string | null; line: number; message: string }[];
}

function findingKey(pkg: string, file: string, ruleId: string, code: string): string {
  const digest = createHash("sha256").update(code.trim()).digest("hex").slice(0, 12);
  return `${pkg}|${file}|${ruleId}|${digest}`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const work = mkdtempSync(path.join(os.tmpdir(), "asyncpat-accuracy-"));
  const verdicts: Record<string, Verdict> = existsSync(verdictsPath) ? JSON.parse(readFileSync(verdictsPath, "utf8")) : {};
  const findings: Finding[] = [];
  const perPackage: { pkg: string; files: number; lines: number; findings: number; lintMs: number; types: boolean }[] = [];
  const ruleIds: string[] = (JSON.parse((await execa(process.execPath, [bin, "rules", "--format", "json"])).stdout) as { id: string }[]).map(
    (rule) => rule.id,
  );
  try {
    const config = path.join(work, "asyncpat.config.json");
    writeFileSync(config, JSON.stringify({ extends: "asyncpat:strict" }));
    for (const entry of CORPUS) {
      const spec = `${entry.name}@${entry.version}`;
      const dir = path.join(work, entry.name);
      mkdirSync(dir, { recursive: true });
      const packed = (await execa("npm", ["pack", spec, "--silent"], { cwd: dir })).stdout.trim().split("\n").pop()!;
      await execa("tar", ["xzf", packed], { cwd: dir });
      const root = path.join(dir, "package");
      // `asyncpat lint` uses the type checker only when it finds a tsconfig.json (no --types here).
      const types = existsSync(path.join(root, "tsconfig.json"));
      const lintStarted = performance.now();
      const result = await execa(process.execPath, [bin, "lint", "--config", config, "--format", "json", "--stats", ...entry.paths], {
        cwd: root,
        reject: false,
      });
      const lintMs = performance.now() - lintStarted;
      if (result.exitCode === 2) throw new Error(`${spec}: lint failed: ${String(result.stderr)}`);
      const stats = /asyncpat: (\d+) files?, (\d+) lines?/.exec(String(result.stderr));
      const files = Number(stats?.[1] ?? 0);
      const lines = Number(stats?.[2] ?? 0);
      let count = 0;
      for (const file of JSON.parse(String(result.stdout)) as EslintJson[]) {
        const relative = path.relative(root, file.filePath).split(path.sep).join("/");
        const source = readFileSync(file.filePath, "utf8").split(/\r?\n/);
        for (const message of file.messages) {
          const ruleId = message.ruleId ?? (message.message.startsWith("Parsing error") ? "parse-error" : "suppression-comment");
          const code = (source[message.line - 1] ?? "").trim();
          findings.push({ key: findingKey(entry.name, relative, ruleId, code), pkg: spec, file: relative, line: message.line, ruleId, code, message: message.message });
          count++;
        }
      }
      perPackage.push({ pkg: spec, files, lines, findings: count, lintMs, types });
      process.stdout.write(`${spec.padEnd(22)} ${String(files).padStart(4)} files ${String(lines).padStart(7)} lines ${String(count).padStart(4)} findings  ${(lintMs / 1000).toFixed(1)} s\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const totalLines = perPackage.reduce((sum, entry) => sum + entry.lines, 0);
  const totalFiles = perPackage.reduce((sum, entry) => sum + entry.files, 0);
  const verdictOf = (finding: Finding) => verdicts[finding.key]?.verdict ?? "unjudged";
  const count = (list: Finding[], verdict: string) => list.filter((finding) => verdictOf(finding) === verdict).length;
  const falsePositives = count(findings, "false-positive");
  const elapsed = (performance.now() - started) / 1000;
  const typed = perPackage.filter((entry) => entry.types).map((entry) => entry.pkg);
  const typeInformation =
    typed.length === 0
      ? "without type information: no tarball ships a tsconfig.json, so the rules see syntax and imports only, as `asyncpat lint` does on any JavaScript project without one"
      : `type information only for ${typed.join(", ")} (the packages that ship a tsconfig.json)`;

  const out: string[] = [
    "# Accuracy on real code",
    "",
    "Generated by `npm run accuracy` (scripts/accuracy.ts) from a fresh run; verdicts come from",
    "`docs/accuracy-verdicts.json`, made by reading every finding in its source. Do not edit this file by hand.",
    "",
    `Corpus: ${CORPUS.length} published packages, library code only (no tests, examples or type declarations), ${totalFiles} files, ${totalLines} lines, linted with every rule on (\`asyncpat:strict\`), ${typeInformation}.`,
    `Whole run (npm pack of every package, extraction, lint): ${elapsed.toFixed(0)} s on ${os.cpus().length} cores.`,
    "",
    `**False positives: ${falsePositives} in ${totalLines} lines = ${((falsePositives / totalLines) * 10_000).toFixed(2)} per 10,000 lines** (goal: at most 1). True positives: ${count(findings, "true-positive")}, debatable: ${count(findings, "debatable")}, unjudged: ${count(findings, "unjudged")}.`,
    "",
    "## Per package",
    "",
    "| Package | Files | Lines | Findings | Lint time |",
    "|---|---:|---:|---:|---:|",
    ...perPackage.map((entry) => `| ${entry.pkg} | ${entry.files} | ${entry.lines} | ${entry.findings} | ${(entry.lintMs / 1000).toFixed(1)} s |`),
    "",
    "## Per rule",
    "",
    "| Rule | Findings | per 1,000 lines | True positive | Debatable | False positive | Unjudged |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  const allRuleIds = [...new Set([...ruleIds, ...findings.map((finding) => finding.ruleId)])];
  for (const ruleId of allRuleIds) {
    const list = findings.filter((finding) => finding.ruleId === ruleId);
    out.push(
      `| ${ruleId} | ${list.length} | ${((list.length / totalLines) * 1000).toFixed(3)} | ${count(list, "true-positive")} | ${count(list, "debatable")} | ${count(list, "false-positive")} | ${count(list, "unjudged")} |`,
    );
  }
  out.push("", "## Every finding and its verdict", "");
  for (const ruleId of allRuleIds) {
    const list = findings.filter((finding) => finding.ruleId === ruleId);
    if (list.length === 0) continue;
    out.push(`### ${ruleId}`, "");
    for (const finding of list) {
      const verdict = verdicts[finding.key];
      out.push(`- **${verdictOf(finding)}** \`${finding.pkg}\` ${finding.file}:${finding.line}: \`${finding.code.slice(0, 120).replace(/`/g, "'")}\``);
      if (verdict?.note) out.push(`  ${verdict.note}`);
    }
    out.push("");
  }
  writeFileSync(reportPath, `${out.join("\n")}\n`);
  const unjudged = findings.filter((finding) => !verdicts[finding.key]);
  const pending = path.join(repoRoot, "docs", "accuracy-unjudged.json");
  // the work list of an earlier run would name findings that are judged or gone by now
  rmSync(pending, { force: true });
  if (unjudged.length > 0) {
    writeFileSync(
      pending,
      `${JSON.stringify(Object.fromEntries(unjudged.map((finding) => [finding.key, { pkg: finding.pkg, file: finding.file, line: finding.line, code: finding.code, message: finding.message }])), null, 2)}\n`,
    );
    process.stdout.write(`${unjudged.length} findings have no verdict yet: see ${path.relative(repoRoot, pending)}\n`);
  }
  process.stdout.write(
    `\n${findings.length} findings in ${totalLines} lines (${totalFiles} files); false positives ${falsePositives} = ${((falsePositives / totalLines) * 10_000).toFixed(2)} per 10,000 lines; ${elapsed.toFixed(0)} s. Wrote ${path.relative(repoRoot, reportPath)}.\n`,
  );
}

await main();
