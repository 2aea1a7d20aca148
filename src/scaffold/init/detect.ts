import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { PackageManager } from "../package-manager.js";

/** What `asyncpat init` found in a repository. */
export interface Detection {
  root: string;
  languages: { typescript: boolean; rust: boolean };
  hasPackageJson: boolean;
  /** From the lockfile, else package.json's `packageManager`, else npm. */
  packageManager: PackageManager;
  lockfile?: string;
  /** An asyncpat config already there (a file name, or `package.json#asyncpat`). */
  asyncpatConfig?: string;
  preCommit?: string;
  husky: boolean;
  lefthook?: string;
  /** `package.json#lint-staged` or a lint-staged config file. */
  lintStaged?: string;
  githubActions: boolean;
  gitlabCi?: string;
  eslintConfig?: string;
  /** The default branch, for the workflow's `push` trigger. */
  defaultBranch: string;
}

const LOCKFILES: [string, PackageManager][] = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];
const TS_EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"]);
const SKIPPED_FOLDERS = new Set(["node_modules", ".git", "dist", "build", "coverage", "target", "vendor"]);
const ESLINT_CONFIGS = [
  "eslint.config.js",
  "eslint.config.mjs",
  "eslint.config.cjs",
  "eslint.config.ts",
  "eslint.config.mts",
  ".eslintrc.js",
  ".eslintrc.cjs",
  ".eslintrc.json",
  ".eslintrc.yml",
  ".eslintrc.yaml",
  ".eslintrc",
];

/** Which languages have files, looking a few folders deep (enough for src/, packages/*\/src/, crates/*\/src/). */
function scanLanguages(root: string): { typescript: boolean; rust: boolean } {
  const found = { typescript: false, rust: false };
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (found.typescript && found.rust) return;
      if (entry.isDirectory()) {
        if (depth < 4 && !SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith(".")) walk(path.join(dir, entry.name), depth + 1);
      } else if (entry.name === "Cargo.toml" || entry.name.endsWith(".rs")) {
        found.rust = true;
      } else if (entry.name === "tsconfig.json" || TS_EXTENSIONS.has(path.extname(entry.name))) {
        found.typescript = true;
      }
    }
  };
  walk(root, 0);
  return found;
}

function firstExisting(root: string, names: readonly string[]): string | undefined {
  return names.find((name) => existsSync(path.join(root, name)));
}

function readPackageJson(root: string): Record<string, unknown> | undefined {
  try {
    const data: unknown = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  } catch {
    return existsSync(path.join(root, "package.json")) ? {} : undefined;
  }
}

/** The branch `origin/HEAD` points at, else the current one, else main (read from .git, no git process). */
function defaultBranch(root: string): string {
  const read = (file: string) => {
    try {
      return readFileSync(path.join(root, ".git", file), "utf8").trim();
    } catch {
      return "";
    }
  };
  const ref =
    /^ref: refs\/remotes\/origin\/(.+)$/.exec(read("refs/remotes/origin/HEAD"))?.[1] ?? /^ref: refs\/heads\/(.+)$/.exec(read("HEAD"))?.[1];
  return ref && /^[\w./-]+$/.test(ref) ? ref : "main";
}

export function detectRepository(root: string): Detection {
  const pkg = readPackageJson(root);
  const lock = LOCKFILES.find(([file]) => existsSync(path.join(root, file)));
  const declared = typeof pkg?.packageManager === "string" ? pkg.packageManager.split("@")[0] : undefined;
  const packageManager: PackageManager =
    lock?.[1] ?? (declared === "pnpm" || declared === "yarn" || declared === "bun" || declared === "npm" ? declared : "npm");
  const languages = scanLanguages(root);
  const asyncpatConfig =
    firstExisting(root, ["asyncpat.config.json", ".asyncpatrc.json"]) ?? (pkg && "asyncpat" in pkg ? "package.json#asyncpat" : undefined);
  return {
    root,
    languages,
    hasPackageJson: pkg !== undefined,
    packageManager,
    lockfile: lock?.[0],
    asyncpatConfig,
    preCommit: firstExisting(root, [".pre-commit-config.yaml", ".pre-commit-config.yml"]),
    husky: existsSync(path.join(root, ".husky")),
    lefthook: firstExisting(root, ["lefthook.yml", "lefthook.yaml", ".lefthook.yml", ".lefthook.yaml"]),
    lintStaged:
      pkg && "lint-staged" in pkg
        ? "package.json#lint-staged"
        : firstExisting(root, [
            ".lintstagedrc",
            ".lintstagedrc.json",
            ".lintstagedrc.yaml",
            ".lintstagedrc.yml",
            "lint-staged.config.js",
            "lint-staged.config.mjs",
          ]),
    githubActions: existsSync(path.join(root, ".github", "workflows")),
    gitlabCi: firstExisting(root, [".gitlab-ci.yml", ".gitlab-ci.yaml"]),
    eslintConfig: firstExisting(root, ESLINT_CONFIGS) ?? (pkg && "eslintConfig" in pkg ? "package.json#eslintConfig" : undefined),
    defaultBranch: defaultBranch(root),
  };
}
