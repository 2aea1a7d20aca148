/**
 * The accuracy corpus (accuracy/corpus.json): which packages, which files of each, and what role
 * each file plays. Shared by scripts/accuracy.ts and scripts/accuracy-split.ts.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";

export type Kind = "ts-library" | "ts-application" | "rust-crate";
export type Half = "tuning" | "held-out";
export type Role = "source" | "test" | "example" | "fixture" | "generated";

export interface CorpusPackage {
  name: string;
  version: string;
  kind: Kind;
  source: "npm" | "debian";
  debianPackage?: string;
  /** Globs (relative to the package root) of duplicate builds left out; everything else is linted. */
  exclude: string[];
  note?: string;
  /** Newline count of the linted files, counted before any lint run (the split is made on it). */
  lines?: number;
  files?: number;
  half?: Half;
  /**
   * Which batch added the package: absent for batch 1 (the first 41, split in 80db319), 2, 3 or 4
   * for the packages added later (each after the batch before it was tuned) and split
   * on their own (scripts/accuracy-split.ts), so that their tuning half is code nobody had looked
   * at when it was split.
   */
  batch?: number;
}

/** A package's batch (absent means 1). */
export function batchOf(entry: CorpusPackage): number {
  return entry.batch ?? 1;
}

export interface Corpus {
  description: string;
  splitRule: string;
  packages: CorpusPackage[];
}

export const KINDS: Kind[] = ["ts-library", "ts-application", "rust-crate"];
export const HALVES: Half[] = ["tuning", "held-out"];
export const ROLES: Role[] = ["source", "test", "example", "fixture", "generated"];

const TS_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/** Where Debian's librust-*-dev packages put published crate sources. */
export const CARGO_REGISTRY = "/usr/share/cargo/registry";

/**
 * Every lintable file of a package root, as published: node_modules and `.git` skipped, `exclude`
 * globs left out, `.d.ts` left out as asyncpat itself skips them (`withDeclarations` keeps them: the
 * split of 80db319 was made on counts that included them). Sorted, relative, '/'-separated.
 */
export function packageFiles(root: string, entry: CorpusPackage, withDeclarations = false): string[] {
  const excluded = entry.exclude.length > 0 ? picomatch(entry.exclude, { dot: true }) : () => false;
  const rust = entry.kind === "rust-crate";
  const out: string[] = [];
  const pending = [""];
  while (pending.length > 0) {
    const relativeDir = pending.pop()!;
    for (const item of readdirSync(path.join(root, relativeDir), { withFileTypes: true })) {
      const relative = relativeDir === "" ? item.name : `${relativeDir}/${item.name}`;
      if (item.isDirectory()) {
        if (item.name === "node_modules" || item.name === ".git") continue;
        pending.push(relative);
      } else if (item.isFile()) {
        // `.d.ts` files are never linted by asyncpat (src/lint/files.ts), so they are not counted either.
        const lintable = rust
          ? relative.endsWith(".rs")
          : TS_EXTENSIONS.some((extension) => relative.endsWith(extension)) && !(withDeclarations === false && relative.endsWith(".d.ts"));
        if (lintable && !excluded(relative)) out.push(relative);
      }
    }
  }
  return out.sort();
}

/** Lines as `asyncpat lint --stats` counts them: newlines + 1. */
export function countLines(text: string): number {
  let lines = 1;
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) lines++;
  return lines;
}

const TEST_DIRS = new Set(["test", "tests", "__tests__", "test-jest", "benches", "benchmark", "benchmarks", "bench"]);
const EXAMPLE_DIRS = new Set(["examples", "example"]);
const FIXTURE_DIRS = new Set(["fixtures", "__fixtures__", "fixture"]);

/**
 * The role of a file, from its path (and, for minified code, its text). First match wins:
 * generated (`.d.ts`/`.d.mts`/`.d.cts`, `.min.*`, or a line longer than 2,000 characters),
 * fixture (`fixtures/`, `__fixtures__/`), test (`*.test.*`, `*.spec.*`, `__tests__/`, `test/`,
 * `tests/`, `test-jest/`, and benchmarks: `benches/`, `bench/`, `benchmark(s)/`; Rust `tests.rs`
 * / `test.rs` module files), example (`examples/`, `example/`), else source. Rust unit tests
 * inline in other `src/*.rs` files (`#[cfg(test)] mod tests { … }`) count as source: the path
 * cannot tell.
 */
export function classifyRole(relative: string, text?: string): Role {
  const segments = relative.split("/");
  const base = segments[segments.length - 1]!;
  const dirs = segments.slice(0, -1);
  if (/\.d\.[mc]?ts$/.test(base) || /\.min\.[cm]?js$/.test(base)) return "generated";
  if (text !== undefined && text.split("\n").some((line) => line.length > 2000)) return "generated";
  if (dirs.some((dir) => FIXTURE_DIRS.has(dir))) return "fixture";
  if (/\.(test|spec)\.[^.]+$/.test(base) || /\.(test|spec)\.d\./.test(base) || dirs.some((dir) => TEST_DIRS.has(dir))) return "test";
  // A Rust test module file (`src/tests.rs`, `src/foo/test.rs`), compiled only under #[cfg(test)].
  if (base === "tests.rs" || base === "test.rs") return "test";
  if (dirs.some((dir) => EXAMPLE_DIRS.has(dir))) return "example";
  return "source";
}

export function loadCorpus(file: string): Corpus {
  return JSON.parse(readFileSync(file, "utf8")) as Corpus;
}

/** Directory name for a package inside the work folder (scoped names flattened). */
export function slug(entry: CorpusPackage): string {
  return `${entry.name.replace(/^@/, "").replace(/\//g, "+")}@${entry.version}`;
}

export function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The package's root folder, ready to lint: an npm tarball is packed (`npm pack`, cached in
 * `cacheDir`) and extracted under `work`; a Debian crate is read in place from the cargo registry.
 * Throws with the `apt-get install` line when a crate is missing.
 */
export async function materialize(entry: CorpusPackage, work: string, cacheDir: string): Promise<string> {
  const { execa } = await import("execa");
  const { existsSync, mkdirSync } = await import("node:fs");
  if (entry.source === "debian") {
    const root = path.join(CARGO_REGISTRY, `${entry.name}-${entry.version}`);
    if (!existsSync(path.join(root, "Cargo.toml"))) {
      throw new Error(
        `${entry.name} ${entry.version} is not in ${CARGO_REGISTRY}: run \`apt-get install ${entry.debianPackage ?? `librust-${entry.name}-dev`}\` (the corpus pins the version Debian 12 ships)`,
      );
    }
    return root;
  }
  mkdirSync(cacheDir, { recursive: true });
  const tarball = path.join(cacheDir, `${slug(entry).replace("@", "-")}.tgz`);
  if (!existsSync(tarball)) {
    const packed = (await execa("npm", ["pack", `${entry.name}@${entry.version}`, "--silent", "--pack-destination", cacheDir])).stdout
      .trim()
      .split("\n")
      .pop()!;
    const { renameSync } = await import("node:fs");
    renameSync(path.join(cacheDir, packed), tarball);
  }
  const dir = path.join(work, slug(entry));
  mkdirSync(dir, { recursive: true });
  await execa("tar", ["xzf", tarball, "-C", dir]);
  // npm tarballs hold one top folder, `package/` for almost every package
  const top = readdirSync(dir);
  return path.join(dir, top.length === 1 ? top[0]! : "package");
}
