import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultTemplatesRoot, discoverTemplates } from "../../src/scaffold/discover.js";

// docs/template-format.md: a template that uses a primitive from templates/ts/_shared carries a
// byte-identical copy under src/lib/ with its test under test/lib/; this fails when a copy drifts.

const shared = path.join(defaultTemplatesRoot(), "ts", "_shared");

async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith(".ts")).sort();
}

const copies = discoverTemplates()
  .templates.filter((template) => template.lang === "ts")
  .map((template) => ({ id: template.name, dir: template.dir }));

describe("copies of templates/ts/_shared primitives", () => {
  it.each(copies)("$id: every copy under src/lib and test/lib is byte-identical to _shared, and carries its test", async ({ dir }) => {
    const originals = new Set([...(await filesIn(path.join(shared, "src", "lib"))).map((name) => `src/lib/${name}`), ...(await filesIn(path.join(shared, "test", "lib"))).map((name) => `test/lib/${name}`)]);
    const sources = (await filesIn(path.join(dir, "src", "lib"))).map((name) => `src/lib/${name}`);
    const tests = (await filesIn(path.join(dir, "test", "lib"))).map((name) => `test/lib/${name}`);
    for (const file of [...sources, ...tests].filter((candidate) => originals.has(candidate))) {
      const [copy, original] = await Promise.all([readFile(path.join(dir, file)), readFile(path.join(shared, file))]);
      expect(copy.equals(original), `${path.basename(dir)}/${file} differs from _shared/${file}; copy it again from templates/ts/_shared`).toBe(true);
    }
    for (const source of sources.filter((candidate) => originals.has(candidate))) {
      const test = source.replace(/^src\/lib\/(.*)\.ts$/, "test/lib/$1.test.ts");
      if (originals.has(test)) expect(tests, `${path.basename(dir)} copies ${source} without ${test}`).toContain(test);
    }
  });
});
