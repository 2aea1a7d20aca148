import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";
import { UsageError } from "../errors.js";
import { MANIFEST_FILE, type Template } from "./discover.js";
import { fillPlaceholders, type Manifest, type OptionValues, type Variant } from "./manifest.js";

/** A file of the generated project, held in memory until the writer puts it on disk. */
export interface RenderedFile {
  /** POSIX path relative to the project root, after renames (`_gitignore` → `.gitignore`). */
  path: string;
  content: Buffer;
  mode: number;
}

export interface RenderInput {
  name: string;
  values: OptionValues;
  /** When set, the version spec of a TypeScript project's `asyncpat` devDependency: the linter it was made with. */
  asyncpatSpec?: string;
}

/** Stored under another name so they do not act on this repository; renamed on write. */
const RENAMES: Readonly<Record<string, string>> = { _gitignore: ".gitignore", _npmrc: ".npmrc" };
const NEVER_COPIED_DIRS = new Set(["node_modules", "dist", "target"]);
const NEVER_COPIED_FILES = new Set(["package-lock.json", "Cargo.lock"]);

export class TemplateError extends UsageError {}

export function outputPathOf(sourcePath: string): string {
  const parts = sourcePath.split("/");
  const base = parts[parts.length - 1] as string;
  parts[parts.length - 1] = RENAMES[base] ?? base;
  return parts.join("/");
}

/** Every file of a template folder that belongs in a project, as sorted POSIX paths. */
export async function listTemplateFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!NEVER_COPIED_DIRS.has(entry.name) && entry.name !== ".git") await walk(child);
      } else if (entry.isFile()) {
        if (child === MANIFEST_FILE || NEVER_COPIED_FILES.has(entry.name)) continue;
        files.push(child);
      } else if (entry.isSymbolicLink()) {
        // A link could point anywhere on the author's machine; templates hold real files only.
        throw new TemplateError(`${path.join(dir, child)} is a symbolic link; templates must hold plain files.`);
      }
    }
  };
  await walk("");
  return files.sort();
}

const IF_MARKER = /asyncpat-template:if\b/;
const IF_PARSE = /asyncpat-template:if\s+([A-Za-z][A-Za-z0-9]*)\s*=\s*([A-Za-z0-9._-]+)/;
const ENDIF_MARKER = /asyncpat-template:endif\b/;

/**
 * Applies `asyncpat-template:if <option>=<value>` … `asyncpat-template:endif` blocks: marker lines
 * always go, the lines between stay only when the option has that value. Blocks do not nest.
 * `manifest` is used to reject unknown options and values, so a typo in a template fails loudly.
 */
export function renderConditionalBlocks(text: string, values: OptionValues, manifest: Manifest, file: string): string {
  if (!text.includes("asyncpat-template:")) return text;
  const lines = text.split("\n");
  const kept: string[] = [];
  let open: { line: number; keep: boolean } | undefined;
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (IF_MARKER.test(line)) {
      if (open)
        throw new TemplateError(`${file}:${lineNo}: conditional blocks do not nest (the block opened on line ${open.line} is still open).`);
      const match = IF_PARSE.exec(line);
      if (!match) throw new TemplateError(`${file}:${lineNo}: expected "asyncpat-template:if <option>=<value>".`);
      const [, key, value] = match as unknown as [string, string, string];
      const option = manifest.options.find((candidate) => candidate.key === key);
      if (!option) throw new TemplateError(`${file}:${lineNo}: "${key}" is not an option of this template.`);
      if (option.kind === "choice" && !option.choices.includes(value)) {
        throw new TemplateError(`${file}:${lineNo}: "${value}" is not a value of option "${key}" (${option.choices.join(", ")}).`);
      }
      open = { line: lineNo, keep: String(values[key]) === value };
      return;
    }
    if (ENDIF_MARKER.test(line)) {
      if (!open) throw new TemplateError(`${file}:${lineNo}: "asyncpat-template:endif" without a matching if.`);
      open = undefined;
      return;
    }
    if (!open || open.keep) kept.push(line);
  });
  if (open) throw new TemplateError(`${file}:${open.line}: the conditional block is never closed with "asyncpat-template:endif".`);
  return kept.join("\n");
}

export function variantApplies(variant: Variant, values: OptionValues): boolean {
  return Object.entries(variant.when).every(([key, value]) => String(values[key]) === value);
}

/** Whether a glob excludes this file, matching the file itself or any folder above it. */
function excludedBy(matchers: picomatch.Matcher[], sourcePath: string): boolean {
  if (matchers.length === 0) return false;
  const candidates = [sourcePath, outputPathOf(sourcePath)];
  const parts = sourcePath.split("/");
  for (let i = 1; i < parts.length; i += 1) candidates.push(parts.slice(0, i).join("/"));
  return candidates.some((candidate) => matchers.some((matches) => matches(candidate)));
}

function isText(content: Buffer): boolean {
  return !content.subarray(0, 8000).includes(0);
}

function rewritePackageJson(text: string, file: string, input: RenderInput, removeDependencies: string[]): string {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new TemplateError(`${file}: not valid JSON (${(error as Error).message}).`);
  }
  const rewritten: Record<string, unknown> = { name: input.name, ...pkg };
  rewritten.name = input.name;
  for (const field of ["dependencies", "devDependencies"]) {
    const deps = rewritten[field] as Record<string, string> | undefined;
    if (!deps) continue;
    for (const dep of removeDependencies) delete deps[dep];
    if (input.asyncpatSpec && field === "devDependencies" && deps.asyncpat !== undefined) deps.asyncpat = input.asyncpatSpec;
  }
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  return JSON.stringify(rewritten, null, 2).replace(/\n/g, eol) + eol;
}

/**
 * Renders a template in memory: drops never-copied and variant-excluded files, applies `replace`,
 * conditional blocks, renames, and (TypeScript) the package name and removed dependencies.
 */
export async function renderTemplate(template: Template, input: RenderInput): Promise<RenderedFile[]> {
  const { manifest } = template;
  const active = manifest.variants.filter((variant) => variantApplies(variant, input.values));
  const matchers = active.flatMap((variant) => variant.exclude.map((glob) => picomatch(glob, { dot: true })));
  const removeDependencies = active.flatMap((variant) => variant.removeDependencies);
  const shown = (relative: string): string => `templates/${template.lang}/${template.name}/${relative}`;

  const sources = await listTemplateFiles(template.dir);
  const sourceSet = new Set(sources);
  for (const replacement of manifest.replace) {
    for (const file of replacement.files) {
      if (!sourceSet.has(file)) {
        throw new TemplateError(`${shown(MANIFEST_FILE)}: replace lists "${file}", which is not in the template.`);
      }
    }
  }

  const rendered: RenderedFile[] = [];
  for (const source of sources) {
    if (excludedBy(matchers, source)) continue;
    const absolute = path.join(template.dir, source);
    const [raw, stats] = await Promise.all([readFile(absolute), lstat(absolute)]);
    let content = raw;
    if (isText(raw)) {
      let text = raw.toString("utf8");
      for (const replacement of manifest.replace) {
        if (!replacement.files.includes(source)) continue;
        if (!text.includes(replacement.search)) {
          throw new TemplateError(
            `${shown(source)}: the replace search text ${JSON.stringify(replacement.search)} from template.json does not occur in the file.`,
          );
        }
        text = text.split(replacement.search).join(fillPlaceholders(replacement.replace, input.name, input.values));
      }
      text = renderConditionalBlocks(text, input.values, manifest, shown(source));
      if (source === "package.json") text = rewritePackageJson(text, shown(source), input, removeDependencies);
      content = Buffer.from(text, "utf8");
    }
    rendered.push({ path: outputPathOf(source), content, mode: stats.mode & 0o777 });
  }
  return rendered;
}
