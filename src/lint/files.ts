import { existsSync, readdirSync, statSync, type Dirent } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";
import { UsageError } from "../errors.js";
import { GitIgnore } from "./gitignore.js";

/** Folders never descended into. */
export const SKIPPED_DIRECTORIES = new Set(["node_modules", "dist", "build", "coverage", ".git", "target"]);

const GLOB_CHARS = /[*?[\]{}!]/;

export interface FileDiscoveryOptions {
  cwd: string;
  /** Extensions the engine can lint, with the dot. */
  extensions: readonly string[];
  /** Globs from the config, relative to `ignoreBase`. */
  ignore: readonly string[];
  ignoreBase: string;
  /** Skip what `.gitignore` files ignore in folders walked and globs expanded (files named directly are always linted). Default true. */
  gitignore?: boolean;
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join("/");
}

export function makeIgnoreMatcher(ignore: readonly string[], base: string): (absolute: string) => boolean {
  if (ignore.length === 0) return () => false;
  // "generated" and "generated/" ignore the folder and everything in it, as in .gitignore.
  const patterns = ignore.flatMap((pattern) => {
    const trimmed = pattern.replace(/\/+$/, "");
    return GLOB_CHARS.test(trimmed) ? [trimmed, `${trimmed}/**`] : [trimmed, `${trimmed}/**`, `**/${trimmed}/**`];
  });
  const isMatch = picomatch(patterns, { dot: true });
  return (absolute) => {
    const relative = toPosix(path.relative(base, absolute));
    return !relative.startsWith("..") && isMatch(relative);
  };
}

function walkDirectory(root: string, visit: (file: string) => void, isIgnored: (absolute: string, isDirectory: boolean) => boolean): void {
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const entry of entries) {
      const absolute = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name) && !isIgnored(absolute, true)) pending.push(absolute);
      } else if (entry.isFile() && !isIgnored(absolute, false)) {
        visit(absolute);
      }
    }
  }
}

/** The static folder a glob starts from: `src/**\/*.ts` → `src`. */
function globBase(pattern: string): string {
  const segments = pattern.split("/");
  const base: string[] = [];
  for (const segment of segments) {
    if (GLOB_CHARS.test(segment)) break;
    base.push(segment);
  }
  return base.join("/") || ".";
}

/**
 * Expands the command line's paths into the files to lint. Folders are walked (skipping
 * node_modules, dist, build, coverage, .git, target and the config's ignore globs); globs are matched
 * relative to the working directory; files named directly are linted when their extension is one
 * the engine knows and skipped silently otherwise (a pre-commit hook passes every staged file).
 * A path that does not exist, or a glob that matches nothing, is a usage error.
 */
export function discoverFiles(paths: readonly string[], options: FileDiscoveryOptions): string[] {
  const isConfigIgnored = makeIgnoreMatcher(options.ignore, options.ignoreBase);
  const gitignore = options.gitignore === false ? undefined : new GitIgnore();
  const isIgnored = (absolute: string) => isConfigIgnored(absolute);
  const isWalkIgnored = (absolute: string, isDirectory: boolean) =>
    isConfigIgnored(absolute) || (gitignore?.isIgnored(absolute, isDirectory) ?? false);
  const lintable = (file: string) => options.extensions.includes(path.extname(file)) && !file.endsWith(".d.ts");
  const found = new Set<string>();
  for (const input of paths) {
    const absolute = path.resolve(options.cwd, input);
    if (existsSync(absolute)) {
      const stat = statSync(absolute);
      if (stat.isDirectory()) {
        walkDirectory(
          absolute,
          (file) => {
            if (lintable(file) && !isIgnored(file)) found.add(file);
          },
          isWalkIgnored,
        );
      } else if (lintable(absolute) && !isIgnored(absolute)) {
        found.add(absolute);
      }
      continue;
    }
    if (!GLOB_CHARS.test(input)) {
      throw new UsageError(`No such file or folder: ${input}. Check the path, or quote a glob so the shell does not expand it.`);
    }
    const pattern = toPosix(input);
    const base = path.resolve(options.cwd, globBase(pattern));
    const isMatch = picomatch(toPosix(path.relative(options.cwd, path.resolve(options.cwd, pattern))), { dot: false });
    let matched = 0;
    if (existsSync(base)) {
      walkDirectory(
        base,
        (file) => {
          if (!isMatch(toPosix(path.relative(options.cwd, file)))) return;
          matched++;
          if (lintable(file) && !isIgnored(file)) found.add(file);
        },
        isWalkIgnored,
      );
    }
    if (matched === 0) throw new UsageError(`No files match the pattern "${input}".`);
  }
  return [...found].sort();
}
