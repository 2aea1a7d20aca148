/**
 * What a file is for. Test code is bounded by its runner and starts servers, spins and fans out on
 * purpose; fixtures are deliberately broken inputs of some other program's tests; generated files
 * (minified or bundled code, a compiled `.js` beside its `.ts`) are not what anyone edits. Roles
 * are judged from the path inside the file's package (the folder of the nearest package.json or
 * Cargo.toml), so where a project lives on disk never matters, and from the text for generated
 * code. Scripts (`scripts/`, `bin/`, a shebang) are one-shot programs: nothing else waits on them.
 * A Rust file under `bin/` is not one: Cargo builds `src/bin/*.rs` and `src/bin/<name>/main.rs` as
 * binary targets, programs like `src/main.rs` that may serve for as long as they run; Cargo's
 * one-shot program is the crate's `build.rs`. One definition for every rule and both languages.
 */
import { existsSync } from "node:fs";
import path from "node:path";

export type FileRole = "source" | "test" | "example" | "script" | "fixture" | "generated";
export const FILE_ROLES: readonly FileRole[] = ["source", "test", "example", "script", "fixture", "generated"];

/** Fixtures: inputs of tests, often invalid on purpose. */
const FIXTURE_PATH = /(^|\/)(__fixtures__|fixtures?|__snapshots__)\//;
/** `*.test.ts`, `*_spec.js`, and files under `__tests__/`, `__mocks__/`, `test/`, `tests/`, `e2e/` or `benches/` (Rust's integration tests and benchmarks). */
const TEST_PATH = /[._](test|spec)\.[cm]?[jt]sx?$|(^|\/)(__tests__|__mocks__|test|tests|e2e|benches|bench|benchmarks?)\//;
/** Example programs: documentation to copy, run by hand. */
const EXAMPLE_PATH = /(^|\/)(examples?)\//;
/** One-shot programs run by hand or by a build: `scripts/`, `bin/`, `tools/`, or a file with a shebang. */
const SCRIPT_PATH = /(^|\/)(scripts?|bin|tools)\//;
/** Rust: `bin/` holds binary targets, not scripts; `build.rs` at the crate root is Cargo's build script. */
const RUST_SCRIPT_PATH = /(^|\/)(scripts?|tools)\/|^build\.rs$/;
/**
 * `#!` opening a file names its interpreter, except `#![…]`: a Rust inner attribute
 * (`#![deny(missing_docs)]` heads many a `lib.rs`), which is how rustc tells the two apart too.
 */
const SHEBANG = /^#!(?!\s*\[)/;

/** Tool configs (`vite.config.ts`, `jest.config.js`): run once by a build tool, never on a serving path. */
const TOOL_CONFIG_FILE = /\.config\.[cm]?[jt]s$/;

function normalize(filePath: string): string {
  return filePath.replace(/\\/g, "/");
}

/** Test code by its path alone (absolute or relative; only the package-relative part should be passed where it matters). */
export function isTestFile(filePath: string): boolean {
  return TEST_PATH.test(normalize(filePath));
}

export function isToolConfigFile(filePath: string): boolean {
  return TOOL_CONFIG_FILE.test(normalize(filePath));
}

const packageRootCache = new Map<string, string | undefined>();

/** The nearest folder at or above `dir` with a package.json or Cargo.toml; undefined when there is none. */
export function packageRootOf(dir: string): string | undefined {
  const visited: string[] = [];
  let found: string | undefined;
  for (let current = dir; ; current = path.dirname(current)) {
    if (packageRootCache.has(current)) {
      found = packageRootCache.get(current);
      break;
    }
    visited.push(current);
    if (existsSync(path.join(current, "package.json")) || existsSync(path.join(current, "Cargo.toml"))) {
      found = current;
      break;
    }
    if (path.dirname(current) === current) break;
  }
  for (const entry of visited) packageRootCache.set(entry, found);
  return found;
}

/**
 * The unit whose files run together, for facts that span files (is there a shutdown handler? who
 * calls this under a deadline?): the file's package or crate root, "" when it has none.
 */
export function packageKeyOf(filePath: string): string {
  return packageRootOf(path.dirname(filePath)) ?? "";
}

/** Groups items by the package of their path, in first-seen order. */
export function byPackage<T>(items: readonly T[], pathOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = packageKeyOf(pathOf(item));
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * Minified or bundled code by its shape: long lines with few line breaks, or a bundler's runtime.
 * Hand-written code has short lines; a formatter keeps it so.
 */
export function looksGenerated(text: string): boolean {
  if (/^\s*\/\/ @generated\b|^\s*\/\*\s*@generated\b|\bDO NOT EDIT\b/m.test(text.slice(0, 2000))) return true;
  if (/\b__webpack_require__\b|\b__vite__|\bSystem\.register\(|\/\*\*\*\*\*\*\/ \(function\(modules\)/.test(text.slice(0, 20_000)))
    return true;
  const lines = text.split("\n");
  if (text.length > 5_000 && text.length / lines.length > 250) return true;
  return lines.some((line) => line.length > 5_000);
}

export interface RoleInput {
  /** Absolute path. */
  filePath: string;
  text: string;
  /** Every file of the run (absolute), to find a `.js` compiled from a `.ts` beside it. */
  siblings?: ReadonlySet<string>;
  /** Where paths are judged from when the file has no package.json or Cargo.toml above it (the run's folder). */
  fallbackRoot?: string;
}

const COMPILED_FROM: Record<string, string[]> = { ".js": [".ts", ".tsx"], ".mjs": [".mts"], ".cjs": [".cts"], ".jsx": [".tsx"] };

/** The path a role is judged from: relative to the file's package, else the file name alone. */
export function rolePath(filePath: string, fallbackRoot?: string): string {
  let root = packageRootOf(path.dirname(filePath));
  if (!root && fallbackRoot && !path.relative(fallbackRoot, filePath).startsWith("..")) root = fallbackRoot;
  return normalize(root ? path.relative(root, filePath) : path.basename(filePath));
}

export function fileRole(input: RoleInput): FileRole {
  const relative = rolePath(input.filePath, input.fallbackRoot);
  if (FIXTURE_PATH.test(relative)) return "fixture";
  const extension = path.extname(input.filePath);
  const stem = input.filePath.slice(0, input.filePath.length - extension.length);
  const sources = COMPILED_FROM[extension] ?? [];
  if (sources.some((source) => input.siblings?.has(`${stem}${source}`) || existsSync(`${stem}${source}`))) return "generated";
  if (looksGenerated(input.text)) return "generated";
  if (TEST_PATH.test(relative)) return "test";
  if (EXAMPLE_PATH.test(relative)) return "example";
  const scriptPath = extension === ".rs" ? RUST_SCRIPT_PATH : SCRIPT_PATH;
  if (scriptPath.test(relative) || SHEBANG.test(input.text)) return "script";
  return "source";
}
