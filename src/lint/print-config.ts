import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";
import type { ResolvedConfig } from "./config.js";
import { fileRole, type FileRole } from "./file-roles.js";
import { makeIgnoreMatcher, SKIPPED_DIRECTORIES } from "./files.js";
import { GitIgnore } from "./gitignore.js";
import type { Rule } from "./rule.js";
import type { SeveritySetting } from "./rule-meta.js";

/** What `asyncpat lint --print-config <file>` prints: the settings one file is linted with, and why. */
export interface PrintedConfig {
  /** The file, relative to the working folder (posix separators). */
  file: string;
  /** The config file the settings come from (relative), or null when none was found and defaults apply. */
  configFile: string | null;
  extends: string;
  role: FileRole;
  /** Whether a lint run over the file's folder would lint it. */
  linted: boolean;
  /** Why it would not be (absent when it would). */
  notLintedBecause?: string;
  language: "typescript" | "rust" | null;
  /** Whether the type checker would be used for it, and the tsconfig it would come from. */
  types: boolean;
  tsconfig: string | null;
  /** Every rule the tool knows: its severity for this file, with options when any are set. */
  rules: Record<string, SeveritySetting | [SeveritySetting, Record<string, unknown>]>;
}

export interface PrintConfigInput {
  cwd: string;
  config: ResolvedConfig;
  rules: readonly Rule[];
  extensions: readonly string[];
  gitignore: boolean;
  tsconfigPath?: string;
  /** `--types` / `--no-types`; undefined: on when a tsconfig was found. */
  types?: boolean;
}

function posix(relative: string): string {
  return relative.split(path.sep).join("/");
}

/** The first reason a folder walk would skip the file, or undefined when it would lint it. */
function skipReason(absolute: string, role: FileRole, input: PrintConfigInput): string | undefined {
  const extension = path.extname(absolute);
  if (!input.extensions.includes(extension) || absolute.endsWith(".d.ts")) {
    return `asyncpat lints ${input.extensions.join(", ")} files (not .d.ts)`;
  }
  if (makeIgnoreMatcher(input.config.ignore, input.config.baseDir)(absolute)) {
    return `it matches an "ignore" glob of ${input.config.filePath ? posix(path.relative(input.cwd, input.config.filePath)) : "the config"}`;
  }
  const folders = path.relative(input.cwd, path.dirname(absolute)).split(path.sep);
  const skippedFolder = folders.find((folder) => SKIPPED_DIRECTORIES.has(folder));
  if (skippedFolder) return `it is inside ${skippedFolder}/, which folder walks skip (name the file to lint it anyway)`;
  if (input.gitignore) {
    const ignored = new GitIgnore();
    const message = "a .gitignore file ignores it (--no-gitignore lints it)";
    // the folders a walk from the working folder passes through, then the file
    for (let dir = path.dirname(absolute); dir !== input.cwd && !path.relative(input.cwd, dir).startsWith(".."); dir = path.dirname(dir)) {
      if (ignored.isIgnored(dir, true)) return message;
    }
    if (ignored.isIgnored(absolute, false)) return message;
  }
  if (input.config.roles[role] === "skip") return `files of role "${role}" are not linted (config "roles")`;
  return undefined;
}

/** ESLint's `--print-config`: the settings `file` is linted with, after presets, role defaults, overrides and `--rule`. */
export function printConfig(file: string, input: PrintConfigInput): PrintedConfig {
  const absolute = path.resolve(input.cwd, file);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new UsageError(`--print-config ${file}: no such file. Name one file whose settings you want to see.`);
  }
  const text = readFileSync(absolute, "utf8");
  const role = fileRole({ filePath: absolute, text, fallbackRoot: input.cwd });
  const settings = input.config.rulesFor(absolute, role);
  const byId = new Map(input.config.rules.map((entry, index) => [entry.rule.id, settings[index]]));
  const rules: PrintedConfig["rules"] = {};
  for (const rule of [...input.rules].sort((a, b) => a.id.localeCompare(b.id))) {
    const setting = byId.get(rule.id);
    if (!setting) rules[rule.id] = "off";
    else rules[rule.id] = Object.keys(setting.options).length > 0 ? [setting.severity, setting.options] : setting.severity;
  }
  const extension = path.extname(absolute);
  const language = extension === ".rs" ? "rust" : input.extensions.includes(extension) ? "typescript" : null;
  const reason = skipReason(absolute, role, input);
  const types = language === "typescript" && (input.types ?? input.tsconfigPath !== undefined);
  return {
    file: posix(path.relative(input.cwd, absolute)),
    configFile: input.config.filePath ? posix(path.relative(input.cwd, input.config.filePath)) : null,
    extends: input.config.preset,
    role,
    linted: reason === undefined,
    ...(reason === undefined ? {} : { notLintedBecause: reason }),
    language,
    types,
    tsconfig: types && input.tsconfigPath ? posix(path.relative(input.cwd, input.tsconfigPath)) : null,
    rules,
  };
}
