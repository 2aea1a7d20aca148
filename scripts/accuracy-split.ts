/**
 * Makes the tuning/held-out split of accuracy/corpus.json (run once, before any tuning; the result
 * is committed and never remade): counts each package's linted files and lines as published, then,
 * within each kind, sorts by lines (descending, ties by name) and alternates tuning, held-out,
 * tuning... Usage: node dist/scripts/accuracy-split.js
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { countLines, KINDS, loadCorpus, materialize, packageFiles } from "./accuracy-corpus.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const corpusPath = path.join(repoRoot, "accuracy", "corpus.json");
const corpus = loadCorpus(corpusPath);
const work = mkdtempSync(path.join(os.tmpdir(), "asyncpat-split-"));
const cacheDir = process.env.ACCURACY_CACHE ?? path.join(os.tmpdir(), "asyncpat-accuracy-cache");
try {
  for (const entry of corpus.packages) {
    const root = await materialize(entry, work, cacheDir);
    const files = packageFiles(root, entry, true);
    entry.files = files.length;
    entry.lines = files.reduce((sum, file) => sum + countLines(readFileSync(path.join(root, file), "utf8")), 0);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
for (const kind of KINDS) {
  const members = corpus.packages.filter((entry) => entry.kind === kind).sort((a, b) => b.lines! - a.lines! || (a.name < b.name ? -1 : 1));
  members.forEach((entry, index) => {
    entry.half = index % 2 === 0 ? "tuning" : "held-out";
  });
}
writeFileSync(corpusPath, `${JSON.stringify(corpus, null, 2)}\n`);
for (const entry of corpus.packages)
  process.stdout.write(
    `${entry.half!.padEnd(9)} ${entry.kind.padEnd(15)} ${`${entry.name}@${entry.version}`.padEnd(28)} ${String(entry.files).padStart(5)} files ${String(entry.lines).padStart(7)} lines\n`,
  );
