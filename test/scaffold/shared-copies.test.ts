import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultTemplatesRoot, discoverTemplates } from "../../src/scaffold/discover.js";
import { driftedCopies, plannedCopies, sharedPrimitives } from "../../src/scaffold/shared-copies.js";

// docs/template-format.md: a template lists the _shared primitives it uses under "shared" in its
// template.json and carries byte-identical copies; `npm run sync-shared` writes them.
const FIX = "run `npm run sync-shared` to copy them from templates/ts/_shared";
const root = defaultTemplatesRoot();
const templates = discoverTemplates().templates.filter((template) => template.lang === "ts");
const sharedDir = path.join(root, "ts", "_shared");

describe("copies of templates/ts/_shared primitives", () => {
  it("finds the primitives and the templates that use them (a test that compares nothing fails)", () => {
    expect(sharedPrimitives(sharedDir).length, `no primitives under ${sharedDir}/src/lib`).toBeGreaterThan(0);
    expect(templates.filter((template) => template.manifest.shared.length > 0).length).toBeGreaterThan(0);
    expect(plannedCopies(templates, root).length).toBeGreaterThan(0);
  });

  it("every copy a manifest asks for exists and is byte-identical to _shared, with its test", () => {
    const drifted = driftedCopies(plannedCopies(templates, root)).map((entry) => `templates/${entry.template}/${entry.relative}`);
    expect(drifted, `these copies are missing or differ; ${FIX}`).toEqual([]);
  });

  it.each(templates.map((template) => [template.name, template] as const))(
    '%s: every primitive under src/lib is declared in template.json\'s "shared"',
    (_name, template) => {
      const offered = new Set(sharedPrimitives(sharedDir));
      let files: string[] = [];
      try {
        files = readdirSync(path.join(template.dir, "src", "lib"));
      } catch {
        files = [];
      }
      const undeclared = files
        .map((file) => file.replace(/\.ts$/, ""))
        .filter((name) => offered.has(name) && !template.manifest.shared.includes(name));
      expect(undeclared, `add them to "shared" in ${template.manifestPath}, then ${FIX}`).toEqual([]);
    },
  );
});
