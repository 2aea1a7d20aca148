/**
 * Shared template primitives, copied byte for byte into every template whose manifest lists the name
 * under `shared`: for TypeScript `templates/ts/_shared/src/lib/<name>.ts` with its test
 * `test/lib/<name>.test.ts`; for Rust `templates/rust/_shared/src/<name_in_snake_case>.rs` (a module
 * whose unit tests live in the file, so they run in every template that carries it). `npm run sync-shared` writes the copies; test/scaffold/shared-copies.test.ts
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

/** The folder of `sharedDir` that holds the primitives of `lang`. */
export function sharedSourceDir(sharedDir: string, lang: string): string {
  return lang === "rust" ? path.join(sharedDir, "src") : path.join(sharedDir, "src", "lib");
}

/** The files a primitive named `name` (kebab-case) is made of, relative to `_shared` and to the template. */
export function primitiveFiles(lang: string, name: string): string[] {
  if (lang === "rust") return [`src/${name.replaceAll("-", "_")}.rs`];
  return [`src/lib/${name}.ts`, `test/lib/${name}.test.ts`];
}

/** The primitives a `_shared` folder offers (kebab-case): its `src/lib/*.ts`, or for Rust its `src/*.rs`. */
export function sharedPrimitives(sharedDir: string, lang = "ts"): string[] {
  const dir = sharedSourceDir(sharedDir, lang);
  if (!existsSync(dir)) return [];
  const extension = lang === "rust" ? ".rs" : ".ts";
  return readdirSync(dir)
    .filter((file) => file.endsWith(extension))
    .map((file) => file.slice(0, -extension.length).replaceAll("_", "-"))
    .sort();
}

/** Every copy the manifests ask for; throws naming the template when it lists a primitive `_shared` lacks. */
export function plannedCopies(templates: readonly Template[], templatesRoot: string): SharedCopy[] {
  const copies: SharedCopy[] = [];
  for (const template of templates) {
    const sharedDir = path.join(templatesRoot, template.lang, "_shared");
    const offered = new Set(sharedPrimitives(sharedDir, template.lang));
    for (const name of template.manifest.shared) {
      if (!offered.has(name)) {
        const [file = name] = primitiveFiles(template.lang, name);
        throw new Error(`${template.manifestPath}: "shared" lists "${name}", but ${path.join(sharedDir, file)} does not exist.`);
      }
      for (const relative of primitiveFiles(template.lang, name)) {
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
