import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../version.js";
import { UsageError } from "../errors.js";
import { parseManifest, type Manifest } from "./manifest.js";

export interface Template {
  lang: string;
  name: string;
  dir: string;
  manifestPath: string;
  manifest: Manifest;
}

export interface BrokenTemplate {
  lang: string;
  name: string;
  manifestPath: string;
  problem: string;
}

export interface Catalog {
  templates: Template[];
  /** Templates whose manifest does not parse: reported when chosen or listed, never fatal to others. */
  broken: BrokenTemplate[];
}

export const MANIFEST_FILE = "template.json";

export function defaultTemplatesRoot(): string {
  return path.join(packageRoot, "templates");
}

function subdirectories(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  // Folders starting with `_` hold shared code (templates/ts/_shared), not templates.
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("_") && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort();
}

function hasFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds `<root>/<lang>/<name>/template.json`. A folder without a manifest is not a template (yet);
 * a manifest that does not parse is listed as broken with the reason.
 */
export function discoverTemplates(root: string = defaultTemplatesRoot()): Catalog {
  const catalog: Catalog = { templates: [], broken: [] };
  for (const lang of subdirectories(root)) {
    for (const name of subdirectories(path.join(root, lang))) {
      const dir = path.join(root, lang, name);
      const manifestPath = path.join(dir, MANIFEST_FILE);
      if (!hasFile(manifestPath)) continue;
      const shown = path.relative(process.cwd(), manifestPath) || manifestPath;
      try {
        let raw: unknown;
        try {
          raw = JSON.parse(readFileSync(manifestPath, "utf8"));
        } catch (error) {
          throw new UsageError(`${shown}: not valid JSON (${(error as Error).message}).`);
        }
        catalog.templates.push({ lang, name, dir, manifestPath, manifest: parseManifest(raw, shown) });
      } catch (error) {
        catalog.broken.push({ lang, name, manifestPath, problem: (error as Error).message });
      }
    }
  }
  return catalog;
}

export function languagesOf(catalog: Catalog): string[] {
  return [...new Set(catalog.templates.map((template) => template.lang))].sort((a, b) =>
    // TypeScript first: it is the default language.
    a === "ts" ? -1 : b === "ts" ? 1 : a.localeCompare(b),
  );
}

/** One line per template, for error messages: `server (ts), pub-sub (ts), server (rust)`. */
export function describeAvailable(catalog: Catalog): string {
  if (catalog.templates.length === 0) return "none found";
  return catalog.templates.map((template) => `${template.name} (${template.lang})`).join(", ");
}
