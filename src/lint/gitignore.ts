/**
 * `.gitignore` files, read the way git reads them, so `asyncpat lint` skips what the repository
 * ignores (build output, vendored copies) as oxlint and Biome do. Each folder's `.gitignore` applies
 * below it; a later pattern wins over an earlier one, and `!pattern` re-includes. Folders above the
 * walk up to the repository's root (the folder with `.git`) count too.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";

interface Pattern {
  match: (relative: string) => boolean;
  negate: boolean;
  directoryOnly: boolean;
}

interface IgnoreFile {
  base: string;
  patterns: Pattern[];
}

function parse(text: string): Pattern[] {
  const patterns: Pattern[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.replace(/(?<!\\)\s+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1);
    line = line.replace(/^\\([#!])/, "$1");
    const directoryOnly = line.endsWith("/");
    line = line.replace(/\/+$/, "");
    if (line === "") continue;
    const anchored = line.includes("/");
    const glob = anchored ? line.replace(/^\//, "") : `**/${line}`;
    patterns.push({ match: picomatch(glob, { dot: true }), negate, directoryOnly });
  }
  return patterns;
}

export class GitIgnore {
  private readonly files = new Map<string, IgnoreFile | undefined>();

  private load(dir: string): IgnoreFile | undefined {
    if (!this.files.has(dir)) {
      const file = path.join(dir, ".gitignore");
      this.files.set(dir, existsSync(file) ? { base: dir, patterns: parse(readFileSync(file, "utf8")) } : undefined);
    }
    return this.files.get(dir);
  }

  /** The `.gitignore` files that apply to `dir`, outermost first: up to the repository root (or the filesystem root). */
  private readonly chains = new Map<string, IgnoreFile[]>();

  private chain(dir: string): IgnoreFile[] {
    const cached = this.chains.get(dir);
    if (cached) return cached;
    const chain: IgnoreFile[] = [];
    for (let current = dir; ; current = path.dirname(current)) {
      const file = this.load(current);
      if (file) chain.unshift(file);
      if (existsSync(path.join(current, ".git")) || path.dirname(current) === current) break;
    }
    this.chains.set(dir, chain);
    return chain;
  }

  isIgnored(absolute: string, isDirectory: boolean): boolean {
    let ignored = false;
    for (const file of this.chain(path.dirname(absolute))) {
      const relative = path.relative(file.base, absolute).split(path.sep).join("/");
      for (const pattern of file.patterns) {
        if (pattern.directoryOnly && !isDirectory) continue;
        if (pattern.negate === ignored && pattern.match(relative)) ignored = !pattern.negate;
      }
    }
    return ignored;
  }
}
