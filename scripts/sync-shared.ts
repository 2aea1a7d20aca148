/**
 * `npm run sync-shared`: writes the copies of `templates/<lang>/_shared` primitives into every
 * template whose `template.json` lists them under `shared` (src/lib/<name>.ts and its test).
 * `--check` writes nothing and exits 1 when a copy is missing or differs.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { defaultTemplatesRoot, discoverTemplates } from "../src/scaffold/discover.js";
import { driftedCopies, plannedCopies } from "../src/scaffold/shared-copies.js";

const check = process.argv.includes("--check");
const root = defaultTemplatesRoot();
const copies = plannedCopies(discoverTemplates().templates, root);
const drifted = driftedCopies(copies);
for (const entry of drifted) {
  if (check) {
    process.stdout.write(`differs: templates/${entry.template}/${entry.relative}\n`);
  } else {
    mkdirSync(path.dirname(entry.copy), { recursive: true });
    copyFileSync(entry.original, entry.copy);
    process.stdout.write(`wrote templates/${entry.template}/${entry.relative}\n`);
  }
}
process.stdout.write(`${copies.length} copies of shared primitives, ${drifted.length} ${check ? "out of date" : "written"}.\n`);
if (check && drifted.length > 0) process.exitCode = 1;
