/**
 * Makes the tuning/held-out split of the packages of accuracy/corpus.json that have no `half` yet
 * (a new batch; packages already split keep their half: a split is made once, before any lint run
 * of the packages it splits, and never remade). Counts each new package's linted files and lines as
 * published, then, within each kind, sorts them by lines (descending, ties by name) and alternates
 * tuning, held-out, tuning... Batch 1 (split in 80db319) counted `.d.ts` files too; later batches
 * count what asyncpat lints (no `.d.ts`). Usage: node dist/scripts/accuracy-split.js
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { batchOf, countLines, KINDS, loadCorpus, materialize, packageFiles } from "./accuracy-corpus.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const corpusPath = path.join(repoRoot, "accuracy", "corpus.json");
const corpus = loadCorpus(corpusPath);
const unsplit = corpus.packages.filter((entry) => entry.half === undefined);
if (unsplit.length === 0) {
  process.stdout.write(`Every package of ${path.relative(process.cwd(), corpusPath)} already has a half: nothing to split.\n`);
  process.exit(0);
}
const work = mkdtempSync(path.join(os.tmpdir(), "asyncpat-split-"));
const cacheDir = process.env.ACCURACY_CACHE ?? path.join(os.tmpdir(), "asyncpat-accuracy-cache");
try {
  for (const entry of unsplit) {
    const root = await materialize(entry, work, cacheDir);
    const files = packageFiles(root, entry, batchOf(entry) === 1);
    entry.files = files.length;
    entry.lines = files.reduce((sum, file) => sum + countLines(readFileSync(path.join(root, file), "utf8")), 0);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
for (const kind of KINDS) {
  const members = unsplit.filter((entry) => entry.kind === kind).sort((a, b) => b.lines! - a.lines! || (a.name < b.name ? -1 : 1));
  members.forEach((entry, index) => {
    entry.half = index % 2 === 0 ? "tuning" : "held-out";
  });
}
writeFileSync(corpusPath, `${JSON.stringify(corpus, null, 2)}\n`);
for (const entry of unsplit)
  process.stdout.write(
    `batch ${batchOf(entry)} ${entry.half!.padEnd(9)} ${entry.kind.padEnd(15)} ${`${entry.name}@${entry.version}`.padEnd(36)} ${String(entry.files).padStart(5)} files ${String(entry.lines).padStart(7)} lines\n`,
  );
