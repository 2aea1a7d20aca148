import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultTemplatesRoot, discoverTemplates } from "../../src/scaffold/discover.js";
import { driftedCopies, plannedCopies, sharedPrimitives, sharedSourceDir } from "../../src/scaffold/shared-copies.js";

// docs/template-format.md: a template lists the _shared primitives it uses under "shared" in its
// template.json and carries byte-identical copies; `npm run sync-shared` writes them.
const root = defaultTemplatesRoot();

for (const lang of ["ts", "rust"] as const) {
  const FIX = `run \`npm run sync-shared\` to copy them from templates/${lang}/_shared`;
  const templates = discoverTemplates().templates.filter((template) => template.lang === lang);
  const sharedDir = path.join(root, lang, "_shared");
  const extension = lang === "rust" ? ".rs" : ".ts";

  describe(`copies of templates/${lang}/_shared primitives`, () => {
    it("finds the primitives and the templates that use them (a test that compares nothing fails)", () => {
      expect(sharedPrimitives(sharedDir, lang).length, `no primitives under ${sharedSourceDir(sharedDir, lang)}`).toBeGreaterThan(0);
      expect(templates.filter((template) => template.manifest.shared.length > 0).length).toBeGreaterThan(0);
      expect(plannedCopies(templates, root).length).toBeGreaterThan(0);
    });

    it("every copy a manifest asks for exists and is byte-identical to _shared (with its test, in TypeScript)", () => {
      const drifted = driftedCopies(plannedCopies(templates, root)).map((entry) => `templates/${entry.template}/${entry.relative}`);
      expect(drifted, `these copies are missing or differ; ${FIX}`).toEqual([]);
    });

    it.each(templates.map((template) => [template.name, template] as const))(
      `%s: every shared primitive it carries is declared in template.json's "shared"`,
      (_name, template) => {
        const offered = new Set(sharedPrimitives(sharedDir, lang));
        let files: string[] = [];
        try {
          files = readdirSync(sharedSourceDir(template.dir, lang));
        } catch {
          files = [];
        }
        const undeclared = files
          .filter((file) => file.endsWith(extension))
          .map((file) => file.slice(0, -extension.length).replaceAll("_", "-"))
          .filter((name) => offered.has(name) && !template.manifest.shared.includes(name));
        expect(undeclared, `add them to "shared" in ${template.manifestPath}, then ${FIX}`).toEqual([]);
      },
    );
  });
}

describe("plannedCopies", () => {
  it("maps a Rust primitive to src/<snake_case>.rs and names the missing file when _shared lacks one", () => {
    const rust = discoverTemplates().templates.filter((template) => template.lang === "rust" && template.manifest.shared.length > 0);
    const copies = plannedCopies(rust, root);
    expect(copies.map((entry) => entry.relative)).toContain("src/metrics_http.rs");
    const [first] = rust;
    if (!first) throw new Error("no Rust template lists a shared primitive");
    const broken = { ...first, manifest: { ...first.manifest, shared: ["no-such-thing"] } };
    expect(() => plannedCopies([broken], root)).toThrow(/"shared" lists "no-such-thing".*src\/no_such_thing\.rs does not exist/);
  });
});
