/**
 * Shared template primitives: `templates/<lang>/_shared/src/lib/<name>.ts` with its test
 * `test/lib/<name>.test.ts`, copied byte for byte into every template whose manifest lists the name
 * under `shared`. `npm run sync-shared` writes the copies; test/scaffold/shared-copies.test.ts
 * fails when one drifts. Each generated project stands alone, so the copies are real files.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Template } from "./discover.js";

export interface SharedCopy {
  template: string;
  /** The primitive's file in `_shared`, absolute. */
  original: string;
  /** Where the template carries it, absolute. */
  copy: string;
  /** Path inside the template, for messages. */
  relative: string;
}

/** The primitives a `_shared` folder offers: the names of its `src/lib/*.ts`. */
export function sharedPrimitives(sharedDir: string): string[] {
  const lib = path.join(sharedDir, "src", "lib");
  if (!existsSync(lib)) return [];
  return readdirSync(lib)
    .filter((file) => file.endsWith(".ts"))
    .map((file) => file.slice(0, -3))
    .sort();
}

/** Every copy the manifests ask for; throws naming the template when it lists a primitive `_shared` lacks. */
export function plannedCopies(templates: readonly Template[], templatesRoot: string): SharedCopy[] {
  const copies: SharedCopy[] = [];
  for (const template of templates) {
    const sharedDir = path.join(templatesRoot, template.lang, "_shared");
    const offered = new Set(sharedPrimitives(sharedDir));
    for (const name of template.manifest.shared) {
      if (!offered.has(name)) {
        throw new Error(`${template.manifestPath}: "shared" lists "${name}", but ${path.join(sharedDir, "src", "lib")} has no ${name}.ts.`);
      }
      for (const relative of [`src/lib/${name}.ts`, `test/lib/${name}.test.ts`]) {
        const original = path.join(sharedDir, relative);
        if (relative.startsWith("test/") && !existsSync(original)) continue;
        copies.push({ template: `${template.lang}/${template.name}`, original, copy: path.join(template.dir, relative), relative });
      }
    }
  }
  return copies;
}

/** Copies that are missing or differ from their original. */
export function driftedCopies(copies: readonly SharedCopy[]): SharedCopy[] {
  return copies.filter((entry) => !existsSync(entry.copy) || !readFileSync(entry.copy).equals(readFileSync(entry.original)));
}
